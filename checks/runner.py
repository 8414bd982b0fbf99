"""Running a check: ``judge_exercise`` (any caller, used by the grader) and ``run_check`` (in-process).

Seeds: each exercise has a fixed default seed, so self-study runs are reproducible. ``seed=`` or
the environment variable ``MLP_LAB_CHECK_SEED`` changes the cases (graders use a secret seed).
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np

from .calling import LocalCaller
from .failure import CheckFailure
from .registry import EXERCISES, PASS_LINE
from .verdict import fail

SEED_ENV = "MLP_LAB_CHECK_SEED"
GRADER_ENV = "MLP_LAB_GRADER"   # set by the grader (checks.grading): judging happens there
STAGES_ENV = "MLP_LAB_STAGES"   # set by `mlp-lab check`: {"file": ..., "exercises": [those with a rubric]}


class JudgeUnavailable(RuntimeError):
    """The judge itself cannot judge (e.g. the data it needs is missing): an error of the set-up, never
    the learner's verdict. Its message says what is missing and how to provide it."""


class _CallerBroke(Exception):
    """The caller itself failed (e.g. the grader lost the kernel): not the learner's verdict."""

    def __init__(self, original: BaseException):
        super().__init__(str(original))
        self.original = original


class _Guarded:
    """Wraps a caller so its own failures pass through the judge untouched."""

    def __init__(self, caller):
        self._caller = caller

    def has(self, role: str) -> bool:
        return self._caller.has(role)

    def __call__(self, role, *args):
        return self.many(role, [tuple(args)])[0]

    def many(self, role, arglists):
        arglists = [tuple(a) for a in arglists]
        try:
            return self._caller.many(role, arglists)
        except Exception as exc:  # noqa: BLE001
            raise _CallerBroke(exc) from exc


def resolve_seed(seed=None) -> int | None:
    """``seed`` if given, else ``MLP_LAB_CHECK_SEED`` if set, else None (the exercise's default)."""
    if seed is None:
        text = os.environ.get(SEED_ENV, "").strip()
        if not text:
            return None
        try:
            seed = int(text)
        except ValueError:
            raise ValueError(f"{SEED_ENV}={text!r} is not an integer; set it to a whole number such as 1234 "
                             f"(or unset it for the default cases)") from None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def judge_exercise(name: str, caller, seed: int | None = None) -> str:
    """Judge exercise ``name`` through ``caller``; return the pass line or raise ``CheckFailure``."""
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; known: {', '.join(sorted(EXERCISES))}")
    exercise = EXERCISES[name]
    rng = np.random.default_rng(exercise.default_seed if seed is None else [exercise.default_seed, int(seed)])
    if not caller.has("impl"):
        raise fail(name, "wrong_type", f"no function was given to check_{name}",
                   hint=f"pass your function: check_{name}({name})")
    try:
        # The judge's own arithmetic (e.g. exp of known-wrong alternatives) must not warn; the
        # learner's calls record their warnings under their own settings inside the caller.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exercise.judge(_Guarded(caller), rng)
    except (CheckFailure, JudgeUnavailable):
        raise
    except _CallerBroke as broke:
        raise broke.original
    except RecursionError as exc:
        raise fail(name, "exception", "checking your function hit a recursion error",
                   problem=str(exc), hint="does your function call itself?") from None
    except Exception as exc:  # noqa: BLE001 - bizarre learner output must still end in a verdict
        raise fail(name, "wrong_type", "the checker could not make sense of what your function returned",
                   problem=f"{type(exc).__name__}: {exc}", details={"checker_error": type(exc).__name__},
                   hint=f"return exactly what the exercise asks for: {exercise.signature}") from None
    return PASS_LINE.format(name=name)


def run_check(name: str, functions: dict, seed: int | None = None) -> None:
    """Check the learner's ``functions`` (role -> function) for exercise ``name``; print the pass line.

    Raises ``CheckFailure`` (an AssertionError) naming the likely mistake; a notebook shows its
    message only, and its frames stay on it for ``%debug``. Under the grader
    (``MLP_LAB_GRADER`` set) the judging happens in the grader's process instead. Under
    ``mlp-lab check`` (``MLP_LAB_STAGES`` set) a failed exercise with a rubric also has its stages noted.
    """
    if os.environ.get(GRADER_ENV):
        from .grading.evaluator import serve

        serve(name, functions)
        return None
    try:
        print(judge_exercise(name, LocalCaller(functions), resolve_seed(seed)))
    except CheckFailure:
        if os.environ.get(STAGES_ENV):
            _note_stages(name, functions, resolve_seed(seed), json.loads(os.environ[STAGES_ENV]))
        raise
    return None


def _note_stages(name: str, functions: dict, seed: int | None, wanted: dict) -> None:
    """If ``name`` is among ``wanted["exercises"]``, append ``{"exercise": name, "stages": {stage: status}}``
    to the file ``wanted["file"]`` (one JSON line per failed check): ``mlp-lab check`` shows its partial points."""
    from .scoring import score_stages

    if name in wanted["exercises"]:
        score = score_stages(name, LocalCaller(functions), seed)
        with open(wanted["file"], "a", encoding="utf-8") as f:
            f.write(json.dumps({"exercise": name, "stages": score.stages}) + "\n")
