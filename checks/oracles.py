"""The checker's own formulas (oracles), written once and independently of ``mlp_lab``.

Judges compute expected values with these, never with the package the learner can read.
"""

from __future__ import annotations

import numpy as np


def sigma(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), evaluated without overflow.  z: any shape -> same shape."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigma_prime(z: np.ndarray) -> np.ndarray:
    """sigma'(z) = e^-|z| / (1 + e^-|z|)^2 (symmetric, stable).  z: any shape -> same shape."""
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def softmax_rows(Z: np.ndarray) -> np.ndarray:
    """P = exp(Z - max) / sum exp(Z - max), row by row.  Z: (N, K) -> P: (N, K)."""
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax_rows(Z: np.ndarray) -> np.ndarray:
    """log P = Z - max - log sum exp(Z - max), row by row.  Z: (N, K) -> (N, K)."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def log_sigma(z: np.ndarray) -> np.ndarray:
    """log sigma(z) = -log(1 + e^-z), stable.  z: any shape -> same shape."""
    return -np.logaddexp(0.0, -z)


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), elementwise, written without np.maximum.  z: any shape -> same shape."""
    return np.where(z > 0, z, 0.0)


def relu_mask(z: np.ndarray) -> np.ndarray:
    """relu'(z): 1.0 where z > 0, else 0.0 (0 at the kink z = 0, as PyTorch).  z: any shape -> same shape."""
    return (z > 0).astype(np.float64)
