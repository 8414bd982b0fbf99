"""The sgd_momentum_step check: named slips fail, other right forms of torch's rule pass."""

import numpy as np
import pytest

from support import Attempt, judged, not_implemented

EXERCISE = "sgd_momentum_step"


def sgd_rebinds_param(param, grad, state, lr, momentum):
    state["buf"] = momentum * state["buf"] + grad if "buf" in state else grad.copy()
    param = param - lr * state["buf"]
    return param


def sgd_rebinds_state(param, grad, state, lr, momentum):
    buf = momentum * state["buf"] + grad if "buf" in state else grad.copy()
    state = {"buf": buf}
    param -= lr * state["buf"]


def sgd_ema(param, grad, state, lr, momentum):
    state["buf"] = momentum * state.get("buf", 0.0) + (1 - momentum) * grad
    param -= lr * state["buf"]


def sgd_steps_then_adds(param, grad, state, lr, momentum):
    old = state.get("buf", np.zeros_like(param))
    param -= lr * old
    state["buf"] = momentum * old + grad


def sgd_classic_lr_in_velocity(param, grad, state, lr, momentum):
    state["v"] = momentum * state.get("v", 0.0) + lr * grad
    param -= state["v"]


def sgd_scales_grad_in_place(param, grad, state, lr, momentum):
    grad *= 1.0
    grad += 0.0 * param + 1e-3
    state["buf"] = momentum * state["buf"] + grad if "buf" in state else grad.copy()
    param -= lr * state["buf"]


def sgd_hard_coded_momentum(param, grad, state, lr, momentum):
    state["buf"] = 0.9 * state["buf"] + grad if "buf" in state else grad.copy()
    param -= lr * state["buf"]


def sgd_ascends(param, grad, state, lr, momentum):
    state["buf"] = momentum * state["buf"] + grad if "buf" in state else grad.copy()
    param += lr * state["buf"]


def sgd_lr_twice(param, grad, state, lr, momentum):
    state["buf"] = momentum * state["buf"] + grad if "buf" in state else grad.copy()
    param -= lr * lr * state["buf"]


WRONG = [
    Attempt("binds a new param", sgd_rebinds_param, "not_in_place"),
    Attempt("binds a new state dict", sgd_rebinds_state, "not_in_place"),
    Attempt("EMA buffer from zero", sgd_ema, "momentum_buffer"),
    Attempt("steps with the old buffer", sgd_steps_then_adds, "momentum_buffer"),
    Attempt("lr inside the velocity", sgd_classic_lr_in_velocity, "lr_in_moments"),
    Attempt("changes grad", sgd_scales_grad_in_place, "mutates_input"),
    Attempt("momentum fixed at 0.9", sgd_hard_coded_momentum, "ignored_argument"),
    Attempt("gradient ascent", sgd_ascends, "sign"),
    Attempt("lr twice", sgd_lr_twice, "scale"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]


def sgd_zero_start(param, grad, state, lr, momentum):
    buf = state.setdefault("velocity", np.zeros_like(param))  # 0 * momentum + grad = grad: torch's start
    np.multiply(buf, momentum, out=buf)
    np.add(buf, grad, out=buf)
    param[...] = param - lr * buf


def sgd_list_state(param, grad, state, lr, momentum):
    if not state:
        state["history"] = [grad.copy()]
    else:
        state["history"].append(momentum * state["history"][-1] + grad)
    np.subtract(param, lr * state["history"][-1], out=param)


RIGHT = [
    Attempt("buffer from zeros, out=", sgd_zero_start),
    Attempt("a list of buffers", sgd_list_state),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
