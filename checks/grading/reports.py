"""What the instructor gets: per-learner JSON, feedback notebooks, Gradescope results,
a CSV gradebook and a summary of the most common mistakes per exercise.

``write_reports`` is the one place that writes them, for a grading run (a whole class or one
shard) and for ``mlp-lab grade merge`` alike, from one ``LearnerResult`` per learner: so a merge
of shards writes what one run over the whole class would have written.
"""

from __future__ import annotations

import copy
import csv
import json
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..scoring import NOT_JUDGED, PASSED
from ..stages import STAGES
from . import html_feedback
from .lms_exports import FILES as LMS_FILES, lms_exports, overview_markdown
from .similarity import similarity_report


@dataclass
class LearnerResult:
    """What grading one learner's notebooks produced, before the class's list of chapters is known."""

    learner: str                  # the learner's folder name in the reports
    notebooks: list               # one record per submitted notebook: file, sha256, chapter, events, error
    exercises: dict               # exercise -> result, for the chapters in ``chapters_graded`` only
    chapters_graded: list         # chapters for which a notebook was graded, in grading order
    seconds: float                # wall-clock seconds that grading these notebooks took
    feedback: dict | None = None  # chapter -> feedback notebook; None when reused (kept as they are)
    fingerprints: dict = field(default_factory=dict)   # exercise -> its function's (similarity.py)


def exercise_result(chapter, exercise, verdict, cells) -> dict:
    """Points and feedback for one exercise from the judge's verdict (or why there is none).

    With a rubric (``chapter.rubrics``) the points are those of the stages that passed, and
    ``stages`` lists every stage with its points; without one it is all or nothing (``stages`` empty).
    """
    max_points = chapter.points[exercise]
    rubric = chapter.rubrics.get(exercise)
    if verdict and verdict.get("passed"):
        result = {"chapter": chapter.name, "points": max_points, "max_points": max_points, "passed": True,
                  "mistake": None, "feedback": f"{exercise}: all checks passed."}
        return _with_stages(result, rubric, dict.fromkeys(STAGES, PASSED), None)
    if verdict:
        result = {"chapter": chapter.name, "points": 0, "max_points": max_points, "passed": False,
                  "mistake": verdict.get("mistake") or "wrong_value", "feedback": verdict.get("message", "")}
        return _with_stages(result, rubric, verdict.get("stages") or {}, verdict.get("stopped_by"))
    cell = next((c for c in cells if c.get("kind") == "check" and c.get("exercise") == exercise), None)
    if cell is None:
        why = "The check cell never ran (an earlier problem stopped the notebook)."
    elif cell.get("error"):
        first = _first_error_line(cell["error"])
        why = f"The check did not report a verdict; the check cell failed with: {first}"
    else:
        why = ("The check did not report a verdict to the grader (was `checks` or the check function "
               "replaced or patched in the notebook?).")
    result = {"chapter": chapter.name, "points": 0, "max_points": max_points, "passed": False,
              "mistake": "not_run", "feedback": why}
    return _with_stages(result, rubric, {}, None)


def _with_stages(result: dict, rubric: dict | None, statuses: dict, stopped_by: str | None) -> dict:
    """``result`` with its ``stages`` (one row per stage: points, max_points, status) and, for a rubric,
    the points of the stages that passed and a line per stage in the feedback."""
    if not rubric:
        return {**result, "stages": []}
    rows = [{"stage": stage, "points": rubric.get(stage, 0) if statuses.get(stage) == PASSED else 0,
             "max_points": rubric.get(stage, 0), "status": statuses.get(stage, NOT_JUDGED)} for stage in STAGES]
    lines = [f"- {r['stage']} {r['points']}/{r['max_points']}, {r['status']}: {STAGES[r['stage']]}" for r in rows]
    if stopped_by is not None and any(r["status"] == NOT_JUDGED for r in rows):
        lines.append(f"Stages not judged score 0: the {stopped_by} failure kept the checks after it from running.")
    feedback = result["feedback"] + "\n\nPoints by stage:\n" + "\n".join(lines)
    return {**result, "points": sum(r["points"] for r in rows), "feedback": feedback, "stages": rows}


