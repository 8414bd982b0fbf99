"""What the two weight-penalty exercises (``l2_penalty``, ``l1_penalty``) share: cases and the judge.

Both return ``(R, dW)``: the penalty R (one float) and its gradient dW (shaped like W).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import verdict as v
from .cases import distinct_sizes


def penalty_cases(rng: np.random.Generator, with_zeros: bool = False) -> list:
    """(W, lam): a non-square matrix, a vector, a 1 x k matrix; lam in [0.05, 0.45] (never 1 or 0.5, so
    it can't hide). with_zeros: two entries of the matrix are exactly 0."""
    a, b = distinct_sizes(rng, 2)
    shapes = [(a, b), (int(rng.integers(4, 9)),), (1, int(rng.integers(3, 7)))]
    cases = []
    for i, s in enumerate(shapes):
        W = rng.standard_normal(s)
        if with_zeros and i == 0:
            W.flat[rng.choice(W.size, size=2, replace=False)] = 0.0
        cases.append((W, float(rng.uniform(0.05, 0.45))))
    return cases


def _factors(W: np.ndarray, lam: float) -> dict:
    return {2.0: "check the factor 1/2", 0.5: "check the factor 1/2",
            1.0 / lam: "lam is missing",
            float(W.size): f"one term per weight ({W.size}) counted that many times?",
            1.0 / W.size: f"a mean over the {W.size} weights instead of a sum?"}


def judge_penalty(call, ex: str, cases: list, value: Callable, grad: Callable, hints: tuple,
                  value_slips: list, grad_slips: list) -> None:
    """Judge ``(R, dW) = impl(W, lam)`` on ``cases`` against ``value(W, lam)`` and ``grad(W, lam)``.

    hints: (for R, for dW); *_slips: (mistake, function of (W, lam), explanation).
    """
    for W, lam in cases:
        tested = f"{ex}(W, lam) with W of shape {W.shape}, float64, lam = {lam:.4g}"
        out = call("impl", W, lam)
        R, dW = v.as_tuple(ex, v.outcome_value(ex, out, tested), ("penalty", "dW"), tested)
        R = v.as_scalar(ex, "penalty", R, tested, per_entry=W.shape)
        dW = v.as_array(ex, "dW", dW, tested)
        v.check_form(ex, "dW", dW, W.shape, tested)
        if not np.isfinite(R):
            raise v.fail(ex, "nan_or_inf", f"the penalty is {R}", tested=tested, problem=f"penalty = {R}",
                         hint="look for a division by zero")
        v.check_warnings(ex, out, tested, False)
        v.check_mutation(ex, out, {"W": W}, tested)
        v.check_values(ex, "penalty", R, value(W, lam), tested, scalar=True, factors=_factors(W, lam),
                       alternatives=[(m, f(W, lam), why) for m, f, why in value_slips], hint=hints[0])
        zeros = W == 0.0
        if zeros.any() and v.close(dW, grad(W, lam), zeros) and not v.close(dW, grad(W, lam)):
            where = tuple(int(i) for i in np.argwhere(zeros & (dW != 0.0))[0])
            raise v.fail(ex, "missing_branch", "dW is right for every nonzero weight but not at a weight of 0",
                         tested=tested, problem=f"dW{where} = {dW[where]:.6g} where W{where} = 0; expected 0",
                         hint="at w = 0 the derivative of |w| is taken as 0, as np.sign(0) is 0",
                         details={"output": "dW"})
        v.check_values(ex, "dW", dW, grad(W, lam), tested, factors=_factors(W, lam),
                       alternatives=[(m, f(W, lam), why) for m, f, why in grad_slips], hint=hints[1])
