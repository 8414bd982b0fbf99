"""The softmax and softmax_cross_entropy checks."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import CheckFailure, check_softmax, check_softmax_cross_entropy
from support import not_implemented, verdict


def stable(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)


SOFTMAX_WRONG = [
    ("no max subtracted", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), "overflow"),
    ("global max subtracted", lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=1, keepdims=True),
     "overflow"),
    ("columns", lambda Z: np.exp(Z - Z.max(0)) / np.exp(Z - Z.max(0)).sum(axis=0, keepdims=True), "wrong_axis"),
    ("whole array", lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(), "wrong_axis"),
    ("not normalised", lambda Z: np.exp(Z), "wrong_value"),
    ("forgot keepdims", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1), "exception"),
    ("transposed result", lambda Z: stable(Z).T, "transposed"),
    ("float32", lambda Z: stable(Z).astype(np.float32), "wrong_dtype"),
    ("shifts Z in place", softmax_in_place, "mutates_input"),
    ("not implemented", not_implemented, "not_implemented"),
]


def softmax_rows_loop(Z):
    out = np.empty_like(Z)
    for n, row in enumerate(Z):
        e = np.exp(row - row.max())
        out[n] = e / e.sum()
    return out


SOFTMAX_RIGHT = [
    ("log-sum-exp", lambda Z: np.exp(Z - np.logaddexp.reduce(Z, axis=1, keepdims=True))),
    ("row loop", softmax_rows_loop),
    ("P_i = 1 / sum_j exp(Z_j - Z_i), in logs", lambda Z: np.exp(
        -np.logaddexp.reduce(Z[:, None, :] - Z[:, :, None], axis=2))),
]


@pytest.mark.parametrize("label, fn, mistake", SOFTMAX_WRONG, ids=[w[0] for w in SOFTMAX_WRONG])
def test_softmax_wrong(label, fn, mistake):
    assert verdict(check_softmax, fn) == mistake


@pytest.mark.parametrize("label, fn", SOFTMAX_RIGHT, ids=[r[0] for r in SOFTMAX_RIGHT])
def test_softmax_right(label, fn):
    assert verdict(check_softmax, fn) == "pass"


# --- softmax_cross_entropy ----------------------------------------------------------------------

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


SCE_WRONG = [
    ("loss summed, not averaged", sce_sum, "scale"),
    ("dZ without 1/N", sce_no_1_over_n, "scale"),
    ("dZ sign", sce_sign, "sign"),
    ("per-example losses", sce_per_example, "not_summed_over_batch"),
    ("naive exp and log", sce_naive_log, "overflow"),
    ("log of a stable softmax (log 0)", sce_log_of_stable_softmax, "overflow"),
    ("eps inside the log", sce_eps_in_log, "overflow"),
    ("shifts Z in place", sce_in_place, "mutates_input"),
    ("one-hot term missing (loss right)", sce_no_onehot, "inconsistent_with_forward"),
    ("loss without the true-class term", sce_no_picked, "wrong_value"),
    ("returns only the loss", sce_loss_only, "wrong_type"),
    ("float32 dZ", sce_float32, "wrong_dtype"),
    ("not implemented", not_implemented, "not_implemented"),
]


def sce_take_along(Z, y):
    n = Z.shape[0]
    lse = np.logaddexp.reduce(Z, axis=1)
    picked = np.take_along_axis(Z, y[:, None], axis=1)[:, 0]
    dZ = np.exp(Z - lse[:, None])
    np.add.at(dZ, (np.arange(n), y), -1.0)
    return float(np.mean(lse - picked)), dZ / n


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


SCE_RIGHT = [
    ("log-sum-exp and take_along_axis", sce_take_along),
    ("loops over examples", sce_loops),
]


@pytest.mark.parametrize("label, fn, mistake", SCE_WRONG, ids=[w[0] for w in SCE_WRONG])
def test_sce_wrong(label, fn, mistake):
    assert verdict(check_softmax_cross_entropy, fn) == mistake


@pytest.mark.parametrize("label, fn", SCE_RIGHT, ids=[r[0] for r in SCE_RIGHT])
def test_sce_right(label, fn):
    assert verdict(check_softmax_cross_entropy, fn) == "pass"
    assert verdict(check_softmax_cross_entropy, fn, stable) == "pass"


def test_sce_dZ_inconsistent_with_own_loss():
    def off(Z, y):
        loss, dZ = sce_take_along(Z, y)
        return loss, dZ + 1e-3
    with pytest.raises(CheckFailure) as info:
        check_softmax_cross_entropy(off)
    assert info.value.mistake == "inconsistent_with_forward"
    assert "numerical derivative" in str(info.value)


def test_sce_notes_a_wrong_softmax():
    with pytest.raises(CheckFailure) as info:
        check_softmax_cross_entropy(sce_sign, lambda Z: np.exp(Z))
    assert info.value.mistake == "sign"
    assert "fix softmax first" in str(info.value)


def test_references_pass():
    assert verdict(check_softmax, ml.softmax) == "pass"
    assert verdict(check_softmax_cross_entropy, ml.softmax_cross_entropy, ml.softmax) == "pass"


@pytest.mark.parametrize("with_softmax", [False, True])
def test_loss_averaged_over_all_entries_is_a_scale_slip_not_an_inconsistency(with_softmax):
    """-mean(Y * log P) averages over N*K entries: K times too small, whatever softmax is given."""
    def sce_mean_over_entries(Z, y):
        P = ml.softmax(Z)
        Y = np.eye(Z.shape[1])[y]
        return float(-np.mean(Y * np.log(P))), (P - Y) / len(y)

    with pytest.raises(CheckFailure) as info:
        check_softmax_cross_entropy(sce_mean_over_entries, ml.softmax if with_softmax else None)
    assert info.value.mistake == "scale"
    assert "K = " in str(info.value)
