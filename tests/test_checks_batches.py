"""The batches check: named slips fail, differently written right loaders pass."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_batches
from support import not_implemented, verdict

SEEDS = [None, 5, 31337]


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


RIGHT = [("slices of a permutation", right_slices), ("array_split, a list", right_array_split),
         ("choice without replacement", right_choice), ("mlp_lab's", ml.batches)]


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


WRONG = [
    ("same order every epoch", same_order, "same_order_every_epoch"),
    ("not shuffled", unshuffled, "same_order_every_epoch"),
    ("drops the last batch", drops_last, "dropped_last_batch"),
    ("X and y shuffled apart", unpaired, "unpaired_shuffle"),
    ("ignores rng", global_rng, "nondeterministic"),
    ("shuffles the caller's data", shuffles_in_place, "mutates_input"),
    ("with replacement", with_replacement, "wrong_value"),
    ("an empty last batch", empty_last, "wrong_shape"),
    ("float64 copies", float64_batches, "wrong_dtype"),
    ("no yield", no_yield, "exception"),
    ("not implemented", not_implemented, "not_implemented"),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn, mistake", WRONG, ids=[w[0] for w in WRONG])
def test_batches_wrong(label, fn, mistake, seed):
    assert verdict(lambda f: check_batches(f, seed=seed), fn) == mistake


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn", RIGHT, ids=[r[0] for r in RIGHT])
def test_batches_right(label, fn, seed):
    assert verdict(lambda f: check_batches(f, seed=seed), fn) == "pass"


def test_an_endless_generator_is_stopped():
    def endless(X, y, batch_size, rng):
        while True:
            yield X[:batch_size], y[:batch_size]
    assert verdict(check_batches, endless) == "wrong_value"
