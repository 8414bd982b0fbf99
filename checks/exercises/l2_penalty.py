"""Exercise ``l2_penalty`` (chapter 05): R = (lam / 2) sum W^2 and dW = lam W."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..penalty import judge_penalty, penalty_cases
from ..registry import register
from ..runner import run_check


@register("l2_penalty", "l2_penalty(W, lam) -> (0.5 * lam * sum(W**2), lam * W)")
def judge(call, rng: np.random.Generator) -> None:
    """R and dW against the maths on a matrix, a vector and a 1 x k matrix."""
    judge_penalty(
        call, "l2_penalty", penalty_cases(rng),
        lambda W, lam: 0.5 * lam * np.sum(W * W), lambda W, lam: lam * W,
        ("R = (lam / 2) times the sum of all squared weights", "dW is the derivative of R with respect to each weight"),
        [("wrong_formula", lambda W, lam: 0.5 * lam * np.sum(np.abs(W)), "that is an L1 penalty: square the weights"),
         ("wrong_formula", lambda W, lam: 0.5 * lam * np.sum(W) ** 2, "the weights are summed before squaring: "
                                                                       "square each weight, then add up")],
        [("wrong_formula", lambda W, lam: lam * np.sign(W), "that is the L1 gradient; L2 gives lam * W"),
         ("wrong_formula", lambda W, lam: 0.5 * lam * W * W, "that is the penalty per weight, not its derivative")])


def check_l2_penalty(l2_penalty: Callable, *, seed: int | None = None) -> None:
    """Check ``l2_penalty(W, lam) -> (0.5 lam sum W^2, lam W)``."""
    run_check("l2_penalty", {"impl": l2_penalty}, seed)
