"""Grade returned notebooks: ``python -m checks.grade SUBMISSION... --out DIR [-j N]``.

A SUBMISSION is one learner: a folder of their notebooks, or a single notebook file (the learner
is then named after the file). A folder holding only sub-folders is a class: one learner per
sub-folder. Output, in DIR: ``gradebook.csv``, ``summary.md`` / ``summary.json`` (the most common
mistakes per exercise), and per learner ``grade.json``, Gradescope's ``results.json`` and
``feedback/<chapter>.ipynb`` (their notebook, executed, with the grader's verdicts).
Submitted files are only read, never written.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from .grading import reports
from .grading.prepare import PrepareError, load_chapters, match_chapter, read_submission, restore_checks
from .grading.runner import Limits, run_notebook

DEFAULT_SOLUTIONS = Path(__file__).resolve().parent.parent / "chapters" / "solutions"


def find_learners(paths) -> dict:
    """Map learner name -> list of notebook paths."""
    learners: dict = {}
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            learners.setdefault(_safe(path.stem), []).append(path)
        elif path.is_dir():
            own = _notebooks(path, recursive=False)
            subdirs = [d for d in sorted(path.iterdir()) if d.is_dir() and not d.name.startswith(".")]
            if own or not subdirs:
                learners.setdefault(_safe(path.name), []).extend(own or _notebooks(path, recursive=True))
            else:
                for d in subdirs:
                    learners.setdefault(_safe(d.name), []).extend(_notebooks(d, recursive=True))
        else:
            raise SystemExit(f"grade: {raw} does not exist (give notebooks or folders of notebooks)")
    return learners


def _notebooks(folder: Path, recursive: bool):
    pattern = "**/*.ipynb" if recursive else "*.ipynb"
    return sorted(p for p in folder.glob(pattern) if ".ipynb_checkpoints" not in p.parts)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "learner"


def resolve_seed(seed, out: Path) -> int:
    """--seed, else MLP_LAB_GRADING_SEED, else the seed kept in OUT/.grading-seed, else a new one."""
    if seed is None:
        seed = os.environ.get("MLP_LAB_GRADING_SEED")
    keep = out / ".grading-seed"
    if seed is None and keep.exists():
        seed = keep.read_text().strip()
    if seed is None:
        seed = str(secrets.randbits(48))
    try:
        value = int(seed)
    except ValueError:
        raise SystemExit(f"grade: the seed must be an integer, got {seed!r}") from None
    keep.write_text(f"{value}\n")
    return value


def grade_notebook(path: Path, chapters: dict, seed: int, limits: Limits):
    """Return (chapter or None, notebook record for grade.json, exercise results, feedback nb)."""
    record = {"file": str(path), "chapter": None, "events": [], "error": None}
    try:
        nb = read_submission(path)
    except PrepareError as exc:
        chapter = match_chapter(path, chapters)
        record.update(chapter=chapter.name if chapter else None, error=str(exc))
        return chapter, record, None, None
    chapter = match_chapter(path, chapters, nb)
    if chapter is None:
        record["error"] = f"{path.name} does not match any chapter of the course; it was not graded."
        return None, record, None, None
    record["chapter"] = chapter.name
    prepared, events = restore_checks(nb, chapter)
    run = run_notebook(prepared, seed, limits)
    record["events"] = events + run["events"]
    results = {ex: reports.exercise_result(chapter, ex, run["verdicts"].get(ex), run["cells"])
               for ex in chapter.checks}
    feedback = reports.feedback_notebook(prepared, chapter, results, run["cells"], record["events"])
    return chapter, record, results, feedback


def _timed(function, *args):
    """``function(*args)`` as a tuple, with the wall-clock seconds it took appended."""
    start = time.perf_counter()
    return (*function(*args), time.perf_counter() - start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", nargs="+", help="notebooks or folders (one per learner, or a class folder)")
    parser.add_argument("--out", required=True, type=Path, help="folder for the reports (created)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="notebooks graded at once")
    parser.add_argument("--seed", help="secret seed for the hidden cases (default: kept in OUT/.grading-seed)")
    parser.add_argument("--solutions", type=Path, default=DEFAULT_SOLUTIONS, help="solution notebooks (points)")
    parser.add_argument("--cell-timeout", type=int, default=Limits.cell_timeout)
    parser.add_argument("--memory-mb", type=int, default=Limits.memory_mb)
    parser.add_argument("--cpu-seconds", type=int, default=Limits.cpu_seconds)
    parser.add_argument("--visibility", default="visible",
                        choices=("visible", "hidden", "after_due_date", "after_published"),
                        help="Gradescope visibility of the results (default: visible, Gradescope's default)")
    parser.add_argument("--gradescope", type=Path, help="also write this learner's results.json here "
                        "(inside Gradescope: /autograder/results/results.json; needs exactly one learner)")
    args = parser.parse_args(argv)

    chapters = load_chapters(args.solutions)
    learners = find_learners(args.submissions)
    if not learners:
        raise SystemExit("grade: no notebooks found in the submissions given")
    if args.gradescope and len(learners) != 1:
        raise SystemExit("grade: --gradescope writes one learner's results; give exactly one submission")
    args.out.mkdir(parents=True, exist_ok=True)
    seed = resolve_seed(args.seed, args.out)
    limits = Limits(cell_timeout=args.cell_timeout, memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds)

    jobs = [(learner, path) for learner, paths in learners.items() for path in paths]
    start = time.perf_counter()
    print(f"grading {len(jobs)} notebook(s) from {len(learners)} learner(s) with {args.jobs} worker(s)", flush=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        graded = list(pool.map(lambda job: (job, _timed(grade_notebook, job[1], chapters, seed, limits)), jobs))
    seconds = time.perf_counter() - start

    in_batch = [name for name in chapters if any(ch is not None and ch.name == name for _, (ch, *_) in graded)]
    exercise_names = [ex for name in in_batch for ex in chapters[name].checks]
    summaries = []
    for learner in learners:
        folder = args.out / learner
        (folder / "feedback").mkdir(parents=True, exist_ok=True)
        notebooks, exercises, done = [], {}, set()
        for (who, path), (chapter, record, results, feedback, _) in graded:
            if who != learner:
                continue
            if chapter is not None and chapter.name in done and results is not None:
                record["error"] = f"another notebook for {chapter.name} was already graded; this one was ignored"
                results = None
            notebooks.append(record)
            if results is not None:
                done.add(chapter.name)
                exercises.update(results)
                nbformat.write(feedback, str(folder / "feedback" / f"{chapter.name}.ipynb"))
        for name in in_batch:
            if name in done:
                continue
            reason = next((r["error"] for r in notebooks if r["chapter"] == name and r["error"]),
                          f"no notebook for {name} was submitted")
            for ex, pts in chapters[name].points.items():
                exercises[ex] = {"chapter": name, "points": 0, "max_points": pts, "passed": False,
                                 "mistake": "missing", "feedback": reason}
        exercises = {ex: exercises[ex] for ex in exercise_names if ex in exercises}
        summary = reports.learner_summary(learner, notebooks, exercises)
        reports.write_json(folder / "grade.json", summary)
        taken = sum(result[-1] for (who, _), result in graded if who == learner)
        results_json = reports.gradescope_results(summary, taken, args.visibility)
        reports.write_json(folder / "results.json", results_json)
        if args.gradescope:
            args.gradescope.parent.mkdir(parents=True, exist_ok=True)
            reports.write_json(args.gradescope, results_json)
        summaries.append(summary)

    reports.write_gradebook(args.out / "gradebook.csv", summaries, exercise_names)
    table, text = reports.class_summary(summaries, exercise_names)
    reports.write_json(args.out / "summary.json", table)
    (args.out / "summary.md").write_text(text)
    width = max(len(s["learner"]) for s in summaries)
    for s in sorted(summaries, key=lambda s: s["learner"]):
        print(f"  {s['learner']:<{width}}  {s['total']:>3} / {s['max']}")
    print(f"graded in {seconds:.0f} s; reports in {args.out}/ (gradebook.csv, summary.md, <learner>/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
