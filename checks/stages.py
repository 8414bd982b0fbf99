"""The stages of a verdict, which failure belongs to which, and rubrics that split points over them.

Every judge walks through the same stages for each case: the function runs and returns the right
types and shapes (``form``), then it is stable on extreme inputs (``stability``), leaves its inputs
alone (``inputs``) and gives the right values (``values``). ``stage_of`` decides, in this one place,
which stage a failure belongs to; a rubric in a check cell's metadata gives each stage its points::

    {"mlp_lab": {"exercise": "sigmoid", "kind": "check", "points": 4,
                 "rubric": {"form": 1, "values": 1, "stability": 1, "inputs": 1}}}

To score every stage, a judge is run again with the stages already failed *waived*: ``reject``
then lets their failures pass silently, so the judge goes on to the next check (``checks.scoring``).
"""

from __future__ import annotations

import contextlib
import contextvars

#: stage -> what passing it means, in the words the feedback uses (in the order a case is judged)
STAGES: dict[str, str] = {
    "form": "runs and returns the right types and shapes",
    "stability": "stays right on extreme inputs (no overflow warning, nan, inf or wrong value there)",
    "inputs": "leaves its input arrays unchanged",
    "values": "gives the right values on ordinary inputs",
}

#: mistakes that always belong to one stage; every other mistake is about the values
_STAGE_OF_MISTAKE = {
    "not_implemented": "form", "exception": "form", "wrong_type": "form", "wrong_shape": "form",
    "wrong_dtype": "form", "overflow": "stability", "mutates_input": "inputs",
}


def stage_of(mistake: str, layout: bool = False, extreme: bool = False) -> str:
    """The stage a failure with ``mistake`` belongs to.

    layout: the failure is about an output's shape (e.g. ``transposed`` or ``not_summed_over_batch``
    found by its shape), so it is a ``form`` failure whatever the mistake; the same mistake found in
    the values is a ``values`` failure. extreme: the failure is about values on extreme input, so a
    ``values`` failure there is a ``stability`` one. A wrong gradient that disagrees with the learner's
    own forward (``inconsistent_with_forward``) is a ``values`` failure: it is how a backward's values
    are diagnosed.
    """
    if layout:
        return "form"
    stage = _STAGE_OF_MISTAKE.get(mistake, "values")
    return "stability" if extreme and stage == "values" else stage


_WAIVED: contextvars.ContextVar[frozenset] = contextvars.ContextVar("mlp_lab_waived_stages", default=frozenset())


@contextlib.contextmanager
def waiving(stages):
    """Within this block, ``reject`` lets failures of ``stages`` pass (``form`` can never be waived)."""
    stages = frozenset(stages)
    if "form" in stages:
        raise ValueError("the form stage cannot be waived: nothing after it can be judged without it")
    token = _WAIVED.set(stages)
    try:
        yield
    finally:
        _WAIVED.reset(token)


def reject(failure) -> None:
    """Raise ``failure`` (a CheckFailure), unless its stage is waived: then return, and the judge goes on."""
    if failure.stage not in _WAIVED.get():
        raise failure


def rubric_problems(rubric, points) -> list[str]:
    """What is wrong with a check cell's ``rubric`` for ``points`` (an empty list when it is usable)."""
    if not isinstance(rubric, dict) or not rubric:
        return [f"'rubric' must be a dict of stage -> points (stages: {', '.join(STAGES)}), got {rubric!r}"]
    problems = []
    unknown = [stage for stage in rubric if stage not in STAGES]
    if unknown:
        problems.append(f"'rubric' names unknown stage(s) {', '.join(map(repr, unknown))}; "
                        f"the stages are {', '.join(STAGES)}")
    bad = {stage: p for stage, p in rubric.items() if isinstance(p, bool) or not isinstance(p, int) or p < 0}
    if bad:
        problems.append(f"'rubric' points must be whole numbers >= 0, got {bad}")
    elif isinstance(points, int) and sum(rubric.values()) != points:
        problems.append(f"'rubric' points add up to {sum(rubric.values())} but the exercise's 'points' is "
                        f"{points}: make them equal")
    return problems
