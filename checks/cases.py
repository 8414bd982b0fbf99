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
    """Arrays of several shapes (1-D, 2-D non-square, N = 1, 3-D) with values in [-scale, scale], each
    holding negative and positive values."""
    n, k = distinct_sizes(rng, 2)
    shapes = [(int(rng.integers(5, 10)),), (n, k), (1, int(rng.integers(3, 8))), (2, 3, int(rng.integers(2, 5)))]
    arrays = [rng.uniform(-scale, scale, size=s) for s in shapes]
    for a in arrays:                  # both signs in every array, so a missing branch always shows
        a.flat[0], a.flat[1] = -abs(a.flat[0]), abs(a.flat[1])
    return arrays


def extreme_array(rng: np.random.Generator) -> np.ndarray:
    """The extreme values |z| up to 1e3, shuffled, as a (2, 5) array."""
    return rng.permutation(EXTREMES).reshape(2, 5)


def elementwise_cases(rng: np.random.Generator) -> list:
    """(z, extreme) pairs: the ``elementwise_arrays`` (extreme False), then the ``extreme_array`` (True)."""
    return [(z, False) for z in elementwise_arrays(rng)] + [(extreme_array(rng), True)]


def elementwise_tested(call_text: str, z: np.ndarray, extreme: bool) -> str:
    """'sigmoid(z) with z of shape (5,), float64, values in [-6, 6]' for a message."""
    values = "extreme values, |z| up to 1000" if extreme else "values in [-6, 6]"
    return f"{call_text} with z of shape {z.shape}, float64, {values}"


def linear_arrays(rng: np.random.Generator, shape: tuple) -> tuple:
    """X (N, n_in), W (n_in, n_out), b (n_out,), standard normal, for one ``linear_shapes`` triple."""
    n, n_in, n_out = shape
    return rng.standard_normal((n, n_in)), rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)


EXTREME_LOGITS = np.array([[1000.0, 998.0, -1000.0, 0.0, 3.0],
                           [-1000.0, -998.0, -999.0, -1000.0, -1000.0],
                           [0.0, 1000.0, -1000.0, 500.0, 1000.0]])


def softmax_cases(rng: np.random.Generator) -> list:
    """(Z, extreme) pairs: three ``batch_shapes`` of logits in about [-9, 9], then the extreme logits."""
    cases = [(rng.standard_normal(s) * 3.0, False) for s in batch_shapes(rng)]
    cases.append((EXTREME_LOGITS[rng.permutation(3)], True))
    return cases


def kinked_cases(rng: np.random.Generator) -> list:
    """(z, extreme) pairs like ``elementwise_cases``, with some entries of each ordinary array set to
    exactly 0 (the kink of ReLU), so a derivative taken as 1 or 1/2 there shows."""
    cases = elementwise_cases(rng)
    for z, extreme in cases:
        if not extreme:
            spots = rng.choice(np.arange(2, z.size), size=max(1, z.size // 4), replace=False)
            z.flat[spots] = 0.0
    return cases
