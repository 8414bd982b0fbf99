"""Grade returned notebooks: ``python -m checks.grade SUBMISSION... --out DIR [-j N]``.

A SUBMISSION is one learner: a folder of their notebooks, or a single notebook file (the learner
is then named after the file). A folder holding only sub-folders is a class: one learner per
sub-folder. Output, in DIR: ``gradebook.csv``, ``summary.md`` / ``summary.json`` (the most common
mistakes per exercise), and per learner ``grade.json``, Gradescope's ``results.json`` and
``feedback/<chapter>.ipynb`` (their notebook, executed, with the grader's verdicts).

Every notebook is copied and hashed before any learner code runs (links are refused), graded
from that copy in a sandbox of its own (``grading/sandbox.py``), and the outputs are written only
once every sandbox is gone. Submitted files are only read, never written. The secret seed comes
from ``--seed-file`` or ``MLP_LAB_GRADING_SEED`` (removed from the environment at once).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from .grading import reports, sandbox
from .grading.prepare import PrepareError, load_chapters, match_chapter, read_submission, restore_checks
from .grading.notebook_run import Limits, run_notebook
from .grading.submissions import find_learners, snapshot
from .locations import chapters_dir

DEFAULT_SOLUTIONS = chapters_dir() / "solutions"
SEED_ENV = "MLP_LAB_GRADING_SEED"


def resolve_seed(seed, seed_file, from_env, out: Path) -> int:
    """--seed-file, else --seed, else MLP_LAB_GRADING_SEED, else OUT/.grading-seed, else a new one."""
    if seed_file is not None:
        try:
            seed = seed_file.read_text().strip()
        except OSError as exc:
            raise SystemExit(f"grade: cannot read the seed file {seed_file}: {exc.strerror}") from None
    if seed is None:
        seed = from_env
    keep = out / ".grading-seed"
    if seed is None and keep.exists():
        seed = keep.read_text().strip()
    if seed is None:
        seed = str(secrets.randbits(48))
    try:
        value = int(seed)
    except ValueError:
        raise SystemExit(f"grade: the seed must be an integer, got {seed!r}") from None
    fd = os.open(keep, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"{value}\n")
    return value


def grade_notebook(sub, chapters: dict, seed: int, limits: Limits):
    """Return (chapter or None, notebook record for grade.json, exercise results, feedback nb)."""
    record = {"file": str(sub.source), "sha256": sub.sha256, "chapter": None, "events": [], "error": None}
    try:
        if sub.refused:
            raise PrepareError(sub.refused)
        nb = read_submission(sub.copy)
    except PrepareError as exc:
        chapter = match_chapter(sub.source, chapters)
        record.update(chapter=chapter.name if chapter else None, error=str(exc))
        return chapter, record, None, None
    chapter = match_chapter(sub.source, chapters, nb)
    if chapter is None:
        record["error"] = f"{sub.source.name} does not match any chapter of the course; it was not graded."
        return None, record, None, None
    record["chapter"] = chapter.name
    prepared, events = restore_checks(nb, chapter)
    run = run_notebook(prepared, seed, limits)
    record["events"] = events + run["events"]
    results = {ex: reports.exercise_result(chapter, ex, run["verdicts"].get(ex), run["cells"])
               for ex in chapter.checks}
    feedback = reports.feedback_notebook(prepared, chapter, results, run["cells"], record["events"])
    return chapter, record, results, feedback


def check_sandbox(unsafe: bool) -> None:
    """Refuse to grade without a working sandbox, unless the instructor accepted the risk."""
    if unsafe:
        print("grade: WARNING: --unsafe-no-sandbox: learner code runs with your user's rights, files "
              "and network; a hostile notebook can forge grades or damage this machine.", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory(prefix="mlpg-probe-") as tmp:
        try:
            sandbox.probe(Path(tmp))
        except sandbox.SandboxUnavailable as exc:
            raise SystemExit(
                f"grade: cannot sandbox the learners' code: {exc}.\n"
                "Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), and grade as root or as a "
                "user allowed unprivileged user namespaces; inside Docker, see the README (\"For "
                "instructors\") for the options the container needs. To grade anyway, unprotected, pass "
                "--unsafe-no-sandbox (see the README's threat model).") from None


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
    parser.add_argument("--seed-file", type=Path, help="file holding the secret seed for the hidden cases "
                        "(or set MLP_LAB_GRADING_SEED; default: kept in OUT/.grading-seed)")
    parser.add_argument("--seed", help="the seed itself (visible in the process list: prefer --seed-file)")
    parser.add_argument("--solutions", type=Path, default=DEFAULT_SOLUTIONS, help="solution notebooks (points)")
    parser.add_argument("--cell-timeout", type=int, default=Limits.cell_timeout)
    parser.add_argument("--memory-mb", type=int, default=Limits.memory_mb)
    parser.add_argument("--cpu-seconds", type=int, default=Limits.cpu_seconds)
    parser.add_argument("--disk-mb", type=int, default=Limits.disk_mb, help="size of the sandbox's /tmp and home")
    parser.add_argument("--processes", type=int, default=Limits.processes)
    parser.add_argument("--notebook-timeout", type=int, default=Limits.run_timeout,
                        help="seconds of wall-clock for one run of a notebook")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade without the sandbox (learner code runs with your rights): never for a real class")
    parser.add_argument("--visibility", default="visible",
                        choices=("visible", "hidden", "after_due_date", "after_published"),
                        help="Gradescope visibility of the results (default: visible, Gradescope's default)")
    parser.add_argument("--gradescope", type=Path, help="also write this learner's results.json here "
                        "(inside Gradescope: /autograder/results/results.json; needs exactly one learner)")
    from_env = os.environ.pop(SEED_ENV, None)   # before anything else can start a process
    args = parser.parse_args(argv)

    chapters = load_chapters(args.solutions)
    learners = find_learners(args.submissions)
    if not learners:
        raise SystemExit("grade: no notebooks found in the submissions given")
    if args.gradescope and len(learners) != 1:
        raise SystemExit("grade: --gradescope writes one learner's results; give exactly one submission")
    check_sandbox(args.unsafe_no_sandbox)
    args.out.mkdir(parents=True, exist_ok=True)
    seed = resolve_seed(args.seed, args.seed_file, from_env, args.out)
    limits = Limits(cell_timeout=args.cell_timeout, memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds,
                    disk_mb=args.disk_mb, processes=args.processes, run_timeout=args.notebook_timeout,
                    sandboxed=not args.unsafe_no_sandbox)

    jobs = [(learner, sub) for learner, submitted in learners.items() for sub in submitted]
    start = time.perf_counter()
    print(f"grading {len(jobs)} notebook(s) from {len(learners)} learner(s) with {args.jobs} worker(s)", flush=True)
    copies = Path(tempfile.mkdtemp(prefix="mlpg-submissions-"))   # private to the grader (0700)
    try:
        snapshot(learners, copies)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            graded = list(pool.map(lambda job: (job, _timed(grade_notebook, job[1], chapters, seed, limits)), jobs))
    finally:
        shutil.rmtree(copies, ignore_errors=True)
    seconds = time.perf_counter() - start

    in_batch = [name for name in chapters if any(ch is not None and ch.name == name for _, (ch, *_) in graded)]
    exercise_names = [ex for name in in_batch for ex in chapters[name].checks]
    summaries = []
    for learner in learners:
        folder = args.out / learner
        (folder / "feedback").mkdir(parents=True, exist_ok=True)
        notebooks, exercises, done = [], {}, set()
        for (who, _), (chapter, record, results, feedback, _) in graded:
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
