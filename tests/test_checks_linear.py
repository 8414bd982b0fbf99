"""The linear_forward / linear_backward checks: classic mistakes are caught and named."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import CheckFailure, check_linear_backward, check_linear_forward
from support import not_implemented, verdict


def forward_centres_X_in_place(X, W, b):
    X -= X.mean(axis=0)
    return X @ W + b


LINEAR_FORWARD_WRONG = [
    ("forgot the bias", lambda X, W, b: X @ W, "wrong_value"),
    ("transposed output", lambda X, W, b: (X @ W + b).T, "transposed"),
    ("bias subtracted", lambda X, W, b: X @ W - b, "sign"),
    ("W transposed", lambda X, W, b: X @ W.T + b, "exception"),
    ("float32", lambda X, W, b: (X @ W + b).astype(np.float32), "wrong_dtype"),
    ("doubled", lambda X, W, b: 2 * (X @ W + b), "scale"),
    ("mutates X", forward_centres_X_in_place, "mutates_input"),
    ("returns a list", lambda X, W, b: (X @ W + b).tolist(), "wrong_type"),
    ("returns None", lambda X, W, b: None, "wrong_type"),
    ("not implemented", not_implemented, "not_implemented"),
]

LINEAR_FORWARD_RIGHT = [
    ("np.dot and broadcasting", lambda X, W, b: np.dot(X, W) + b[None, :]),
    ("einsum", lambda X, W, b: np.einsum("ni,io->no", X, W) + b),
    ("row by row", lambda X, W, b: np.array([x @ W + b for x in X])),
    ("explicit loops", lambda X, W, b: np.array([[sum(X[n, i] * W[i, o] for i in range(W.shape[0])) + b[o]
                                                  for o in range(W.shape[1])] for n in range(X.shape[0])])),
]


@pytest.mark.parametrize("label, fn, mistake", LINEAR_FORWARD_WRONG, ids=[w[0] for w in LINEAR_FORWARD_WRONG])
def test_linear_forward_wrong(label, fn, mistake):
    assert verdict(check_linear_forward, fn) == mistake


@pytest.mark.parametrize("label, fn", LINEAR_FORWARD_RIGHT, ids=[r[0] for r in LINEAR_FORWARD_RIGHT])
def test_linear_forward_right(label, fn):
    assert verdict(check_linear_forward, fn) == "pass"


def backward_zeroes_dY(dY, X, W):
    grads = (dY @ W.T, X.T @ dY, dY.sum(axis=0))
    dY[:] = 0.0
    return grads


LINEAR_BACKWARD_WRONG = [
    ("db averaged", lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.mean(axis=0)), "scale"),
    ("db not summed", lambda dY, X, W: (dY @ W.T, X.T @ dY, dY), "not_summed_over_batch"),
    ("db summed over axis 1", lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.sum(axis=1)), "wrong_axis"),
    ("db keepdims", lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.sum(axis=0, keepdims=True)), "wrong_shape"),
    ("dW transposed", lambda dY, X, W: (dY @ W.T, dY.T @ X, dY.sum(axis=0)), "transposed"),
    ("dW divided by N", lambda dY, X, W: (dY @ W.T, X.T @ dY / len(X), dY.sum(axis=0)), "scale"),
    ("dX sign", lambda dY, X, W: (-dY @ W.T, X.T @ dY, dY.sum(axis=0)), "sign"),
    ("dX without transposing W", lambda dY, X, W: (dY @ W, X.T @ dY, dY.sum(axis=0)), "exception"),
    ("outputs in the wrong order", lambda dY, X, W: (X.T @ dY, dY @ W.T, dY.sum(axis=0)), "wrong_shape"),
    ("only two outputs", lambda dY, X, W: (dY @ W.T, X.T @ dY), "wrong_type"),
    ("float32 dW", lambda dY, X, W: (dY @ W.T, (X.T @ dY).astype(np.float32), dY.sum(axis=0)), "wrong_dtype"),
    ("zeroes dY", backward_zeroes_dY, "mutates_input"),
    ("not implemented", not_implemented, "not_implemented"),
]


def backward_loops(dY, X, W):
    dX = np.zeros_like(X)
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[1])
    for n in range(X.shape[0]):
        dX[n] = W @ dY[n]
        dW += np.outer(X[n], dY[n])
        db += dY[n]
    return dX, dW, db


LINEAR_BACKWARD_RIGHT = [
    ("einsum", lambda dY, X, W: (np.einsum("no,io->ni", dY, W), np.einsum("ni,no->io", X, dY),
                                 np.einsum("no->o", dY))),
    ("loops over examples", backward_loops),
    ("ones vector for db, list output", lambda dY, X, W: [np.dot(dY, W.T), np.dot(X.T, dY), np.ones(len(dY)) @ dY]),
]


@pytest.mark.parametrize("label, fn, mistake", LINEAR_BACKWARD_WRONG, ids=[w[0] for w in LINEAR_BACKWARD_WRONG])
def test_linear_backward_wrong(label, fn, mistake):
    assert verdict(check_linear_backward, fn) == mistake


@pytest.mark.parametrize("label, fn", LINEAR_BACKWARD_RIGHT, ids=[r[0] for r in LINEAR_BACKWARD_RIGHT])
def test_linear_backward_right(label, fn):
    assert verdict(check_linear_backward, fn) == "pass"
    assert verdict(check_linear_backward, fn, ml.linear_forward) == "pass"


def test_linear_backward_inconsistent_with_right_forward():
    off = lambda dY, X, W: (dY @ W.T + 1e-3, X.T @ dY, dY.sum(axis=0))  # noqa: E731
    assert verdict(check_linear_backward, off) == "wrong_value"
    with pytest.raises(CheckFailure) as info:
        check_linear_backward(off, ml.linear_forward)
    assert info.value.mistake == "inconsistent_with_forward"
    assert "dX" in str(info.value).splitlines()[0]


def test_wrong_forward_is_pointed_out():
    with pytest.raises(CheckFailure) as info:
        check_linear_backward(lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.mean(axis=0)), lambda X, W, b: X @ W)
    assert info.value.mistake == "scale"
    assert "fix linear_forward first" in str(info.value)


def test_messages_name_shapes_and_factor():
    with pytest.raises(CheckFailure) as info:
        check_linear_backward(lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.mean(axis=0)))
    text = str(info.value)
    assert text.startswith("✘ linear_backward: db")
    assert "What was tested: linear_backward(dY, X, W) with dY (" in text
    assert "divided by N =" in text and "Hint:" in text


def test_references_pass():
    assert verdict(check_linear_forward, ml.linear_forward) == "pass"
    assert verdict(check_linear_backward, ml.linear_backward, ml.linear_forward) == "pass"
