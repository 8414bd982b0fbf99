"""The linear_backward check, alone and with the learner's own linear_forward."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_linear_backward
from support import Attempt, failure_of, judged, not_implemented

EXERCISE = "linear_backward"


def backward_zeroes_dY(dY, X, W):
    grads = (dY @ W.T, X.T @ dY, dY.sum(axis=0))
    dY[:] = 0.0
    return grads


def backward_loops(dY, X, W):
    dX = np.zeros_like(X)
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[1])
    for n in range(X.shape[0]):
        dX[n] = W @ dY[n]
        dW += np.outer(X[n], dY[n])
        db += dY[n]
    return dX, dW, db


def db_averaged(dY, X, W):
    return dY @ W.T, X.T @ dY, dY.mean(axis=0)


def forward_without_bias(X, W, b):
    return X @ W


WRONG = [
    Attempt("db averaged", db_averaged, "scale"),
    Attempt("db not summed", lambda dY, X, W: (dY @ W.T, X.T @ dY, dY), "not_summed_over_batch"),
    Attempt("db summed over axis 1", lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.sum(axis=1)), "wrong_axis"),
    Attempt("db summed over every axis", lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.sum()), "wrong_axis"),
    Attempt("db keepdims", lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.sum(axis=0, keepdims=True)), "wrong_shape"),
    Attempt("dW transposed", lambda dY, X, W: (dY @ W.T, dY.T @ X, dY.sum(axis=0)), "transposed"),
    Attempt("dW divided by N", lambda dY, X, W: (dY @ W.T, X.T @ dY / len(X), dY.sum(axis=0)), "scale"),
    Attempt("dX sign", lambda dY, X, W: (-dY @ W.T, X.T @ dY, dY.sum(axis=0)), "sign"),
    Attempt("dX without transposing W", lambda dY, X, W: (dY @ W, X.T @ dY, dY.sum(axis=0)), "exception"),
    Attempt("outputs in the wrong order", lambda dY, X, W: (X.T @ dY, dY @ W.T, dY.sum(axis=0)), "wrong_shape"),
    Attempt("only two outputs", lambda dY, X, W: (dY @ W.T, X.T @ dY), "wrong_type"),
    Attempt("float32 dW", lambda dY, X, W: (dY @ W.T, (X.T @ dY).astype(np.float32), dY.sum(axis=0)), "wrong_dtype"),
    Attempt("zeroes dY", backward_zeroes_dY, "mutates_input"),
    Attempt("not implemented", not_implemented, "not_implemented"),
    Attempt("dX off by 1e-3, with a right forward", lambda dY, X, W: (dY @ W.T + 1e-3, X.T @ dY, dY.sum(axis=0)),
            "inconsistent_with_forward", {"linear_forward": ml.linear_forward}),
    Attempt("db averaged, with a forward that forgets b", db_averaged, "scale",
            {"linear_forward": forward_without_bias}),
]

RIGHT = [
    Attempt("einsum", lambda dY, X, W: (np.einsum("no,io->ni", dY, W), np.einsum("ni,no->io", X, dY),
                                        np.einsum("no->o", dY))),
    Attempt("loops over examples", backward_loops),
    Attempt("ones vector for db, list output", lambda dY, X, W: [np.dot(dY, W.T), np.dot(X.T, dY),
                                                                 np.ones(len(dY)) @ dY]),
    Attempt("loops, with the reference forward", backward_loops, roles={"linear_forward": ml.linear_forward}),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_inconsistency_names_the_output():
    failure = failure_of(check_linear_backward, lambda dY, X, W: (dY @ W.T + 1e-3, X.T @ dY, dY.sum(axis=0)),
                         ml.linear_forward)
    assert "dX" in str(failure).splitlines()[0]


def test_a_wrong_forward_is_named_first():
    failure = failure_of(check_linear_backward, db_averaged, forward_without_bias)
    assert str(failure).startswith("✘ linear_backward: your linear_forward is wrong, fix it first; here db")
    assert "fix linear_forward first" in str(failure)


def test_messages_name_shapes_and_the_factor_the_right_way_round():
    text = str(failure_of(check_linear_backward, db_averaged))
    first = text.splitlines()[0]
    assert first.startswith("✘ linear_backward: db is off by a constant factor: ")
    assert "times too small (divided by N =" in first
    assert "What was tested: linear_backward(dY, X, W) with dY (" in text and "Hint:" in text
