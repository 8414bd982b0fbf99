"""The sigmoid_backward check, alone and with the learner's own sigmoid."""

import numpy as np
import pytest

import mlp_lab as ml
from support import Attempt, judged, not_implemented

EXERCISE = "sigmoid_backward"


def _s(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def backward_in_place(dA, Z):
    dA *= ml.sigmoid_prime(Z)
    return dA


WRONG = [
    Attempt("dA * sigma(Z)", lambda dA, Z: dA * _s(Z), "wrong_formula"),
    Attempt("forgot dA", lambda dA, Z: ml.sigmoid_prime(Z), "missing_term"),
    Attempt("forgot sigma'", lambda dA, Z: dA.copy(), "missing_term"),
    Attempt("used Z as if it were A", lambda dA, Z: dA * Z * (1 - Z), "wrong_point"),
    Attempt("sigma' at A = sigma(Z)", lambda dA, Z: dA * ml.sigmoid_prime(_s(Z)), "wrong_point"),
    Attempt("sign", lambda dA, Z: -dA * ml.sigmoid_prime(Z), "sign"),
    Attempt("in place on dA", backward_in_place, "mutates_input"),
    Attempt("unstable", lambda dA, Z: dA * np.exp(-Z) / (1 + np.exp(-Z)) ** 2, "overflow"),
    Attempt("float32", lambda dA, Z: (dA * ml.sigmoid_prime(Z)).astype(np.float32), "wrong_dtype"),
    Attempt("one-element tuple", lambda dA, Z: (dA * ml.sigmoid_prime(Z),), "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
    Attempt("off by 1e-3 dA, with a right sigmoid", lambda dA, Z: dA * ml.sigmoid_prime(Z) + 1e-3 * dA,
            "inconsistent_with_forward", {"sigmoid": ml.sigmoid}),
]

RIGHT = [
    Attempt("s (1 - s) inline", lambda dA, Z: dA * _s(Z) * (1 - _s(Z))),
    Attempt("exp(-|Z|) form", lambda dA, Z: dA * np.exp(-np.abs(Z)) / (1 + np.exp(-np.abs(Z))) ** 2),
    Attempt("via tanh", lambda dA, Z: dA * 0.25 * (1 - np.tanh(0.5 * Z) ** 2)),
    Attempt("via tanh, with the reference sigmoid", lambda dA, Z: dA * 0.25 * (1 - np.tanh(0.5 * Z) ** 2),
            roles={"sigmoid": ml.sigmoid}),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
