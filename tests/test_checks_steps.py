"""The sgd_momentum_step, rmsprop_step and adam_step checks: named slips fail, other right forms pass."""

import math

import numpy as np
import pytest

from checks import check_adam_step, check_rmsprop_step, check_sgd_momentum_step
from support import not_implemented, verdict

SEEDS = [None, 7, 2026]


def _verdict(check, fn, seed):
    return verdict(lambda f: check(f, seed=seed), fn)


# --- SGD with momentum ----------------------------------------------------------------------

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


SGD_WRONG = [
    ("binds a new param", sgd_rebinds_param, "not_in_place"),
    ("binds a new state dict", sgd_rebinds_state, "not_in_place"),
    ("EMA buffer from zero", sgd_ema, "momentum_buffer"),
    ("steps with the old buffer", sgd_steps_then_adds, "momentum_buffer"),
    ("lr inside the velocity", sgd_classic_lr_in_velocity, "lr_in_moments"),
    ("changes grad", sgd_scales_grad_in_place, "mutates_input"),
    ("ignores momentum", sgd_hard_coded_momentum, "wrong_value"),
    ("gradient ascent", sgd_ascends, "sign"),
    ("lr twice", sgd_lr_twice, "scale"),
    ("not implemented", not_implemented, "not_implemented"),
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


SGD_RIGHT = [("buffer from zeros, out=", sgd_zero_start), ("a list of buffers", sgd_list_state)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn, mistake", SGD_WRONG, ids=[w[0] for w in SGD_WRONG])
def test_sgd_momentum_wrong(label, fn, mistake, seed):
    assert _verdict(check_sgd_momentum_step, fn, seed) == mistake


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn", SGD_RIGHT, ids=[r[0] for r in SGD_RIGHT])
def test_sgd_momentum_right(label, fn, seed):
    assert _verdict(check_sgd_momentum_step, fn, seed) == "pass"


# --- RMSProp --------------------------------------------------------------------------------

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


RMS_WRONG = [
    ("alpha swapped", rms_swapped, "alpha_swapped"),
    ("eps inside sqrt", rms_eps_inside, "eps_inside_sqrt"),
    ("binds a new param", rms_rebinds_param, "not_in_place"),
    ("binds a new state dict", rms_rebinds_state, "not_in_place"),
    ("no square root", rms_no_sqrt, "wrong_value"),
    ("ignores eps", rms_default_eps, "wrong_value"),
    ("not implemented", not_implemented, "not_implemented"),
]


def rms_loop(param, grad, state, lr, alpha, eps):
    v = state.setdefault("sq", np.zeros(param.shape))
    for i in np.ndindex(param.shape):
        v[i] = alpha * v[i] + (1 - alpha) * grad[i] ** 2
        param[i] -= lr * grad[i] / (math.sqrt(v[i]) + eps)


def rms_float_state(param, grad, state, lr, alpha, eps):
    state["v"] = np.add(alpha * state.get("v", 0.0), (1 - alpha) * np.square(grad))
    param -= lr * grad * np.reciprocal(np.sqrt(state["v"]) + eps)


RMS_RIGHT = [("python loop", rms_loop), ("starts from the float 0", rms_float_state)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn, mistake", RMS_WRONG, ids=[w[0] for w in RMS_WRONG])
def test_rmsprop_wrong(label, fn, mistake, seed):
    assert _verdict(check_rmsprop_step, fn, seed) == mistake


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn", RMS_RIGHT, ids=[r[0] for r in RMS_RIGHT])
def test_rmsprop_right(label, fn, seed):
    assert _verdict(check_rmsprop_step, fn, seed) == "pass"


# --- Adam -----------------------------------------------------------------------------------

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


ADAM_WRONG = [
    ("no bias correction", lambda *a: adam_with(*a, correct_m=False, correct_v=False), "no_bias_correction"),
    ("only m corrected", lambda *a: adam_with(*a, correct_v=False), "no_bias_correction"),
    ("t starts at 0", lambda *a: adam_with(*a, t_shift=1), "adam_step_count"),
    ("t starts at 1, increased first", lambda *a: adam_with(*a, t_start=1), "adam_step_count"),
    ("eps inside sqrt", lambda *a: adam_with(*a, eps_in=True), "eps_inside_sqrt"),
    ("lr inside m", lambda *a: adam_with(*a, lr_in_m=True), "lr_in_moments"),
    ("binds a new param", adam_rebinds_param, "not_in_place"),
    ("binds a new state dict", lambda p, g, s, *a: adam_with(p, g, {}, *a), "not_in_place"),
    ("not implemented", not_implemented, "not_implemented"),
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


ADAM_RIGHT = [("torch's own arrangement", adam_torch_form), ("state of plain floats first", adam_with)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn, mistake", ADAM_WRONG, ids=[w[0] for w in ADAM_WRONG])
def test_adam_wrong(label, fn, mistake, seed):
    assert _verdict(check_adam_step, fn, seed) == mistake


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn", ADAM_RIGHT, ids=[r[0] for r in ADAM_RIGHT])
def test_adam_right(label, fn, seed):
    assert _verdict(check_adam_step, fn, seed) == "pass"


def test_messages_name_the_step_and_the_slip():
    from checks import CheckFailure

    with pytest.raises(CheckFailure) as info:
        check_adam_step(lambda *a: adam_with(*a, eps_in=True))
    text = str(info.value)
    assert "step 1" in text and "eps is inside the square root" in text and "a schedule" in text
    with pytest.raises(CheckFailure) as info:
        check_sgd_momentum_step(sgd_rebinds_param)
    assert "returned an array instead" in str(info.value)
