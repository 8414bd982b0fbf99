"""Judges for softmax (row-wise, stable) and softmax_cross_entropy (mean loss, dZ = (P - Y) / N)."""

from __future__ import annotations

import numpy as np

from . import verdict as v
from .cases import batch_shapes
from .failure import CheckFailure
from .forward import ForwardStatus, consult_forward, gradient_evidence, verify_forward
from .registry import register

EXTREME_LOGITS = np.array([[1000.0, 998.0, -1000.0, 0.0, 3.0],
                           [-1000.0, -998.0, -999.0, -1000.0, -1000.0],
                           [0.0, 1000.0, -1000.0, 500.0, 1000.0]])


def softmax_rows(Z: np.ndarray) -> np.ndarray:
    """P = exp(Z - max) / sum exp(Z - max), row by row."""
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax_rows(Z: np.ndarray) -> np.ndarray:
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _cases(rng):
    cases = [(rng.standard_normal(s) * 3.0, False) for s in batch_shapes(rng)]
    cases.append((EXTREME_LOGITS[rng.permutation(3)], True))
    return cases


@register("softmax", "softmax(Z) -> P of shape (N, K), each row summing to 1")
def judge_softmax(call, rng):
    ex, name = "softmax", "P"
    for Z, extreme in _cases(rng):
        tested = f"softmax(Z) with Z of shape {Z.shape}, float64, " + \
                 ("extreme logits up to |Z| = 1000" if extreme else "logits in about [-9, 9]")
        out = call("impl", Z)
        got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
        v.check_form(ex, name, got, Z.shape, tested, extreme=extreme)
        v.check_warnings(ex, out, tested, extreme)
        v.check_mutation(ex, out, {"Z": Z}, tested)
        expected = softmax_rows(Z)
        if not v.close(got, expected) and Z.shape[0] > 1:
            rows, cols = got.sum(axis=1), got.sum(axis=0)
            total = got.sum()
            if not v.close(rows, np.ones_like(rows)) and (v.close(cols, np.ones_like(cols)) or
                                                          v.close(total, 1.0)):
                over = "each column" if v.close(cols, np.ones_like(cols)) else "the whole array"
                raise v.fail(ex, "wrong_axis", f"P is normalised over {over}, not over each row", tested=tested,
                             problem=f"row sums are {v.fmt(rows)} (each should be 1)",
                             hint="rows are examples: sum over axis=1 and keep the dimension (keepdims=True) so "
                                  "the division lines up", details={"output": name})
        v.check_values(ex, name, got, expected, tested, extreme=extreme, alternatives=[
            ("wrong_value", np.exp(Z), "it equals exp(Z): divide by each row's sum"),
        ], hint="every row of P must be positive and sum to 1; adding a constant to a row of Z must not change P")


@register("softmax_cross_entropy", "softmax_cross_entropy(Z, y) -> (mean loss, dZ = (P - onehot(y)) / N)",
          optional=("softmax",))
def judge_softmax_cross_entropy(call, rng):
    ex = "softmax_cross_entropy"
    for Z, extreme in _cases(rng):
        n, k = Z.shape
        y = rng.integers(0, k, size=n)
        if extreme:
            y = np.argmin(Z, axis=1)     # the true class has the lowest logit: loss about 2000
        tested = f"softmax_cross_entropy(Z, y) with Z of shape {Z.shape} and integer labels y of shape {y.shape}, " \
                 + ("extreme logits up to |Z| = 1000" if extreme else "logits in about [-9, 9]")
        status = verify_forward(call, "softmax", (Z,), softmax_rows(Z)) if not extreme else ForwardStatus("softmax")
        out = call("impl", Z, y)
        onehot = np.eye(k)[y]
        P = softmax_rows(Z)
        loss_expected = float(-np.mean(log_softmax_rows(Z)[np.arange(n), y]))
        dZ_expected = (P - onehot) / n
        own = ForwardStatus("loss")
        try:
            loss, dZ = v.as_tuple(ex, v.outcome_value(ex, out, tested), ("loss", "dZ"), tested)
            loss = v.as_scalar(ex, "loss", loss, tested, batch=n)
            dZ = v.as_array(ex, "dZ", dZ, tested)
            v.check_form(ex, "dZ", dZ, Z.shape, tested, batch=None, extreme=extreme)
            if not np.isfinite(loss):
                raise v.fail(ex, "overflow" if extreme else "nan_or_inf", f"the loss is {loss}", tested=tested,
                             problem=f"loss = {loss}", hint="compute log P as Z - max - log(sum(exp(Z - max))) "
                                                             "instead of log(softmax(Z))")
            v.check_warnings(ex, out, tested, extreme)
            v.check_mutation(ex, out, {"Z": Z, "y": y}, tested)
            loss_factors = {float(n): f"N = {n} times too large: a sum where the mean is wanted?",
                            1.0 / n: f"divided by N = {n} once too often"} if n > 1 else {}
            if k not in (1, n):
                loss_factors[1.0 / k] = (f"K = {k} times too small: a mean over all N*K entries of the "
                                         f"one-hot product instead of over the N examples?")
            v.check_values(ex, "loss", loss, loss_expected, tested, scalar=True, extreme=extreme,
                           factors=loss_factors or None,
                           hint="the loss is the mean over the batch of -log P[n, y[n]]")
            own = ForwardStatus("loss", True, True)
            factors = {float(n): f"N = {n} times too large: a missing 1/N?",
                       1.0 / n: f"divided by N = {n} once too often"} if n > 1 else {}
            v.check_values(ex, "dZ", dZ, dZ_expected, tested, extreme=extreme, factors=factors, alternatives=[
                ("wrong_value", P / n, "it equals P / N: subtract 1 at each example's true class"),
            ], hint="dZ = (P - Y) / N with Y the one-hot labels: the same 1/N as in the mean loss")
        except CheckFailure as failure:
            if own.ok and failure.mistake == "wrong_value" and not extreme:
                # The learner's own loss value is right: judge dZ against its numerical derivative.
                evidence = gradient_evidence(call, "impl", (Z, y), 0, np.float64(1.0), out.value[1], rng, output=0)
                raise consult_forward(failure, ForwardStatus("softmax_cross_entropy loss", True, True),
                                      evidence) from None
            if failure.details.get("output") == "loss" and status.ok:
                raise failure from None   # a wrong loss value is not a derivative inconsistent with softmax
            raise consult_forward(failure, status) from None
