"""Judges for sigmoid, sigmoid_prime and sigmoid_backward (elementwise, any shape, stable at |z| = 1e3)."""

from __future__ import annotations

import numpy as np

from . import verdict as v
from .cases import elementwise_arrays, extreme_array
from .failure import CheckFailure
from .forward import consult_forward, gradient_evidence, verify_forward
from .gradcheck import random_upstream
from .registry import register


def sigma(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), evaluated without overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigma_prime(z: np.ndarray) -> np.ndarray:
    """sigma'(z) = e^-|z| / (1 + e^-|z|)^2 (symmetric, stable)."""
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def _cases(rng):
    return [(z, False) for z in elementwise_arrays(rng)] + [(extreme_array(rng), True)]


def _tested(call_text: str, z: np.ndarray, extreme: bool) -> str:
    values = "extreme values, |z| up to 1000" if extreme else "values in [-6, 6]"
    return f"{call_text} with z of shape {z.shape}, float64, {values}"


@register("sigmoid", "sigmoid(z) -> array shaped like z, sigma(z) = 1 / (1 + exp(-z))")
def judge_sigmoid(call, rng):
    ex, name = "sigmoid", "sigmoid(z)"
    for z, extreme in _cases(rng):
        tested = _tested(name, z, extreme)
        out = call("impl", z)
        got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
        v.check_form(ex, name, got, z.shape, tested, extreme=extreme)
        v.check_warnings(ex, out, tested, extreme)
        v.check_mutation(ex, out, {"z": z}, tested)
        v.check_values(ex, name, got, sigma(z), tested, extreme=extreme, alternatives=[
            ("sign", sigma(-z), "it equals sigma(-z): check the sign inside the exponential"),
            ("wrong_value", np.exp(-z), "it equals exp(-z): the 1 / (1 + ...) is missing"),
        ], hint="sigma(0) must be 0.5, sigma of a large positive number close to 1, of a large negative one close to 0")


@register("sigmoid_prime", "sigmoid_prime(z) -> sigma(z) * (1 - sigma(z)), shaped like z", optional=("sigmoid",))
def judge_sigmoid_prime(call, rng):
    ex, name = "sigmoid_prime", "sigmoid_prime(z)"
    for z, extreme in _cases(rng):
        tested = _tested(name, z, extreme)
        status = verify_forward(call, "sigmoid", (z,), sigma(z)) if not extreme else None
        out = call("impl", z)
        try:
            got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
            v.check_form(ex, name, got, z.shape, tested, extreme=extreme)
            v.check_warnings(ex, out, tested, extreme)
            v.check_mutation(ex, out, {"z": z}, tested)
            v.check_values(ex, name, got, sigma_prime(z), tested, extreme=extreme, factors={2.0: "twice too large"}, alternatives=[
                ("wrong_value", sigma(z), "it equals sigma(z): that is the function, not its derivative"),
                ("wrong_value", z * (1 - z), "it equals z (1 - z): compute s = sigma(z) first, then s (1 - s)"),
                ("wrong_value", sigma(z) * (1 + sigma(z)), "it equals s (1 + s): the factor is (1 - s)"),
            ], hint="sigma'(0) is 0.25 and sigma' is symmetric: sigma'(-z) = sigma'(z)")
        except CheckFailure as failure:
            if status is None:
                raise
            evidence = None
            if isinstance(out.value, np.ndarray) and out.value.shape == z.shape:
                dout = random_upstream(z.shape, rng)
                evidence = gradient_evidence(call, "sigmoid", (z,), 0, dout, dout * out.value, rng)
            raise consult_forward(failure, status, evidence) from None


@register("sigmoid_backward", "sigmoid_backward(dA, Z) -> dZ = dA * sigma'(Z), shaped like Z", optional=("sigmoid",))
def judge_sigmoid_backward(call, rng):
    ex, name = "sigmoid_backward", "dZ"
    for Z, extreme in _cases(rng):
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
            v.check_values(ex, name, got, dA * sigma_prime(Z), tested, extreme=extreme, factors={2.0: "twice too large"}, alternatives=[
                ("wrong_value", dA * s, "it equals dA * sigma(Z): multiply by the derivative sigma'(Z), not sigma(Z)"),
                ("wrong_value", sigma_prime(Z), "it equals sigma'(Z) alone: the upstream gradient dA is missing"),
                ("wrong_value", dA * Z * (1 - Z), "it equals dA * Z (1 - Z): Z is the input of the sigmoid, "
                                                  "so apply sigma to it first"),
                ("wrong_value", dA, "it equals dA: the local derivative sigma'(Z) is missing"),
            ], hint="chain rule: dZ = dA times the local derivative, entry by entry")
        except CheckFailure as failure:
            if status is None:
                raise
            evidence = gradient_evidence(call, "sigmoid", (Z,), 0, dA, out.value, rng) \
                if isinstance(out.value, np.ndarray) and out.value.shape == Z.shape else None
            raise consult_forward(failure, status, evidence) from None
