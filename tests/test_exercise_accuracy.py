"""The accuracy check (chapter 06) catches the classic wrong implementations and passes right ones."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_accuracy
from support import Attempt, failure_of, judged

EXERCISE = "accuracy"


def acc_mean(scores, y):
    return float(np.mean(scores.argmax(axis=1) == y))


def acc_python_loop(scores, y):
    right = 0
    for row, label in zip(scores, y):
        best = max(range(len(row)), key=lambda k: row[k])
        right += best == label
    return right / len(y)


def acc_softmax_count(scores, y):
    P = ml.softmax(scores)
    return np.count_nonzero(np.argmax(P, axis=-1) == y) / y.size


def acc_count(scores, y):
    return float(np.sum(scores.argmax(axis=1) == y))


def acc_percent(scores, y):
    return 100.0 * np.mean(scores.argmax(axis=1) == y)


def acc_error_rate(scores, y):
    return float(np.mean(scores.argmax(axis=1) != y))


def acc_axis0(scores, y):
    return float(np.mean(scores.argmax(axis=0) == y))


def acc_per_example(scores, y):
    return (scores.argmax(axis=1) == y).astype(float)


def acc_argmin(scores, y):
    return float(np.mean(scores.argmin(axis=1) == y))


def acc_none(scores, y):
    np.mean(scores.argmax(axis=1) == y)


def acc_mutates(scores, y):
    scores -= scores.max(axis=1, keepdims=True)
    return float(np.mean(scores.argmax(axis=1) == y))


def acc_float32(scores, y):
    return np.float32(np.mean(scores.argmax(axis=1) == y))


def acc_stub(scores, y):
    raise NotImplementedError("accuracy: write it")


def acc_compares_scores(scores, y):
    return float(np.mean(np.round(scores[:, 0]) == y))


def acc_over_scores_size(scores, y):
    return float(np.sum(scores.argmax(axis=1) == y) / scores.size)


WRONG = [
    Attempt("count", acc_count, "scale"),
    Attempt("percent", acc_percent, "scale"),
    Attempt("divided by N*K", acc_over_scores_size, "scale"),
    Attempt("error rate", acc_error_rate, "wrong_formula"),
    Attempt("argmax over axis 0", acc_axis0, "wrong_axis"),
    Attempt("per example", acc_per_example, "not_summed_over_batch"),
    Attempt("argmin", acc_argmin, "wrong_formula"),
    Attempt("returns None", acc_none, "wrong_type"),
    Attempt("mutates scores", acc_mutates, "mutates_input"),
    Attempt("float32", acc_float32, "wrong_dtype"),
    Attempt("not implemented", acc_stub, "not_implemented"),
    Attempt("rounds the first score", acc_compares_scores, "wrong_value"),
]

RIGHT = [
    Attempt("mean of matches", acc_mean),
    Attempt("python loop", acc_python_loop),
    Attempt("softmax, then count", acc_softmax_count),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_messages_name_the_slip():
    assert "number of correct predictions" in str(failure_of(check_accuracy, acc_count))
    assert "error rate" in str(failure_of(check_accuracy, acc_error_rate))
    first = str(failure_of(check_accuracy, acc_over_scores_size)).splitlines()[0]
    assert "times too small" in first and "N*K" in first
