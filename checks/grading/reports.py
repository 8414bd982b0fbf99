"""What the instructor gets: per-learner JSON, feedback notebooks, Gradescope results,
a CSV gradebook and a summary of the most common mistakes per exercise."""

from __future__ import annotations

import copy
import csv
import json
import re
from collections import Counter
from pathlib import Path

import nbformat


def exercise_result(chapter, exercise, verdict, cells) -> dict:
    """Points and feedback for one exercise from the judge's verdict (or why there is none)."""
    max_points = chapter.points[exercise]
    if verdict and verdict.get("passed"):
        return {"chapter": chapter.name, "points": max_points, "max_points": max_points, "passed": True,
                "mistake": None, "feedback": f"{exercise}: all checks passed."}
    if verdict:
        return {"chapter": chapter.name, "points": 0, "max_points": max_points, "passed": False,
                "mistake": verdict.get("mistake") or "wrong_value", "feedback": verdict.get("message", "")}
    cell = next((c for c in cells if c.get("kind") == "check" and c.get("exercise") == exercise), None)
    if cell is None:
        why = "The check cell never ran (an earlier problem stopped the notebook)."
    elif cell.get("error"):
        first = _first_error_line(cell["error"])
        why = f"The check did not report a verdict; the check cell failed with: {first}"
    else:
        why = ("The check did not report a verdict to the grader (was `checks` or the check function "
               "replaced or patched in the notebook?).")
    return {"chapter": chapter.name, "points": 0, "max_points": max_points, "passed": False,
            "mistake": "not_run", "feedback": why}


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


def learner_summary(learner: str, notebooks: list, exercises: dict) -> dict:
    total = sum(r["points"] for r in exercises.values())
    maximum = sum(r["max_points"] for r in exercises.values())
    return {"learner": learner, "total": total, "max": maximum, "exercises": exercises, "notebooks": notebooks}


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
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
