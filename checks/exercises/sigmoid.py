"""Exercise ``sigmoid`` (chapter 02): sigma(z) = 1 / (1 + e^-z), elementwise and stable for |z| up to 1e3."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import elementwise_cases, elementwise_tested
from ..oracles import sigma
from ..registry import register
from ..runner import run_check

HINT = "sigma(0) must be 0.5, sigma of a large positive number close to 1, of a large negative one close to 0"


@register("sigmoid", "sigmoid(z) -> array shaped like z, sigma(z) = 1 / (1 + exp(-z))")
def judge(call, rng: np.random.Generator) -> None:
    """Values, shape, dtype, warnings and input mutation on ordinary and extreme z."""
    ex, name = "sigmoid", "sigmoid(z)"
    for z, extreme in elementwise_cases(rng):
        tested = elementwise_tested(name, z, extreme)
        out = call("impl", z)
        got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
        v.check_form(ex, name, got, z.shape, tested, extreme=extreme)
        v.check_warnings(ex, out, tested, extreme)
        v.check_mutation(ex, out, {"z": z}, tested)
        alternatives = [
            ("sign", sigma(-z), "it equals sigma(-z): check the sign inside the exponential"),
            ("missing_term", np.exp(-z), "it equals exp(-z): the 1 / (1 + ...) is missing"),
            ("wrong_formula", np.tanh(z), "it equals tanh(z): the sigmoid is 1 / (1 + exp(-z))"),
        ]
        if not extreme:
            v.check_branches(ex, name, got, sigma(z), tested, z,
                             hint="a stable sigmoid has two branches: 1 / (1 + exp(-z)) for z >= 0 and "
                                  "exp(z) / (1 + exp(z)) for z < 0")
        v.check_values(ex, name, got, sigma(z), tested, extreme=extreme, alternatives=alternatives, hint=HINT)


def check_sigmoid(sigmoid: Callable, *, seed: int | None = None) -> None:
    """Check ``sigmoid(z)``: values, shape, dtype, and stability for |z| up to 1e3."""
    run_check("sigmoid", {"impl": sigmoid}, seed)
