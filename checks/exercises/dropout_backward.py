"""Exercise ``dropout_backward`` (chapter 05): dX = dout * mask (the mask already holds the 1/(1-p))."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..calling import RngSpec
from ..cases import distinct_sizes
from ..dropout_mask import inspect_forward
from ..failure import CheckFailure
from ..gradcheck import random_upstream
from ..own_forward import ForwardStatus, consult_forward, gradient_evidence
from ..registry import register
from ..runner import run_check


def _own_mask(call, X: np.ndarray, p: float, seed: int, mask: np.ndarray) -> tuple:
    """(mask, status): the learner's dropout_forward mask if it is given and sound, else ``mask``."""
    if not call.has("dropout_forward"):
        return mask, ForwardStatus("dropout_forward")
    tested = f"dropout_forward(X, p, rng) with X of shape {X.shape}, p = {p:.4g}"
    try:
        own = inspect_forward("dropout_backward", call("dropout_forward", X, p, RngSpec(seed)), X, p, tested)
    except CheckFailure as f:
        return mask, ForwardStatus("dropout_forward", f.mistake != "not_implemented", False,
                                   f.message.split("\n")[0].split(": ", 1)[-1])
    return own, ForwardStatus("dropout_forward", True, True)


@register("dropout_backward", "dropout_backward(dout, mask) -> dX = dout * mask")
def judge(call, rng: np.random.Generator) -> None:
    """dX against dout * mask, with masks from the learner's dropout_forward when given."""
    ex, name = "dropout_backward", "dX"
    a, b = distinct_sizes(rng, 2)
    for shape in [(a, b), (b + 1, a), (1, int(rng.integers(4, 10)))]:
        p = float(rng.uniform(0.2, 0.6))
        X = rng.standard_normal(shape)
        seed = int(rng.integers(0, 2**31 - 1))
        mask = (rng.random(shape) >= p) / (1.0 - p)
        if mask.all() or not mask.any():
            mask.flat[0], mask.flat[-1] = 0.0, 1.0 / (1.0 - p)
        mask, status = _own_mask(call, X, p, seed, mask)
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
                ("missing_term", dout, "it equals dout: the mask is not applied"),
                ("missing_term", mask, "it equals the mask: multiply it with dout"),
            ], hint="the units dropped in the forward pass get no gradient; the kept ones are scaled like in forward")
        except CheckFailure as failure:
            evidence = None
            if status.ok and isinstance(out.value, np.ndarray) and out.value.shape == shape:
                evidence = gradient_evidence(call, "dropout_forward", (X, p, RngSpec(seed)), 0, dout, out.value,
                                             rng, output=0)
            raise consult_forward(failure, status, evidence) from None


def check_dropout_backward(dropout_backward: Callable, dropout_forward: Callable | None = None, *,
                           seed: int | None = None) -> None:
    """Check ``dropout_backward(dout, mask) -> dout * mask`` (with masks from your dropout_forward if given)."""
    run_check("dropout_backward", {"impl": dropout_backward, "dropout_forward": dropout_forward}, seed)

