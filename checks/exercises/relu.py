"""Exercise ``relu`` (chapter 08): relu(z) = max(z, 0), elementwise, shaped like z."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import elementwise_tested, kinked_cases
from ..oracles import relu, relu_mask, sigma
from ..registry import register
from ..relu_slips import check_alternatives, check_relu_slips
from ..runner import run_check

HINT = "relu(z) is z where z > 0 and 0 elsewhere, entry by entry (np.maximum compares two arrays entry by entry)"


def _reduced(ex: str, name: str, value, z: np.ndarray, tested: str) -> None:
    """np.max(z, 0) reduces over axis 0 (and np.max(z) over everything): name it rather than the shape."""
    got_shape = np.shape(value) if isinstance(value, (np.ndarray, np.generic)) else None
    if got_shape is None or got_shape == z.shape:
        return
    for reduced, call in ((z.max(axis=0), "np.max(z, 0)"), (z.max(), "np.max(z)")):
        if got_shape == np.shape(reduced) and v.close(value, reduced):
            raise v.fail(ex, "wrong_formula", f"{name} returned the largest entry along an axis instead of an "
                                              f"array shaped like z", tested=tested,
                         problem=f"it returned {v.fmt(value)}, which is {call}",
                         hint="np.max(z, 0) is the maximum over axis 0; the entrywise maximum of z and 0 is "
                              "np.maximum(z, 0)")


@register("relu", "relu(z) -> max(z, 0) entry by entry, shaped like z")
def judge(call, rng: np.random.Generator) -> None:
    """Shape, dtype, mutation and values on ordinary z (some entries exactly 0) and on |z| up to 1e3."""
    ex, name = "relu", "relu(z)"
    for z, extreme in kinked_cases(rng):
        tested = elementwise_tested(name, z, extreme)
        out = call("impl", z)
        value = v.outcome_value(ex, out, tested)
        _reduced(ex, name, value, z, tested)
        got = v.as_array(ex, name, value, tested)
        v.check_form(ex, name, got, z.shape, tested, extreme=extreme)
        v.check_warnings(ex, out, tested, extreme)
        v.check_mutation(ex, out, {"z": z}, tested)
        expected = relu(z)
        check_alternatives(ex, name, got, expected, tested, [
            ("wrong_formula", np.abs(z), "it equals |z|: negative inputs must become 0, not change sign"),
            ("wrong_formula", relu_mask(z), "it equals the derivative (1 where z > 0, else 0), not relu(z) itself"),
            ("wrong_formula", sigma(z), "it equals sigma(z): this chapter's activation is ReLU"),
            ("swapped", np.minimum(z, 0), "it equals min(z, 0): the negative part was kept and the positive "
                                          "part set to 0"),
        ], HINT)
        if not extreme:
            check_relu_slips(ex, name, got, expected, z, z, "z", tested)
            v.check_branches(ex, name, got, expected, tested, z, hint=HINT)
        v.check_values(ex, name, got, expected, tested, extreme=extreme, hint=HINT)


def check_relu(relu: Callable, *, seed: int | None = None) -> None:
    """Check ``relu(z)``: values (also at z = 0 and |z| up to 1e3), shape, dtype, input unchanged."""
    run_check("relu", {"impl": relu}, seed)
