"""Exercise ``network_gradients`` (chapter 03): the loss and the four gradients of a two-layer sigmoid network,

Z1 = X W1 + b1, A1 = sigma(Z1), Z2 = A1 W2 + b2, A2 = sigma(Z2), L = (1/N) sum_n 1/2 ||A2[n] - Y[n]||^2.

The output layer is judged first (if it is wrong, that is the first thing to fix), then the hidden
layer, then L. Wrong values are matched against the classic slips of backpropagation.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..oracles import sigma, sigma_prime
from ..registry import register
from ..runner import run_check

NAMES = ("dW1", "db1", "dW2", "db2")
ARGS = ("X", "Y", "W1", "b1", "W2", "b2")
HINTS = {
    "dW2": "dW2 = A1^T dZ2 with dZ2 = dA2 * sigma'(Z2) and dA2 = (A2 - Y) / N.",
    "db2": "db2 adds up the rows of dZ2 (the bias gear has ratio 1).",
    "dW1": "the output layer's gradients are right, so look at what reaches the hidden layer: "
           "dA1 = dZ2 W2^T must be passed on to the hidden sigmoid, with sigma' evaluated at Z1.",
    "db1": "db1 adds up the rows of dZ1, the hidden layer's checkpoint.",
}
SLIPS = {
    "prime_at_activations": ("wrong_point", "sigma' was evaluated at the activations A2 and A1 instead of at the "
                                            "pre-activations Z2 and Z1 (A (1 - A) is sigma'(Z), sigma'(A) is not)"),
    "prime_at_A1": ("wrong_point", "the hidden layer's sigma' was evaluated at the activation A1 instead of the "
                                   "pre-activation Z1"),
    "not_passed_on": ("wrong_point", "the hidden layer got dA2 instead of dA1 = dZ2 W2^T: the gradient was not "
                                     "passed back through W2"),
    "shortcut": ("wrong_formula", "dZ2 = (A2 - Y) / N is the shortcut of sigmoid + cross-entropy; with the "
                                  "squared-error loss, dZ2 = dA2 * sigma'(Z2)"),
}


def gradients(X, Y, W1, b1, W2, b2, slip: str | None = None) -> tuple:
    """(L, dW1, db1, dW2, db2) of the two-layer network, or what the ``slip`` (a key of SLIPS) gives.

    X: (N, n_in), Y: (N, n_out), W1: (n_in, n_h), b1: (n_h,), W2: (n_h, n_out), b2: (n_out,).
    """
    Z1 = X @ W1 + b1
    A1 = sigma(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sigma(Z2)
    n = X.shape[0]
    dA2 = (A2 - Y) / n
    dZ2 = {"prime_at_activations": dA2 * sigma_prime(A2), "shortcut": dA2}.get(slip, dA2 * sigma_prime(Z2))
    dA1 = dZ2 @ W2.T
    if slip == "not_passed_on":
        dA1 = dA2 if dA2.shape[1] in (1, dA1.shape[1]) else np.full(dA1.shape, np.nan)
    at = A1 if slip in ("prime_at_activations", "prime_at_A1") else Z1
    dZ1 = dA1 * sigma_prime(at)
    L = float(0.5 * np.sum((A2 - Y) ** 2) / n)
    return L, X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def _cases(rng: np.random.Generator):
    """(X, Y, W1, b1, W2, b2): XOR-sized first (2-2-1, so W1 is square), then a fixed case whose
    matrices are all non-square, one with N = 1, and two random ones with n_in, n_h, n_out distinct
    (N may equal one of them)."""
    shapes = [(4, 2, 2, 1), (5, 3, 4, 2), (1, 3, 2, 4)]
    for _ in range(2):
        n_in, n_h, n_out = (int(s) for s in rng.choice(np.arange(2, 7), size=3, replace=False))
        shapes.append((int(rng.integers(2, 9)), n_in, n_h, n_out))
    for N, n_in, n_h, n_out in shapes:
        X = rng.normal(size=(N, n_in))
        Y = rng.random((N, n_out))
        W1, b1 = rng.normal(size=(n_in, n_h)), rng.normal(scale=0.5, size=n_h)
        W2, b2 = rng.normal(size=(n_h, n_out)), rng.normal(scale=0.5, size=n_out)
        yield X, Y, W1, b1, W2, b2


def _factors(n: int, n_out: int) -> dict:
    """Named factors; texts of equal factors are joined (e.g. n_out = 2 and an extra 1/2)."""
    named: dict = {}
    for factor, text in ((float(n), f"a missing 1/N (N = {n})?"), (1.0 / n, f"divided by N = {n} twice?"),
                         (2.0, "a missing 1/2?"), (0.5, "an extra 1/2?"),
                         (1.0 / n_out, f"a mean over all N*n_out entries instead of over the N examples "
                                       f"(n_out = {n_out})?")):
        if factor != 1.0:
            named[factor] = f"{named[factor]} or {text}" if factor in named else text
    return named


@register("network_gradients", "network_gradients(X, Y, W1, b1, W2, b2) -> (L, dW1, db1, dW2, db2)")
def judge(call, rng: np.random.Generator) -> None:
    """Output layer (dW2, db2), then hidden layer (dW1, db1), then the loss L."""
    ex = "network_gradients"
    for args in _cases(rng):
        X, Y, W1, b1, W2, b2 = args
        n, n_out = Y.shape
        tested = "network_gradients(" + v.shapes_text(**dict(zip(ARGS, args))) + ")"
        out = call("impl", *args)
        value = v.as_tuple(ex, v.outcome_value(ex, out, tested), ("L",) + NAMES, tested)
        v.check_warnings(ex, out, tested, extreme=False)
        v.check_mutation(ex, out, dict(zip(ARGS, args)), tested)
        expected = gradients(*args)
        L = v.as_scalar(ex, "the loss L", value[0], tested, batch=n)
        for i, bias in ((1, b1), (3, b2)):
            v.check_not_a_total(ex, NAMES[i], value[i + 1], float(np.sum(expected[i + 1])), bias.shape, tested)
        grads = [v.as_array(ex, name, g, tested) for name, g in zip(NAMES, value[1:])]
        for name, got, want in zip(NAMES, grads, expected[1:]):
            v.check_form(ex, name, got, want.shape, tested, batch=n)
        slipped = {slip: gradients(*args, slip=slip) for slip in SLIPS}
        for i in (2, 3, 0, 1):
            alternatives = [(SLIPS[s][0], g[i + 1], SLIPS[s][1]) for s, g in slipped.items()]
            v.check_values(ex, NAMES[i], grads[i], expected[i + 1], tested, factors=_factors(n, n_out),
                           alternatives=alternatives, hint=HINTS[NAMES[i]])
        if not np.isfinite(L):
            raise v.fail(ex, "nan_or_inf", "the loss L is nan or inf", tested=tested, problem=f"L = {L}",
                         hint="check the forward pass")
        v.check_values(ex, "the loss L", L, expected[0], tested, scalar=True, factors=_factors(n, n_out),
                       hint="L = (1/N) sum_n 1/2 ||A2[n] - Y[n]||^2; ml.mse computes exactly this.")


def check_network_gradients(network_gradients: Callable, *, seed: int | None = None) -> None:
    """Check ``network_gradients(X, Y, W1, b1, W2, b2) -> (L, dW1, db1, dW2, db2)`` (chapter 03)."""
    run_check("network_gradients", {"impl": network_gradients}, seed)
