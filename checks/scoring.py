"""Judging every stage of an exercise for its rubric, not only up to the first failure.

``score_stages`` runs the judge, and while it fails, runs it again (same seed, so the same cases)
with the stages already failed waived (``checks.stages.waiving``), until it passes or can go no
further: a ``form`` failure (nothing after it can be judged), a failure of a stage already waived
(a check the judge cannot step over), or the judge itself stumbling over what it was given past a
waived failure (``checker_error`` in the failure's details: not held against ``form``). Every run
that goes on adds a failed stage other than ``form``, so there are at most ``len(STAGES)`` runs.
The first run's failure is the one the learner reads, exactly as without a rubric.
"""

from __future__ import annotations

from dataclasses import dataclass

from .failure import CheckFailure
from .runner import judge_exercise
from .stages import STAGES, waiving

PASSED, FAILED, NOT_JUDGED = "passed", "failed", "not judged"


@dataclass
class StageScore:
    """The verdict of every stage: ``first`` is the failure the learner reads (None if all passed);
    ``stages`` maps each stage of ``STAGES`` to "passed", "failed" or "not judged"; ``stopped_by``
    is the stage whose failure kept the later ones from being judged (None if every stage was)."""

    first: CheckFailure | None
    stages: dict
    stopped_by: str | None = None


def score_stages(name: str, caller, seed: int | None = None) -> StageScore:
    """Judge exercise ``name`` through ``caller`` stage by stage (JudgeUnavailable and a broken caller
    propagate, as from ``judge_exercise``)."""
    failed: list[str] = []
    first = None
    while True:
        try:
            with waiving(failed):
                judge_exercise(name, caller, seed)
        except CheckFailure as failure:
            first = first or failure
            if failed and "checker_error" in failure.details:
                return StageScore(first, _statuses(failed, complete=False), failed[-1])
            if failure.stage == "form" or failure.stage in failed:
                return StageScore(first, _statuses(failed + [failure.stage], complete=False), failure.stage)
            failed.append(failure.stage)
        else:
            return StageScore(first, _statuses(failed, complete=True))


def _statuses(failed: list, complete: bool) -> dict:
    rest = PASSED if complete else NOT_JUDGED
    return {stage: FAILED if stage in failed else rest for stage in STAGES}
