"""The dropout_forward check: judged statistically at every case."""

import numpy as np
import pytest

from checks import CheckFailure, LocalCaller, judge_exercise
from checks.dropout_mask import binomial_interval
from support import Attempt, judged, not_implemented

EXERCISE = "dropout_forward"


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


def one_mask_per_column_repeated(X, p, rng):
    mask = np.repeat((rng.random((1, X.shape[1])) >= p) / (1 - p), X.shape[0], axis=0)
    return X * mask, mask


def one_mask_per_row_repeated(X, p, rng):
    mask = np.repeat((rng.random((X.shape[0], 1)) >= p) / (1 - p), X.shape[1], axis=1)
    return X * mask, mask


def all_dropped_at_zero(X, p, rng):
    mask = (rng.random(X.shape) > p) / (1 - p) if p > 0 else np.zeros_like(X)
    return X * mask, mask


def bool_mask(X, p, rng):
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), keep


def drops_half_always(X, p, rng):
    mask = (rng.random(X.shape) >= 0.5) / (1 - p)
    return X * mask, mask


WRONG = [
    Attempt("not inverted", not_inverted, "scale"),
    Attempt("np.random instead of rng", global_random, "nondeterministic"),
    Attempt("fixed generator inside", own_generator, "nondeterministic"),
    Attempt("p as keep probability", keep_probability, "swapped"),
    Attempt("keeps with probability p", keep_probability_scaled_right, "swapped"),
    Attempt("drops half whatever p", drops_half_always, "wrong_value"),
    Attempt("returns only out", only_out, "wrong_type"),
    Attempt("float32 mask", float32_mask, "wrong_dtype"),
    Attempt("masks X in place", in_place, "mutates_input"),
    Attempt("mask not applied", mask_not_applied, "missing_term"),
    Attempt("one mask row, broadcast", one_mask_per_column, "wrong_shape"),
    Attempt("one mask row, repeated down the rows", one_mask_per_column_repeated, "wrong_axis"),
    Attempt("one draw per row, repeated along it", one_mask_per_row_repeated, "wrong_axis"),
    Attempt("everything dropped at p = 0", all_dropped_at_zero, "wrong_value"),
    Attempt("boolean mask", bool_mask, "wrong_dtype"),
    Attempt("not implemented", not_implemented, "not_implemented"),
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


RIGHT = [
    Attempt("binomial", binomial),
    Attempt("uniform and where", uniform_where),
    Attempt("rng.choice", choice_based),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_binomial_interval_holds_its_tail_probability():
    """For 2000 draws at q = 0.3 the interval is about 5.3 standard deviations either side of 600, and a
    simulation of 200000 correct masks never leaves it."""
    lo, hi = binomial_interval(2000, 0.3)
    sd = np.sqrt(2000 * 0.3 * 0.7)
    assert 5.0 * sd < 600 - lo < 6.0 * sd and 5.0 * sd < hi - 600 < 6.0 * sd
    counts = np.random.default_rng(0).binomial(2000, 0.3, size=200_000)
    assert np.all((counts >= lo) & (counts <= hi))
    assert binomial_interval(50, 0.0) == (0, 0)


@pytest.mark.parametrize("p", [0.05, 0.2, 0.4, 0.49, 0.51, 0.7, 0.95])
def test_swapped_keep_and_drop_fails_at_every_p(p):
    """Whatever p the learner's code meets, a mask that keeps with probability p is caught (a case with
    p != 1/2 comes first, and the swap is named there)."""
    for seed in range(5):
        with pytest.raises(CheckFailure) as info:
            judge_exercise(EXERCISE, LocalCaller({"impl": keep_probability_scaled_right}), seed=seed)
        assert info.value.mistake == "swapped"
    rng = np.random.default_rng(1)
    mask = (rng.random((40, 50)) < p) / (1 - p)
    lo, hi = binomial_interval(mask.size, p)
    assert not lo <= int(np.sum(mask == 0)) <= hi or abs(p - 0.5) < 0.02


def test_p_zero_means_out_equals_X():
    def drops_one_at_zero(X, p, rng):
        out, mask = binomial(X, p, rng)
        if p == 0:
            mask.flat[0] = 0.0
            out = X * mask
        return out, mask
    assert judged(EXERCISE, Attempt("", drops_one_at_zero)) == "wrong_value"
