"""Exercise ``batches(X, y, batch_size, rng)``: shuffled mini-batches covering every example once per epoch.

A generator (or any iterable) of ``(X_batch, y_batch)`` pairs: a fresh permutation drawn from
``rng`` at every call (every epoch), X and y gathered with the same indices, every batch of
``batch_size`` rows but the last, which is smaller when N is not a multiple of it.

A generator cannot cross the grader's round trip, so ``check_batches`` hands the judge a function
that runs two epochs with one ``rng`` and returns the batches as lists; the judge reads which
examples each batch holds from the first column of X, which numbers the rows.
"""

from __future__ import annotations

import itertools
from typing import Callable

import numpy as np

from .. import verdict as v
from ..calling import RngSpec
from ..registry import register
from ..runner import run_check

NAME = "batches"
EPOCHS = 2


def two_epochs(batches: Callable) -> Callable:
    """``run(X, y, batch_size, rng) -> [epoch 1 batches, epoch 2 batches]`` (lists of pairs) from one rng."""
    def run(X, y, batch_size, rng):
        limit = -(-len(X) // batch_size) + 2      # a few more than needed: an endless generator is caught
        epochs = []
        for _ in range(EPOCHS):
            result = batches(X, y, batch_size, rng)
            if result is None:
                raise TypeError("batches returned None: yield (X_batch, y_batch) pairs (is a `yield` missing?)")
            epochs.append([tuple(pair) if isinstance(pair, (tuple, list)) else pair
                           for pair in itertools.islice(result, limit)])
        return epochs
    run.__name__ = getattr(batches, "__name__", NAME)
    return run


def _case(rng: np.random.Generator, n: int, d: int) -> tuple:
    """X (n, d) float32 whose first column numbers the rows; y (n,) distinct int64 labels."""
    X = rng.standard_normal((n, d)).astype(np.float32)
    X[:, 0] = np.arange(n)
    y = (rng.permutation(n) + 100).astype(np.int64)
    return X, y


def _rows(ex, epoch, X, y, batch_size, tested) -> list:
    """The row numbers of each batch, after checking the structure, dtypes and X/y pairing."""
    if epoch == [] and 0 < len(X) < batch_size:
        raise v.fail(ex, "dropped_last_batch", "batches produced no batches", tested=tested,
                     problem=f"N = {len(X)} is less than batch_size = {batch_size}, so the only batch is the last, "
                             "smaller one, and it is missing",
                     hint="loop over start = 0, batch_size, ... while start < N; the last slice may be shorter")
    if not isinstance(epoch, list) or not epoch:
        raise v.fail(ex, "wrong_type", "batches produced no batches", tested=tested,
                     problem=f"one epoch gave {v.fmt(epoch)}", hint="yield X[idx], y[idx] for each batch")
    rows = []
    for i, pair in enumerate(epoch):
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise v.fail(ex, "wrong_type", "each batch must be a pair (X_batch, y_batch)", tested=tested,
                         problem=f"batch {i} is {v.fmt(pair)}", hint="yield X[idx], y[idx]")
        Xb, yb = (v.as_array(ex, name, a, tested) for name, a in zip(("X_batch", "y_batch"), pair))
        if Xb.ndim != 2 or Xb.shape[1] != X.shape[1] or yb.shape != (len(Xb),):
            raise v.fail(ex, "wrong_shape", f"batch {i} has X_batch {Xb.shape} and y_batch {yb.shape}",
                         tested=tested, problem=f"expected X_batch (m, {X.shape[1]}) and y_batch (m,) for one m",
                         hint="index the rows: X[idx] and y[idx] with the same idx")
        if Xb.dtype != X.dtype or yb.dtype != y.dtype:
            raise v.fail(ex, "wrong_dtype", f"batch {i} has dtypes {Xb.dtype} and {yb.dtype}", tested=tested,
                         problem=f"X is {X.dtype} and y is {y.dtype}; the batches must keep them",
                         hint="gather rows with X[idx]; don't convert (a float64 copy of float32 data doubles "
                              "the work of every later step)")
        ids = Xb[:, 0].astype(np.int64)
        if len(ids) and (ids.min() < 0 or ids.max() >= len(X) or not np.array_equal(Xb, X[ids])):
            raise v.fail(ex, "wrong_value", f"batch {i} holds rows that are not rows of X", tested=tested,
                         problem="X_batch must be made of whole rows of X", hint="index the rows: X[idx]")
        if not np.array_equal(yb, y[ids]):
            raise v.fail(ex, "unpaired_shuffle", f"in batch {i} the labels do not belong to the examples",
                         tested=tested, problem=f"y_batch is {v.fmt(yb)} but the rows of X_batch have the labels "
                                                f"{v.fmt(y[ids])}",
                         hint="draw one permutation and index X and y with the same indices")
        rows.append(ids)
    return rows


def _coverage(ex, rows, n, batch_size, tested) -> None:
    sizes = [len(r) for r in rows]
    seen = np.concatenate(rows)
    counts = np.bincount(seen, minlength=n)
    if np.any(counts > 1):
        endless = len(rows) > -(-n // batch_size)
        raise v.fail(ex, "repeated_examples", "some examples appear more than once in one epoch",
                     tested=tested, problem=f"{len(rows)} batches" + (
                         f", more than the {-(-n // batch_size)} that N = {n} needs: batches does not stop"
                         if endless else f"; {int(np.sum(counts == 0))} of {n} examples are missing and "
                                         f"{int(np.sum(counts > 1))} come more than once"),
                     hint="end after one pass over the data" if endless else
                          "shuffle without replacement: rng.permutation(N), then cut it into slices")
    if np.any(counts == 0):
        missing = int(np.sum(counts == 0))
        if missing == n % batch_size and len(rows) == n // batch_size:
            raise v.fail(ex, "dropped_last_batch", "the last, smaller batch is missing", tested=tested,
                         problem=f"{len(rows)} batches of {batch_size}: the last {missing} example(s) are never "
                                 f"used (N = {n})",
                         hint="loop over start = 0, batch_size, 2 batch_size, ... while start < N; the last slice "
                              "may be shorter")
        raise v.fail(ex, "wrong_value", f"{missing} of {n} examples never appear in an epoch", tested=tested,
                     problem=f"batch sizes {sizes}", hint="every example must come exactly once per epoch")
    expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if sizes != expected:
        raise v.fail(ex, "wrong_shape", "the batch sizes are wrong", tested=tested,
                     problem=f"batch sizes {sizes}, expected {expected}",
                     hint="slices of batch_size rows; only the last may be smaller, and none is empty")


@register(NAME, "batches(X, y, batch_size, rng) -> yields (X_batch, y_batch) pairs")
def judge_batches(call, rng: np.random.Generator) -> None:
    """Pass silently or raise CheckFailure; evaluates the learner's function only through ``call``."""
    ex = NAME
    sizes = [(int(rng.integers(21, 40)), int(rng.integers(4, 7))), (24, 6), (int(rng.integers(3, 8)), 10)]
    for n, batch_size in sizes:
        X, y = _case(rng, n, int(rng.integers(2, 5)))
        seed, other = (int(s) for s in rng.integers(0, 2**31, size=2))
        tested = (f"{EPOCHS} epochs of batches(X, y, batch_size={batch_size}, rng) with one rng, X {X.shape} "
                  f"float32, y {y.shape} int64")
        outs = call.many("impl", [(X, y, batch_size, RngSpec(seed)), (X, y, batch_size, RngSpec(seed)),
                                  (X, y, batch_size, RngSpec(other))])
        runs = []
        for out in outs:
            epochs = v.outcome_value(ex, out, tested)
            v.check_mutation(ex, out, {"X": X, "y": y}, tested)
            if not (isinstance(epochs, list) and len(epochs) == EPOCHS):
                raise v.fail(ex, "wrong_type", "batches must give an iterable of pairs", tested=tested,
                             problem=f"got {v.fmt(epochs)}", hint="yield X[idx], y[idx] for each batch")
            runs.append([_rows(ex, epoch, X, y, batch_size, tested) for epoch in epochs])
        for epoch in runs[0]:
            _coverage(ex, epoch, n, batch_size, tested)
        orders = [[np.concatenate(e) for e in run] for run in runs]
        if n < 10:   # shuffles of a few rows often coincide (1 in 6 for 3 rows): judge order on 10 or more
            continue
        if all(np.array_equal(o, np.arange(n)) for o in orders[0]):
            raise v.fail(ex, "same_order_every_epoch", "the batches come in the data's own order, unshuffled",
                         tested=tested, problem=f"epoch 1 and 2 both visit rows {v.fmt(orders[0][0])}",
                         hint="draw idx = rng.permutation(N) at the start of every call")
        same_seed_same = all(np.array_equal(a, b) for a, b in zip(orders[0], orders[1]))
        if not same_seed_same:
            raise v.fail(ex, "nondeterministic", "the same rng seed gave different batches", tested=tested,
                         problem="two runs with rngs made from one seed visited the rows in different orders",
                         hint="draw the permutation from the rng you were given (rng.permutation), not from "
                              "np.random's global generator")
        if np.array_equal(orders[0][0], orders[0][1]):
            raise v.fail(ex, "same_order_every_epoch", "both epochs visit the examples in the same order",
                         tested=tested, problem=f"epoch 1 and epoch 2 both visit rows {v.fmt(orders[0][0])}",
                         hint="use the rng you were given at every call, so each epoch draws a new permutation "
                              "(a fixed seed inside the function repeats the order)")
        if all(np.array_equal(a, b) for a, b in zip(orders[0], orders[2])):
            raise v.fail(ex, "nondeterministic", "different rng seeds gave the same batches", tested=tested,
                         problem="rngs made from two different seeds gave identical epochs",
                         hint="draw the permutation from the rng you were given, not from a generator of your own")


def check_batches(batches: Callable, *, seed: int | None = None) -> None:
    """Check ``batches(X, y, batch_size, rng)``: every example once per epoch, shuffled anew, X and y paired."""
    run_check(NAME, {"impl": two_epochs(batches)}, seed)
