"""Judging an optimizer step over consecutive calls: in place, with the caller's state dict, torch's rule.

An optimizer-step exercise is ``step(param, grad, state, lr, *hyper)``: it changes ``param`` in
place, keeps what it needs between steps in ``state`` (a dict the caller owns; ``{}`` at first)
and returns nothing. The judge calls it ``len(grads)`` times in a row, passing back the state the
previous call left, with a learning rate that changes from step to step (as a schedule does),
and compares every iterate with the reference rule; a mismatch is named after the known slip whose
trajectory it follows.
"""

from __future__ import annotations

import numpy as np

from . import verdict as v
from .calling import Opaque
from .cases import distinct_sizes

N_STEPS = 5


def step_cases(rng: np.random.Generator, hypers: list) -> list:
    """(param0, grads, lrs, hyper) per case: a non-square matrix, a vector, a 1 x k row.

    Gradients are small (about 0.01 to 0.3), so that an ``eps`` of 1e-3 matters; the learning rate
    falls by a factor 0.8 per step. hypers: one dict of hyper-parameters per case (in call order).
    """
    a, b = distinct_sizes(rng, 2)
    shapes = [(a, b), (int(rng.integers(4, 9)),), (1, int(rng.integers(3, 7)))]
    cases = []
    for shape, hyper in zip(shapes, hypers):
        p0 = rng.standard_normal(shape)
        scale = rng.uniform(0.01, 0.3, size=shape)
        grads = [rng.standard_normal(shape) * scale for _ in range(N_STEPS)]
        lr0 = float(rng.uniform(0.02, 0.2))
        cases.append((p0, grads, [lr0 * 0.8 ** k for k in range(N_STEPS)], dict(hyper)))
    return cases


def trajectory(step, p0: np.ndarray, grads: list, lrs: list, hyper: dict, keep_state: bool = True) -> list:
    """The iterates [param after step 1, ...] of ``step`` from ``p0``; keep_state=False starts each step from {}."""
    p, state, out = p0.copy(), {}, []
    for g, lr in zip(grads, lrs):
        step(p, g, state if keep_state else {}, lr, *hyper.values())
        out.append(p.copy())
    return out


def _contains_opaque(value) -> bool:
    if isinstance(value, Opaque):
        return True
    if isinstance(value, dict):
        return any(_contains_opaque(x) for x in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_opaque(x) for x in value)
    return False


def judge_step(call, ex: str, cases: list, reference, slips: list, hint: str, nonfinite=None) -> None:
    """Pass silently or raise CheckFailure.

    reference: the right ``step``; slips: (mistake, wrong step, why) whose trajectories name a
    mismatch; nonfinite: (mistake, summary, hint) to report when the iterates turn nan or inf
    although the gradients are ordinary (a division by zero the exercise is known for).
    """
    for p0, grads, lrs, hyper in cases:
        hyper_text = ", ".join(f"{k} = {val:.4g}" for k, val in hyper.items())
        tested = (f"{N_STEPS} consecutive calls {ex}(param, grad, state, lr, {', '.join(hyper)}) on a float64 "
                  f"param of shape {p0.shape}, state starting as {{}} and passed back each time, "
                  f"lr = {', '.join(f'{lr:.4g}' for lr in lrs)} (a schedule), {hyper_text}")
        p, state, iterates, returned = p0.copy(), {}, [], None
        for k, (g, lr) in enumerate(zip(grads, lrs)):
            out = call("impl", p, g, state, lr, *hyper.values())
            returned = v.outcome_value(ex, out, tested)
            v.check_mutation(ex, out, {"param": None, "grad": g}, tested)
            p_after, state_after = out.args_after[0], out.args_after[2]
            if not isinstance(state_after, dict) or _contains_opaque(state_after):
                raise v.fail(ex, "wrong_type", "the state dict must hold only arrays and numbers under string keys",
                             tested=tested, problem=f"after step {k + 1} state was {v.fmt(state_after)}",
                             hint="store NumPy arrays and numbers in it, e.g. state['m'] = np.zeros_like(param)")
            v.check_warnings(ex, out, tested, False)
            iterates.append(p_after)
            p, state = p_after, state_after
        if all(np.array_equal(after, before) for after, before in zip(iterates, [p0] + iterates[:-1])):
            gave = (" Your function returned an array instead: the caller never sees it." if
                    isinstance(returned, np.ndarray) else "")
            raise v.fail(ex, "not_in_place", "param did not change", tested=tested,
                         problem=f"after {N_STEPS} calls the caller's param still holds its starting values.{gave}",
                         hint="update the array you were given: `param -= ...` (or `param[...] = ...`); "
                              "`param = param - ...` only binds a new array to your local name")
        expected = trajectory(reference, p0, grads, lrs, hyper)
        alts = [(m, trajectory(step, p0, grads, lrs, hyper), why) for m, step, why in slips]
        alts.append(("not_in_place", trajectory(reference, p0, grads, lrs, hyper, keep_state=False),
                     "every step starts from an empty state: fill the dict you were given "
                     "(state['...'] = ...) instead of binding a new dict to the name"))
        # Compare the updates (param after minus param before): a slip shows at the step it happens.
        before, exp_before = p0, p0
        alt_before = [p0] * len(alts)
        for k, got in enumerate(iterates):
            name = f"the update of step {k + 1} (param after minus param before)"
            if nonfinite is not None and not np.all(np.isfinite(got)):
                mistake, summary, why = nonfinite
                raise v.fail(ex, mistake, f"param after step {k + 1} is nan or inf: {summary}", tested=tested,
                             problem=f"param after step {k + 1} is {v.fmt(got)}", hint=why)
            v.check_form(ex, f"param after step {k + 1}", got, p0.shape, tested)
            v.check_values(ex, name, got - before, expected[k] - exp_before, tested, hint=hint,
                           factors={lrs[k]: f"lr = {lrs[k]:.4g} times the expected update: is lr applied twice?"},
                           alternatives=[(m, alt[k] - a_before, why) for (m, alt, why), a_before in zip(alts, alt_before)])
            before, exp_before = got, expected[k]
            alt_before = [alt[k] for _, alt, _ in alts]
