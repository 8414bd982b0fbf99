"""Exercise ``softmax`` (chapter 04): P = exp(Z) / sum exp(Z) row by row, stable for logits up to 1e3."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import softmax_cases
from ..oracles import softmax_rows
from ..registry import register
from ..runner import run_check


def _normalised_elsewhere(ex: str, name: str, got: np.ndarray, tested: str) -> None:
    """wrong_axis when the rows don't sum to 1 but the columns (or the whole array) do."""
    rows, cols = got.sum(axis=1), got.sum(axis=0)
    if v.close(rows, np.ones_like(rows)) or not (v.close(cols, np.ones_like(cols)) or v.close(got.sum(), 1.0)):
        return
    over = "each column" if v.close(cols, np.ones_like(cols)) else "the whole array"
    v.reject(v.fail(ex, "wrong_axis", f"P is normalised over {over}, not over each row", tested=tested,
                    problem=f"row sums are {v.fmt(rows)} (each should be 1)",
                    hint="rows are examples: sum over axis=1 and keep the dimension (keepdims=True) so the "
                         "division lines up", details={"output": name}))


def _column_max_shift(Z: np.ndarray) -> np.ndarray:
    """The row-normalised softmax of Z minus each COLUMN's maximum (the stable-softmax slip)."""
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@register("softmax", "softmax(Z) -> P of shape (N, K), each row summing to 1")
def judge(call, rng: np.random.Generator) -> None:
    """Values, shape, dtype, warnings and input mutation on ordinary and extreme logits."""
    ex, name = "softmax", "P"
    for Z, extreme in softmax_cases(rng):
        tested = f"softmax(Z) with Z of shape {Z.shape}, float64, " + \
                 ("extreme logits up to |Z| = 1000" if extreme else "logits in about [-9, 9]")
        out = call("impl", Z)
        got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
        v.check_form(ex, name, got, Z.shape, tested, extreme=extreme)
        v.check_warnings(ex, out, tested, extreme)
        v.check_mutation(ex, out, {"Z": Z}, tested)
        expected = softmax_rows(Z)
        if not v.close(got, expected) and Z.shape[0] > 1:
            _normalised_elsewhere(ex, name, got, tested)
        v.check_values(ex, name, got, expected, tested, extreme=extreme, alternatives=[
            ("missing_term", np.exp(Z), "it equals exp(Z): divide by each row's sum"),
            ("wrong_axis", _column_max_shift(Z), "the maximum was taken over each column (axis=0); subtract "
                                                 "each ROW's maximum, Z.max(axis=1, keepdims=True)"),
        ], hint="every row of P must be positive and sum to 1; adding a constant to a row of Z must not change P")


def check_softmax(softmax: Callable, *, seed: int | None = None) -> None:
    """Check ``softmax(Z)``: row-wise, rows sum to 1, stable for logits up to 1e3."""
    run_check("softmax", {"impl": softmax}, seed)
