"""Weight penalties. Each returns ``(penalty, dW)``; add the penalty to the loss and dW to the gradient.

Applied to weights only, never to biases (a bias shifts a unit; shrinking it does not simplify the model).
"""

from __future__ import annotations

import numpy as np


def l2_penalty(W: np.ndarray, lam: float):
    """R = (lam / 2) sum W^2;  dW = lam W.  W: any shape; lam >= 0."""
    return float(0.5 * lam * np.sum(W * W)), lam * W


def l1_penalty(W: np.ndarray, lam: float):
    """R = lam sum |W|;  dW = lam sign(W) (0 at W = 0, a subgradient).  W: any shape; lam >= 0."""
    return float(lam * np.sum(np.abs(W))), lam * np.sign(W)
