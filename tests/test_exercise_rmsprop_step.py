"""The rmsprop_step check: named slips fail, other right forms of torch's rule pass."""

import math

import numpy as np
import pytest

from support import Attempt, judged, not_implemented

EXERCISE = "rmsprop_step"


def _square_avg(param, grad, state, weight_old, weight_new):
    state["v"] = weight_old * state.get("v", np.zeros_like(param)) + weight_new * grad * grad
    return state["v"]


def rms_swapped(param, grad, state, lr, alpha, eps):
    param -= lr * grad / (np.sqrt(_square_avg(param, grad, state, 1 - alpha, alpha)) + eps)


def rms_eps_inside(param, grad, state, lr, alpha, eps):
    param -= lr * grad / np.sqrt(_square_avg(param, grad, state, alpha, 1 - alpha) + eps)


def rms_rebinds_param(param, grad, state, lr, alpha, eps):
    param = param - lr * grad / (np.sqrt(_square_avg(param, grad, state, alpha, 1 - alpha)) + eps)  # noqa: F841


def rms_rebinds_state(param, grad, state, lr, alpha, eps):
    v = (1 - alpha) * grad * grad + alpha * state.get("v", 0.0)
    state = dict(v=v)
    param -= lr * grad / (np.sqrt(state["v"]) + eps)


def rms_no_sqrt(param, grad, state, lr, alpha, eps):
    param -= lr * grad / (_square_avg(param, grad, state, alpha, 1 - alpha) + eps)


def rms_default_eps(param, grad, state, lr, alpha, eps):
    param -= lr * grad / (np.sqrt(_square_avg(param, grad, state, alpha, 1 - alpha)) + 1e-8)


WRONG = [
    Attempt("alpha swapped", rms_swapped, "alpha_swapped"),
    Attempt("eps inside sqrt", rms_eps_inside, "eps_inside_sqrt"),
    Attempt("binds a new param", rms_rebinds_param, "not_in_place"),
    Attempt("binds a new state dict", rms_rebinds_state, "not_in_place"),
    Attempt("no square root", rms_no_sqrt, "missing_term"),
    Attempt("eps fixed at 1e-8", rms_default_eps, "ignored_argument"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]


def rms_loop(param, grad, state, lr, alpha, eps):
    v = state.setdefault("sq", np.zeros(param.shape))
    for i in np.ndindex(param.shape):
        v[i] = alpha * v[i] + (1 - alpha) * grad[i] ** 2
        param[i] -= lr * grad[i] / (math.sqrt(v[i]) + eps)


def rms_float_state(param, grad, state, lr, alpha, eps):
    state["v"] = np.add(alpha * state.get("v", 0.0), (1 - alpha) * np.square(grad))
    param -= lr * grad * np.reciprocal(np.sqrt(state["v"]) + eps)


RIGHT = [
    Attempt("python loop", rms_loop),
    Attempt("starts from the float 0", rms_float_state),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
