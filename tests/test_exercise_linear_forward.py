"""The linear_forward check: classic mistakes are caught and named, right variants pass."""

import numpy as np
import pytest

from support import Attempt, judged, not_implemented

EXERCISE = "linear_forward"


def forward_centres_X_in_place(X, W, b):
    X -= X.mean(axis=0)
    return X @ W + b


WRONG = [
    Attempt("forgot the bias", lambda X, W, b: X @ W, "missing_term"),
    Attempt("bias summed into one number", lambda X, W, b: X @ W + b.sum(), "wrong_axis"),
    Attempt("transposed output", lambda X, W, b: (X @ W + b).T, "transposed"),
    Attempt("bias subtracted", lambda X, W, b: X @ W - b, "sign"),
    Attempt("W transposed", lambda X, W, b: X @ W.T + b, "exception"),
    Attempt("float32", lambda X, W, b: (X @ W + b).astype(np.float32), "wrong_dtype"),
    Attempt("doubled", lambda X, W, b: 2 * (X @ W + b), "scale"),
    Attempt("mutates X", forward_centres_X_in_place, "mutates_input"),
    Attempt("returns a list", lambda X, W, b: (X @ W + b).tolist(), "wrong_type"),
    Attempt("returns None", lambda X, W, b: None, "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]

RIGHT = [
    Attempt("np.dot and broadcasting", lambda X, W, b: np.dot(X, W) + b[None, :]),
    Attempt("einsum", lambda X, W, b: np.einsum("ni,io->no", X, W) + b),
    Attempt("row by row", lambda X, W, b: np.array([x @ W + b for x in X])),
    Attempt("explicit loops", lambda X, W, b: np.array([[sum(X[n, i] * W[i, o] for i in range(W.shape[0])) + b[o]
                                                         for o in range(W.shape[1])] for n in range(X.shape[0])])),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
