"""Activation functions and their derivatives, elementwise (softmax row-wise).

Each derivative sits next to its function. All are stable for inputs of magnitude 1e3:
no overflow warning, no nan. They keep the input's dtype (float32 stays float32).
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + exp(-z)), computed without overflow.

    z: any shape. Returns an array of the same shape and dtype.
    With e = exp(-|z|), which never exceeds 1: sigma = 1 / (1 + e) for z >= 0 and e / (1 + e)
    for z < 0, accurate to the last digits even far in the left tail (sigma(-40) = 4.2e-18).
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """sigma'(z) = sigma(z) (1 - sigma(z)). Same shape as z."""
    s = sigmoid(z)
    return s * (1.0 - s)


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * sigma'(Z) for A = sigma(Z). dA, Z: same shape."""
    return dA * sigmoid_prime(Z)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z), elementwise.  z: any shape -> same shape."""
    return np.tanh(z)


def tanh_prime(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2.  z: any shape -> same shape."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z: np.ndarray) -> np.ndarray:
    """relu(z) = max(z, 0), elementwise.  z: any shape -> same shape and dtype."""
    return np.maximum(z, 0)


def relu_prime(z: np.ndarray) -> np.ndarray:
    """relu'(z) = 1 where z > 0, else 0 (we take 0 at the kink z = 0).  z: any shape -> same shape."""
    return (z > 0).astype(np.result_type(z, np.float32))


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * relu'(Z): dA where Z > 0, else 0, for A = relu(Z).  dA, Z: same shape -> dZ: that shape."""
    return dA * (Z > 0)


def softmax(Z: np.ndarray) -> np.ndarray:
    """P[n, k] = exp(Z[n, k]) / sum_j exp(Z[n, j]), row-wise.

    Z: (N, K) scores. Returns P: (N, K), each row summing to 1.
    Subtracting each row's maximum first leaves P unchanged and keeps exp() from overflowing.
    """
    Z = np.asarray(Z)
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def log_softmax(Z: np.ndarray) -> np.ndarray:
    """log P = Z - logsumexp(Z), row-wise and stable. Z: (N, K) -> (N, K)."""
    Z = np.asarray(Z)
    shifted = Z - Z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
