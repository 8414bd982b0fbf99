"""Check a whole chapter of your own work: which exercises pass, fail, or are not implemented yet.

    mlp-lab check chapters/03_backprop_as_gears.ipynb [more notebooks ...]
    (or: python -m checks.mine ...)

Runs each notebook top to bottom in a fresh kernel (pytest + nbval in lax mode, in a subprocess;
the notebook file is only read) and prints one row per check cell, found by its ``mlp_lab``
metadata. A failing check is an answer, not an error: the exit status is 0 whenever the table
is printed, 2 when a notebook cannot be read or run; ``--strict`` (for scripts and CI) exits 1
unless every check passed.

This module is also the small pytest plugin (``-p checks.mine``) that records each cell's result.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from checks.course_cells import course_meta, find_cells, is_not_implemented
from checks.notebook_file import NotebookError, read_notebook
from checks.runner import STAGES_ENV

REPORT_ENV = "MLP_LAB_MINE_REPORT"
_records: list[dict] = []


# ----------------------------------------------------------------------------- pytest plugin

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    cell = getattr(item, "cell", None)
    if cell is None or report.when == "teardown" or (report.when == "setup" and report.passed):
        return
    errors = [o for o in getattr(item, "test_outputs", None) or [] if o.get("output_type") == "error"]
    _records.append({
        "path": str(Path(item.path).resolve()),
        "cell": getattr(item, "cell_num", None),
        "when": report.when,
        "outcome": "skipped" if report.skipped else report.outcome,
        "meta": dict(course_meta(cell) or {}),
        "first_line": next((s for s in cell.source.splitlines() if s.strip()), ""),
        "ename": errors[-1]["ename"] if errors else "",
        "evalue": errors[-1]["evalue"] if errors else "",
        "message": "" if errors or report.passed else _last(report.longreprtext),
    })


def pytest_sessionfinish(session):
    target = os.environ.get(REPORT_ENV)
    if target:
        Path(target).write_text(json.dumps(_records), encoding="utf-8")


# ----------------------------------------------------------------------------- verdicts and table

def verdict(record: dict | None) -> tuple[str, str]:
    """(verdict, reason) for one check cell's record: passed / failed / not implemented / not run."""
    if record is None or record["outcome"] == "skipped":
        return "not run", "the notebook stopped before this check (an earlier cell timed out or crashed)"
    if record["outcome"] == "passed":
        return "passed", ""
    if record["ename"] == "KeyboardInterrupt":
        return "failed", "timed out: the cell ran longer than the per-cell limit (--timeout)"
    if record["ename"] and is_not_implemented(record["ename"], record["evalue"]):
        return "not implemented", _first(record["evalue"])
    if record["ename"]:
        return "failed", f"{record['ename']}: {_first(record['evalue'])}"
    return "failed", record["message"]


def _first(text: str) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


