"""Exercise ``sigmoid_backward`` (chapter 03): dZ = dA * sigma'(Z), elementwise, stable for |Z| up to 1e3."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import elementwise_cases
from ..failure import CheckFailure
from ..gradcheck import random_upstream
from ..oracles import sigma, sigma_prime
from ..own_forward import consult_forward, gradient_evidence, verify_forward
from ..registry import register
from ..runner import run_check


@register("sigmoid_backward", "sigmoid_backward(dA, Z) -> dZ = dA * sigma'(Z), shaped like Z")
def judge(call, rng: np.random.Generator) -> None:
    """Values against the maths; the learner's sigmoid (if given) sharpens the diagnosis."""
    ex, name = "sigmoid_backward", "dZ"
    for Z, extreme in elementwise_cases(rng):
        dA = random_upstream(Z.shape, rng)
        tested = f"sigmoid_backward(dA, Z) with dA and Z of shape {Z.shape}, float64, " + \
                 ("extreme Z, |Z| up to 1000" if extreme else "Z in [-6, 6]")
        status = verify_forward(call, "sigmoid", (Z,), sigma(Z)) if not extreme else None
        out = call("impl", dA, Z)
        try:
            got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
            v.check_form(ex, name, got, Z.shape, tested, extreme=extreme)
            v.check_warnings(ex, out, tested, extreme)
            v.check_mutation(ex, out, {"dA": dA, "Z": Z}, tested)
            s = sigma(Z)
            if not extreme:
                v.check_branches(ex, name, got, dA * sigma_prime(Z), tested, Z)
            v.check_values(ex, name, got, dA * sigma_prime(Z), tested, extreme=extreme,
                           factors={2.0: "twice too large"}, alternatives=[
                ("wrong_formula", dA * s, "it equals dA * sigma(Z): multiply by the derivative sigma'(Z), "
                                          "not sigma(Z)"),
                ("missing_term", sigma_prime(Z), "it equals sigma'(Z) alone: the upstream gradient dA is missing"),
                ("wrong_point", dA * Z * (1 - Z), "it equals dA * Z (1 - Z): Z is the input of the sigmoid, "
                                                  "so apply sigma to it first"),
                ("wrong_point", dA * sigma_prime(s), "it equals dA * sigma'(sigma(Z)): sigma' was evaluated at "
                                                     "the activation A = sigma(Z) instead of at Z"),
                ("missing_term", dA, "it equals dA: the local derivative sigma'(Z) is missing"),
                ("sign", dA * s * (1 + s), "it equals dA * s (1 + s): the factor is (1 - s)"),
            ], hint="chain rule: dZ = dA times the local derivative, entry by entry")
        except CheckFailure as failure:
            if status is None:
                raise
            evidence = gradient_evidence(call, "sigmoid", (Z,), 0, dA, out.value, rng) \
                if isinstance(out.value, np.ndarray) and out.value.shape == Z.shape else None
            raise consult_forward(failure, status, evidence) from None


def check_sigmoid_backward(sigmoid_backward: Callable, sigmoid: Callable | None = None, *,
                           seed: int | None = None) -> None:
    """Check ``sigmoid_backward(dA, Z) -> dA * sigma'(Z)`` (against your sigmoid if given)."""
    run_check("sigmoid_backward", {"impl": sigmoid_backward, "sigmoid": sigmoid}, seed)
