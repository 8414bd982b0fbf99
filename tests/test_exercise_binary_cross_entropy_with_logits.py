"""The binary_cross_entropy_with_logits check (chapter 04)."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_binary_cross_entropy_with_logits
from support import Attempt, failure_of, judged, not_implemented

EXERCISE = "binary_cross_entropy_with_logits"


def bce_logaddexp(z, y):
    return float(np.mean(np.logaddexp(0.0, z) - z * y)), (ml.sigmoid(z) - y) / len(z)


def bce_branches(z, y):
    """Per-sign branches, each exponentiating only non-positive numbers."""
    pos = z >= 0
    e = np.exp(np.where(pos, -z, z))
    log1pexp = np.where(pos, z + np.log1p(e), np.log1p(e))
    p = np.where(pos, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(np.sum(log1pexp - z * y) / z.shape[0]), (p - y) / z.shape[0]


def bce_notebook(z, y):
    N = z.shape[0]
    L = np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))) / N
    return float(L), (ml.sigmoid(z) - y) / N


def bce_blog_sigma_prime_twice(z, y):
    L, dz = bce_notebook(z, y)
    p = ml.sigmoid(z)
    return L, dz * p * (1 - p)


def bce_unstable(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))), (p - y) / len(z)


def bce_sign(z, y):
    L, dz = bce_notebook(z, y)
    return L, -dz


def bce_dz_missing_1_over_n(z, y):
    L, dz = bce_notebook(z, y)
    return L, dz * len(z)


def bce_loss_summed(z, y):
    L, dz = bce_notebook(z, y)
    return L * len(z), dz


def bce_flat_dz(z, y):
    L, dz = bce_notebook(z, y)
    return L, dz.ravel()


def bce_reuses_z(z, y):
    L, _ = bce_notebook(z, y)
    dz = z
    dz[:] = (ml.sigmoid(z) - y) / len(z)
    return L, dz


def bce_float32(z, y):
    L, dz = bce_notebook(z, y)
    return L, dz.astype(np.float32)


def bce_only_loss(z, y):
    return bce_notebook(z, y)[0]


def bce_swapped_labels(z, y):
    return bce_notebook(z, 1.0 - y)


def bce_swapped_loss_only(z, y):
    return bce_notebook(z, 1.0 - y)[0], bce_notebook(z, y)[1]


def bce_eps_in_log(z, y):
    p = ml.sigmoid(z)
    L = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
    return float(L), (p - y) / len(z)


def bce_clip_in_log(z, y):
    p = np.clip(ml.sigmoid(z), 1e-7, 1 - 1e-7)
    L = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(L), (ml.sigmoid(z) - y) / len(z)


WRONG = [
    Attempt("sigma' applied again (the blog's slip)", bce_blog_sigma_prime_twice, "wrong_formula"),
    Attempt("y and 1 - y swapped", bce_swapped_labels, "swapped"),
    Attempt("y and 1 - y swapped in the loss only", bce_swapped_loss_only, "swapped"),
    Attempt("unstable", bce_unstable, "overflow"),
    Attempt("eps inside the log", bce_eps_in_log, "overflow"),
    Attempt("clip inside the log", bce_clip_in_log, "overflow"),
    Attempt("sign", bce_sign, "sign"),
    Attempt("dz missing 1/N", bce_dz_missing_1_over_n, "scale"),
    Attempt("loss summed", bce_loss_summed, "scale"),
    Attempt("flat dz", bce_flat_dz, "wrong_shape"),
    Attempt("reuses z", bce_reuses_z, "mutates_input"),
    Attempt("float32", bce_float32, "wrong_dtype"),
    Attempt("only the loss", bce_only_loss, "wrong_type"),
    Attempt("not implemented", not_implemented, "not_implemented"),
]

RIGHT = [
    Attempt("logaddexp", bce_logaddexp),
    Attempt("branches", bce_branches),
    Attempt("the notebook's formula", bce_notebook),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_blog_bce_bug_is_explained():
    assert "sigma'(z) again" in str(failure_of(check_binary_cross_entropy_with_logits, bce_blog_sigma_prime_twice))
