"""The softmax_cross_entropy check, alone and with the learner's own softmax."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_softmax_cross_entropy
from support import Attempt, failure_of, judged, not_implemented

EXERCISE = "softmax_cross_entropy"


def stable(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def columns_softmax(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _parts(Z, y):
    n = len(y)
    P = stable(Z)
    Y = np.zeros_like(Z)
    Y[np.arange(n), y] = 1.0
    logp = Z - Z.max(axis=1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
    return n, P, Y, logp[np.arange(n), y]


def sce_sum(Z, y):
    n, P, Y, lp = _parts(Z, y)
    return float(-lp.sum()), (P - Y) / n


def sce_no_1_over_n(Z, y):
    n, P, Y, lp = _parts(Z, y)
    return float(-lp.mean()), P - Y


def sce_sign(Z, y):
    n, P, Y, lp = _parts(Z, y)
    return float(-lp.mean()), (Y - P) / n


def sce_per_example(Z, y):
    n, P, Y, lp = _parts(Z, y)
    return -lp, (P - Y) / n


def sce_naive_log(Z, y):
    n = len(y)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    Y = np.eye(Z.shape[1])[y]
    return float(-np.mean(np.log(P[np.arange(n), y]))), (P - Y) / n


def sce_log_of_stable_softmax(Z, y):
    n, P, Y, _ = _parts(Z, y)
    return float(-np.mean(np.log(P[np.arange(n), y]))), (P - Y) / n


def sce_eps_in_log(Z, y):
    n, P, Y, _ = _parts(Z, y)
    return float(-np.mean(np.log(P[np.arange(n), y] + 1e-12))), (P - Y) / n


def sce_clip_in_log(Z, y):
    n, P, Y, _ = _parts(Z, y)
    return float(-np.mean(np.log(np.clip(P[np.arange(n), y], 1e-15, 1.0)))), (P - Y) / n


def sce_in_place(Z, y):
    Z -= Z.max(axis=1, keepdims=True)
    n, P, Y, lp = _parts(Z, y)
    return float(-lp.mean()), (P - Y) / n


def sce_no_onehot(Z, y):
    n, P, Y, lp = _parts(Z, y)
    return float(-lp.mean()), P / n


def sce_no_picked(Z, y):
    n, P, Y, lp = _parts(Z, y)
    return float(np.mean(np.logaddexp.reduce(Z, axis=1))), (P - Y) / n


def sce_loss_only(Z, y):
    return sce_sum(Z, y)[0] / len(y)


def sce_float32(Z, y):
    n, P, Y, lp = _parts(Z, y)
    return float(-lp.mean()), ((P - Y) / n).astype(np.float32)


def sce_mean_over_entries(Z, y):
    """-mean(Y * log P) averages over N*K entries: K times too small."""
    P = ml.softmax(Z)
    Y = np.eye(Z.shape[1])[y]
    return float(-np.mean(Y * np.log(P))), (P - Y) / len(y)


def sce_take_along(Z, y):
    n = Z.shape[0]
    lse = np.logaddexp.reduce(Z, axis=1)
    picked = np.take_along_axis(Z, y[:, None], axis=1)[:, 0]
    dZ = np.exp(Z - lse[:, None])
    np.add.at(dZ, (np.arange(n), y), -1.0)
    return float(np.mean(lse - picked)), dZ / n


def sce_dZ_off(Z, y):
    loss, dZ = sce_take_along(Z, y)
    return loss, dZ + 1e-3


def sce_loops(Z, y):
    n, k = Z.shape
    loss, dZ = 0.0, np.zeros_like(Z)
    for i in range(n):
        m = Z[i].max()
        lse = m + np.log(np.sum(np.exp(Z[i] - m)))
        loss += lse - Z[i, y[i]]
        dZ[i] = np.exp(Z[i] - lse)
        dZ[i, y[i]] -= 1
    return loss / n, dZ / n


WRONG = [
    Attempt("loss summed, not averaged", sce_sum, "scale"),
    Attempt("dZ without 1/N", sce_no_1_over_n, "scale"),
    Attempt("dZ sign", sce_sign, "sign"),
    Attempt("per-example losses", sce_per_example, "not_summed_over_batch"),
    Attempt("naive exp and log", sce_naive_log, "overflow"),
    Attempt("log of a stable softmax (log 0)", sce_log_of_stable_softmax, "overflow"),
    Attempt("eps inside the log", sce_eps_in_log, "overflow"),
    Attempt("clip inside the log", sce_clip_in_log, "overflow"),
    Attempt("shifts Z in place", sce_in_place, "mutates_input"),
    Attempt("one-hot term missing", sce_no_onehot, "missing_term"),
    Attempt("loss without the true-class term", sce_no_picked, "missing_term"),
    Attempt("mean over all N*K entries", sce_mean_over_entries, "scale"),
    Attempt("mean over all N*K entries, with a right softmax", sce_mean_over_entries, "scale",
            {"softmax": ml.softmax}),
    Attempt("dZ off by 1e-3 (loss right)", sce_dZ_off, "inconsistent_with_forward"),
    Attempt("returns only the loss", sce_loss_only, "wrong_type"),
    Attempt("float32 dZ", sce_float32, "wrong_dtype"),
    Attempt("not implemented", not_implemented, "not_implemented"),
    Attempt("dZ sign, with an unnormalised softmax", sce_sign, "sign", {"softmax": lambda Z: np.exp(Z)}),
]

RIGHT = [
    Attempt("log-sum-exp and take_along_axis", sce_take_along),
    Attempt("loops over examples", sce_loops),
    Attempt("loops, with a stable softmax", sce_loops, roles={"softmax": stable}),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_dZ_against_the_learners_own_loss_shows_the_gradient_check():
    assert "numerical derivative" in str(failure_of(check_softmax_cross_entropy, sce_dZ_off))


def test_a_wrong_softmax_is_named_first_even_when_only_dZ_is_wrong():
    """The loss is right (log-sum-exp) but dZ is built from the learner's softmax over the columns."""
    def sce_with_own_softmax(Z, y):
        loss, _ = sce_take_along(Z, y)
        return loss, (columns_softmax(Z) - np.eye(Z.shape[1])[y]) / len(y)

    failure = failure_of(check_softmax_cross_entropy, sce_with_own_softmax, columns_softmax)
    assert str(failure).startswith("✘ softmax_cross_entropy: your softmax is wrong, fix it first")
    assert "fix softmax first" in str(failure)


def test_the_mean_over_entries_is_named_with_K():
    failure = failure_of(check_softmax_cross_entropy, sce_mean_over_entries, ml.softmax)
    assert "times too small" in str(failure).splitlines()[0] and "K = " in str(failure)
