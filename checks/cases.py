"""Random test cases for the judges: non-square shapes (so a transpose can't hide), N = 1, extremes."""

from __future__ import annotations

import numpy as np

EXTREMES = np.array([-1000.0, -745.0, -100.0, -30.0, -1e-3, 0.0, 30.0, 100.0, 745.0, 1000.0])


def distinct_sizes(rng: np.random.Generator, k: int = 3, low: int = 2, high: int = 9) -> list:
    """k distinct integers in [low, high)."""
    return [int(v) for v in rng.choice(np.arange(low, high), size=k, replace=False)]


def linear_shapes(rng: np.random.Generator) -> list:
    """(N, n_in, n_out) triples: two with all sizes distinct, one with N = 1 (n_in != n_out)."""
    a, b = distinct_sizes(rng), distinct_sizes(rng)
    n_in, n_out = distinct_sizes(rng, 2)
    return [tuple(a), tuple(b), (1, n_in, n_out)]


def batch_shapes(rng: np.random.Generator) -> list:
    """(N, K) pairs with N != K, plus one with N = 1."""
    n, k = distinct_sizes(rng, 2)
    m, j = distinct_sizes(rng, 2)
    return [(n, k), (m, j), (1, int(rng.integers(3, 7)))]


def elementwise_arrays(rng: np.random.Generator, scale: float = 6.0) -> list:
    """Arrays of several shapes (1-D, 2-D non-square, N = 1, 3-D) with values in [-scale, scale]."""
    n, k = distinct_sizes(rng, 2)
    shapes = [(int(rng.integers(5, 10)),), (n, k), (1, int(rng.integers(3, 8))), (2, 3, int(rng.integers(2, 5)))]
    return [rng.uniform(-scale, scale, size=s) for s in shapes]


def extreme_array(rng: np.random.Generator) -> np.ndarray:
    """The extreme values |z| up to 1e3, shuffled, as a (2, 5) array."""
    return rng.permutation(EXTREMES).reshape(2, 5)
