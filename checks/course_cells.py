"""The course's cells in a notebook: exercise and check cells, found by metadata, never by position.

``{"mlp_lab": {"exercise": name, "kind": "solution", "hint": one_line}}`` marks an exercise cell
(solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``) and
``{"mlp_lab": {"exercise": name, "kind": "check", "points": int}}`` marks its check cell, which may
split its points over the stages of the verdict with ``"rubric": {stage: int}`` (``checks.stages``).
An exercise that cannot be judged on arrays alone carries ``"checked": false`` and has no check cell.
"""

from __future__ import annotations

import re

from nbformat import NotebookNode

from checks.notebook_file import NotebookError
from checks.solution_stubs import BEGIN, END, stub_solutions
from checks.stages import rubric_problems

KINDS = ("solution", "check")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def course_meta(cell: NotebookNode) -> dict | None:
    """The cell's ``mlp_lab`` metadata dict, or None for an ordinary cell."""
    return cell.get("metadata", {}).get("mlp_lab")


def cell_problems(nb: NotebookNode, solutions: bool = True) -> tuple[dict, dict, list[str]]:
    """Index exercise and check cells by name; also list every structural problem found.

    Returns ``(exercises, checks, problems)``: dicts exercise name -> cell, and one line per problem.
    ``solutions=False`` reads a learner copy: exercise cells need no solution markers.
    """
    exercises: dict[str, NotebookNode] = {}
    checks: dict[str, NotebookNode] = {}
    problems: list[str] = []
    for i, cell in enumerate(nb.cells):
        meta = course_meta(cell)
        has_markers = cell.cell_type == "code" and any(
            line.strip() in (BEGIN, END) for line in cell.source.splitlines())
        if meta is None:
            if has_markers:
                problems.append(f"cell {i} has solution markers but no mlp_lab metadata: mark it as an "
                                "exercise cell or the solution would be released to learners")
            continue
        if not isinstance(meta, dict):
            problems.append(f"cell {i}: mlp_lab metadata must be a dict, got {type(meta).__name__}")
            continue
        name, kind = meta.get("exercise"), meta.get("kind")
        label = f"exercise {name!r} (cell {i})"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            problems.append(f"cell {i}: mlp_lab 'exercise' must be a snake_case name, got {name!r}")
            continue
        if kind not in KINDS:
            problems.append(f"{label}: mlp_lab 'kind' must be one of {KINDS}, got {kind!r}")
            continue
        if cell.cell_type != "code":
            problems.append(f"{label}: a {kind} cell must be a code cell, not {cell.cell_type}")
            continue
        table = exercises if kind == "solution" else checks
        if name in table:
            problems.append(f"{label}: duplicate {kind} cell for this exercise; keys must be unique")
            continue
        table[name] = cell
        if kind == "solution":
            hint = meta.get("hint")
            if not isinstance(hint, str) or not hint.strip() or "\n" in hint:
                problems.append(f"{label}: needs a one-line, non-empty 'hint' in its mlp_lab metadata")
            if not has_markers and solutions:
                problems.append(f"{label}: exercise cell has no '{BEGIN}' / '{END}' block")
            else:
                try:
                    stub_solutions(cell.source, name, hint if isinstance(hint, str) else "")
                except NotebookError as exc:
                    problems.append(f"{label}: {exc}")
        else:
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, int) or points < 1:
                problems.append(f"{label}: check cell needs integer 'points' >= 1, got {points!r}")
            if "rubric" in meta:
                problems += [f"{label}: {problem}" for problem in rubric_problems(meta["rubric"], points)]
            if has_markers:
                problems.append(f"{label}: check cell must not contain solution markers")
    for name in checks:
        if name not in exercises:
            problems.append(f"exercise {name!r}: check cell has no matching exercise cell")
    return exercises, checks, problems


def find_cells(nb: NotebookNode, where: str = "<notebook>", solutions: bool = True) -> tuple[dict, dict]:
    """``(exercises, checks)``: dicts exercise name -> cell; NotebookError listing every problem.

    ``solutions=False`` for a learner copy (its exercise cells hold stubs, not marked solutions).
    """
    exercises, checks, problems = cell_problems(nb, solutions)
    if problems:
        raise NotebookError(f"{where}:\n  " + "\n  ".join(problems))
    return exercises, checks


def is_not_implemented(ename: str, evalue: str) -> bool:
    """Whether an error raised by a check cell means "not implemented yet" rather than "wrong"."""
    return ename == "NotImplementedError" or bool(re.search(r"not[ _]implemented", evalue or "", re.I))