def _last(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "the cell failed without a message"


def table(path: Path, nb, records: list[dict]) -> tuple[list[str], int, int, int, int]:
    """Lines describing one notebook, and (checks passed, checks, points earned, points).

    A failed check with a rubric whose record has its ``stages`` earns the points of the stages that
    passed (shown as e.g. ``3/4`` in the points column)."""
    exercises, checks = find_cells(nb, str(path), solutions=False)
    by_exercise = {r["meta"].get("exercise"): r for r in records if r["meta"].get("kind") == "check"}
    width = max([len("exercise")] + [len(name) for name in checks])
    lines = [str(path), f"  {'exercise':<{width}}  points  verdict"]
    passed = earned = total = 0
    reasons = []
    for name, cell in checks.items():
        points = course_meta(cell)["points"]
        total += points
        record = by_exercise.get(name)
        what, why = verdict(record)
        shown = str(points)
        if what == "passed":
            passed += 1
            earned += points
        elif what != "not implemented":
            reasons.append(f"    {name}: {why}")
        rubric = course_meta(cell).get("rubric")
        if what == "failed" and rubric and record.get("stages"):
            partial = sum(p for stage, p in rubric.items() if record["stages"].get(stage) == "passed")
            earned += partial
            shown = f"{partial}/{points}"
        lines.append(f"  {name:<{width}}  {shown:>6}  {what}")
    others = [r for r in records if r["outcome"] == "failed" and r["meta"].get("kind") != "check"]
    lines.append(f"  {passed} of {len(checks)} checks passed, {earned} of {total} points")
    unchecked = [name for name, cell in exercises.items() if name not in checks]
    if unchecked:
        lines.append(f"  not checked automatically (see the cell after each): {', '.join(unchecked)}")
    if reasons:
        lines += ["  why (the check cell in the notebook shows the full explanation):"] + reasons
    if others:
        lines.append("  other cells that raised (fix these first; later checks may depend on them):")
        lines += [f"    code cell {r['cell']} ({r['first_line'][:40]}): "
                  f"{r['ename'] + ': ' + _first(r['evalue']) if r['ename'] else r['message']}" for r in others]
    return lines, passed, len(checks), earned, total


# ----------------------------------------------------------------------------- command line

def run(paths: list[Path], timeout: float, verbose: bool, rubrics=()) -> tuple[int, list[dict], str]:
    """Run ``paths`` under pytest --nbval-lax in a subprocess; (pytest status, records, its output).

    rubrics: the exercises with a rubric; a failed check of one has its ``stages`` in its record."""
    with tempfile.TemporaryDirectory(prefix="mlp_lab_mine_") as tmp:
        report, stages = Path(tmp) / "report.json", Path(tmp) / "stages.jsonl"
        wanted = json.dumps({"file": str(stages), "exercises": sorted(rubrics)})
        env = dict(os.environ, **{REPORT_ENV: str(report), STAGES_ENV: wanted})
        env.setdefault("MPLBACKEND", "Agg")
        cmd = [sys.executable, "-m", "pytest", *map(str, paths), "-p", "checks.mine", "-p", "checks.run_all",
               "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout", str(timeout), "-p", "no:cacheprovider",
               "-q", "-o", "addopts=", "-o", "testpaths="]
        proc = subprocess.run(cmd, env=env, capture_output=not verbose, text=True)
        records = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else []
        notes = stages.read_text(encoding="utf-8").splitlines() if stages.is_file() else []
    for note in map(json.loads, notes):
        for record in records:
            if record["meta"].get("kind") == "check" and record["meta"].get("exercise") == note["exercise"]:
                record["stages"] = note["stages"]
    return proc.returncode, records, (proc.stdout or "") + (proc.stderr or "")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: 0 once the verdicts are printed (--strict: 1 unless all passed), 2 if unusable."""
    parser = argparse.ArgumentParser(prog="mlp-lab check",
                                     description="Run your chapter notebooks and show which checks pass.")
    parser.add_argument("notebooks", nargs="+", type=Path, help="e.g. chapters/03_backprop_as_gears.ipynb")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per cell (default 300)")
    parser.add_argument("--verbose", action="store_true", help="also show pytest's own output")
    parser.add_argument("--strict", action="store_true",
                        help="exit status 1 unless every check passed (for scripts and CI)")
    args = parser.parse_args(argv)
    notebooks, rubrics = [], []
    for path in args.notebooks:
        if path.suffix != ".ipynb":
            print(f"error: {path} is not a notebook (.ipynb); pass e.g. chapters/02_sigmoid.ipynb",
                  file=sys.stderr)
            return 2
        try:
            nb = read_notebook(path)
            _, checks = find_cells(nb, str(path), solutions=False)
        except NotebookError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if not checks:
            print(f"error: {path} has no check cells (cells with mlp_lab metadata kind 'check')",
                  file=sys.stderr)
            return 2
        notebooks.append((path, nb))
        rubrics += [name for name, cell in checks.items() if course_meta(cell).get("rubric")]
    status, records, output = run([p for p, _ in notebooks], args.timeout, args.verbose, rubrics)
    if not records:
        print(output, file=sys.stderr)
        print(f"error: pytest could not run the notebook(s) (exit status {status}); see its output above",
              file=sys.stderr)
        return 2
    all_passed = all_checks = all_earned = all_points = 0
    for path, nb in notebooks:
        mine = [r for r in records if r["path"] == str(path.resolve())]
        lines, passed, count, earned, points = table(path, nb, mine)
        print("\n".join(lines) + "\n")
        all_passed, all_checks = all_passed + passed, all_checks + count
        all_earned, all_points = all_earned + earned, all_points + points
    if len(notebooks) > 1:
        print(f"total: {all_passed} of {all_checks} checks passed, {all_earned} of {all_points} points")
    return 1 if args.strict and all_passed < all_checks else 0


if __name__ == "__main__":
    sys.exit(main())
