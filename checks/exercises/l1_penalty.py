"""Exercise ``l1_penalty`` (chapter 05): R = lam sum |W| and dW = lam sign(W), with sign(0) = 0."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..penalty import judge_penalty, penalty_cases
from ..registry import register
from ..runner import run_check


@register("l1_penalty", "l1_penalty(W, lam) -> (lam * sum(abs(W)), lam * sign(W)), sign(0) = 0")
def judge(call, rng: np.random.Generator) -> None:
    """R and dW against the maths; the matrix case holds two weights of exactly 0, where dW must be 0."""
    judge_penalty(
        call, "l1_penalty", penalty_cases(rng, with_zeros=True),
        lambda W, lam: lam * np.sum(np.abs(W)), lambda W, lam: lam * np.sign(W),
        ("R = lam times the sum of the absolute values of all weights",
         "d|w|/dw is +1 for w > 0, -1 for w < 0 and 0 at w = 0 (np.sign)"),
        [("missing_term", lambda W, lam: lam * np.sum(W), "the absolute value is missing: negative weights must "
                                                          "add to the penalty too"),
         ("wrong_formula", lambda W, lam: 0.5 * lam * np.sum(W * W), "that is an L2 penalty: use |W|")],
        [("wrong_formula", lambda W, lam: lam * W, "that is the L2 gradient; L1 gives lam * sign(W)"),
         ("wrong_formula", lambda W, lam: lam * np.abs(W), "it equals lam |W|: the derivative of |w| is its sign")])


def check_l1_penalty(l1_penalty: Callable, *, seed: int | None = None) -> None:
    """Check ``l1_penalty(W, lam) -> (lam sum |W|, lam sign(W))``, with sign(0) = 0."""
    run_check("l1_penalty", {"impl": l1_penalty}, seed)
