"""A model is a sequence of layers: forward runs them in order, backward in reverse."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .flat import share_one_buffer
from .layers import ACTIVATIONS, Dropout, Layer, Linear, Sigmoid
from .metrics import true_labels
from .regularization import l1_penalty, l2_penalty


class Sequential:
    """Layers applied in order.  ``l1`` / ``l2``: penalty strengths on every ``W`` (never ``b``).

    Parameter names are stable: ``"<layer index>.<key>"``, e.g. ``"0.W"``, ``"0.b"``, ``"2.W"``.
    ``backward(dscores)`` overwrites every gradient with d(loss + penalty)/d(parameter).
    All parameters live in one flat buffer and all gradients in another; each layer's ``params``
    and ``grads`` are views into them (so an optimizer can update everything in one pass). Take
    references to ``layer.params[...]`` after building the model, not before.
    """

    def __init__(self, layers: list, l1: float = 0.0, l2: float = 0.0):
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential: needs at least one layer, e.g. Sequential([Linear(2, 1)]).")
        for i, layer in enumerate(layers):
            if isinstance(layer, type) and issubclass(layer, Layer):
                raise ValueError(f"Sequential: item {i} is the class {layer.__name__}, not a layer: "
                                 f"create one with {layer.__name__}(...).")
            if not isinstance(layer, Layer):
                raise ValueError(f"Sequential: item {i} is {type(layer).__name__}, not a layer (e.g. Linear, ReLU).")
        if l1 < 0 or l2 < 0:
            raise ValueError(f"Sequential: penalty strengths must be >= 0, got l1={l1}, l2={l2}.")
        self.layers, self.l1, self.l2 = layers, float(l1), float(l2)
        self._share_buffers()

    def _share_buffers(self) -> None:
        """Move the layers' parameters into one flat buffer and their gradients into another,
        leaving views in each layer's dicts (a model whose parameters mix dtypes keeps its arrays)."""
        owners = [(layer, key) for layer in self.layers for key in layer.params]
        if not owners or len({layer.params[key].dtype for layer, key in owners}) != 1:
            return
        for store in ("params", "grads"):
            _, views = share_one_buffer([getattr(layer, store)[key] for layer, key in owners])
            for (layer, key), view in zip(owners, views):
                getattr(layer, store)[key] = view

    # --- running -------------------------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        """scores = layer_L(... layer_1(x)).  x: (N, n_in) -> scores: (N, n_out)."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, dscores: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """Back-propagate dloss/dscores through every layer and fill every layer's grads (with the penalties).

        dscores: (N, n_out) -> dloss/dx: (N, n_in), or None when need_dx=False (what ``fit`` uses): then a
        first Linear layer skips dx, which nobody needs in training and which costs as much as that
        layer's forward product.
        """
        d = dscores
        for layer in reversed(self.layers[1:]):
            d = layer.backward(d)
        first = self.layers[0]
        d = first.backward(d, need_dx=False) if not need_dx and isinstance(first, Linear) else first.backward(d)
        for name, W, dW in self._weights():
            if self.l2:
                dW += self.l2 * W
            if self.l1:
                dW += self.l1 * np.sign(W)
        return d if need_dx else None

    def penalty(self) -> float:
        """The regularisation term to add to the data loss: sum over weights of L1 and L2 penalties."""
        total = 0.0
        for _, W, _ in self._weights():
            if self.l2:
                total += l2_penalty(W, self.l2)[0]
            if self.l1:
                total += l1_penalty(W, self.l1)[0]
        return total

    # --- parameters and modes --------------------------------------------------------------------
    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Yield ``(name, param, grad)`` for every parameter, in layer order: name like "0.W", param and grad
        arrays of one shape ((n_in, n_out) for a W, (n_out,) for a b); grad is the array backward fills."""
        for i, layer in enumerate(self.layers):
            for key, p in layer.params.items():
                yield f"{i}.{key}", p, layer.grads[key]

    def _weights(self):
        return ((n, p, g) for n, p, g in self.parameters() if n.endswith(".W"))

    def train(self) -> "Sequential":
        """Training mode: dropout active."""
        for layer in self.layers:
            layer.training = True
        return self

    def eval(self) -> "Sequential":
        """Evaluation mode: dropout is the identity."""
        for layer in self.layers:
            layer.training = False
        return self

    @property
    def training(self) -> bool:
        return all(layer.training for layer in self.layers)

    def labels(self, scores: np.ndarray) -> np.ndarray:
        """Class labels (N,) from this model's output scores (N, K): the argmax; with one output
        column, a threshold (0.5 after a final Sigmoid layer, 0 on raw logits)."""
        if scores.shape[1] == 1:
            threshold = 0.5 if isinstance(self.layers[-1], Sigmoid) else 0.0
            return (scores[:, 0] > threshold).astype(np.int64)
        return scores.argmax(axis=1)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class labels (N,) for x (see ``labels``). Runs in eval mode, then restores the mode."""
        was_training = self.training
        self.eval()
        try:
            scores = self.forward(x)
        finally:
            if was_training:
                self.train()
        return self.labels(scores)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of the rows of x (N, ...) whose predicted class equals the label in y: (N,) integer
        labels, (N, K) one-hot rows or a (N, 1) column of 0/1 targets."""
        return float(np.mean(self.predict(x) == true_labels(np.asarray(y))))

    def n_params(self) -> int:
        return sum(p.size for _, p, _ in self.parameters())

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        reg = (f", l1={self.l1}" if self.l1 else "") + (f", l2={self.l2}" if self.l2 else "")
        return f"{type(self).__name__}([{inner}]{reg})"


class MLP(Sequential):
    """A multilayer perceptron: Linear, activation, [Dropout], ..., Linear (the last gives raw scores).

    sizes: e.g. [784, 256, 128, 10]. activation: "relu", "sigmoid" or "tanh".
    dropout: drop probability after each hidden activation (0 = none).
    rng: a NumPy Generator or int seed (weights and dropout masks).
    init: "he" for ReLU and "xavier" otherwise, unless given.
    """

    def __init__(self, sizes, activation: str = "relu", dropout: float = 0.0, rng=0,
                 l1: float = 0.0, l2: float = 0.0, init=None, dtype=np.float32):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output size, got {sizes}.")
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}.")
        rng = np.random.default_rng(rng)
        init = init or ("he" if activation == "relu" else "xavier")
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out, rng, init=init, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
                if dropout:
                    layers.append(Dropout(dropout, rng))
        super().__init__(layers, l1=l1, l2=l2)
        self.sizes = sizes
