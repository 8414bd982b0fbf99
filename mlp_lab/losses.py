"""Losses: each returns ``(loss, dscores)`` with the same 1/N in both.

``loss`` is a Python float (the mean over the batch); ``dscores`` = dloss/dscores has the
shape and dtype of ``scores``. Softmax and cross-entropy are fused, so the gradient is the
famous ``(P - Y) / N``; the unfused path (``cross_entropy`` on probabilities) exists for teaching.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, labels
from .activations import sigmoid


def _targets(where, scores, y):
    scores = as_batch(where, scores)
    if not isinstance(y, np.ndarray) or y.shape != scores.shape:
        got = y.shape if isinstance(y, np.ndarray) else type(y).__name__
        raise ValueError(f"{where}: targets must have the shape of the predictions {scores.shape}, got {got}.")
    return scores, y.astype(scores.dtype, copy=False)


def mse(pred: np.ndarray, target: np.ndarray):
    """L = (1/N) sum_n 0.5 ||pred[n] - target[n]||^2;  dpred = (pred - target) / N.

    pred, target: (N, K). The 1/2 makes the gradient free of a factor 2.
    """
    pred, target = _targets("mse", pred, target)
    n = pred.shape[0]
    diff = pred - target
    return float(0.5 * np.sum(diff * diff) / n), diff * (1.0 / n)


def binary_cross_entropy(prob: np.ndarray, target: np.ndarray, eps: float = 1e-12):
    """L = -(1/N) sum [y log p + (1 - y) log(1 - p)];  dp = (p - y) / (p (1 - p)) / N.

    prob: (N, 1) probabilities (after a sigmoid), target: (N, 1) of 0s and 1s.
    Probabilities are clipped to [eps, 1 - eps] so log(0) never happens; prefer the fused
    ``binary_cross_entropy_with_logits`` in real training.
    """
    prob, target = _targets("binary_cross_entropy", prob, target)
    n = prob.shape[0]
    p = np.clip(prob, eps, 1.0 - eps)
    loss = -np.sum(target * np.log(p) + (1.0 - target) * np.log1p(-p)) / n
    return float(loss), (p - target) / (p * (1.0 - p)) * (1.0 / n)


def binary_cross_entropy_with_logits(logits: np.ndarray, target: np.ndarray):
    """BCE on p = sigma(z), fused and stable:  L = mean[max(z,0) - z y + log(1 + e^{-|z|})];  dz = (sigma(z) - y) / N.

    logits: (N, 1) scores z, target: (N, 1) of 0s and 1s.
    """
    z, y = _targets("binary_cross_entropy_with_logits", logits, target)
    n = z.shape[0]
    loss = np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))) / n
    return float(loss), (sigmoid(z) - y) * (1.0 / n)


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray):
    """L = -(1/N) sum_n log softmax(Z)[n, y_n];  dZ = (P - onehot(y)) / N.

    logits: (N, K) scores Z, y: (N,) integer labels in 0..K-1.
    Stable for logits of any size: log P is computed as Z - max - log sum exp(Z - max).
    """
    Z = as_batch("softmax_cross_entropy", logits)
    n, k = Z.shape
    y = labels("softmax_cross_entropy", y, n, k)
    shifted = Z - Z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    sums = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float((np.log(sums[:, 0]) - shifted[rows, y]).sum() / n)
    dZ = e
    dZ /= sums
    dZ[rows, y] -= 1.0
    dZ *= 1.0 / n
    return loss, dZ


def cross_entropy(prob: np.ndarray, y: np.ndarray, eps: float = 1e-12):
    """Unfused: L = -(1/N) sum_n log P[n, y_n];  dP[n, k] = -[k = y_n] / (P[n, k] N).

    prob: (N, K) probabilities (after a softmax), y: (N,) integer labels. For teaching:
    chain it with the softmax Jacobian and you recover (P - Y)/N.
    """
    P = as_batch("cross_entropy", prob)
    n, k = P.shape
    y = labels("cross_entropy", y, n, k)
    rows = np.arange(n)
    picked = np.clip(P[rows, y], eps, None)
    dP = np.zeros_like(P)
    dP[rows, y] = -1.0 / (picked * n)
    return float(-np.sum(np.log(picked)) / n), dP

