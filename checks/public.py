"""The check functions a notebook calls: ``check_<exercise>(your_function, ...)``.

Each prints ``✔ <exercise>: all checks passed`` or raises ``CheckFailure`` (an AssertionError)
naming the likely mistake. ``seed=`` (or ``MLP_LAB_CHECK_SEED``) draws different cases.
"""

from __future__ import annotations

from typing import Callable

from .runner import run_check


def check_linear_forward(linear_forward: Callable, *, seed: int | None = None) -> None:
    """Check ``linear_forward(X, W, b) -> X @ W + b``."""
    run_check("linear_forward", {"impl": linear_forward}, seed)


def check_linear_backward(linear_backward: Callable, linear_forward: Callable | None = None, *,
                          seed: int | None = None) -> None:
    """Check ``linear_backward(dY, X, W) -> (dX, dW, db)`` (against your linear_forward if given)."""
    run_check("linear_backward", {"impl": linear_backward, "linear_forward": linear_forward}, seed)


def check_sigmoid(sigmoid: Callable, *, seed: int | None = None) -> None:
    """Check ``sigmoid(z)``: values, shape, dtype, and stability for |z| up to 1e3."""
    run_check("sigmoid", {"impl": sigmoid}, seed)


def check_sigmoid_prime(sigmoid_prime: Callable, sigmoid: Callable | None = None, *, seed: int | None = None) -> None:
    """Check ``sigmoid_prime(z) = sigma(z) (1 - sigma(z))`` (against your sigmoid if given)."""
    run_check("sigmoid_prime", {"impl": sigmoid_prime, "sigmoid": sigmoid}, seed)


def check_sigmoid_backward(sigmoid_backward: Callable, sigmoid: Callable | None = None, *,
                           seed: int | None = None) -> None:
    """Check ``sigmoid_backward(dA, Z) -> dA * sigma'(Z)`` (against your sigmoid if given)."""
    run_check("sigmoid_backward", {"impl": sigmoid_backward, "sigmoid": sigmoid}, seed)


def check_softmax(softmax: Callable, *, seed: int | None = None) -> None:
    """Check ``softmax(Z)``: row-wise, rows sum to 1, stable for logits up to 1e3."""
    run_check("softmax", {"impl": softmax}, seed)


def check_softmax_cross_entropy(softmax_cross_entropy: Callable, softmax: Callable | None = None, *,
                                seed: int | None = None) -> None:
    """Check ``softmax_cross_entropy(Z, y) -> (mean loss, (P - onehot(y)) / N)``."""
    run_check("softmax_cross_entropy", {"impl": softmax_cross_entropy, "softmax": softmax}, seed)


def check_l2_penalty(l2_penalty: Callable, *, seed: int | None = None) -> None:
    """Check ``l2_penalty(W, lam) -> (0.5 lam sum W^2, lam W)``."""
    run_check("l2_penalty", {"impl": l2_penalty}, seed)


def check_l1_penalty(l1_penalty: Callable, *, seed: int | None = None) -> None:
    """Check ``l1_penalty(W, lam) -> (lam sum |W|, lam sign(W))``."""
    run_check("l1_penalty", {"impl": l1_penalty}, seed)


def check_dropout_forward(dropout_forward: Callable, *, seed: int | None = None) -> None:
    """Check ``dropout_forward(X, p, rng) -> (out, mask)`` (inverted dropout, uses the given rng)."""
    run_check("dropout_forward", {"impl": dropout_forward}, seed)


def check_dropout_backward(dropout_backward: Callable, dropout_forward: Callable | None = None, *,
                           seed: int | None = None) -> None:
    """Check ``dropout_backward(dout, mask) -> dout * mask`` (with masks from your dropout_forward if given)."""
    run_check("dropout_backward", {"impl": dropout_backward, "dropout_forward": dropout_forward}, seed)
