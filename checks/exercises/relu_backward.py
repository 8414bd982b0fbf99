"""Exercise ``relu_backward`` (chapter 08): dZ = dA * relu'(Z), with relu'(Z) = 1 where Z > 0, else 0."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import kinked_cases
from ..gradcheck import random_upstream
from ..oracles import relu, relu_mask
from ..registry import register
from ..relu_slips import check_alternatives, check_relu_slips
from ..runner import run_check

HINT = "chain rule: dZ is dA where Z > 0 and 0 elsewhere (the mask comes from Z, the input of the forward pass)"


@register("relu_backward", "relu_backward(dA, Z) -> dZ = dA * (Z > 0), shaped like Z")
def judge(call, rng: np.random.Generator) -> None:
    """Values against the maths on Z with exact zeros and on |Z| up to 1e3; shape, dtype, inputs unchanged."""
    ex, name = "relu_backward", "dZ"
    for Z, extreme in kinked_cases(rng):
        dA = random_upstream(Z.shape, rng)
        # dA < 0 at one Z > 0 and at one Z < 0: a mask taken from dA then differs from the right mask,
        # from a reversed one and from one that is wrong only at Z = 0
        for spot in (np.flatnonzero(Z > 0)[0], np.flatnonzero(Z < 0)[0]):
            dA.flat[spot] = -abs(dA.flat[spot])
        tested = f"relu_backward(dA, Z) with dA and Z of shape {Z.shape}, float64, " + \
                 ("extreme Z, |Z| up to 1000" if extreme else "Z in [-6, 6], some entries exactly 0")
        out = call("impl", dA, Z)
        got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
        v.check_form(ex, name, got, Z.shape, tested, extreme=extreme)
        v.check_warnings(ex, out, tested, extreme)
        v.check_mutation(ex, out, {"dA": dA, "Z": Z}, tested)
        expected = np.where(Z > 0, dA, 0.0)      # dA * relu'(Z), without the -0.0 of a product
        check_alternatives(ex, name, got, expected, tested, [
            ("wrong_formula", dA * relu(Z), "it equals dA * relu(Z): multiply by ReLU's slope (1 or 0), not "
                                            "by its value"),
            ("wrong_formula", dA * Z, "it equals dA * Z: the local derivative of ReLU is 1 or 0, not Z"),
            ("missing_term", relu_mask(Z), "it equals relu'(Z) alone: the upstream gradient dA is missing"),
            ("missing_term", dA, "it equals dA: the mask (Z > 0) is missing"),
            ("wrong_point", dA * (dA > 0), "it keeps dA where dA > 0: the mask must come from Z, the input of "
                                           "the forward pass, not from the gradient"),
            ("swapped", dA * (Z < 0), "it passes dA where Z < 0 and blocks it where Z > 0: the mask is "
                                      "reversed"),
        ], HINT)
        if not extreme:
            check_relu_slips(ex, name, got, expected, Z, dA, "dA", tested)
            v.check_branches(ex, name, got, expected, tested, Z, hint=HINT)
        v.check_values(ex, name, got, expected, tested, extreme=extreme, hint=HINT)


def check_relu_backward(relu_backward: Callable, *, seed: int | None = None) -> None:
    """Check ``relu_backward(dA, Z) -> dA * (Z > 0)``: values (also at Z = 0), shape, dtype, inputs unchanged."""
    run_check("relu_backward", {"impl": relu_backward}, seed)