def _first_error_line(error: str) -> str:
    lines = [ln.strip() for ln in error.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "Exception" in ln or "Failure" in ln:
            return _strip_ansi(ln)[:300]
    return _strip_ansi(lines[-1])[:300] if lines else "unknown error"


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def feedback_notebook(nb, chapter, results: dict, cells, events) -> nbformat.NotebookNode:
    """The prepared notebook with the outputs of the graded run and the grader's notes."""
    nb = copy.deepcopy(nb)
    by_index = {c["index"]: c for c in cells}
    code_index = 0
    new_cells = []
    for cell in nb.cells:
        new_cells.append(cell)
        if cell.cell_type != "code":
            continue
        record = by_index.get(code_index)
        cell.outputs = [nbformat.from_dict(o) for o in record["outputs"]] if record else []
        for out in cell.outputs:
            if out.get("output_type") == "execute_result":
                out.setdefault("execution_count", None)
        cell.execution_count = None
        meta = cell.get("metadata", {}).get("mlp_lab", {})
        ex = meta.get("exercise")
        if meta.get("kind") == "check" and ex in results:
            r = results[ex]
            mark = "✔" if r["passed"] else "✘"
            text = f"**Grader** {mark} `{ex}`: {r['points']}/{r['max_points']} points"
            if not r["passed"]:
                text += f" — mistake: `{r['mistake']}`\n\n```\n{r['feedback']}\n```"
            new_cells.append(nbformat.v4.new_markdown_cell(text))
        code_index += 1
    total = sum(r["points"] for r in results.values())
    maximum = sum(r["max_points"] for r in results.values())
    head = [f"# Grading report: {chapter.name}", "", f"**Score: {total} / {maximum}**", "",
            "| exercise | points | verdict |", "| --- | --- | --- |"]
    for ex, r in results.items():
        head.append(f"| `{ex}` | {r['points']}/{r['max_points']} | "
                    f"{'passed' if r['passed'] else r['mistake']} |")
    if events:
        head += ["", "What the grader did with this notebook:", ""] + [f"- {e}" for e in events]
    nb.cells = [nbformat.v4.new_markdown_cell("\n".join(head))] + new_cells
    return nb


def learner_summary(result: LearnerResult, class_chapters: list, course: dict) -> dict:
    """``grade.json``: the learner's results over ``class_chapters`` (those anyone in the class handed
    in), a chapter they did not hand in (or that could not be graded) scoring zero as ``missing``.

    ``course`` maps chapter -> {exercise: points}, in course order."""
    exercises = dict(result.exercises)
    for name in class_chapters:
        if name in result.chapters_graded:
            continue
        reason = next((r["error"] for r in result.notebooks if r["chapter"] == name and r["error"]),
                      f"no notebook for {name} was submitted")
        for ex, pts in course[name].items():
            exercises[ex] = {"chapter": name, "points": 0, "max_points": pts, "passed": False,
                             "mistake": "missing", "feedback": reason, "stages": []}
    exercises = {ex: exercises[ex] for name in class_chapters for ex in course[name] if ex in exercises}
    total = sum(r["points"] for r in exercises.values())
    maximum = sum(r["max_points"] for r in exercises.values())
    return {"learner": result.learner, "total": total, "max": maximum, "exercises": exercises,
            "notebooks": result.notebooks}


def write_reports(out: Path, results: list, class_chapters: list, course: dict, visibility: str,
                  roster: list | None = None, html: bool = True) -> list:
    """Write every report of ``results`` (LearnerResult) into ``out``; return the summaries, by learner.

    Per learner: ``grade.json``, ``results.json`` and any new ``feedback/<chapter>.ipynb`` (a
    learner graded again loses the feedback of chapters no longer graded), and their page
    ``html/<learner>.html`` rebuilt from the feedback notebooks on disk (``html_feedback``; not with
    ``html=False``, where nobody collects the pages, e.g. inside Gradescope: earlier pages in ``out``
    are then removed, as they would be stale); for the
    class: ``gradebook.csv``, ``summary.json``, ``summary.md`` (with the similar submissions), and with
    a ``roster`` (``roster.read_roster``) the LMS files of ``lms_exports.py`` (without one, earlier
    LMS files in ``out`` are removed: they would be stale). A file whose content is unchanged is not
    rewritten."""
    summaries = []
    for result in sorted(results, key=lambda r: r.learner):
        folder = Path(out) / result.learner
        (folder / "feedback").mkdir(parents=True, exist_ok=True)
        if result.feedback is not None:
            for old in (folder / "feedback").glob("*.ipynb"):
                if old.stem not in result.feedback:
                    old.unlink()
            for chapter, nb in result.feedback.items():
                nbformat.write(nb, str(folder / "feedback" / f"{chapter}.ipynb"))
        summary = learner_summary(result, class_chapters, course)
        write_json(folder / "grade.json", summary)
        write_json(folder / "results.json", gradescope_results(summary, result.seconds, visibility))
        summaries.append(summary)
    if html:
        for path, page in html_feedback.render_pages(out, summaries).items():
            _write_text(path, page)
    else:
        shutil.rmtree(Path(out) / "html", ignore_errors=True)   # earlier pages would be stale
    exercise_names = [ex for name in class_chapters for ex in course[name]]
    write_gradebook(Path(out) / "gradebook.csv", summaries, exercise_names)
    table, text = class_summary(summaries, exercise_names)
    similar, similar_text = similarity_report({r.learner: r.fingerprints for r in results}, exercise_names)
    summary = {"exercises": table, "similar_submissions": similar}
    text += "\n" + similar_text
    if roster is not None:
        files, overview = lms_exports(summaries, class_chapters, course, roster)
        for name, csv_text in files.items():
            _write_text(Path(out) / name, csv_text)
        summary["lms"], text = overview, text + "\n" + overview_markdown(overview)
        if overview["unmapped"]:
            print(f"warning: {len(overview['unmapped'])} graded learner(s) are on no roster row, so in no LMS "
                  f"file (listed in unmapped.csv and summary.md): {', '.join(overview['unmapped'])}", file=sys.stderr)
    else:
        for name in LMS_FILES:
            (Path(out) / name).unlink(missing_ok=True)
    write_json(Path(out) / "summary.json", summary)
    _write_text(Path(out) / "summary.md", text)
    return summaries


def gradescope_results(summary: dict, seconds: float, visibility: str = "visible") -> dict:
    """Gradescope's autograder ``results.json``: one test per exercise, scores and feedback (Markdown),
    the mistake category as the test's tag; ``seconds`` is this learner's grading time."""
    tests = []
    for number, (ex, r) in enumerate(summary["exercises"].items(), start=1):
        tests.append({
            "name": f"{r['chapter']} / {ex}",
            "number": str(number),
            "score": float(r["points"]),
            "max_score": float(r["max_points"]),
            "status": "passed" if r["passed"] else "failed",
            "output": r["feedback"] if r["passed"] else
                      f"```\n{r['feedback']}\n```\n\nLikely mistake: `{r['mistake']}`",
            "output_format": "md",
            "tags": [] if r["passed"] else [r["mistake"]],
            "visibility": visibility,
        })
    notes = [e for nb in summary["notebooks"] for e in [*nb.get("events", []), nb.get("error")] if e]
    return {
        "score": float(summary["total"]),
        "execution_time": int(round(seconds)),
        "output": "\n".join(f"- {n}" for n in notes) if notes else "All notebooks submitted were graded.",
        "output_format": "md",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_gradebook(path: Path, summaries: list, exercises: list) -> None:
    """One row per learner, one column per exercise, then total and max."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["learner"] + exercises + ["total", "max"])
        for s in sorted(summaries, key=lambda s: s["learner"]):
            row = [s["learner"]] + [s["exercises"].get(ex, {}).get("points", 0) for ex in exercises]
            writer.writerow(row + [s["total"], s["max"]])


def class_summary(summaries: list, exercises: list) -> tuple:
    """Per exercise: how many learners passed and the most common mistake categories."""
    table = {}
    for ex in exercises:
        results = [s["exercises"][ex] for s in summaries if ex in s["exercises"]]
        mistakes = Counter(r["mistake"] for r in results if not r["passed"])
        table[ex] = {"passed": sum(r["passed"] for r in results), "graded": len(results),
                     "mistakes": dict(mistakes.most_common())}
    lines = ["# Class summary: what to re-teach", "",
             f"{len(summaries)} learner(s) graded.", "",
             "| exercise | passed | most common mistakes |", "| --- | --- | --- |"]
    ranked = sorted(table.items(), key=lambda kv: kv[1]["passed"] / max(kv[1]["graded"], 1))
    for ex, t in ranked:
        common = ", ".join(f"{m} ({n})" for m, n in list(t["mistakes"].items())[:3]) or "-"
        lines.append(f"| `{ex}` | {t['passed']}/{t['graded']} | {common} |")
    return table, "\n".join(lines) + "\n"


def write_json(path: Path, data) -> None:
    """Write ``data`` as indented JSON, unless the file already holds exactly that."""
    _write_text(Path(path), json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` unless it already holds exactly that (its time stamp then stays)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    path.write_text(text, encoding="utf-8")
