"""Judges for inverted dropout: dropout_forward(X, p, rng) -> (out, mask) and dropout_backward(dout, mask).

The learner's random draw can't be predicted, so the forward is judged by properties: mask
entries are 0 or 1/(1-p), out = X * mask, the dropped fraction is about p, the same rng seed
gives the same mask and different seeds different masks.
"""

from __future__ import annotations

import numpy as np

from . import verdict as v
from .calling import RngSpec
from .cases import distinct_sizes
from .failure import CheckFailure
from .forward import ForwardStatus, consult_forward, gradient_evidence
from .gradcheck import random_upstream
from .registry import register


def _seed(rng) -> int:
    return int(rng.integers(0, 2**31 - 1))


def inspect_forward(ex: str, out, X: np.ndarray, p: float, tested: str, who: str = "dropout_forward"):
    """Check one dropout_forward outcome by its properties; return the mask (or raise CheckFailure)."""
    value = v.outcome_value(ex, out, tested, who=who)
    res, mask = v.as_tuple(ex, value, ("out", "mask"), tested, who=who)
    res, mask = v.as_array(ex, "out", res, tested), v.as_array(ex, "mask", mask, tested)
    for name, a in (("out", res), ("mask", mask)):
        v.check_form(ex, name, a, X.shape, tested)
    v.check_warnings(ex, out, tested, False)
    v.check_mutation(ex, out, {"X": X}, tested, who=who)
    keep = 1.0 / (1.0 - p)
    levels = np.unique(mask)
    if not np.all(np.isclose(levels, 0.0, atol=1e-12) | np.isclose(levels, keep, rtol=1e-9)):
        kept = levels[levels != 0]
        problem = f"mask holds the values {v.fmt(levels)}; for p = {p:.4g} they must be 0 or 1/(1-p) = {keep:.6g}"
        if kept.size == 1 and p > 0 and abs(p - 0.5) > 1e-9 and np.isclose(kept[0], 1.0 / p, rtol=1e-9):
            raise v.fail(ex, "wrong_value", "the mask is scaled by 1/p: p was taken as the keep probability",
                         tested=tested, problem=problem, hint="p is the probability of DROPPING a unit; a unit is "
                                                              "kept with probability 1 - p", details={"output": "mask"})
        if kept.size == 1 and p > 0:
            raise v.fail(ex, "scale", "kept units are not scaled by 1/(1-p)", tested=tested, problem=problem,
                         hint="inverted dropout scales the kept units up so the expected output equals X; put "
                              "that factor into the mask", details={"output": "mask", "factor": float(kept[0]) / keep})
        raise v.fail(ex, "wrong_value", "mask values are not 0 or 1/(1-p)", tested=tested, problem=problem,
                     hint="each entry is either dropped (0) or kept and scaled (1/(1-p))", details={"output": "mask"})
    v.check_values(ex, "out", res, X * mask, tested, alternatives=[
        ("wrong_value", X, "out equals X: the mask was not applied"),
    ], hint="out = X * mask, entry by entry")
    return mask


def _dropped_fraction(ex, mask, p, tested):
    n = mask.size
    dropped = float(np.mean(mask == 0))
    slack = 5.0 * np.sqrt(p * (1 - p) / n) + 1e-12
    if abs(dropped - p) > slack:
        swapped = abs(dropped - (1 - p)) <= slack
        raise v.fail(ex, "wrong_value", f"about {dropped:.0%} of the units were dropped, expected about {p:.0%}",
                     tested=tested, problem=f"{int(round(dropped * n))} of {n} mask entries are 0 for p = {p:.4g}",
                     hint="p is the probability of DROPPING a unit" if swapped else
                          "drop each unit independently with probability p", details={"output": "mask"})


