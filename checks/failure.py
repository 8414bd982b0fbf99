"""``CheckFailure``: the one exception a failed check raises, with the likely mistake named."""

from __future__ import annotations

import numpy as np

from .mistakes import MISTAKES
from .stages import STAGES, stage_of

_RED, _RESET = "\x1b[1;31m", "\x1b[0m"   # ANSI bold red, as IPython colours its own tracebacks


class CheckFailure(AssertionError):
    """A failed check: ``.exercise``, ``.mistake`` (a key of ``MISTAKES``), ``.stage`` (a key of
    ``STAGES``, by default ``stage_of(mistake)``) and a message for a person.

    The message's first line is ``✘ <exercise>: <summary>``. ``details`` holds a few JSON-able
    facts (which output, where) for graders and tests.
    """

    def __init__(self, exercise: str, mistake: str, message: str, details: dict | None = None,
                 stage: str | None = None):
        if mistake not in MISTAKES:
            raise ValueError(f"unknown mistake category {mistake!r}; use one of {sorted(MISTAKES)}")
        stage = stage_of(mistake) if stage is None else stage
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; use one of {list(STAGES)}")
        super().__init__(message)
        self.exercise = str(exercise)
        self.mistake = mistake
        self.message = str(message)
        self.details = dict(details or {})
        self.stage = stage

    def __str__(self) -> str:
        return self.message

    def _render_traceback_(self) -> list[str]:
        """What IPython/Jupyter show for this failure: the message alone, its first line in red.

        No frames: they are the checker's, not the learner's. They stay on the exception for
        debugging (``%debug`` in the next cell, or ``traceback.print_exception(sys.last_value)``).
        """
        first, *rest = self.message.split("\n")
        return [f"{_RED}{first}{_RESET}", *rest]

    def __reduce__(self):
        return (CheckFailure, (self.exercise, self.mistake, self.message, self.details, self.stage))

    def to_dict(self) -> dict:
        """``{"data": JSON-able dict, "arrays": {}}`` (the same layout as ``Outcome.to_dict``)."""
        details = {str(k): _plain(v) for k, v in self.details.items()}
        return {"data": {"exercise": self.exercise, "mistake": self.mistake, "stage": self.stage,
                         "message": self.message, "details": details}, "arrays": {}}

    @classmethod
    def from_dict(cls, d: dict) -> "CheckFailure":
        """Inverse of ``to_dict``; refuses anything malformed with ValueError."""
        if not isinstance(d, dict) or not isinstance(d.get("data"), dict):
            raise ValueError("CheckFailure.from_dict: expected {'data': {...}, 'arrays': {...}}")
        data = d["data"]
        for key in ("exercise", "mistake", "message"):
            if not isinstance(data.get(key), str):
                raise ValueError(f"CheckFailure.from_dict: field {key!r} must be a string")
        details = data.get("details") or {}
        if not isinstance(details, dict):
            raise ValueError("CheckFailure.from_dict: 'details' must be a dict")
        stage = data.get("stage")
        if stage is not None and stage not in STAGES:
            raise ValueError(f"CheckFailure.from_dict: unknown stage {stage!r}")
        return cls(data["exercise"], data["mistake"], data["message"], details, stage)


def _plain(v):
    """A JSON-able copy of a small detail value (numbers, strings, lists of them)."""
    if isinstance(v, (str, bool)) or v is None:
        return v
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if np.isfinite(v) else repr(float(v))
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_plain(x) for x in list(np.asarray(v, dtype=object).ravel()[:50])] \
            if isinstance(v, np.ndarray) else [_plain(x) for x in v][:50]
    return repr(v)[:200]
