"""The batches check: named slips fail, differently written right loaders pass.

The check runs ``batches`` for two epochs from one rng (``two_epochs``), as check_batches does."""

import numpy as np
import pytest

import mlp_lab as ml
from checks.exercises.batches import two_epochs
from support import Attempt, judged, not_implemented

EXERCISE = "batches"


def right_slices(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[idx[start:start + batch_size]], y[idx[start:start + batch_size]]


def right_array_split(X, y, batch_size, rng):
    order = np.arange(len(X))
    rng.shuffle(order)
    return [(X[i], y[i]) for i in np.array_split(order, range(batch_size, len(X), batch_size))]


def right_choice(X, y, batch_size, rng):
    order = rng.choice(len(X), size=len(X), replace=False)
    n_batches = -(-len(X) // batch_size)
    for b in range(n_batches):
        i = order[b * batch_size:(b + 1) * batch_size]
        yield np.take(X, i, axis=0), np.take(y, i)


def same_order(X, y, batch_size, rng):
    return right_slices(X, y, batch_size, np.random.default_rng(0))


def unshuffled(X, y, batch_size, rng):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def drops_last(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for b in range(len(X) // batch_size):
        i = idx[b * batch_size:(b + 1) * batch_size]
        yield X[i], y[i]


def unpaired(X, y, batch_size, rng):
    ix, iy = rng.permutation(len(X)), rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[ix[start:start + batch_size]], y[iy[start:start + batch_size]]


def global_rng(X, y, batch_size, rng):
    return right_slices(X, y, batch_size, np.random.default_rng(np.random.randint(1 << 30)))


def shuffles_in_place(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    X[...] = X[idx]
    y[...] = y[idx]
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def with_replacement(X, y, batch_size, rng):
    idx = rng.integers(0, len(X), size=len(X))
    for start in range(0, len(X), batch_size):
        yield X[idx[start:start + batch_size]], y[idx[start:start + batch_size]]


def empty_last(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for start in range(0, len(X) + 1, batch_size):
        yield X[idx[start:start + batch_size]], y[idx[start:start + batch_size]]


def float64_batches(X, y, batch_size, rng):
    for Xb, yb in right_slices(X, y, batch_size, rng):
        yield Xb.astype(np.float64), yb


def no_yield(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    X, y = X[idx], y[idx]


def endless(X, y, batch_size, rng):
    while True:
        yield X[:batch_size], y[:batch_size]


WRONG = [
    Attempt("same order every epoch", two_epochs(same_order), "same_order_every_epoch"),
    Attempt("not shuffled", two_epochs(unshuffled), "same_order_every_epoch"),
    Attempt("drops the last batch", two_epochs(drops_last), "dropped_last_batch"),
    Attempt("X and y shuffled apart", two_epochs(unpaired), "unpaired_shuffle"),
    Attempt("ignores rng", two_epochs(global_rng), "nondeterministic"),
    Attempt("shuffles the caller's data", two_epochs(shuffles_in_place), "mutates_input"),
    Attempt("with replacement", two_epochs(with_replacement), "repeated_examples"),
    Attempt("never stops", two_epochs(endless), "repeated_examples"),
    Attempt("an empty last batch", two_epochs(empty_last), "wrong_shape"),
    Attempt("float64 copies", two_epochs(float64_batches), "wrong_dtype"),
    Attempt("no yield", two_epochs(no_yield), "exception"),
    Attempt("not implemented", two_epochs(not_implemented), "not_implemented"),
]

RIGHT = [
    Attempt("slices of a permutation", two_epochs(right_slices)),
    Attempt("array_split, a list", two_epochs(right_array_split)),
    Attempt("choice without replacement", two_epochs(right_choice)),
    Attempt("mlp_lab's", two_epochs(ml.batches)),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
