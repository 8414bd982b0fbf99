"""The forward_pass check (chapter 01) catches the classic slips and passes right answers."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_forward_pass
from support import Attempt, failure_of, judged, not_implemented

EXERCISE = "forward_pass"


def sig(z):
    """A sigmoid written differently from the checker's: two stable branches."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def fp_mlp_lab(X, W1, b1, W2, b2):
    """The chapter's solution, with mlp_lab's pieces."""
    return ml.sigmoid(ml.linear_forward(ml.sigmoid(ml.linear_forward(X, W1, b1)), W2, b2))


def fp_loops(X, W1, b1, W2, b2):
    """Example by example and unit by unit, with np.dot."""
    out = np.empty((X.shape[0], W2.shape[1]))
    for n, x in enumerate(X):
        hidden = np.array([sig(np.dot(x, W1[:, j]) + b1[j]) for j in range(W1.shape[1])])
        for k in range(W2.shape[1]):
            out[n, k] = sig(np.dot(hidden, W2[:, k]) + b2[k])
    return out


def fp_column_vectors(X, W1, b1, W2, b2):
    """Textbook column vectors: examples as columns, transposed back at the end."""
    a1 = sig(W1.T @ X.T + b1[:, None])
    return sig(W2.T @ a1 + b2[:, None]).T


def fp_einsum_tanh(X, W1, b1, W2, b2):
    """einsum for the products and sigma(z) = (1 + tanh(z/2)) / 2."""
    s = lambda z: 0.5 + 0.5 * np.tanh(z / 2)  # noqa: E731
    return s(np.einsum("nh,ho->no", s(np.einsum("ni,ih->nh", X, W1) + b1), W2) + b2)


def mutates_x(X, W1, b1, W2, b2):
    X[0, 0] = 0.0
    return sig(sig(X @ W1 + b1) @ W2 + b2)


def forgets_return(X, W1, b1, W2, b2):
    sig(sig(X @ W1 + b1) @ W2 + b2)


WRONG = [
    Attempt("no output sigmoid", lambda X, W1, b1, W2, b2: sig(X @ W1 + b1) @ W2 + b2, "missing_term"),
    Attempt("no hidden sigmoid", lambda X, W1, b1, W2, b2: sig((X @ W1 + b1) @ W2 + b2), "missing_term"),
    Attempt("no biases", lambda X, W1, b1, W2, b2: sig(sig(X @ W1) @ W2), "missing_term"),
    Attempt("ReLU hidden layer", lambda X, W1, b1, W2, b2: sig(np.maximum(X @ W1 + b1, 0) @ W2 + b2),
            "wrong_formula"),
    Attempt("hidden bias reused in the output layer", lambda X, W1, b1, W2, b2: sig(sig(X @ W1 + b1) @ W2 + b1),
            "wrong_point"),
    Attempt("W1 transposed", lambda X, W1, b1, W2, b2: sig(sig(X @ W1.T + b1) @ W2 + b2), "transposed"),
    Attempt("returns the hidden layer", lambda X, W1, b1, W2, b2: sig(X @ W1 + b1), "wrong_shape"),
    Attempt("returns the transpose", lambda X, W1, b1, W2, b2: sig(sig(X @ W1 + b1) @ W2 + b2).T, "transposed"),
    Attempt("float32", lambda *a: fp_mlp_lab(*a).astype(np.float32), "wrong_dtype"),
    Attempt("mutates X", mutates_x, "mutates_input"),
    Attempt("1 / (1 + exp(+Z2))", lambda X, W1, b1, W2, b2: 1.0 / (1.0 + np.exp(sig(X @ W1 + b1) @ W2 + b2)), "sign"),
    Attempt("returns a list", lambda *a: fp_mlp_lab(*a).tolist(), "wrong_type"),
    Attempt("forgets return", forgets_return, "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
    Attempt("W1 @ X crashes", lambda X, W1, b1, W2, b2: sig(W1 @ X + b1), "exception"),
    Attempt("random output", lambda X, W1, b1, W2, b2: np.random.default_rng(0).random((X.shape[0], W2.shape[1])),
            "wrong_value"),
]

RIGHT = [
    Attempt("mlp_lab's pieces", fp_mlp_lab),
    Attempt("loops", fp_loops),
    Attempt("column vectors", fp_column_vectors),
    Attempt("einsum and tanh", fp_einsum_tanh),
]

WORDS = {"no output sigmoid": "output layer is missing", "no hidden sigmoid": "hidden layer is missing",
         "no biases": "without biases", "ReLU hidden layer": "ReLU", "W1 transposed": "W1.T",
         "hidden bias reused in the output layer": "b1 was added in the output layer",
         "returns the hidden layer": "hidden layer", "returns the transpose": "transposed shape",
         "mutates X": "changed its input X", "1 / (1 + exp(+Z2))": "sigma(-Z2)"}


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


@pytest.mark.parametrize("attempt", [a for a in WRONG if a.label in WORDS], ids=str)
def test_messages_name_the_slip(attempt):
    text = str(failure_of(check_forward_pass, attempt.impl))
    assert text.startswith("✘ forward_pass: ") and WORDS[attempt.label].lower() in text.lower()


def test_hidden_bias_message_does_not_talk_about_returning_A1():
    text = str(failure_of(check_forward_pass, WRONG[4].impl))
    assert "A1" not in text.split("Hint:")[1]


def test_hand_set_xor_weights_give_xor():
    """The chapter's hand-set 2-2-1 weights really compute XOR through the reference."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    W1, b1 = np.array([[20.0, -20.0], [20.0, -20.0]]), np.array([-10.0, 30.0])
    W2, b2 = np.array([[20.0], [20.0]]), np.array([-30.0])
    out = ml.forward_pass(X, W1, b1, W2, b2)
    assert out.shape == (4, 1)
    np.testing.assert_array_equal(np.round(out[:, 0]), [0, 1, 1, 0])
    assert np.max(np.abs(out[:, 0] - [0, 1, 1, 0])) < 1e-4
