"""The softmax check."""

import numpy as np
import pytest

from support import Attempt, judged, not_implemented

EXERCISE = "softmax"


def stable(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_rows_loop(Z):
    out = np.empty_like(Z)
    for n, row in enumerate(Z):
        e = np.exp(row - row.max())
        out[n] = e / e.sum()
    return out


def column_max_subtracted(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


WRONG = [
    Attempt("no max subtracted", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), "overflow"),
    Attempt("global max subtracted", lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=1, keepdims=True),
            "overflow"),
    Attempt("max over the columns, rows normalised", column_max_subtracted, "wrong_axis"),
    Attempt("columns", lambda Z: np.exp(Z - Z.max(0)) / np.exp(Z - Z.max(0)).sum(axis=0, keepdims=True), "wrong_axis"),
    Attempt("whole array", lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(), "wrong_axis"),
    Attempt("not normalised", lambda Z: np.exp(Z), "missing_term"),
    Attempt("forgot keepdims", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1), "exception"),
    Attempt("transposed result", lambda Z: stable(Z).T, "transposed"),
    Attempt("float32", lambda Z: stable(Z).astype(np.float32), "wrong_dtype"),
    Attempt("shifts Z in place", softmax_in_place, "mutates_input"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]

RIGHT = [
    Attempt("log-sum-exp", lambda Z: np.exp(Z - np.logaddexp.reduce(Z, axis=1, keepdims=True))),
    Attempt("row loop", softmax_rows_loop),
    Attempt("P_i = 1 / sum_j exp(Z_j - Z_i), in logs", lambda Z: np.exp(
        -np.logaddexp.reduce(Z[:, None, :] - Z[:, :, None], axis=2))),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
