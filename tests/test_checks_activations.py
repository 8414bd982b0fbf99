"""The sigmoid checks: wrong implementations fail with the right diagnosis, different right ones pass."""

import math

import numpy as np
import pytest

import mlp_lab as ml
from checks import CheckFailure, check_sigmoid, check_sigmoid_backward, check_sigmoid_prime
from support import not_implemented, verdict


def stable_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_mutating(z):
    np.clip(z, -500, 500, out=z)
    return 1 / (1 + np.exp(-z))


# --- sigmoid ------------------------------------------------------------------------------------

SIGMOID_WRONG = [
    ("naive exp overflows", lambda z: 1 / (1 + np.exp(-z)), "overflow"),
    ("naive np.where evaluates both branches", lambda z: np.where(z >= 0, 1 / (1 + np.exp(-z)),
                                                                  np.exp(z) / (1 + np.exp(z))), "overflow"),
    ("sign in the exponent", lambda z: 0.5 * (1 - np.tanh(0.5 * z)), "sign"),
    ("forgot 1/(1+.)", lambda z: np.exp(-z), "wrong_value"),
    ("tanh instead of sigmoid", np.tanh, "wrong_value"),
    ("float32", lambda z: stable_sigmoid(z).astype(np.float32), "wrong_dtype"),
    ("clips its input in place", sigmoid_mutating, "mutates_input"),
    ("math.exp on an array", lambda z: 1 / (1 + math.exp(-z)), "exception"),
    ("returns a list", lambda z: [float(v) for v in stable_sigmoid(np.ravel(z))], "wrong_type"),
    ("returns None", lambda z: None, "wrong_type"),
    ("not implemented", not_implemented, "not_implemented"),
]

SIGMOID_RIGHT = [
    ("via tanh", lambda z: 0.5 * (1 + np.tanh(z / 2))),
    ("np.where on exp(-|z|)", stable_sigmoid),
    ("via logaddexp", lambda z: np.exp(-np.logaddexp(0.0, -z))),
    ("python loop, math, two branches", np.vectorize(
        lambda t: 1 / (1 + math.exp(-t)) if t >= 0 else math.exp(t) / (1 + math.exp(t)), otypes=[float])),
    ("clipped naive formula", lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500)))),
]


@pytest.mark.parametrize("label, fn, mistake", SIGMOID_WRONG, ids=[w[0] for w in SIGMOID_WRONG])
def test_sigmoid_wrong(label, fn, mistake):
    assert verdict(check_sigmoid, fn) == mistake


@pytest.mark.parametrize("label, fn", SIGMOID_RIGHT, ids=[r[0] for r in SIGMOID_RIGHT])
def test_sigmoid_right(label, fn):
    assert verdict(check_sigmoid, fn) == "pass"


# --- sigmoid_prime ------------------------------------------------------------------------------

def _s(z):
    return stable_sigmoid(z)


def prime_mutating(z):
    s = _s(z)
    z *= 0
    return s * (1 - s)


SIGMOID_PRIME_WRONG = [
    ("returns sigma itself", lambda z: _s(z), "wrong_value"),
    ("z (1 - z)", lambda z: z * (1 - z), "wrong_value"),
    ("sign", lambda z: -_s(z) * (1 - _s(z)), "sign"),
    ("doubled", lambda z: 2 * _s(z) * (1 - _s(z)), "scale"),
    ("unstable exp form", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "overflow"),
    ("float32", lambda z: (_s(z) * (1 - _s(z))).astype(np.float32), "wrong_dtype"),
    ("mutates z", prime_mutating, "mutates_input"),
    ("not implemented", not_implemented, "not_implemented"),
]

SIGMOID_PRIME_RIGHT = [
    ("via tanh", lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
    ("exp(-|z|) form", lambda z: np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))) ** 2),
    ("s (1 - s) with the reference sigmoid", lambda z: ml.sigmoid(z) * (1 - ml.sigmoid(z))),
]


@pytest.mark.parametrize("label, fn, mistake", SIGMOID_PRIME_WRONG, ids=[w[0] for w in SIGMOID_PRIME_WRONG])
def test_sigmoid_prime_wrong(label, fn, mistake):
    assert verdict(check_sigmoid_prime, fn) == mistake


@pytest.mark.parametrize("label, fn", SIGMOID_PRIME_RIGHT, ids=[r[0] for r in SIGMOID_PRIME_RIGHT])
def test_sigmoid_prime_right(label, fn):
    assert verdict(check_sigmoid_prime, fn) == "pass"
    assert verdict(check_sigmoid_prime, fn, stable_sigmoid) == "pass"


