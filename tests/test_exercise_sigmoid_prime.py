"""The sigmoid_prime check, alone and with the learner's own sigmoid."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_sigmoid_prime
from support import Attempt, failure_of, judged, not_implemented

EXERCISE = "sigmoid_prime"


def _s(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def prime_mutating(z):
    s = _s(z)
    z *= 0
    return s * (1 - s)


def wrong_sigmoid(z):
    return _s(-z)                               # a sign bug in the forward


WRONG = [
    Attempt("returns sigma itself", lambda z: _s(z), "wrong_formula"),
    Attempt("z (1 - z)", lambda z: z * (1 - z), "wrong_point"),
    Attempt("s (1 + s)", lambda z: _s(z) * (1 + _s(z)), "sign"),
    Attempt("sign", lambda z: -_s(z) * (1 - _s(z)), "sign"),
    Attempt("doubled", lambda z: 2 * _s(z) * (1 - _s(z)), "scale"),
    Attempt("unstable exp form", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "overflow"),
    Attempt("float32", lambda z: (_s(z) * (1 - _s(z))).astype(np.float32), "wrong_dtype"),
    Attempt("mutates z", prime_mutating, "mutates_input"),
    Attempt("not implemented", not_implemented, "not_implemented"),
    Attempt("off by 0.01, with a right sigmoid", lambda z: _s(z) * (1 - _s(z)) + 0.01, "inconsistent_with_forward",
            {"sigmoid": ml.sigmoid}),
    Attempt("derivative of a wrong sigmoid", lambda z: -_s(z) * (1 - _s(z)), "sign", {"sigmoid": wrong_sigmoid}),
]

RIGHT = [
    Attempt("via tanh", lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
    Attempt("exp(-|z|) form", lambda z: np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))) ** 2),
    Attempt("s (1 - s) with the reference sigmoid", lambda z: ml.sigmoid(z) * (1 - ml.sigmoid(z))),
    Attempt("via tanh, with a stable sigmoid", lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2), roles={"sigmoid": _s}),
    Attempt("right, though the sigmoid given is wrong", ml.sigmoid_prime, roles={"sigmoid": wrong_sigmoid}),
    Attempt("right, sigmoid not implemented yet", ml.sigmoid_prime, roles={"sigmoid": not_implemented}),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_inconsistency_shows_the_gradient_check_against_the_learners_sigmoid():
    failure = failure_of(check_sigmoid_prime, lambda z: _s(z) * (1 - _s(z)) + 0.01, ml.sigmoid)
    assert "numerical derivative of your sigmoid" in str(failure)


def test_a_wrong_sigmoid_is_named_first():
    failure = failure_of(check_sigmoid_prime, lambda z: -_s(z) * (1 - _s(z)), wrong_sigmoid)
    first = str(failure).splitlines()[0]
    assert first.startswith("✘ sigmoid_prime: your sigmoid is wrong, fix it first")
    assert "fix sigmoid first" in str(failure)
    assert "does match the numerical derivative of your sigmoid" in str(failure)


def test_an_unimplemented_sigmoid_is_ignored():
    assert judged(EXERCISE, Attempt("", lambda z: 2 * ml.sigmoid_prime(z), roles={"sigmoid": not_implemented})) \
        == "scale"
