"""The dropout_backward check, alone and with the learner's own dropout_forward."""

import numpy as np
import pytest

from checks import check_dropout_backward
from support import Attempt, failure_of, judged, not_implemented

EXERCISE = "dropout_backward"


def binomial(X, p, rng):
    mask = rng.binomial(1, 1 - p, size=X.shape) / (1 - p)
    return X * mask, mask


def not_inverted(X, p, rng):
    mask = (rng.random(X.shape) >= p).astype(float)
    return X * mask, mask


def backward_in_place(dout, mask):
    dout *= mask
    return dout


WRONG = [
    Attempt("mask ignored", lambda dout, mask: dout.copy(), "missing_term"),
    Attempt("returns the mask", lambda dout, mask: mask.copy(), "missing_term"),
    Attempt("kept units not scaled", lambda dout, mask: dout * (mask > 0), "scale"),
    Attempt("scaled twice", lambda dout, mask: dout * mask * mask.max(), "scale"),
    Attempt("sign", lambda dout, mask: -dout * mask, "sign"),
    Attempt("in place", backward_in_place, "mutates_input"),
    Attempt("float32", lambda dout, mask: (dout * mask).astype(np.float32), "wrong_dtype"),
    Attempt("tuple", lambda dout, mask: (dout * mask, None), "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
    Attempt("off by 1e-3, with a right forward", lambda dout, mask: dout * mask + 1e-3, "inconsistent_with_forward",
            {"dropout_forward": binomial}),
    Attempt("sign, with a forward that does not scale", lambda dout, mask: -dout * mask, "sign",
            {"dropout_forward": not_inverted}),
]

RIGHT = [
    Attempt("np.multiply", np.multiply),
    Attempt("where", lambda dout, mask: np.where(mask != 0, dout * mask, 0.0)),
    Attempt("copy then in-place on the copy", lambda dout, mask: (lambda d: (d.__imul__(mask), d)[1])(dout.copy())),
    Attempt("np.multiply, with a right forward", np.multiply, roles={"dropout_forward": binomial}),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_a_wrong_forward_is_named_first():
    failure = failure_of(check_dropout_backward, lambda dout, mask: -dout * mask, not_inverted)
    assert str(failure).startswith("✘ dropout_backward: your dropout_forward is wrong, fix it first")
    assert "fix dropout_forward first" in str(failure)