@register("dropout_forward", "dropout_forward(X, p, rng) -> (out, mask), mask entries 0 or 1/(1-p), out = X * mask")
def judge_dropout_forward(call, rng):
    ex = "dropout_forward"
    a, b = distinct_sizes(rng, 2)
    cases = [((40, 50), float(rng.uniform(0.2, 0.6))), ((a, b), 0.5), ((1, int(rng.integers(5, 12))), 0.25),
             ((b, a), 0.0)]
    for shape, p in cases:
        X = rng.standard_normal(shape)
        seed = _seed(rng)
        tested = f"dropout_forward(X, p, rng) with X of shape {X.shape}, p = {p:.4g}, rng = np.random.default_rng(...)"
        out = call("impl", X, p, RngSpec(seed))
        mask = inspect_forward(ex, out, X, p, tested)
        if X.size < 1000:
            continue
        _dropped_fraction(ex, mask, p, tested)
        again, other = call.many("impl", [(X, p, RngSpec(seed)), (X, p, RngSpec(seed + 1))])
        mask_again = inspect_forward(ex, again, X, p, tested)
        mask_other = inspect_forward(ex, other, X, p, tested)
        if not np.array_equal(mask, mask_again):
            raise v.fail(ex, "nondeterministic", "the same rng seed gave a different mask", tested=tested,
                         problem="two calls with np.random.default_rng(s) for the same s dropped different units",
                         hint="draw the random numbers from the rng argument (rng.random(...)), not from np.random "
                              "or a generator you create inside the function")
        if np.array_equal(mask, mask_other):
            raise v.fail(ex, "nondeterministic", "different rng seeds gave the same mask", tested=tested,
                         problem="calls with two different rng seeds dropped exactly the same units",
                         hint="use the rng you are given; don't create a generator with a fixed seed inside")


@register("dropout_backward", "dropout_backward(dout, mask) -> dX = dout * mask", optional=("dropout_forward",))
def judge_dropout_backward(call, rng):
    ex, name = "dropout_backward", "dX"
    a, b = distinct_sizes(rng, 2)
    for shape in [(a, b), (b + 1, a), (1, int(rng.integers(4, 10)))]:
        p = float(rng.uniform(0.2, 0.6))
        X = rng.standard_normal(shape)
        seed = _seed(rng)
        status = ForwardStatus("dropout_forward")
        mask = (rng.random(shape) >= p) / (1.0 - p)
        if mask.all() or not mask.any():
            mask.flat[0], mask.flat[-1] = 0.0, 1.0 / (1.0 - p)
        ftested = f"dropout_forward(X, p, rng) with X of shape {shape}, p = {p:.4g}"
        if call.has("dropout_forward"):
            fout = call("dropout_forward", X, p, RngSpec(seed))
            try:
                mask = inspect_forward(ex, fout, X, p, ftested)
                status = ForwardStatus("dropout_forward", True, True)
            except CheckFailure as f:
                status = ForwardStatus("dropout_forward", f.mistake != "not_implemented", False,
                                       f.message.split("\n")[0].split(": ", 1)[-1])
        dout = random_upstream(shape, rng)
        tested = f"dropout_backward(dout, mask) with dout and mask of shape {shape}, p = {p:.4g}"
        out = call("impl", dout, mask)
        try:
            got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
            v.check_form(ex, name, got, shape, tested)
            v.check_warnings(ex, out, tested, False)
            v.check_mutation(ex, out, {"dout": dout, "mask": mask}, tested)
            q = 1.0 - p
            v.check_values(ex, name, got, dout * mask, tested, factors={
                1.0 / q: "divided by (1-p) a second time: the mask already holds the 1/(1-p)",
                q: "the 1/(1-p) scaling is missing: multiply by the mask itself"}, alternatives=[
                ("wrong_value", dout, "it equals dout: the mask is not applied"),
                ("wrong_value", mask, "it equals the mask: multiply it with dout"),
            ], hint="the units dropped in the forward pass get no gradient; the kept ones are scaled like in forward")
        except CheckFailure as failure:
            evidence = None
            if status.ok and isinstance(out.value, np.ndarray) and out.value.shape == shape:
                evidence = gradient_evidence(call, "dropout_forward", (X, p, RngSpec(seed)), 0, dout, out.value,
                                             rng, output=0)
            raise consult_forward(failure, status, evidence) from None
