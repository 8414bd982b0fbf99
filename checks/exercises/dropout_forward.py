"""Exercise ``dropout_forward`` (chapter 05): inverted dropout, (out, mask) with mask entries 0 or 1/(1-p).

Judged by properties at every case (``checks.dropout_mask``): mask levels, out = X * mask,
independence across rows and columns, the dropped fraction against a binomial interval; then the rng:
the same seed gives the same mask, another seed another mask.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..calling import RngSpec
from ..dropout_mask import check_dropped_fraction, check_independence, inspect_forward
from ..registry import register
from ..runner import run_check


def _cases(rng: np.random.Generator) -> list:
    """(shape, p): p well below and well above 1/2 (so swapping keep and drop shows), 1/2, a single row,
    and p = 0 (nothing dropped, out == X)."""
    low, high = float(rng.uniform(0.1, 0.35)), float(rng.uniform(0.65, 0.85))
    a, b = (int(s) for s in rng.choice(np.arange(30, 60), size=2, replace=False))
    return [((a, b), low), ((b, a), high), ((1, int(rng.integers(300, 500))), float(rng.uniform(0.2, 0.4))),
            ((a, a + 1), 0.5), ((int(rng.integers(3, 9)), b), 0.0)]


def _same_rng_same_mask(call, X: np.ndarray, p: float, seed: int, mask: np.ndarray, tested: str) -> None:
    ex = "dropout_forward"
    again, other = call.many("impl", [(X, p, RngSpec(seed)), (X, p, RngSpec(seed + 1))])
    if not np.array_equal(mask, inspect_forward(ex, again, X, p, tested)):
        raise v.fail(ex, "nondeterministic", "the same rng seed gave a different mask", tested=tested,
                     problem="two calls with np.random.default_rng(s) for the same s dropped different units",
                     hint="draw the random numbers from the rng argument (rng.random(...)), not from np.random "
                          "or a generator you create inside the function")
    if np.array_equal(mask, inspect_forward(ex, other, X, p, tested)):
        raise v.fail(ex, "nondeterministic", "different rng seeds gave the same mask", tested=tested,
                     problem="calls with two different rng seeds dropped exactly the same units",
                     hint="use the rng you are given; don't create a generator with a fixed seed inside")


@register("dropout_forward", "dropout_forward(X, p, rng) -> (out, mask), mask entries 0 or 1/(1-p), out = X * mask")
def judge(call, rng: np.random.Generator) -> None:
    """Every case: form, levels, out = X * mask, independence, dropped fraction; the first also the rng."""
    ex = "dropout_forward"
    for i, (shape, p) in enumerate(_cases(rng)):
        X = rng.standard_normal(shape)
        seed = int(rng.integers(0, 2**31 - 1))
        tested = f"dropout_forward(X, p, rng) with X of shape {X.shape}, p = {p:.4g}, rng = np.random.default_rng(...)"
        mask = inspect_forward(ex, call("impl", X, p, RngSpec(seed)), X, p, tested)
        check_independence(ex, mask, p, tested)
        check_dropped_fraction(ex, mask, p, tested)
        if i == 0:
            _same_rng_same_mask(call, X, p, seed, mask, tested)


def check_dropout_forward(dropout_forward: Callable, *, seed: int | None = None) -> None:
    """Check ``dropout_forward(X, p, rng) -> (out, mask)`` (inverted dropout, uses the given rng)."""
    run_check("dropout_forward", {"impl": dropout_forward}, seed)
