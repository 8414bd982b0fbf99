"""Exercise ``linear_backward`` (chapter 03): (dX, dW, db) = (dY W^T, X^T dY, sum of dY over the batch)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import linear_arrays, linear_shapes
from ..failure import CheckFailure
from ..gradcheck import random_upstream
from ..own_forward import consult_forward, gradient_evidence, verify_forward
from ..registry import register
from ..runner import run_check

NAMES = ("dX", "dW", "db")
HINTS = {"dX": "dX = dY W^T: each input feeds every output through W",
         "dW": "dW[i, j] adds X[n, i] * dY[n, j] over the examples n",
         "db": "the bias is added to every example, so its gradient adds up dY over the examples"}


@register("linear_backward", "linear_backward(dY, X, W) -> (dX, dW, db) shaped like X, W, b")
def judge(call, rng: np.random.Generator) -> None:
    """Each gradient against the maths; the learner's linear_forward (if given) sharpens the diagnosis."""
    ex = "linear_backward"
    for shape in linear_shapes(rng):
        n, n_in, n_out = shape
        X, W, b = linear_arrays(rng, shape)
        dY = random_upstream((n, n_out), rng)
        tested = f"linear_backward(dY, X, W) with {v.shapes_text(dY=dY, X=X, W=W)}, float64"
        status = verify_forward(call, "linear_forward", (X, W, b), X @ W + b)
        out = call("impl", dY, X, W)
        expected = {"dX": dY @ W.T, "dW": X.T @ dY, "db": dY.sum(axis=0)}
        try:
            got = v.as_tuple(ex, v.outcome_value(ex, out, tested), NAMES, tested)
            v.check_not_a_total(ex, "db", got[2], float(dY.sum()), b.shape, tested)
            got = dict(zip(NAMES, (v.as_array(ex, k, g, tested) for k, g in zip(NAMES, got))))
            shapes = [g.shape for g in got.values()]
            if shapes != [X.shape, W.shape, b.shape] and sorted(map(str, shapes)) == sorted(
                    map(str, [X.shape, W.shape, b.shape])):
                raise v.fail(ex, "wrong_shape", "the outputs come in the wrong order", tested=tested,
                             problem=f"shapes returned: {shapes}; expected (dX, dW, db) with shapes "
                                     f"{[X.shape, W.shape, b.shape]}", hint="return dX, dW, db in that order")
            for k in NAMES:
                v.check_form(ex, k, got[k], expected[k].shape, tested, batch=n)
            v.check_warnings(ex, out, tested, False)
            v.check_mutation(ex, out, {"dY": dY, "X": X, "W": W}, tested)
            factors = {float(n): f"N = {n} times too large", 1.0 / n: f"divided by N = {n}: the 1/N is already "
                                                                      f"inside dY (the loss put it there)"}
            for k in NAMES:
                v.check_values(ex, k, got[k], expected[k], tested, factors=factors if n > 1 else None, hint=HINTS[k])
        except CheckFailure as failure:
            which = failure.details.get("output")
            evidence = None
            if status.ok and which in NAMES and isinstance(out.value, (tuple, list)) and len(out.value) == 3:
                argnum = NAMES.index(which)
                evidence = gradient_evidence(call, "linear_forward", (X, W, b), argnum, dY, out.value[argnum], rng)
            raise consult_forward(failure, status, evidence) from None


def check_linear_backward(linear_backward: Callable, linear_forward: Callable | None = None, *,
                          seed: int | None = None) -> None:
    """Check ``linear_backward(dY, X, W) -> (dX, dW, db)`` (against your linear_forward if given)."""
    run_check("linear_backward", {"impl": linear_backward, "linear_forward": linear_forward}, seed)
