"""The l1_penalty check, including sign(0) = 0 at a weight of exactly zero."""

import numpy as np
import pytest

from support import Attempt, judged, not_implemented

EXERCISE = "l1_penalty"


def l1_abs_in_place(W, lam):
    dW = lam * np.sign(W)
    np.abs(W, out=W)
    return lam * float(W.sum()), dW


WRONG = [
    Attempt("no absolute value", lambda W, lam: (lam * np.sum(W), lam * np.sign(W)), "missing_term"),
    Attempt("L2 penalty", lambda W, lam: (0.5 * lam * np.sum(W * W), lam * np.sign(W)), "wrong_formula"),
    Attempt("L2 gradient", lambda W, lam: (lam * np.sum(np.abs(W)), lam * W), "wrong_formula"),
    Attempt("lam |W| as the gradient", lambda W, lam: (lam * np.sum(np.abs(W)), lam * np.abs(W)), "wrong_formula"),
    Attempt("dW without lam", lambda W, lam: (lam * np.sum(np.abs(W)), np.sign(W)), "scale"),
    Attempt("dW sign", lambda W, lam: (lam * np.sum(np.abs(W)), -lam * np.sign(W)), "sign"),
    Attempt("W / |W| is nan at 0", lambda W, lam: (lam * np.sum(np.abs(W)), lam * W / np.abs(W)), "nan_or_inf"),
    Attempt("+lam at 0 (W >= 0)", lambda W, lam: (float(lam * np.abs(W).sum()), np.where(W >= 0, lam, -lam)),
            "missing_branch"),
    Attempt("mean instead of sum", lambda W, lam: (lam * np.mean(np.abs(W)), lam * np.sign(W)), "scale"),
    Attempt("abs in place", l1_abs_in_place, "mutates_input"),
    Attempt("float32 penalty", lambda W, lam: (np.float32(lam * np.sum(np.abs(W))), lam * np.sign(W)), "wrong_dtype"),
    Attempt("integer sign array", lambda W, lam: (lam * np.sum(np.abs(W)), np.sign(W).astype(int)), "wrong_dtype"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]

RIGHT = [
    Attempt("np.where, 0 at 0", lambda W, lam: (lam * np.abs(W).sum(), np.where(W > 0, lam, np.where(W < 0, -lam, 0.0)))),
    Attempt("1-norm of the flat weights", lambda W, lam: (float(lam * np.linalg.norm(W.ravel(), 1)), lam * np.sign(W))),
    Attempt("sign times lam, loops", lambda W, lam: (sum(lam * abs(w) for w in W.ravel()), lam * np.sign(W))),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
