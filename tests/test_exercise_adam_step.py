"""The adam_step check: named slips fail, other right forms of torch's rule pass."""

import math

import numpy as np
import pytest

from checks import CheckFailure, check_adam_step, check_sgd_momentum_step
from support import Attempt, judged, not_implemented
from test_exercise_sgd_momentum_step import sgd_rebinds_param

EXERCISE = "adam_step"


def adam_with(param, grad, state, lr, beta1, beta2, eps, *, t_start=0, t_shift=0, correct_m=True,
              correct_v=True, eps_in=False, lr_in_m=False):
    """Adam with one slip switched on (t counted from t_start, bias corrections optional, ...)."""
    t = state.get("t", t_start)
    if t_shift == 0:
        t += 1
    m = beta1 * state.get("m", 0.0) + (1 - beta1) * (lr if lr_in_m else 1.0) * grad
    v = beta2 * state.get("v", 0.0) + (1 - beta2) * grad * grad
    state.update(t=t + t_shift, m=m, v=v)
    m_hat = m / (1 - beta1 ** t) if correct_m else m
    v_hat = v / (1 - beta2 ** t) if correct_v else v
    denom = np.sqrt(v_hat + eps) if eps_in else np.sqrt(v_hat) + eps
    param -= (1.0 if lr_in_m else lr) * m_hat / denom


def adam_rebinds_param(param, grad, state, lr, beta1, beta2, eps):
    p = param.copy()
    adam_with(p, grad, state, lr, beta1, beta2, eps)
    param = p  # noqa: F841


WRONG = [
    Attempt("no bias correction", lambda *a: adam_with(*a, correct_m=False, correct_v=False), "no_bias_correction"),
    Attempt("only m corrected", lambda *a: adam_with(*a, correct_v=False), "no_bias_correction"),
    Attempt("t starts at 0", lambda *a: adam_with(*a, t_shift=1), "adam_step_count"),
    Attempt("t starts at 1, increased first", lambda *a: adam_with(*a, t_start=1), "adam_step_count"),
    Attempt("eps inside sqrt", lambda *a: adam_with(*a, eps_in=True), "eps_inside_sqrt"),
    Attempt("lr inside m", lambda *a: adam_with(*a, lr_in_m=True), "lr_in_moments"),
    Attempt("binds a new param", adam_rebinds_param, "not_in_place"),
    Attempt("binds a new state dict", lambda p, g, s, *a: adam_with(p, g, {}, *a), "not_in_place"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]


def adam_torch_form(param, grad, state, lr, beta1, beta2, eps):
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
    state["step"] += 1
    state["exp_avg"] += (1 - beta1) * (grad - state["exp_avg"])          # lerp, as torch writes it
    state["exp_avg_sq"] *= beta2
    state["exp_avg_sq"] += (1 - beta2) * grad * grad
    step_size = lr / (1 - beta1 ** state["step"])
    denom = np.sqrt(state["exp_avg_sq"]) / math.sqrt(1 - beta2 ** state["step"]) + eps
    param -= step_size * state["exp_avg"] / denom


RIGHT = [
    Attempt("torch's own arrangement", adam_torch_form),
    Attempt("state of plain floats first", adam_with),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_messages_name_the_step_and_the_slip():
    with pytest.raises(CheckFailure) as info:
        check_adam_step(lambda *a: adam_with(*a, eps_in=True))
    text = str(info.value)
    assert "step 1" in text and "eps is inside the square root" in text and "a schedule" in text
    with pytest.raises(CheckFailure) as info:
        check_sgd_momentum_step(sgd_rebinds_param)
    assert "returned an array instead" in str(info.value)
