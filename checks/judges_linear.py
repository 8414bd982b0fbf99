"""Judges for linear_forward (Y = X W + b) and linear_backward (dX, dW, db)."""

from __future__ import annotations

from . import verdict as v
from .cases import linear_shapes
from .failure import CheckFailure
from .forward import consult_forward, gradient_evidence, verify_forward
from .gradcheck import random_upstream
from .registry import register


def _arrays(rng, shape):
    n, n_in, n_out = shape
    return rng.standard_normal((n, n_in)), rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)


@register("linear_forward", "linear_forward(X, W, b) -> Y = X @ W + b of shape (N, n_out)")
def judge_linear_forward(call, rng):
    ex, name = "linear_forward", "Y"
    for shape in linear_shapes(rng):
        X, W, b = _arrays(rng, shape)
        tested = f"linear_forward(X, W, b) with {v.shapes_text(X=X, W=W, b=b)}, float64"
        out = call("impl", X, W, b)
        got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
        v.check_form(ex, name, got, (shape[0], shape[2]), tested)
        v.check_warnings(ex, out, tested, False)
        v.check_mutation(ex, out, {"X": X, "W": W, "b": b}, tested)
        v.check_values(ex, name, got, X @ W + b, tested, alternatives=[
            ("wrong_value", X @ W, "it equals X @ W: the bias b was not added"),
            ("sign", X @ W - b, "it equals X @ W - b: the bias is added, not subtracted"),
            ("wrong_value", X @ W + b.sum(), "the bias was summed into one number; add the vector b to every row"),
        ], factors={2.0: "twice too large"},
           hint="row n of Y is the n-th example: Y[n] = X[n] @ W + b")


@register("linear_backward", "linear_backward(dY, X, W) -> (dX, dW, db) shaped like X, W, b",
          optional=("linear_forward",))
def judge_linear_backward(call, rng):
    ex = "linear_backward"
    names = ("dX", "dW", "db")
    for shape in linear_shapes(rng):
        n, n_in, n_out = shape
        X, W, b = _arrays(rng, shape)
        dY = random_upstream((n, n_out), rng)
        tested = f"linear_backward(dY, X, W) with {v.shapes_text(dY=dY, X=X, W=W)}, float64"
        status = verify_forward(call, "linear_forward", (X, W, b), X @ W + b)
        out = call("impl", dY, X, W)
        expected = {"dX": dY @ W.T, "dW": X.T @ dY, "db": dY.sum(axis=0)}
        try:
            got = v.as_tuple(ex, v.outcome_value(ex, out, tested), names, tested)
            got = dict(zip(names, (v.as_array(ex, k, g, tested) for k, g in zip(names, got))))
            shapes = [g.shape for g in got.values()]
            if shapes != [X.shape, W.shape, b.shape] and sorted(map(str, shapes)) == sorted(
                    map(str, [X.shape, W.shape, b.shape])):
                raise v.fail(ex, "wrong_shape", "the outputs come in the wrong order", tested=tested,
                             problem=f"shapes returned: {shapes}; expected (dX, dW, db) with shapes "
                                     f"{[X.shape, W.shape, b.shape]}", hint="return dX, dW, db in that order")
            for k in names:
                v.check_form(ex, k, got[k], expected[k].shape, tested, batch=n)
            v.check_warnings(ex, out, tested, False)
            v.check_mutation(ex, out, {"dY": dY, "X": X, "W": W}, tested)
            factors = {float(n): f"N = {n} times too large", 1.0 / n: f"divided by N = {n}: the 1/N is already "
                                                                      f"inside dY (the loss put it there)"}
            for k in names:
                v.check_values(ex, k, got[k], expected[k], tested, factors=factors if n > 1 else None,
                               hint={"dX": "dX = dY W^T: each input feeds every output through W",
                                     "dW": "dW[i, j] adds X[n, i] * dY[n, j] over the examples n",
                                     "db": "the bias is added to every example, so its gradient adds up dY "
                                           "over the examples"}[k])
        except CheckFailure as failure:
            which = failure.details.get("output")
            evidence = None
            if status.ok and which in names and isinstance(out.value, (tuple, list)) and len(out.value) == 3:
                argnum = names.index(which)
                evidence = gradient_evidence(call, "linear_forward", (X, W, b), argnum, dY, out.value[argnum], rng)
            raise consult_forward(failure, status, evidence) from None
