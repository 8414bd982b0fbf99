"""The l2_penalty and l1_penalty checks."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import CheckFailure, check_l1_penalty, check_l2_penalty
from support import not_implemented, verdict


def l2_in_place(W, lam):
    W *= lam
    return 0.5 / lam * float(np.sum(W * W)), W.copy()


L2_WRONG = [
    ("forgot the 1/2", lambda W, lam: (lam * np.sum(W ** 2), lam * W), "scale"),
    ("dW doubled", lambda W, lam: (0.5 * lam * np.sum(W ** 2), 2 * lam * W), "scale"),
    ("dW without lam", lambda W, lam: (0.5 * lam * np.sum(W ** 2), W), "scale"),
    ("dW sign", lambda W, lam: (0.5 * lam * np.sum(W ** 2), -lam * W), "sign"),
    ("penalty not summed", lambda W, lam: (0.5 * lam * W ** 2, lam * W), "not_summed_over_batch"),
    ("mean instead of sum", lambda W, lam: (0.5 * lam * np.mean(W ** 2), lam * W), "scale"),
    ("L1 gradient", lambda W, lam: (0.5 * lam * np.sum(W ** 2), lam * np.sign(W)), "wrong_value"),
    ("squares the sum", lambda W, lam: (0.5 * lam * np.sum(W) ** 2, lam * W), "wrong_value"),
    ("scales W in place", l2_in_place, "mutates_input"),
    ("float32 dW", lambda W, lam: (0.5 * lam * np.sum(W ** 2), (lam * W).astype(np.float32)), "wrong_dtype"),
    ("returns only the penalty", lambda W, lam: 0.5 * lam * np.sum(W ** 2), "wrong_type"),
    ("not implemented", not_implemented, "not_implemented"),
]

L2_RIGHT = [
    ("vdot", lambda W, lam: (lam / 2 * np.vdot(W, W), lam * W)),
    ("norm squared, numpy scalar", lambda W, lam: (np.float64(0.5 * lam * np.linalg.norm(W) ** 2), W * lam)),
    ("loop over entries", lambda W, lam: (sum(0.5 * lam * w * w for w in W.ravel()), np.array(W) * lam)),
]


@pytest.mark.parametrize("label, fn, mistake", L2_WRONG, ids=[w[0] for w in L2_WRONG])
def test_l2_wrong(label, fn, mistake):
    assert verdict(check_l2_penalty, fn) == mistake


@pytest.mark.parametrize("label, fn", L2_RIGHT, ids=[r[0] for r in L2_RIGHT])
def test_l2_right(label, fn):
    assert verdict(check_l2_penalty, fn) == "pass"


def l1_abs_in_place(W, lam):
    dW = lam * np.sign(W)
    np.abs(W, out=W)
    return lam * float(W.sum()), dW


L1_WRONG = [
    ("no absolute value", lambda W, lam: (lam * np.sum(W), lam * np.sign(W)), "wrong_value"),
    ("L2 gradient", lambda W, lam: (lam * np.sum(np.abs(W)), lam * W), "wrong_value"),
    ("dW without lam", lambda W, lam: (lam * np.sum(np.abs(W)), np.sign(W)), "scale"),
    ("dW sign", lambda W, lam: (lam * np.sum(np.abs(W)), -lam * np.sign(W)), "sign"),
    ("W / |W| is nan at 0", lambda W, lam: (lam * np.sum(np.abs(W)), lam * W / np.abs(W)), "nan_or_inf"),
    ("mean instead of sum", lambda W, lam: (lam * np.mean(np.abs(W)), lam * np.sign(W)), "scale"),
    ("abs in place", l1_abs_in_place, "mutates_input"),
    ("float32 penalty", lambda W, lam: (np.float32(lam * np.sum(np.abs(W))), lam * np.sign(W)), "wrong_dtype"),
    ("integer sign array", lambda W, lam: (lam * np.sum(np.abs(W)), np.sign(W).astype(int)), "wrong_dtype"),
    ("not implemented", not_implemented, "not_implemented"),
]

L1_RIGHT = [
    ("np.where, 0 at 0", lambda W, lam: (lam * np.abs(W).sum(), np.where(W > 0, lam, np.where(W < 0, -lam, 0.0)))),
    ("another subgradient at 0", lambda W, lam: (float(lam * np.linalg.norm(W.ravel(), 1)),
                                                 np.where(W >= 0, lam, -lam))),
    ("sign times lam, loops", lambda W, lam: (sum(lam * abs(w) for w in W.ravel()), lam * np.sign(W))),
]


@pytest.mark.parametrize("label, fn, mistake", L1_WRONG, ids=[w[0] for w in L1_WRONG])
def test_l1_wrong(label, fn, mistake):
    assert verdict(check_l1_penalty, fn) == mistake


@pytest.mark.parametrize("label, fn", L1_RIGHT, ids=[r[0] for r in L1_RIGHT])
def test_l1_right(label, fn):
    assert verdict(check_l1_penalty, fn) == "pass"


def test_scale_message_names_the_missing_half():
    with pytest.raises(CheckFailure) as info:
        check_l2_penalty(lambda W, lam: (lam * np.sum(W ** 2), lam * W))
    assert "check the factor 1/2" in str(info.value)


def test_references_pass():
    assert verdict(check_l2_penalty, ml.l2_penalty) == "pass"
    assert verdict(check_l1_penalty, ml.l1_penalty) == "pass"
