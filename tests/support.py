"""Helpers shared by the test files (imported as ``from support import ...``)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import numpy as np

from checks import CheckFailure, LocalCaller, judge_exercise
from checks.grading import early_judge


@dataclass(frozen=True)
class Attempt:
    """One implementation a learner might write and the verdict it must get: "pass" or a key of MISTAKES.

    roles: the learner's own forward functions handed to the check too, e.g. {"sigmoid": my_sigmoid}.
    Each ``tests/test_exercise_<name>.py`` lists its ``WRONG`` and ``RIGHT`` attempts.
    """

    label: str
    impl: object
    verdict: str = "pass"
    roles: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.label


def judged(exercise: str, attempt: Attempt, seed: int | None = None) -> str:
    """'pass' or the mistake category that ``exercise``'s judge gives ``attempt`` at ``seed``."""
    try:
        judge_exercise(exercise, LocalCaller({"impl": attempt.impl, **attempt.roles}), seed=seed)
    except CheckFailure as failure:
        return failure.mistake
    return "pass"


def failure_of(check, *functions) -> CheckFailure:
    """The CheckFailure that ``check(*functions)`` raises (AssertionError if it passes)."""
    try:
        check(*functions)
    except CheckFailure as failure:
        return failure
    raise AssertionError(f"{check.__name__} passed; a failure was expected")


def numerical_gradient(f, x, h=1e-6):
    """df/dx by centred differences; f() reads x, which is perturbed in place and restored."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)  # views: x must be contiguous
    assert np.shares_memory(flat, x)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f()
        flat[i] = old - h
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, n):
    """||a - n|| / max(eps, ||a|| + ||n||): DESIGN.md's measure, on the whole array (an entrywise
    ratio would blow up the rounding noise of entries near 0)."""
    return float(np.linalg.norm(a - n) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(n)))


def verdict(check, *functions):
    """'pass' or the mistake category of the CheckFailure."""
    try:
        check(*functions)
    except CheckFailure as failure:
        return failure.mistake
    return "pass"


def not_implemented(*args):
    raise NotImplementedError("write me")


def early_judge_pids() -> set:
    """Pids of the judges started ahead (``checks/grading/early_judge.py``) by graders of this
    environment's Python, still alive."""
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            if early_judge.__name__.encode() in cmdline and sys.prefix.encode() in cmdline:
                found.add(int(entry.name))
    return found
