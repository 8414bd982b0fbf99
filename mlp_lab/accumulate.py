"""Training the way torch does it: backward ADDS into the gradients, so each batch starts with zero_grad.

``AccumulatingMLP`` is an ``MLP`` whose ``backward`` accumulates into the gradient arrays that
``parameters()`` yields (as torch's ``.grad``), and ``train_epoch`` is one epoch of the loop
chapter 07 teaches: train mode, then per batch zero_grad, forward, loss, backward, step; then
the validation loss in eval mode.
"""

from __future__ import annotations

import numpy as np

from .losses import softmax_cross_entropy
from .model import MLP, Sequential


class AccumulatingMLP(MLP):
    """An MLP (same arguments) whose ``backward`` adds d(loss)/d(param) to the gradients instead of
    overwriting them; ``zero_grad()`` sets them to 0. Gradients keep their arrays, so an optimizer
    built on ``parameters()`` sees the sums."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sums = {name: np.zeros_like(p) for name, p, _ in Sequential.parameters(self)}

    def zero_grad(self) -> None:
        """Set every gradient to 0 (in place)."""
        for g in self._sums.values():
            g.fill(0)

    def backward(self, dscores: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """As ``Sequential.backward``, but the gradients are added to what the arrays already hold."""
        d = super().backward(dscores, need_dx)
        for name, _, g in Sequential.parameters(self):
            self._sums[name] += g
        return d

    def parameters(self):
        """Yield ``(name, param, accumulated grad)`` for every parameter, in layer order."""
        for name, p, _ in Sequential.parameters(self):
            yield name, p, self._sums[name]

    def _weights(self):
        # The penalty's gradient goes into the layers' own gradients, before they are added up.
        return ((n, p, g) for n, p, g in Sequential.parameters(self) if n.endswith(".W"))


def train_epoch(model, optimizer, batches, X_val: np.ndarray, y_val: np.ndarray):
    """One epoch: for each (X_batch, y_batch) of ``batches``, in train mode: zero_grad, forward,
    softmax cross-entropy, backward, step. Then the validation loss in eval mode.

    model: an AccumulatingMLP (or anything with train/eval/zero_grad/forward/backward);
    optimizer: built on model.parameters(); batches: this epoch's (X_batch (m, n_in), y_batch (m,)) pairs;
    X_val (M, n_in), y_val (M,). Returns (list of the batch losses before each step, validation loss).
    """
    model.train()
    losses = []
    for X_batch, y_batch in batches:
        model.zero_grad()
        loss, dscores = softmax_cross_entropy(model.forward(X_batch), y_batch)
        model.backward(dscores)
        optimizer.step()
        losses.append(float(loss))
    model.eval()
    val_loss, _ = softmax_cross_entropy(model.forward(X_val), y_val)
    return losses, float(val_loss)
