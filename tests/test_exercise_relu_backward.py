"""The relu_backward check: wrong implementations a learner might write get their category, right ones pass."""

import numpy as np
import pytest

from support import Attempt, judged, not_implemented

EXERCISE = "relu_backward"


def mask_dA_in_place(dA, Z):
    dA[Z <= 0] = 0.0
    return dA


def mask_Z_in_place(dA, Z):
    Z[Z < 0] = 0.0
    return dA * (Z > 0)


def copy_then_mask(dA, Z, negatives_only=False):
    dZ = dA.copy()
    dZ[(Z < 0) if negatives_only else (Z <= 0)] = 0.0
    return dZ


def relu(z):
    return np.maximum(z, 0)


WRONG = [
    Attempt("slope 1 at z = 0 (Z >= 0)", lambda dA, Z: dA * (Z >= 0), "kink_at_zero"),
    Attempt("slope 1/2 at z = 0 (heaviside)", lambda dA, Z: dA * np.heaviside(Z, 0.5), "kink_at_zero"),
    Attempt("zeroed only Z < 0", lambda dA, Z: copy_then_mask(dA, Z, negatives_only=True), "kink_at_zero"),
    Attempt("leaky slope 0.01", lambda dA, Z: dA * np.where(Z > 0, 1.0, 0.01), "leaky_slope"),
    Attempt("dA * relu(Z): the value for the slope", lambda dA, Z: dA * relu(Z), "wrong_formula"),
    Attempt("dA * Z", lambda dA, Z: dA * Z, "wrong_formula"),
    Attempt("forgot dA", lambda dA, Z: (Z > 0).astype(float), "missing_term"),
    Attempt("forgot the mask", lambda dA, Z: dA.copy(), "missing_term"),
    Attempt("mask from dA instead of Z", lambda dA, Z: dA * (dA > 0), "wrong_point"),
    Attempt("mask reversed (Z < 0)", lambda dA, Z: dA * (Z < 0), "swapped"),
    Attempt("in place on dA", mask_dA_in_place, "mutates_input"),
    Attempt("in place on Z", mask_Z_in_place, "mutates_input"),
    Attempt("float32", lambda dA, Z: (dA * (Z > 0)).astype(np.float32), "wrong_dtype"),
    Attempt("one-element tuple", lambda dA, Z: (dA * (Z > 0),), "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]

RIGHT = [
    Attempt("dA * (Z > 0)", lambda dA, Z: dA * (Z > 0)),
    Attempt("np.where(Z > 0, dA, 0.0)", lambda dA, Z: np.where(Z > 0, dA, 0.0)),
    Attempt("copy, then zero where Z <= 0", copy_then_mask),
    Attempt("mask from A = relu(Z) (the same for ReLU)", lambda dA, Z: dA * (relu(Z) > 0)),
    Attempt("dA * np.heaviside(Z, 0)", lambda dA, Z: dA * np.heaviside(Z, 0.0)),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
