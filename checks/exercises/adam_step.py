"""Exercise ``adam_step(param, grad, state, lr, beta1, beta2, eps)``: Adam, in place.

Rule (torch.optim.Adam): t += 1 (t = 1 at the first step); m = b1 m + (1 - b1) grad;
v = b2 v + (1 - b2) grad^2; param -= lr m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t),
v_hat = v / (1 - b2^t). Judged over consecutive steps with a changing lr (``checks.optimizer_steps``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from mlp_lab.steps import adam_step as reference

from ..optimizer_steps import judge_step, step_cases
from ..registry import register
from ..runner import run_check

NAME = "adam_step"


def _moments(param, grad, state, beta1, beta2, scale=1.0):
    """Update and return (t, m, v) in ``state``; ``scale`` multiplies the gradient that enters m."""
    if "t" not in state:
        state["t"], state["m"], state["v"] = 0, np.zeros_like(param), np.zeros_like(param)
    state["t"] += 1
    state["m"] = beta1 * state["m"] + (1 - beta1) * scale * grad
    state["v"] = beta2 * state["v"] + (1 - beta2) * grad ** 2
    return state["t"], state["m"], state["v"]


def _no_bias_correction(param, grad, state, lr, beta1, beta2, eps):
    _, m, v = _moments(param, grad, state, beta1, beta2)
    param -= lr * m / (np.sqrt(v) + eps)


def _t_one_ahead(param, grad, state, lr, beta1, beta2, eps):
    t, m, v = _moments(param, grad, state, beta1, beta2)
    param -= lr * (m / (1 - beta1 ** (t + 1))) / (np.sqrt(v / (1 - beta2 ** (t + 1))) + eps)


def _eps_inside(param, grad, state, lr, beta1, beta2, eps):
    t, m, v = _moments(param, grad, state, beta1, beta2)
    param -= lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t) + eps)


def _lr_in_m(param, grad, state, lr, beta1, beta2, eps):
    t, m, v = _moments(param, grad, state, beta1, beta2, scale=lr)
    param -= (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)


def _lr_in_m_and_step(param, grad, state, lr, beta1, beta2, eps):
    t, m, v = _moments(param, grad, state, beta1, beta2, scale=lr)
    param -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)


def _only_m_corrected(param, grad, state, lr, beta1, beta2, eps):
    t, m, v = _moments(param, grad, state, beta1, beta2)
    param -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v) + eps)


SLIPS = [
    ("no_bias_correction", _no_bias_correction, "m and v are used without the bias correction: divide m by "
                                                "1 - beta1**t and v by 1 - beta2**t"),
    ("no_bias_correction", _only_m_corrected, "only m is bias-corrected: v needs v / (1 - beta2**t) too"),
    ("adam_step_count", _t_one_ahead, "the bias correction uses t + 1: t must be 1 at the first step, 2 at the second"),
    ("eps_inside_sqrt", _eps_inside, "eps is inside the square root: divide by sqrt(v_hat) + eps"),
    ("lr_in_moments", _lr_in_m, "the learning rate went into m (m = beta1 m + (1 - beta1) lr grad): with a "
                                "schedule, old gradients keep their old lr. Keep lr out of the moments"),
    ("lr_in_moments", _lr_in_m_and_step, "the learning rate is applied twice, in m and in the step: keep lr out "
                                         "of the moments"),
]


@register(NAME, "adam_step(param, grad, state, lr, beta1, beta2, eps) -> None (param updated in place)")
def judge_adam_step(call, rng: np.random.Generator) -> None:
    hypers = [{"beta1": float(rng.uniform(0.7, 0.9)), "beta2": float(rng.uniform(0.9, 0.99)),
               "eps": float(rng.uniform(1e-3, 3e-3))} for _ in range(3)]
    judge_step(call, NAME, step_cases(rng, hypers), reference, SLIPS,
               hint="t = t + 1 first (t = 1 at the first step); m = beta1 m + (1 - beta1) grad; "
                    "v = beta2 v + (1 - beta2) grad**2; param -= lr * m_hat / (sqrt(v_hat) + eps)",
               nonfinite=("adam_step_count", "the bias correction divided by zero",
                          "1 - beta**t is 0 when t = 0: increase t before you use it, so the first step has t = 1"))


def check_adam_step(adam_step: Callable, *, seed: int | None = None) -> None:
    """Check ``adam_step(param, grad, state, lr, beta1, beta2, eps)`` over consecutive steps."""
    run_check(NAME, {"impl": adam_step}, seed)
