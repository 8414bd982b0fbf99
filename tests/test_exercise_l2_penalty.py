"""The l2_penalty check."""

import numpy as np
import pytest

from checks import check_l2_penalty
from support import Attempt, failure_of, judged, not_implemented

EXERCISE = "l2_penalty"


def l2_in_place(W, lam):
    W *= lam
    return 0.5 / lam * float(np.sum(W * W)), W.copy()


WRONG = [
    Attempt("forgot the 1/2", lambda W, lam: (lam * np.sum(W ** 2), lam * W), "scale"),
    Attempt("dW doubled", lambda W, lam: (0.5 * lam * np.sum(W ** 2), 2 * lam * W), "scale"),
    Attempt("dW without lam", lambda W, lam: (0.5 * lam * np.sum(W ** 2), W), "scale"),
    Attempt("dW sign", lambda W, lam: (0.5 * lam * np.sum(W ** 2), -lam * W), "sign"),
    Attempt("penalty not summed", lambda W, lam: (0.5 * lam * W ** 2, lam * W), "not_summed_over_batch"),
    Attempt("mean instead of sum", lambda W, lam: (0.5 * lam * np.mean(W ** 2), lam * W), "scale"),
    Attempt("L1 penalty", lambda W, lam: (0.5 * lam * np.sum(np.abs(W)), lam * W), "wrong_formula"),
    Attempt("L1 gradient", lambda W, lam: (0.5 * lam * np.sum(W ** 2), lam * np.sign(W)), "wrong_formula"),
    Attempt("squares the sum", lambda W, lam: (0.5 * lam * np.sum(W) ** 2, lam * W), "wrong_formula"),
    Attempt("penalty per weight as dW", lambda W, lam: (0.5 * lam * np.sum(W ** 2), 0.5 * lam * W * W),
            "wrong_formula"),
    Attempt("scales W in place", l2_in_place, "mutates_input"),
    Attempt("float32 dW", lambda W, lam: (0.5 * lam * np.sum(W ** 2), (lam * W).astype(np.float32)), "wrong_dtype"),
    Attempt("returns only the penalty", lambda W, lam: 0.5 * lam * np.sum(W ** 2), "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]

RIGHT = [
    Attempt("vdot", lambda W, lam: (lam / 2 * np.vdot(W, W), lam * W)),
    Attempt("norm squared, numpy scalar", lambda W, lam: (np.float64(0.5 * lam * np.linalg.norm(W) ** 2), W * lam)),
    Attempt("loop over entries", lambda W, lam: (sum(0.5 * lam * w * w for w in W.ravel()), np.array(W) * lam)),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_scale_message_names_the_missing_half():
    first = str(failure_of(check_l2_penalty, lambda W, lam: (lam * np.sum(W ** 2), lam * W))).splitlines()[0]
    assert "penalty" in first and "2 times too large (check the factor 1/2)" in first
