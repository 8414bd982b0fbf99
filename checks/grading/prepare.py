"""Prepare a submitted notebook for grading, without touching the submitted file.

Every check cell is restored from the released chapter by its metadata key (exercise name),
a deleted check cell is re-added after its exercise cell, duplicated or foreign check cells are
dropped, and each of these is noted so the learner reads why in their feedback.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..stages import rubric_problems


class PrepareError(Exception):
    """The submission cannot be read as a notebook (the message says why, for the learner)."""


@dataclass
class Chapter:
    """A released chapter: its check cells in order, with exercises, points and rubrics."""

    name: str                         # e.g. "03_backprop_as_gears"
    checks: dict = field(default_factory=dict)   # exercise -> check cell (nbformat node)
    points: dict = field(default_factory=dict)   # exercise -> points
    rubrics: dict = field(default_factory=dict)  # exercise -> {stage: points}, for exercises that have one

    @classmethod
    def load(cls, path: Path) -> "Chapter":
        nb = nbformat.read(str(path), as_version=4)
        chapter = cls(name=path.stem)
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("mlp_lab", {})
            if cell.cell_type == "code" and meta.get("kind") == "check":
                chapter.checks[meta["exercise"]] = cell
                chapter.points[meta["exercise"]] = int(meta.get("points", 1))
                if "rubric" in meta:
                    problems = rubric_problems(meta["rubric"], chapter.points[meta["exercise"]])
                    if problems:
                        raise SystemExit(f"{path}: the check cell of {meta['exercise']!r}: " + "; ".join(problems))
                    chapter.rubrics[meta["exercise"]] = dict(meta["rubric"])
        return chapter

    @property
    def max_points(self) -> int:
        return sum(self.points.values())


def load_chapters(solutions: Path) -> dict:
    """Chapters by name from the solution notebooks (their check cells equal the released ones)."""
    chapters = {p.stem: Chapter.load(p) for p in sorted(Path(solutions).glob("[0-9][0-9]_*.ipynb"))}
    if not chapters:
        raise SystemExit(f"no chapters found in {solutions}: pass --solutions <folder of solution notebooks>")
    return chapters


def match_chapter(path: Path, chapters: dict, nb=None):
    """The chapter a submitted file belongs to: by its 'NN_' prefix, else by its exercise keys."""
    prefix = path.name[:3]
    by_prefix = [c for name, c in chapters.items() if name[:3] == prefix and prefix[:2].isdigit()]
    if len(by_prefix) == 1:
        return by_prefix[0]
    if nb is not None:
        keys = {c.get("metadata", {}).get("mlp_lab", {}).get("exercise") for c in nb.cells}
        best = max(chapters.values(), key=lambda c: len(keys & set(c.checks)), default=None)
        if best is not None and keys & set(best.checks):
            return best
    return None


def read_submission(path: Path):
    """Read a submitted notebook, or raise PrepareError saying why it cannot be graded."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PrepareError(f"could not read {Path(path).name}: {exc}") from None
    try:
        nb = nbformat.reads(text, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise PrepareError(f"{Path(path).name} is not valid notebook JSON ({exc}); "
                           f"was it edited outside Jupyter? Re-download it from Jupyter with File > Save.") from None
    except Exception as exc:  # nbformat raises several types for structurally bad notebooks
        raise PrepareError(f"{Path(path).name} is not a readable notebook: {exc}") from None
    if not hasattr(nb, "cells"):
        raise PrepareError(f"{Path(path).name} has no cells; it is not a Jupyter notebook.")
    return nb


def restore_checks(nb, chapter: Chapter):
    """Return ``(prepared notebook, events)``; ``nb`` itself is not modified."""
    nb = copy.deepcopy(nb)
    events, seen, cells = [], set(), []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("mlp_lab", {})
        if meta.get("kind") != "check":
            cells.append(cell)
            continue
        exercise = meta.get("exercise")
        if exercise not in chapter.checks:
            events.append(f"A cell claiming to check '{exercise}' is not a check of this chapter; it was removed.")
            continue
        if exercise in seen:
            events.append(f"A duplicate check cell for '{exercise}' was removed (only the released one counts).")
            continue
        seen.add(exercise)
        released = chapter.checks[exercise]
        if cell.cell_type != "code" or cell.source != released.source:
            events.append(f"The check cell for '{exercise}' had been edited; it was restored to the released version.")
        cells.append(_fresh_check(released))
    for exercise in chapter.checks:
        if exercise in seen:
            continue
        at = _after_exercise_cell(cells, exercise)
        cells.insert(at, _fresh_check(chapter.checks[exercise]))
        events.append(f"The check cell for '{exercise}' was missing; it was re-added.")
    nb.cells = cells
    return nb, events


def _fresh_check(released):
    cell = copy.deepcopy(released)
    cell.outputs, cell.execution_count = [], None
    return cell


def _after_exercise_cell(cells, exercise):
    """Index just after the learner's exercise cell (by metadata, else by 'def <name>('), else the end."""
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("mlp_lab", {})
        if meta.get("exercise") == exercise and meta.get("kind") == "solution":
            return i + 1
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and f"def {exercise}(" in cell.source:
            return i + 1
    return len(cells)


def neutralise(nb, index: int, why: str):
    """Replace code cell number ``index`` (counting code cells only) by a comment (for re-runs)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    cell = code[index]
    cell.source = f"# skipped by the grader: {why}\npass"
    cell.outputs = []
    return nb