def test_sigmoid_prime_inconsistent_with_a_right_forward():
    off = lambda z: _s(z) * (1 - _s(z)) + 0.01  # noqa: E731
    assert verdict(check_sigmoid_prime, off) == "wrong_value"
    with pytest.raises(CheckFailure) as info:
        check_sigmoid_prime(off, ml.sigmoid)
    assert info.value.mistake == "inconsistent_with_forward"
    assert "numerical derivative of your sigmoid" in str(info.value)


def test_sigmoid_prime_with_a_wrong_forward_says_fix_the_forward_first():
    wrong_sigmoid = lambda z: _s(-z)  # noqa: E731 - sign bug in the forward
    consistent_prime = lambda z: -_s(z) * (1 - _s(z))  # noqa: E731 - its true derivative
    with pytest.raises(CheckFailure) as info:
        check_sigmoid_prime(consistent_prime, wrong_sigmoid)
    assert info.value.mistake == "sign"
    assert "fix sigmoid first" in str(info.value)
    assert "does match the numerical derivative of your sigmoid" in str(info.value)
    # a right derivative passes even if the learner's forward is wrong (the forward has its own check)
    assert verdict(check_sigmoid_prime, ml.sigmoid_prime, wrong_sigmoid) == "pass"


def test_unimplemented_forward_is_ignored():
    assert verdict(check_sigmoid_prime, ml.sigmoid_prime, not_implemented) == "pass"
    assert verdict(check_sigmoid_prime, lambda z: 2 * ml.sigmoid_prime(z), not_implemented) == "scale"


# --- sigmoid_backward ---------------------------------------------------------------------------

def backward_in_place(dA, Z):
    dA *= ml.sigmoid_prime(Z)
    return dA


SIGMOID_BACKWARD_WRONG = [
    ("dA * sigma(Z)", lambda dA, Z: dA * _s(Z), "wrong_value"),
    ("forgot dA", lambda dA, Z: ml.sigmoid_prime(Z), "wrong_value"),
    ("used Z as if it were A", lambda dA, Z: dA * Z * (1 - Z), "wrong_value"),
    ("sign", lambda dA, Z: -dA * ml.sigmoid_prime(Z), "sign"),
    ("in place on dA", backward_in_place, "mutates_input"),
    ("unstable", lambda dA, Z: dA * np.exp(-Z) / (1 + np.exp(-Z)) ** 2, "overflow"),
    ("float32", lambda dA, Z: (dA * ml.sigmoid_prime(Z)).astype(np.float32), "wrong_dtype"),
    ("one-element tuple", lambda dA, Z: (dA * ml.sigmoid_prime(Z),), "wrong_type"),
    ("not implemented", not_implemented, "not_implemented"),
]

SIGMOID_BACKWARD_RIGHT = [
    ("s (1 - s) inline", lambda dA, Z: dA * _s(Z) * (1 - _s(Z))),
    ("exp(-|Z|) form", lambda dA, Z: dA * np.exp(-np.abs(Z)) / (1 + np.exp(-np.abs(Z))) ** 2),
    ("via tanh", lambda dA, Z: dA * 0.25 * (1 - np.tanh(0.5 * Z) ** 2)),
]


@pytest.mark.parametrize("label, fn, mistake", SIGMOID_BACKWARD_WRONG, ids=[w[0] for w in SIGMOID_BACKWARD_WRONG])
def test_sigmoid_backward_wrong(label, fn, mistake):
    assert verdict(check_sigmoid_backward, fn) == mistake


@pytest.mark.parametrize("label, fn", SIGMOID_BACKWARD_RIGHT, ids=[r[0] for r in SIGMOID_BACKWARD_RIGHT])
def test_sigmoid_backward_right(label, fn):
    assert verdict(check_sigmoid_backward, fn) == "pass"
    assert verdict(check_sigmoid_backward, fn, ml.sigmoid) == "pass"


def test_sigmoid_backward_inconsistent_with_forward():
    off = lambda dA, Z: dA * ml.sigmoid_prime(Z) + 1e-3 * dA  # noqa: E731
    assert verdict(check_sigmoid_backward, off, ml.sigmoid) == "inconsistent_with_forward"


def test_references_pass():
    assert verdict(check_sigmoid, ml.sigmoid) == "pass"
    assert verdict(check_sigmoid_prime, ml.sigmoid_prime, ml.sigmoid) == "pass"
    assert verdict(check_sigmoid_backward, ml.sigmoid_backward, ml.sigmoid) == "pass"
