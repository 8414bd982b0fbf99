"""Input validation shared by layers and losses: clear errors instead of NumPy tracebacks."""

from __future__ import annotations

import numpy as np


def as_batch(where: str, x, n_features: int | None = None, dtype=None) -> np.ndarray:
    """Return ``x`` if it is a 2-D float array ``(N, n_features)``; raise ValueError otherwise.

    ``where`` names the layer or loss for the message (e.g. ``"Linear(784 -> 256)"``).
    """
    if not isinstance(x, np.ndarray):
        raise ValueError(
            f"{where}: expected a NumPy array of shape (N, {n_features if n_features else 'features'}), "
            f"got {type(x).__name__}. Convert it with np.asarray(...)."
        )
    if x.ndim != 2:
        raise ValueError(
            f"{where}: expected a 2-D batch of shape (N, {n_features if n_features else 'features'}) "
            f"(batch first), got shape {x.shape}. "
            + ("Reshape a single example with x.reshape(1, -1)." if x.ndim == 1 else "Flatten each example first.")
        )
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(
            f"{where}: expected input of shape (N, {n_features}), got {x.shape}. "
            f"Check the layer sizes: the previous layer must output {n_features} features."
        )
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"{where}: expected a floating-point array, got dtype {x.dtype}. "
            f"Convert it with x.astype(np.float32) (or float64)."
        )
    if dtype is not None and x.dtype != dtype:
        raise ValueError(
            f"{where}: input has dtype {x.dtype} but the layer's weights are {np.dtype(dtype)}; "
            f"mixing them silently upcasts and slows training. Convert the input with "
            f"x.astype(np.{np.dtype(dtype)}) or build the model with dtype=np.{x.dtype}."
        )
    return x


def labels(where: str, y, n: int, n_classes: int | None = None) -> np.ndarray:
    """Return ``y`` as validated integer labels of shape ``(n,)``."""
    y = np.asarray(y)
    if y.shape != (n,):
        hint = " It looks one-hot encoded: pass y.argmax(axis=1)." if y.ndim == 2 and y.shape[0] == n else ""
        raise ValueError(f"{where}: labels must have shape ({n},) to match {n} rows of scores, got {y.shape}.{hint}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{where}: labels must be integers (class indices), got dtype {y.dtype}. Use y.astype(int).")
    if n_classes is not None and n and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{where}: labels must lie in 0..{n_classes - 1} for {n_classes} classes, "
            f"got values from {y.min()} to {y.max()}."
        )
    return y
