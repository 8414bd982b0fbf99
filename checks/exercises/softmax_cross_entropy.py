"""Exercise ``softmax_cross_entropy`` (chapter 04): mean loss -log P[n, y_n] and dZ = (P - onehot(y)) / N."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import softmax_cases
from ..failure import CheckFailure
from ..oracles import log_softmax_rows, softmax_rows
from ..own_forward import ForwardStatus, consult_forward, gradient_evidence, verify_forward
from ..registry import register
from ..runner import run_check


def _loss_factors(n: int, k: int) -> dict:
    factors = {float(n): f"a sum over the N = {n} examples where the mean is wanted?",
               1.0 / n: f"divided by N = {n} once too often"} if n > 1 else {}
    if k not in (1, n):
        factors[1.0 / k] = (f"a mean over all N*K entries of the one-hot product instead of over the N examples "
                            f"(K = {k})?")
    return factors


@register("softmax_cross_entropy", "softmax_cross_entropy(Z, y) -> (mean loss, dZ = (P - onehot(y)) / N)")
def judge(call, rng: np.random.Generator) -> None:
    """Loss then dZ against the maths; a wrong softmax of the learner's (if given) is named first."""
    ex = "softmax_cross_entropy"
    for Z, extreme in softmax_cases(rng):
        n, k = Z.shape
        y = np.argmin(Z, axis=1) if extreme else rng.integers(0, k, size=n)   # extreme: loss about 2000
        tested = f"softmax_cross_entropy(Z, y) with Z of shape {Z.shape} and integer labels y of shape {y.shape}, " \
                 + ("extreme logits up to |Z| = 1000" if extreme else "logits in about [-9, 9]")
        status = verify_forward(call, "softmax", (Z,), softmax_rows(Z)) if not extreme else ForwardStatus("softmax")
        out = call("impl", Z, y)
        onehot = np.eye(k)[y]
        P = softmax_rows(Z)
        loss_expected = float(-np.mean(log_softmax_rows(Z)[np.arange(n), y]))
        own_loss_right = False
        try:
            loss, dZ = v.as_tuple(ex, v.outcome_value(ex, out, tested), ("loss", "dZ"), tested)
            loss = v.as_scalar(ex, "loss", loss, tested, batch=n)
            dZ = v.as_array(ex, "dZ", dZ, tested)
            v.check_form(ex, "dZ", dZ, Z.shape, tested, batch=None, extreme=extreme)
            if not np.isfinite(loss):
                v.reject(v.fail(ex, "overflow" if extreme else "nan_or_inf", f"the loss is {loss}", tested=tested,
                                problem=f"loss = {loss}", hint="compute log P as Z - max - log(sum(exp(Z - max))) "
                                                                "instead of log(softmax(Z))"))
            v.check_warnings(ex, out, tested, extreme)
            v.check_mutation(ex, out, {"Z": Z, "y": y}, tested)
            v.check_log_eps(ex, "loss", loss, loss_expected, tested)
            v.check_values(ex, "loss", loss, loss_expected, tested, scalar=True, extreme=extreme,
                           factors=_loss_factors(n, k) or None, alternatives=[
                ("missing_term", loss_expected + float(np.mean(Z[np.arange(n), y])),
                 "it is the mean of log sum_k exp(Z[n, k]) alone: the term -Z[n, y[n]] of the true class is missing"),
            ], hint="the loss is the mean over the batch of -log P[n, y[n]]")
            own_loss_right = True
            factors = {float(n): f"N = {n} times too large: a missing 1/N?",
                       1.0 / n: f"divided by N = {n} once too often"} if n > 1 else {}
            v.check_values(ex, "dZ", dZ, (P - onehot) / n, tested, extreme=extreme, factors=factors, alternatives=[
                ("missing_term", P / n, "it equals P / N: subtract 1 at each example's true class"),
            ], hint="dZ = (P - Y) / N with Y the one-hot labels: the same 1/N as in the mean loss")
        except CheckFailure as failure:
            if status.given and not status.ok:
                raise consult_forward(failure, status) from None
            if own_loss_right and failure.mistake == "wrong_value" and not extreme:
                # The learner's own loss value is right: judge dZ against its numerical derivative.
                evidence = gradient_evidence(call, "impl", (Z, y), 0, np.float64(1.0), out.value[1], rng, output=0)
                raise consult_forward(failure, ForwardStatus("softmax_cross_entropy loss", True, True),
                                      evidence) from None
            raise


def check_softmax_cross_entropy(softmax_cross_entropy: Callable, softmax: Callable | None = None, *,
                                seed: int | None = None) -> None:
    """Check ``softmax_cross_entropy(Z, y) -> (mean loss, (P - onehot(y)) / N)``."""
    run_check("softmax_cross_entropy", {"impl": softmax_cross_entropy, "softmax": softmax}, seed)
