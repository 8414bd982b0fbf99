"""Exercise ``sigmoid_prime`` (chapter 02): sigma'(z) = sigma(z) (1 - sigma(z)), elementwise and stable."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import elementwise_cases, elementwise_tested
from ..failure import CheckFailure
from ..gradcheck import random_upstream
from ..oracles import sigma, sigma_prime
from ..own_forward import consult_forward, gradient_evidence, verify_forward
from ..registry import register
from ..runner import run_check


def slips(z: np.ndarray) -> list:
    """(mistake, value, explanation) of the classic slips in sigma'(z)."""
    s = sigma(z)
    return [
        ("wrong_formula", s, "it equals sigma(z): that is the function, not its derivative"),
        ("wrong_point", z * (1 - z), "it equals z (1 - z): the formula s (1 - s) was applied to z instead of "
                                     "to s = sigma(z)"),
        ("sign", s * (1 + s), "it equals s (1 + s): the factor is (1 - s)"),
    ]


@register("sigmoid_prime", "sigmoid_prime(z) -> sigma(z) * (1 - sigma(z)), shaped like z")
def judge(call, rng: np.random.Generator) -> None:
    """Values against the maths; the learner's sigmoid (if given) sharpens the diagnosis."""
    ex, name = "sigmoid_prime", "sigmoid_prime(z)"
    for z, extreme in elementwise_cases(rng):
        tested = elementwise_tested(name, z, extreme)
        status = verify_forward(call, "sigmoid", (z,), sigma(z)) if not extreme else None
        out = call("impl", z)
        try:
            got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
            v.check_form(ex, name, got, z.shape, tested, extreme=extreme)
            v.check_warnings(ex, out, tested, extreme)
            v.check_mutation(ex, out, {"z": z}, tested)
            if not extreme:
                v.check_branches(ex, name, got, sigma_prime(z), tested, z)
            v.check_values(ex, name, got, sigma_prime(z), tested, extreme=extreme, factors={2.0: "twice too large"},
                           alternatives=slips(z),
                           hint="sigma'(0) is 0.25 and sigma' is symmetric: sigma'(-z) = sigma'(z)")
        except CheckFailure as failure:
            if status is None:
                raise
            evidence = None
            if isinstance(out.value, np.ndarray) and out.value.shape == z.shape:
                dout = random_upstream(z.shape, rng)
                evidence = gradient_evidence(call, "sigmoid", (z,), 0, dout, dout * out.value, rng)
            raise consult_forward(failure, status, evidence) from None


def check_sigmoid_prime(sigmoid_prime: Callable, sigmoid: Callable | None = None, *, seed: int | None = None) -> None:
    """Check ``sigmoid_prime(z) = sigma(z) (1 - sigma(z))`` (against your sigmoid if given)."""
    run_check("sigmoid_prime", {"impl": sigmoid_prime, "sigmoid": sigmoid}, seed)
