"""The dropout_forward and dropout_backward checks (properties, determinism, the learner's own forward)."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import CheckFailure, check_dropout_backward, check_dropout_forward
from support import not_implemented, verdict


def not_inverted(X, p, rng):
    mask = (rng.random(X.shape) >= p).astype(float)
    return X * mask, mask


def global_random(X, p, rng):
    mask = (np.random.random(X.shape) >= p) / (1 - p)
    return X * mask, mask


def own_generator(X, p, rng):
    mask = (np.random.default_rng(0).random(X.shape) >= p) / (1 - p)
    return X * mask, mask


def keep_probability(X, p, rng):
    mask = (rng.random(X.shape) < p) / p
    return X * mask, mask


def keep_probability_scaled_right(X, p, rng):
    mask = (rng.random(X.shape) < p) / (1 - p)
    return X * mask, mask


def only_out(X, p, rng):
    return X * (rng.random(X.shape) >= p) / (1 - p)


def float32_mask(X, p, rng):
    mask = ((rng.random(X.shape) >= p) / (1 - p)).astype(np.float32)
    return X * mask, mask


def in_place(X, p, rng):
    mask = (rng.random(X.shape) >= p) / (1 - p)
    X *= mask
    return X, mask


def mask_not_applied(X, p, rng):
    return X.copy(), (rng.random(X.shape) >= p) / (1 - p)


def one_mask_per_column(X, p, rng):
    mask = (rng.random((1, X.shape[1])) >= p) / (1 - p)
    return X * mask, mask


def bool_mask(X, p, rng):
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), keep


DROPOUT_FORWARD_WRONG = [
    ("not inverted", not_inverted, "scale"),
    ("np.random instead of rng", global_random, "nondeterministic"),
    ("fixed generator inside", own_generator, "nondeterministic"),
    ("p as keep probability", keep_probability, "wrong_value"),
    ("keeps with probability p", keep_probability_scaled_right, "wrong_value"),
    ("returns only out", only_out, "wrong_type"),
    ("float32 mask", float32_mask, "wrong_dtype"),
    ("masks X in place", in_place, "mutates_input"),
    ("mask not applied", mask_not_applied, "wrong_value"),
    ("one mask per column", one_mask_per_column, "wrong_shape"),
    ("boolean mask", bool_mask, "wrong_dtype"),
    ("not implemented", not_implemented, "not_implemented"),
]


def binomial(X, p, rng):
    mask = rng.binomial(1, 1 - p, size=X.shape) / (1 - p)
    return X * mask, mask


def uniform_where(X, p, rng):
    mask = np.where(rng.uniform(size=X.shape) > p, 1.0 / (1.0 - p), 0.0)
    return mask * X, mask


def choice_based(X, p, rng):
    mask = rng.choice([0.0, 1.0 / (1.0 - p)], size=X.shape, p=[p, 1 - p])
    return np.multiply(X, mask), mask


DROPOUT_FORWARD_RIGHT = [
    ("binomial", binomial),
    ("uniform and where", uniform_where),
    ("rng.choice", choice_based),
]


@pytest.mark.parametrize("label, fn, mistake", DROPOUT_FORWARD_WRONG, ids=[w[0] for w in DROPOUT_FORWARD_WRONG])
def test_dropout_forward_wrong(label, fn, mistake):
    assert verdict(check_dropout_forward, fn) == mistake


@pytest.mark.parametrize("label, fn", DROPOUT_FORWARD_RIGHT, ids=[r[0] for r in DROPOUT_FORWARD_RIGHT])
def test_dropout_forward_right(label, fn):
    assert verdict(check_dropout_forward, fn) == "pass"


def backward_in_place(dout, mask):
    dout *= mask
    return dout


DROPOUT_BACKWARD_WRONG = [
    ("mask ignored", lambda dout, mask: dout.copy(), "wrong_value"),
    ("returns the mask", lambda dout, mask: mask.copy(), "wrong_value"),
    ("kept units not scaled", lambda dout, mask: dout * (mask > 0), "scale"),
    ("scaled twice", lambda dout, mask: dout * mask * mask.max(), "scale"),
    ("sign", lambda dout, mask: -dout * mask, "sign"),
    ("in place", backward_in_place, "mutates_input"),
    ("float32", lambda dout, mask: (dout * mask).astype(np.float32), "wrong_dtype"),
    ("tuple", lambda dout, mask: (dout * mask, None), "wrong_type"),
    ("not implemented", not_implemented, "not_implemented"),
]

DROPOUT_BACKWARD_RIGHT = [
    ("np.multiply", np.multiply),
    ("where", lambda dout, mask: np.where(mask != 0, dout * mask, 0.0)),
    ("copy then in-place on the copy", lambda dout, mask: (lambda d: (d.__imul__(mask), d)[1])(dout.copy())),
]


@pytest.mark.parametrize("label, fn, mistake", DROPOUT_BACKWARD_WRONG, ids=[w[0] for w in DROPOUT_BACKWARD_WRONG])
def test_dropout_backward_wrong(label, fn, mistake):
    assert verdict(check_dropout_backward, fn) == mistake


@pytest.mark.parametrize("label, fn", DROPOUT_BACKWARD_RIGHT, ids=[r[0] for r in DROPOUT_BACKWARD_RIGHT])
def test_dropout_backward_right(label, fn):
    assert verdict(check_dropout_backward, fn) == "pass"
    assert verdict(check_dropout_backward, fn, binomial) == "pass"


def test_dropout_backward_inconsistent_with_forward():
    off = lambda dout, mask: dout * mask + 1e-3  # noqa: E731
    assert verdict(check_dropout_backward, off) == "wrong_value"
    assert verdict(check_dropout_backward, off, binomial) == "inconsistent_with_forward"


def test_dropout_backward_notes_a_wrong_forward():
    with pytest.raises(CheckFailure) as info:
        check_dropout_backward(lambda dout, mask: -dout * mask, not_inverted)
    assert info.value.mistake == "sign"
    assert "fix dropout_forward first" in str(info.value)


def test_references_pass():
    assert verdict(check_dropout_forward, ml.dropout_forward) == "pass"
    assert verdict(check_dropout_backward, ml.dropout_backward, ml.dropout_forward) == "pass"
