"""The relu check: wrong implementations a learner might write get their category, right ones pass."""

import numpy as np
import pytest

from support import Attempt, judged, not_implemented

EXERCISE = "relu"


def relu_in_place(z):
    z[z < 0] = 0.0
    return z


def relu_forgot_return(z):
    np.maximum(z, 0)


WRONG = [
    Attempt("|z|", np.abs, "wrong_formula"),
    Attempt("the derivative (z > 0) as floats", lambda z: (z > 0).astype(float), "wrong_formula"),
    Attempt("sigmoid instead", lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500))), "wrong_formula"),
    Attempt("np.max(z, 0): a maximum over axis 0", lambda z: np.max(z, 0), "wrong_formula"),
    Attempt("min instead of max", lambda z: np.minimum(z, 0), "swapped"),
    Attempt("leaky slope 0.01", lambda z: np.maximum(z, 0.01 * z), "leaky_slope"),
    Attempt("leaky slope 0.2 with where", lambda z: np.where(z > 0, z, 0.2 * z), "leaky_slope"),
    Attempt("identity: the z < 0 branch missing", lambda z: z.copy(), "missing_branch"),
    Attempt("in place on z", relu_in_place, "mutates_input"),
    Attempt("float32", lambda z: np.maximum(z, 0).astype(np.float32), "wrong_dtype"),
    Attempt("rounded to integers", lambda z: np.maximum(z, 0).astype(int), "wrong_dtype"),
    Attempt("the boolean mask", lambda z: z > 0, "wrong_dtype"),
    Attempt("Python's max on an array", lambda z: max(z, 0), "exception"),
    Attempt("forgot return", relu_forgot_return, "wrong_type"),
    Attempt("a list of numbers", lambda z: [max(x, 0.0) for x in z.ravel()], "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]

RIGHT = [
    Attempt("np.maximum(z, 0)", lambda z: np.maximum(z, 0)),
    Attempt("np.where(z > 0, z, 0.0)", lambda z: np.where(z > 0, z, 0.0)),
    Attempt("z * (z > 0)", lambda z: z * (z > 0)),
    Attempt("np.clip(z, 0, None)", lambda z: np.clip(z, 0, None)),
    Attempt("(z + |z|) / 2", lambda z: (z + np.abs(z)) / 2),
    Attempt("copy, then zero the negatives", lambda z: relu_in_place(z.copy())),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
