"""Judging one ``dropout_forward(X, p, rng) -> (out, mask)`` result by its properties.

The learner's random draw can't be predicted, so a mask is judged statistically: its entries are
0 or 1/(1-p), out = X * mask, the number of dropped units lies in a binomial interval around p * size,
and pairs of rows (and of columns) agree about as often as independent draws do, so a mask drawn once
per row or per column and repeated fails. Each statistical test fails a correct implementation with
probability below ``ALPHA``; a check runs fewer than 20 of them, so below one in a million in all.
"""

from __future__ import annotations

import math

import numpy as np

from . import verdict as v

ALPHA = 5e-8


def binomial_interval(n: int, q: float, alpha: float = ALPHA) -> tuple:
    """(lo, hi): counts with P(Binomial(n, q) < lo) + P(Binomial(n, q) > hi) <= alpha (exact tails)."""
    if q <= 0.0 or q >= 1.0:
        count = 0 if q <= 0.0 else n
        return count, count
    k = np.arange(n + 1)
    log_pmf = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k]) \
        + k * math.log(q) + (n - k) * math.log1p(-q)
    pmf = np.exp(log_pmf - log_pmf.max())
    pmf /= pmf.sum()
    below, above = np.cumsum(pmf), np.cumsum(pmf[::-1])[::-1]
    lo = int(np.argmax(below > alpha / 2))            # first count whose lower tail exceeds alpha / 2
    hi = int(n - np.argmax(above[::-1] > alpha / 2))  # last count whose upper tail exceeds alpha / 2
    return lo, hi


def inspect_forward(ex: str, out, X: np.ndarray, p: float, tested: str, who: str = "dropout_forward") -> np.ndarray:
    """Check one outcome's form, mask levels and out = X * mask; return the mask (or raise CheckFailure)."""
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
            raise v.fail(ex, "swapped", "the mask is scaled by 1/p: p was taken as the keep probability",
                         tested=tested, problem=problem, hint="p is the probability of DROPPING a unit; a unit is "
                                                              "kept with probability 1 - p", details={"output": "mask"})
        if kept.size == 1 and p > 0:
            raise v.fail(ex, "scale", "kept units are not scaled by 1/(1-p)", tested=tested, problem=problem,
                         hint="inverted dropout scales the kept units up so the expected output equals X; put "
                              "that factor into the mask", details={"output": "mask", "factor": float(kept[0]) / keep})
        if kept.size == 1 and p == 0:
            raise v.fail(ex, "scale", "at p = 0 the mask must be all ones", tested=tested, problem=problem,
                         hint="nothing is dropped at p = 0 and 1/(1-0) = 1, so out == X", details={"output": "mask"})
        raise v.fail(ex, "wrong_value", "mask values are not 0 or 1/(1-p)", tested=tested, problem=problem,
                     hint="each entry is either dropped (0) or kept and scaled (1/(1-p))", details={"output": "mask"})
    v.check_values(ex, "out", res, X * mask, tested, alternatives=[
        ("missing_term", X, "out equals X: the mask was not applied"),
    ], hint="out = X * mask, entry by entry")
    return mask


def check_dropped_fraction(ex: str, mask: np.ndarray, p: float, tested: str) -> None:
    """The number of zeros must lie in the binomial interval for ``mask.size`` draws at p."""
    n, dropped = mask.size, int(np.sum(mask == 0))
    lo, hi = binomial_interval(n, p)
    if lo <= dropped <= hi:
        return
    if p == 0.0:
        raise v.fail(ex, "wrong_value", f"{dropped} of {n} units were dropped at p = 0", tested=tested,
                     problem=f"{dropped} of {n} mask entries are 0; at p = 0 none is, and out == X",
                     hint="p = 0 means keep everything: the mask is all ones", details={"output": "mask"})
    problem = f"{dropped} of {n} mask entries are 0 for p = {p:.4g}; a correct dropout drops between {lo} and {hi}"
    swapped_lo, swapped_hi = binomial_interval(n, 1.0 - p)
    if p != 0.5 and swapped_lo <= dropped <= swapped_hi:
        raise v.fail(ex, "swapped", f"about {dropped / n:.0%} of the units were dropped, expected about {p:.0%}: "
                     f"keeping and dropping are swapped", tested=tested, problem=problem,
                     hint="p is the probability of DROPPING a unit: keep a unit where rng.random(...) >= p",
                     details={"output": "mask"})
    direction = "too many" if dropped > hi else "too few"
    raise v.fail(ex, "wrong_value", f"{direction} units were dropped: {dropped / n:.0%} where about {p:.0%} is expected",
                 tested=tested, problem=problem, hint="drop each unit independently with probability p",
                 details={"output": "mask"})


def check_independence(ex: str, mask: np.ndarray, p: float, tested: str) -> None:
    """Disjoint pairs of rows (then of columns) must agree entry by entry as often as independent draws do:
    Binomial(pairs * length, p^2 + (1-p)^2). A mask drawn per row or per column and repeated agrees everywhere."""
    if p <= 0.0 or p >= 1.0:
        return
    q = p * p + (1.0 - p) * (1.0 - p)
    for axis, along, each in ((0, "rows", "column"), (1, "columns", "row")):
        m = np.moveaxis(mask != 0, axis, 0)
        pairs = m.shape[0] // 2
        if pairs == 0:
            continue
        agree = int(np.sum(m[0:2 * pairs:2] == m[1:2 * pairs:2]))
        n = pairs * int(np.prod(m.shape[1:]))
        lo, hi = binomial_interval(n, q)
        if agree > hi:
            raise v.fail(ex, "wrong_axis", f"the mask repeats across {along}: the units are not dropped independently",
                         tested=tested, problem=f"neighbouring {along} of the mask agree in {agree} of {n} places; "
                                                f"independent draws agree in at most {hi}",
                         hint=f"draw one random number per entry, rng.random(X.shape), not one per {each} "
                              f"that is then repeated", details={"output": "mask"})
