"""The learner's own forward function, given to a backward check: verified, then used in the diagnosis.

The rule (documented in the README): a backward exercise is always judged against its
definition. The learner's forward, when given, is verified on the same case and then used to
sharpen the diagnosis:

- forward right, backward wrong in no more specific way -> ``inconsistent_with_forward``, with
  the gradient check against the numerical derivative of the learner's forward as evidence;
- forward wrong -> the backward's own diagnosis stands, but the first line names the wrong forward
  ("your <forward> is wrong, fix it first"), and a note says whether the backward at least matches
  the derivative of the wrong forward;
- forward right, backward right -> pass (the forward is checked by its own exercise anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .failure import CheckFailure
from .gradcheck import judge_differences, differences_via, sample_indices
from .verdict import close, fail, fmt


@dataclass
class ForwardStatus:
    role: str
    given: bool = False
    ok: bool = False
    reason: str = ""


def verify_forward(call, role: str, args: tuple, expected, output=None) -> ForwardStatus:
    """Evaluate the learner's ``role`` on ``args`` and compare with ``expected`` (never raises)."""
    if not call.has(role):
        return ForwardStatus(role)
    out = call(role, *args)
    if out.error is not None:
        if out.error.get("type") == "NotImplementedError":
            return ForwardStatus(role, given=False, reason="not implemented yet")
        return ForwardStatus(role, True, False, f"it raised {out.error.get('type')}: {out.error.get('message')}")
    value = out.value
    if output is not None:
        value = value[output] if isinstance(value, (tuple, list)) and len(value) > output else None
    exp = np.asarray(expected)
    if not isinstance(value, np.ndarray) or value.shape != exp.shape or value.dtype != np.float64:
        return ForwardStatus(role, True, False, f"it returned {fmt(value)}")
    if not np.all(np.isfinite(value)) or not close(value, exp):
        return ForwardStatus(role, True, False, f"it returned {fmt(value)}, expected {fmt(exp)}")
    return ForwardStatus(role, True, True)


def gradient_evidence(call, role: str, args: tuple, argnum: int, dout, analytic, rng, output=None,
                      max_elements: int = 12):
    """A GradientReport of ``analytic`` against the numerical derivative of the learner's ``role``, or None."""
    analytic = np.asarray(analytic)
    x = args[argnum]
    if not isinstance(x, np.ndarray) or analytic.shape != x.shape:
        return None
    idx = sample_indices(x.size, max_elements, rng)
    diffs, _bad = differences_via(call, role, args, argnum, dout, idx, output=output)
    if diffs is None:
        return None
    return judge_differences(analytic.reshape(-1)[idx], diffs, x.shape, tol=1e-6)


def consult_forward(failure: CheckFailure, status: ForwardStatus, evidence=None) -> CheckFailure:
    """Sharpen ``failure`` of a backward check using the status of the learner's forward."""
    if not status.given or failure.mistake in ("not_implemented",):
        return failure
    if not status.ok:
        agrees = evidence is not None and evidence.passed
        first, _, rest = failure.message.partition("\n")
        summary = first.split(": ", 1)[-1]
        note = (f"\nNote: your {status.role} is wrong ({status.reason}). "
                + ("This result does match the numerical derivative of your " + status.role + ", so "
                   if agrees else "")
                + f"fix {status.role} first (run its check), then come back to this one.")
        message = f"✘ {failure.exercise}: your {status.role} is wrong, fix it first; here {summary}\n{rest}{note}"
        return CheckFailure(failure.exercise, failure.mistake, message, failure.details, failure.stage)
    if failure.mistake == "wrong_value":
        lines = failure.message.split("\n")
        tested = next((ln.split(": ", 1)[1] for ln in lines if ln.startswith("What was tested: ")), "")
        problem = next((ln.split(": ", 1)[1] for ln in lines if ln.startswith("What came out wrong: ")), "")
        summary = lines[0].split(": ", 1)[-1]
        if ":" in summary:            # a named slip, e.g. "dZ is wrong: it equals P / N ..."
            problem = f"{problem}; {summary.split(': ', 1)[-1]}"
        ev = f". Against the numerical derivative of your {status.role} (which is right): {evidence}" \
            if evidence is not None else ""
        out = failure.details.get("output", "the result")
        return fail(failure.exercise, "inconsistent_with_forward",
                    f"{out} disagrees with the derivative of your own {status.role}",
                    tested=tested, problem=problem + ev,
                    hint=f"your {status.role} is right, so differentiate it step by step (chain rule) and "
                         f"compare each factor with your code", details=failure.details)
    return failure
