"""The slips particular to ReLU, named before the generic comparison: a leaky slope, and the kink at 0.

Both ReLU checks (``relu`` and ``relu_backward``) call, after shape, dtype and mutation,
``check_alternatives`` (known wrong formulas), then ``check_relu_slips`` on ordinary inputs, then
``verdict.check_values``.
"""

from __future__ import annotations

import numpy as np

from . import verdict as v


def negative_slope(got: np.ndarray, base: np.ndarray, where: np.ndarray) -> float | None:
    """c if got == c * base on the entries where ``where`` holds, for one c with 0 < |c| < 1, else None.

    got, base, where: arrays of one shape (where boolean)."""
    g, b = got[where], base[where]
    bb = float(np.dot(b, b))
    if bb == 0.0:
        return None
    c = float(np.dot(g, b)) / bb
    if not 1e-6 < abs(c) < 1 - 1e-6:
        return None
    return c if v.close(g, c * b) else None


def check_relu_slips(ex: str, name: str, got: np.ndarray, expected: np.ndarray, z: np.ndarray,
                     base: np.ndarray, base_name: str, tested: str) -> None:
    """Name ``leaky_slope`` (right for z > 0, a constant fraction of ``base`` for z <= 0) and
    ``kink_at_zero`` (right everywhere but at z == 0 exactly).

    got, expected, z, base: arrays of one shape; base (named ``base_name`` in the message) is what a
    leaky ReLU scales for z < 0: z itself in the forward pass, the upstream gradient in the backward pass."""
    zero, negative = z == 0, z < 0
    if v.close(got, expected):
        return
    if zero.any() and v.close(got, expected, zero) and not v.close(got, expected, ~zero):
        at = tuple(int(i) for i in np.unravel_index(np.argmax(np.where(zero, np.abs(got - expected), -1.0)),
                                                     z.shape))
        raise v.fail(ex, "kink_at_zero", f"{name} is right everywhere except where z is exactly 0",
                     tested=tested, problem=f"{name} at index {at}, where z = 0: got {got[at]:.6g}, "
                                            f"expected {expected[at]:.6g}",
                     hint="at z = 0 the course (like PyTorch) takes the slope of ReLU as 0: compare with "
                          "z > 0, not z >= 0 or z < 0", details={"output": name})
    off = negative | zero            # a leaky slope applies at the kink too when written with z > 0
    slope = negative_slope(got, base, off) if negative.any() else None
    if slope is not None and v.close(got, expected, off):
        raise v.fail(ex, "leaky_slope", f"{name} lets {slope:.4g} times {base_name} through for z < 0 "
                                        f"(a leaky ReLU)", tested=tested,
                     problem=f"for z < 0, {name} equals {slope:.4g} * {base_name} instead of 0",
                     hint="plain ReLU is exactly 0 for z < 0 (a leaky ReLU is another activation)",
                     details={"output": name, "slope": slope})


def check_alternatives(ex: str, name: str, got: np.ndarray, expected: np.ndarray, tested: str,
                       alternatives: list, hint: str) -> None:
    """Name a known slip first, before any generic test (branches, sign, scale) could claim it.

    alternatives: (mistake, values, why) triples as ``verdict.check_values`` takes them."""
    for alternative in alternatives:
        if not v.close(got, expected) and v.close(got, alternative[1], rtol=v.LOOSE, atol_rel=v.LOOSE):
            v.check_values(ex, name, got, expected, tested, alternatives=[alternative], hint=hint)
