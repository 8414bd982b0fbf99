"""Exercise ``binary_cross_entropy_with_logits`` (chapter 04), for logits z and labels y of shape (N, 1):

L = -(1/N) sum [y log sigma(z) + (1 - y) log(1 - sigma(z))] and dz = (sigma(z) - y) / N, stable for |z| ~ 1e3.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..oracles import log_sigma, sigma
from ..registry import register
from ..runner import run_check


def loss_and_gradient(z: np.ndarray, y: np.ndarray) -> tuple:
    """(L, dz) from the stable log sigma(z) and log(1 - sigma(z)) = log sigma(-z).  z, y: (N, 1)."""
    n = z.shape[0]
    return float(-np.sum(y * log_sigma(z) + (1 - y) * log_sigma(-z)) / n), (sigma(z) - y) / n


def _cases(rng: np.random.Generator):
    """(z, y, extreme): three ordinary batches (N = 5, 1 and 6..12), then logits up to |z| = 1000."""
    for n in (5, 1, int(rng.integers(6, 13))):
        z = rng.normal(scale=3.0, size=(n, 1))
        y = rng.integers(0, 2, size=(n, 1)).astype(np.float64)
        if n > 1:
            y[0], y[1] = 0.0, 1.0          # both labels present, so swapping y and 1 - y always shows
        yield z, y, False
    z = np.array([[1000.0], [-1000.0], [800.0], [-750.0], [35.0], [-40.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0], [0.0], [1.0]])
    yield z, y, True


def _factors(n: int) -> dict:
    return {float(n): f"a missing 1/N (N = {n})?", 1.0 / n: f"divided by N = {n} twice?",
            2.0: "a missing 1/2?", 0.5: "an extra 1/2?"} if n > 2 else \
        {2.0: "a missing 1/2 or 1/N?", 0.5: "an extra 1/2 or 1/N?"}


@register("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits(z, y) -> (L, dz)")
def judge(call, rng: np.random.Generator) -> None:
    """dz, then L, against the maths; values wrong only on extreme logits are an unstable formula."""
    ex = "binary_cross_entropy_with_logits"
    for z, y, extreme in _cases(rng):
        n = z.shape[0]
        tested = f"binary_cross_entropy_with_logits(z {z.shape}, y {y.shape})" + \
            (f" with logits as large as |z| = {np.max(np.abs(z)):.0f}" if extreme else "")
        out = call("impl", z, y)
        value = v.as_tuple(ex, v.outcome_value(ex, out, tested), ("L", "dz"), tested)
        v.check_warnings(ex, out, tested, extreme=extreme)
        v.check_mutation(ex, out, {"z": z, "y": y}, tested)
        L_exp, dz_exp = loss_and_gradient(z, y)
        L = v.as_scalar(ex, "the loss L", value[0], tested, batch=n)
        if not np.isfinite(L):
            raise v.fail(ex, "overflow" if extreme else "nan_or_inf", "the loss L is nan or inf", tested=tested,
                         problem=f"L = {L}, expected {L_exp:.6g}",
                         hint="log(sigmoid(z)) or log(1 - sigmoid(z)) reaches log(0); use the stable form from the text")
        dz = v.as_array(ex, "dz", value[1], tested)
        v.check_form(ex, "dz", dz, dz_exp.shape, tested, batch=n, extreme=extreme)
        p = sigma(z)
        L_swapped, dz_swapped = loss_and_gradient(z, 1.0 - y)
        v.check_values(ex, "dz", dz, dz_exp, tested, extreme=extreme, factors=_factors(n), alternatives=[
            ("wrong_formula", dz_exp * p * (1.0 - p), "it is (sigma(z) - y)/N multiplied by sigma'(z) again"),
            ("swapped", dz_swapped, "it equals (sigma(z) - (1 - y)) / N: y and 1 - y are swapped"),
        ], hint="with binary cross-entropy, (sigma(z) - y)/N is already the gradient with respect to the logit z: "
                "the sigmoid's derivative cancelled in the derivation, so it must not be applied again")
        v.check_log_eps(ex, "the loss L", L, L_exp, tested)
        v.check_values(ex, "the loss L", L, L_exp, tested, scalar=True, extreme=extreme, factors=_factors(n),
                       alternatives=[("swapped", L_swapped, "it is the loss for the labels 1 - y: y and 1 - y are "
                                                            "swapped")],
                       hint="L averages max(z, 0) - z*y + log1p(exp(-|z|)) over the N examples")


def check_binary_cross_entropy_with_logits(binary_cross_entropy_with_logits: Callable, *,
                                           seed: int | None = None) -> None:
    """Check ``binary_cross_entropy_with_logits(z, y) -> (L, dz)`` for z, y of shape (N, 1) (chapter 04)."""
    run_check("binary_cross_entropy_with_logits", {"impl": binary_cross_entropy_with_logits}, seed)
