"""How often a model is right: class labels from targets, and the accuracy of scores."""

from __future__ import annotations

import numpy as np


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """acc = mean_n [argmax_k scores[n, k] == y[n]].  scores: (N, K), y: (N,) ints -> a float in [0, 1]."""
    return float(np.mean(np.argmax(scores, axis=1) == y))


def true_labels(y: np.ndarray) -> np.ndarray:
    """Class labels (N,) from targets: integer labels (N,) as they are, one-hot rows (N, K) by their
    argmax, a (N, 1) column of 0/1 targets thresholded at 0.5."""
    if y.ndim == 1:
        return y
    if y.shape[1] == 1:
        return (y[:, 0] > 0.5).astype(np.int64)
    return y.argmax(axis=1)
