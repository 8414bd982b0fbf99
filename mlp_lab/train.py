"""The training loop: forward, loss, backward, step. One plain function, features as arguments."""

from __future__ import annotations

import time

import numpy as np

from .losses import softmax_cross_entropy
from .metrics import true_labels


def batches(X: np.ndarray, y: np.ndarray, batch_size: int, rng=None, shuffle: bool = True):
    """Yield ``(X_batch, y_batch)`` pairs covering the data once (the last batch may be smaller).

    X: (N, ...), y: (N, ...). With shuffle, a fresh permutation from ``rng`` (a Generator or seed)
    each call; each batch is gathered with ``X[idx]`` so the data set is never copied whole.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"batches: X has {n} rows but y has {len(y)}; they must match.")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batches: batch_size must be a positive integer, got {batch_size}.")
    order = np.random.default_rng(rng).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


def evaluate(model, X: np.ndarray, y: np.ndarray, loss=softmax_cross_entropy, batch_size: int = 2000):
    """Return ``(mean loss including the penalty, accuracy)`` on (X, y), in eval mode, batch by batch."""
    was_training = model.training
    model.eval()
    total, correct = 0.0, 0
    try:
        for Xb, yb in batches(X, y, batch_size, shuffle=False):
            scores = model.forward(Xb)
            total += loss(scores, yb)[0] * len(Xb)
            correct += int(np.sum(model.labels(scores) == true_labels(yb)))
    finally:
        if was_training:
            model.train()
    return total / len(X) + model.penalty(), correct / len(X)


def train_step(model, optimizer, X: np.ndarray, y, loss=softmax_cross_entropy) -> float:
    """One step of gradient descent on a batch: forward, loss, backward, step.

    model: forward/backward; optimizer: built on model.parameters(); X: (N, n_in); y: the targets
    ``loss`` expects ((N,) integer labels for softmax cross-entropy). Returns the batch's loss before
    the step, as a float.
    """
    scores = model.forward(X)
    batch_loss, dscores = loss(scores, y)
    model.backward(dscores, need_dx=False)
    optimizer.step()
    return float(batch_loss)


def fit(model, X, y, optimizer, loss=softmax_cross_entropy, epochs: int = 10, batch_size: int = 128,
        rng=0, X_val=None, y_val=None, verbose: bool = True) -> dict:
    """Train ``model`` on (X, y) with mini-batches; return the history.

    optimizer: e.g. ``Adam(model.parameters(), lr=1e-3)``. loss: a function (scores, y) -> (loss, dscores).
    rng: Generator or seed for the shuffling. verbose: print one progress line per epoch.

    The history is a dict of per-epoch lists: ``loss`` and ``acc`` (running means over the
    epoch's batches, in train mode), ``val_loss`` and ``val_acc`` (eval mode, when X_val is given),
    and ``seconds`` (training time of each epoch, without validation).
    """
    if len(X) != len(y):
        raise ValueError(f"fit: X has {len(X)} rows but y has {len(y)}; they must match.")
    if (X_val is None) != (y_val is None):
        raise ValueError("fit: pass both X_val and y_val (or neither) to get validation scores.")
    rng = np.random.default_rng(rng)
    history = {"loss": [], "acc": [], "val_loss": [], "val_acc": [], "seconds": []}
    for epoch in range(1, epochs + 1):
        model.train()
        start = time.perf_counter()
        total, correct = 0.0, 0
        for Xb, yb in batches(X, y, batch_size, rng):
            scores = model.forward(Xb)
            batch_loss, dscores = loss(scores, yb)
            model.backward(dscores, need_dx=False)
            optimizer.step()
            total += batch_loss * len(Xb)
            correct += np.count_nonzero(model.labels(scores) == true_labels(yb))
        history["seconds"].append(time.perf_counter() - start)
        history["loss"].append(total / len(X) + model.penalty())
        history["acc"].append(correct / len(X))
        line = f"epoch {epoch:>3}/{epochs}  loss {history['loss'][-1]:.4f}  acc {history['acc'][-1]:.2%}"
        if X_val is not None:
            val_loss, val_acc = evaluate(model, X_val, y_val, loss)
            history["val_loss"].append(val_loss)
            history["val_acc"].append(val_acc)
            line += f"  val_loss {val_loss:.4f}  val_acc {val_acc:.2%}"
        if verbose:
            print(line + f"  ({history['seconds'][-1]:.1f} s)", flush=True)
    model.eval()
    return history
