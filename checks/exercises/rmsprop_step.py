"""Exercise ``rmsprop_step(param, grad, state, lr, alpha, eps)``: RMSProp, in place.

Rule (torch.optim.RMSprop): v = alpha v + (1 - alpha) grad^2 from v = 0; param -= lr grad / (sqrt(v) + eps).
Judged over consecutive steps with a changing lr (see ``checks.optimizer_steps``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from mlp_lab.steps import rmsprop_step as reference

from ..optimizer_steps import judge_step, step_cases
from ..registry import register
from ..runner import run_check

NAME = "rmsprop_step"


def _alpha_swapped(param, grad, state, lr, alpha, eps):
    reference(param, grad, state, lr, 1 - alpha, eps)


def _eps_inside(param, grad, state, lr, alpha, eps):
    v = state.setdefault("square_avg", np.zeros_like(param))
    v *= alpha
    v += (1 - alpha) * grad ** 2
    param -= lr * grad / np.sqrt(v + eps)


def _no_square_root(param, grad, state, lr, alpha, eps):
    v = state.setdefault("square_avg", np.zeros_like(param))
    v *= alpha
    v += (1 - alpha) * grad ** 2
    param -= lr * grad / (v + eps)


def _eps_fixed(param, grad, state, lr, alpha, eps):
    reference(param, grad, state, lr, alpha, 1e-8)


SLIPS = [
    ("alpha_swapped", _alpha_swapped, "alpha and 1 - alpha are swapped: the old average keeps the weight alpha, "
                                      "the new grad**2 gets 1 - alpha"),
    ("eps_inside_sqrt", _eps_inside, "eps is inside the square root: divide by sqrt(v) + eps"),
    ("missing_term", _no_square_root, "the square root of the average is missing: divide by sqrt(v) + eps"),
    ("ignored_argument", _eps_fixed, "the steps match eps = 1e-8 whatever eps is passed in: use the argument "
                                     "eps, not a number"),
]


@register(NAME, "rmsprop_step(param, grad, state, lr, alpha, eps) -> None (param updated in place)")
def judge_rmsprop_step(call, rng: np.random.Generator) -> None:
    hypers = [{"alpha": float(rng.uniform(0.8, 0.95)), "eps": float(rng.uniform(1e-3, 3e-3))} for _ in range(3)]
    judge_step(call, NAME, step_cases(rng, hypers), reference, SLIPS,
               hint="v = alpha * v + (1 - alpha) * grad**2 (v starts at zeros); param -= lr * grad / (sqrt(v) + eps)")


def check_rmsprop_step(rmsprop_step: Callable, *, seed: int | None = None) -> None:
    """Check ``rmsprop_step(param, grad, state, lr, alpha, eps)`` over consecutive steps."""
    run_check(NAME, {"impl": rmsprop_step}, seed)
