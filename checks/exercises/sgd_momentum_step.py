"""Exercise ``sgd_momentum_step(param, grad, state, lr, momentum)``: SGD with momentum, in place.

Rule (torch.optim.SGD, dampening 0): buf = grad at the first step, then buf = momentum buf + grad;
param -= lr buf. Judged over consecutive steps with a changing lr (see ``checks.optimizer_steps``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from mlp_lab.steps import sgd_momentum_step as reference

from ..optimizer_steps import judge_step, step_cases
from ..registry import register
from ..runner import run_check

NAME = "sgd_momentum_step"


def _ema_from_zero(param, grad, state, lr, momentum):
    buf = state.setdefault("buf", np.zeros_like(param))
    buf *= momentum
    buf += (1 - momentum) * grad
    param -= lr * buf


def _buffer_after_step(param, grad, state, lr, momentum):
    buf = state.setdefault("buf", np.zeros_like(param))
    param -= lr * buf
    buf *= momentum
    buf += grad


def _lr_in_buffer(param, grad, state, lr, momentum):
    buf = state.setdefault("buf", np.zeros_like(param))
    buf *= momentum
    buf += lr * grad
    param -= buf


def _momentum_fixed_at_0_9(param, grad, state, lr, momentum):
    reference(param, grad, state, lr, 0.9)


SLIPS = [
    ("momentum_buffer", _ema_from_zero, "it follows buf = momentum buf + (1 - momentum) grad from buf = 0: torch "
                                        "adds the whole gradient, and buf starts as the first gradient"),
    ("momentum_buffer", _buffer_after_step, "the step uses the buffer before this gradient is added (the first step "
                                            "does nothing): update buf first, then param -= lr buf"),
    ("lr_in_moments", _lr_in_buffer, "the learning rate went into the buffer (buf = momentum buf + lr grad): with a "
                                     "schedule, old steps keep their old lr. Keep lr out of buf"),
    ("ignored_argument", _momentum_fixed_at_0_9, "the steps match momentum = 0.9 whatever momentum is passed in: "
                                                 "use the argument momentum, not a number"),
]


@register(NAME, "sgd_momentum_step(param, grad, state, lr, momentum) -> None (param updated in place)")
def judge_sgd_momentum_step(call, rng: np.random.Generator) -> None:
    hypers = [{"momentum": float(rng.uniform(0.6, 0.9))} for _ in range(3)]
    judge_step(call, NAME, step_cases(rng, hypers), reference, SLIPS,
               hint="buf = grad at the first step (state is empty), later buf = momentum * buf + grad; "
                    "then param -= lr * buf")


def check_sgd_momentum_step(sgd_momentum_step: Callable, *, seed: int | None = None) -> None:
    """Check ``sgd_momentum_step(param, grad, state, lr, momentum)`` over consecutive steps."""
    run_check(NAME, {"impl": sgd_momentum_step}, seed)
