"""Exercise ``linear_forward`` (chapter 01): Y = X W + b, batch first."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import linear_arrays, linear_shapes
from ..registry import register
from ..runner import run_check


@register("linear_forward", "linear_forward(X, W, b) -> Y = X @ W + b of shape (N, n_out)")
def judge(call, rng: np.random.Generator) -> None:
    """Values, shape, dtype and input mutation on non-square shapes and N = 1."""
    ex, name = "linear_forward", "Y"
    for shape in linear_shapes(rng):
        X, W, b = linear_arrays(rng, shape)
        tested = f"linear_forward(X, W, b) with {v.shapes_text(X=X, W=W, b=b)}, float64"
        out = call("impl", X, W, b)
        got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
        v.check_form(ex, name, got, (shape[0], shape[2]), tested)
        v.check_warnings(ex, out, tested, False)
        v.check_mutation(ex, out, {"X": X, "W": W, "b": b}, tested)
        v.check_values(ex, name, got, X @ W + b, tested, alternatives=[
            ("missing_term", X @ W, "it equals X @ W: the bias b was not added"),
            ("sign", X @ W - b, "it equals X @ W - b: the bias is added, not subtracted"),
            ("wrong_axis", X @ W + b.sum(), "the bias was summed over its axis into one number; add the vector b "
                                            "to every row"),
        ], factors={2.0: "twice too large"}, hint="row n of Y is the n-th example: Y[n] = X[n] @ W + b")


def check_linear_forward(linear_forward: Callable, *, seed: int | None = None) -> None:
    """Check ``linear_forward(X, W, b) -> X @ W + b``."""
    run_check("linear_forward", {"impl": linear_forward}, seed)
