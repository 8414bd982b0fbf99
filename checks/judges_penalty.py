"""Judges for l2_penalty (0.5 lam sum W^2, lam W) and l1_penalty (lam sum |W|, lam sign W)."""

from __future__ import annotations

import numpy as np

from . import verdict as v
from .cases import distinct_sizes
from .registry import register


def _cases(rng, with_zeros: bool = False):
    """(W, lam): a non-square matrix, a vector, a 1 x k matrix; lam never 1 or 0.5 (so it can't hide)."""
    a, b = distinct_sizes(rng, 2)
    shapes = [(a, b), (int(rng.integers(4, 9)),), (1, int(rng.integers(3, 7)))]
    cases = []
    for i, s in enumerate(shapes):
        W = rng.standard_normal(s)
        if with_zeros and i == 0:
            W.flat[rng.choice(W.size, size=2, replace=False)] = 0.0   # the kink of |w|
        cases.append((W, float(rng.uniform(0.05, 0.45))))
    return cases


def _judge_penalty(call, ex, cases, value_fn, grad_fn, value_hint, grad_hint, value_alts, grad_alts,
                   kink_at_zero=False):
    for W, lam in cases:
        tested = f"{ex}(W, lam) with W of shape {W.shape}, float64, lam = {lam:.4g}"
        out = call("impl", W, lam)
        R, dW = v.as_tuple(ex, v.outcome_value(ex, out, tested), ("penalty", "dW"), tested)
        R = v.as_scalar(ex, "penalty", R, tested, per_entry=W.shape)
        dW = v.as_array(ex, "dW", dW, tested)
        v.check_form(ex, "dW", dW, W.shape, tested)
        if not np.isfinite(R):
            raise v.fail(ex, "nan_or_inf", f"the penalty is {R}", tested=tested, problem=f"penalty = {R}",
                         hint="look for a division by zero")
        v.check_warnings(ex, out, tested, False)
        v.check_mutation(ex, out, {"W": W}, tested)
        factors = {2.0: "twice too large: check the factor 1/2", 0.5: "half the expected size: check the factor 1/2",
                   1.0 / lam: f"1/lam = {1 / lam:.4g} times too large: lam is missing",
                   float(W.size): f"{W.size} times too large", 1.0 / W.size: f"divided by the number of weights "
                                                                             f"{W.size}: a mean instead of a sum?"}
        v.check_values(ex, "penalty", R, value_fn(W, lam), tested, scalar=True, factors=factors,
                       alternatives=[(m, a(W, lam), why) for m, a, why in value_alts], hint=value_hint)
        zeros = (W == 0.0) if kink_at_zero else None
        if zeros is not None and zeros.any():
            # At w = 0 |w| has a kink: any subgradient in [-lam, lam] is accepted there.
            bad = zeros & ~(np.abs(dW) <= lam * (1 + 1e-12))
            if bad.any():
                where = tuple(int(i) for i in np.argwhere(bad)[0])
                raise v.fail(ex, "wrong_value", "dW at a zero weight is outside [-lam, lam]", tested=tested,
                             problem=f"dW{where} = {dW[where]:.6g} where W{where} = 0",
                             hint="at w = 0 the derivative of |w| is taken as 0 (np.sign(0) is 0)",
                             details={"output": "dW"})
        v.check_values(ex, "dW", dW, grad_fn(W, lam), tested, factors=factors, ignore=zeros,
                       alternatives=[(m, a(W, lam), why) for m, a, why in grad_alts], hint=grad_hint)


@register("l2_penalty", "l2_penalty(W, lam) -> (0.5 * lam * sum(W**2), lam * W)")
def judge_l2_penalty(call, rng):
    _judge_penalty(
        call, "l2_penalty", _cases(rng),
        lambda W, lam: 0.5 * lam * np.sum(W * W), lambda W, lam: lam * W,
        "R = (lam / 2) times the sum of all squared weights", "dW is the derivative of R with respect to each weight",
        [("wrong_value", lambda W, lam: 0.5 * lam * np.sum(np.abs(W)), "that is an L1 penalty: square the weights"),
         ("wrong_value", lambda W, lam: 0.5 * lam * np.sum(W) ** 2, "the weights are summed before squaring: "
                                                                     "square each weight, then add up")],
        [("wrong_value", lambda W, lam: lam * np.sign(W), "that is the L1 gradient; L2 gives lam * W"),
         ("wrong_value", lambda W, lam: 0.5 * lam * W * W, "that is the penalty per weight, not its derivative")])


@register("l1_penalty", "l1_penalty(W, lam) -> (lam * sum(abs(W)), lam * sign(W))")
def judge_l1_penalty(call, rng):
    _judge_penalty(
        call, "l1_penalty", _cases(rng, with_zeros=True),
        lambda W, lam: lam * np.sum(np.abs(W)), lambda W, lam: lam * np.sign(W),
        "R = lam times the sum of the absolute values of all weights",
        "d|w|/dw is +1 for w > 0 and -1 for w < 0",
        [("wrong_value", lambda W, lam: lam * np.sum(W), "the absolute value is missing: negative weights must "
                                                         "add to the penalty too"),
         ("wrong_value", lambda W, lam: 0.5 * lam * np.sum(W * W), "that is an L2 penalty: use |W|")],
        [("wrong_value", lambda W, lam: lam * W, "that is the L2 gradient; L1 gives lam * sign(W)"),
         ("wrong_value", lambda W, lam: lam * np.abs(W), "it equals lam |W|: the derivative of |w| is its sign")],
        kink_at_zero=True)
