"""The sigmoid check: wrong implementations get their named mistake, differently written right ones pass."""

import math

import numpy as np
import pytest

from support import Attempt, judged, not_implemented

EXERCISE = "sigmoid"


def stable_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_mutating(z):
    np.clip(z, -500, 500, out=z)
    return 1 / (1 + np.exp(-z))


WRONG = [
    Attempt("naive exp overflows", lambda z: 1 / (1 + np.exp(-z)), "overflow"),
    Attempt("naive np.where evaluates both branches", lambda z: np.where(
        z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z))), "overflow"),
    Attempt("sign in the exponent", lambda z: 0.5 * (1 - np.tanh(0.5 * z)), "sign"),
    Attempt("forgot 1/(1+.)", lambda z: np.exp(-z), "missing_term"),
    Attempt("tanh instead of sigmoid", np.tanh, "wrong_formula"),
    Attempt("stable branch only, for z >= 0", lambda z: 1 / (1 + np.exp(-np.abs(z))), "missing_branch"),
    Attempt("negative branch left at 0", lambda z: np.where(z >= 0, 1 / (1 + np.exp(-np.maximum(z, 0))), 0.0),
            "missing_branch"),
    Attempt("float32", lambda z: stable_sigmoid(z).astype(np.float32), "wrong_dtype"),
    Attempt("clips its input in place", sigmoid_mutating, "mutates_input"),
    Attempt("math.exp on an array", lambda z: 1 / (1 + math.exp(-z)), "exception"),
    Attempt("returns a list", lambda z: [float(v) for v in stable_sigmoid(np.ravel(z))], "wrong_type"),
    Attempt("returns None", lambda z: None, "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]

RIGHT = [
    Attempt("via tanh", lambda z: 0.5 * (1 + np.tanh(z / 2))),
    Attempt("np.where on exp(-|z|)", stable_sigmoid),
    Attempt("via logaddexp", lambda z: np.exp(-np.logaddexp(0.0, -z))),
    Attempt("python loop, math, two branches", np.vectorize(
        lambda t: 1 / (1 + math.exp(-t)) if t >= 0 else math.exp(t) / (1 + math.exp(t)), otypes=[float])),
    Attempt("clipped naive formula", lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500)))),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
