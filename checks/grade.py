"""Grade returned notebooks: ``python -m checks.grade SUBMISSION... --out DIR [-j N] [--shard I/N]``.

A SUBMISSION is one learner: a folder of their notebooks, or a single notebook or zip file (the
learner is then named after the file; a zip, as ``mlp-lab submit`` writes it, counts as the
notebooks in it). A folder holding no notebook of its own but sub-folders, or more than one zip,
is a class: one learner per sub-folder and per zip. Output, in DIR: ``gradebook.csv``,
``summary.md`` / ``summary.json`` (the most common mistakes per exercise, similar submissions), with
``--roster FILE`` the Canvas and Moodle imports (``grading/lms_exports.py``), and per learner
``grade.json``, Gradescope's ``results.json`` and ``feedback/<chapter>.ipynb`` (their notebook,
executed, with the grader's verdicts); in ``html/``, one page per learner to open in a browser,
``<learner>.html`` (maths offline: ``html/mathjax/``).

Every notebook is copied and hashed before any learner code runs (links are refused), graded
from that copy in a sandbox of its own (``grading/sandbox.py``), and the outputs are written only
once every sandbox is gone. Submitted files are only read, never written. The secret seed comes
from ``--seed-file`` or ``MLP_LAB_GRADING_SEED`` (removed from the environment at once).

Grading again into the same DIR resumes: a learner whose notebooks and grading settings are
unchanged since the last run there is not graded again (``DIR/grading-record.json``).
``--shard I/N`` grades only the learners whose name hashes to shard I (0 to N-1) of N; combine the
shards' DIRs with ``mlp-lab grade merge SHARD_DIR... --out DIR`` (``python -m checks.merge``).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .grading import record, reports, sandbox
from .grading.early_judge import EarlyJudges
from .grading.notebook_run import Limits, run_notebook
from .grading.prepare import PrepareError, load_chapters, match_chapter, read_submission, restore_checks
from .grading.roster import read_roster_or_exit
from .grading.shards import parse_shard, select
from .grading.similarity import notebook_fingerprints
from .grading.submissions import find_learners, snapshot
from .locations import chapters_dir

DEFAULT_SOLUTIONS = chapters_dir() / "solutions"
SEED_ENV = "MLP_LAB_GRADING_SEED"


def grading_seed(seed, seed_file, from_env, out: Path) -> int:
    """The secret seed of the hidden cases: --seed-file, else --seed, else MLP_LAB_GRADING_SEED, else
    OUT/.grading-seed, else a new one; kept in OUT/.grading-seed (mode 0600) for the next run."""
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


def grade_notebook(sub, chapters: dict, seed: int, limits: Limits, judges: EarlyJudges):
    """Return (chapter or None, notebook record for grade.json, exercise results, feedback nb,
    fingerprints of the learner's functions: ``similarity.py``, read from the snapshot, never run)."""
    nb_record = {"file": str(sub.source), "sha256": sub.sha256, "chapter": None, "events": list(sub.notes),
                 "error": None}
    try:
        if sub.refused:
            raise PrepareError(sub.refused)
        nb = read_submission(sub.copy)
    except PrepareError as exc:
        chapter = match_chapter(sub.source, chapters)
        nb_record.update(chapter=chapter.name if chapter else None, error=str(exc))
        return chapter, nb_record, None, None, None
    chapter = match_chapter(sub.source, chapters, nb)
    if chapter is None:
        nb_record["error"] = f"{sub.source.name} does not match any chapter of the course; it was not graded."
        return None, nb_record, None, None, None
    nb_record["chapter"] = chapter.name
    prepared, events = restore_checks(nb, chapter)
    run = run_notebook(prepared, seed, limits, judges)
    nb_record["events"] += events + run["events"]
    results = {ex: reports.exercise_result(chapter, ex, run["verdicts"].get(ex), run["cells"])
               for ex in chapter.checks}
    feedback = reports.feedback_notebook(prepared, chapter, results, run["cells"], nb_record["events"])
    return chapter, nb_record, results, feedback, notebook_fingerprints(nb, chapter.checks)


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


def grade_or_reuse(learners: dict, chapters: dict, seed: int, limits: Limits, settings: dict, out: Path,
                   jobs: int, judges: EarlyJudges) -> tuple:
    """Snapshot ``learners``' notebooks, reuse the results in ``out`` of those whose snapshot and
    ``settings`` are unchanged since the run recorded there, grade the others.

    Returns ``(results, digests)``: a LearnerResult per learner, and their snapshots' digests."""
    copies = Path(tempfile.mkdtemp(prefix="mlpg-submissions-"))   # private to the grader (0700)
    try:
        snapshot(learners, copies)
        digests = {learner: record.submission_digest(submitted) for learner, submitted in learners.items()}
        previous = record.load(out)
        reused = [result for learner in learners
                  if (result := record.reuse(previous, settings, learner, digests[learner], out))]
        kept = {result.learner for result in reused}
        to_grade = {learner: submitted for learner, submitted in learners.items() if learner not in kept}
        print(f"reused {len(reused)} learner(s) unchanged since the last run in {out}; grading "
              f"{sum(map(len, to_grade.values()))} notebook(s) from {len(to_grade)} learner(s) with "
              f"{jobs} worker(s)", flush=True)
        return reused + grade_learners(to_grade, chapters, seed, limits, jobs, judges), digests
    finally:
        shutil.rmtree(copies, ignore_errors=True)


def grade_learners(learners: dict, chapters: dict, seed: int, limits: Limits, jobs: int,
                   judges: EarlyJudges) -> list:
    """Grade every notebook of ``learners`` (name -> snapshotted notebooks), ``jobs`` at a time, with
    judges from ``judges``; return one LearnerResult per learner."""
    notebooks = [(learner, sub) for learner, submitted in learners.items() for sub in submitted]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = pool.map(lambda job: (job[0], _timed(grade_notebook, job[1], chapters, seed, limits, judges)),
                          notebooks)
        by_learner = defaultdict(list)
        for learner, outcome in graded:
            by_learner[learner].append(outcome)
    return [learner_result(learner, by_learner[learner]) for learner in learners]


def learner_result(learner: str, graded: list) -> reports.LearnerResult:
    """One learner's result from their graded notebooks (``grade_notebook``'s tuples, timed): the
    first notebook graded for a chapter counts, a second one is noted and ignored."""
    notebooks, exercises, feedback, fingerprints = [], {}, {}, {}
    for chapter, nb_record, results, nb_feedback, prints, _ in graded:
        if results is not None and chapter.name in feedback:
            nb_record["error"] = f"another notebook for {chapter.name} was already graded; this one was ignored"
            results = None
        notebooks.append(nb_record)
        if results is not None:
            exercises.update(results)
            feedback[chapter.name] = nb_feedback
            fingerprints.update(prints)
    return reports.LearnerResult(learner=learner, notebooks=notebooks, exercises=exercises,
                                 chapters_graded=list(feedback), seconds=sum(g[-1] for g in graded),
                                 feedback=feedback, fingerprints=fingerprints)


def parse_args(argv) -> argparse.Namespace:
    """The grader's command line (``--help`` shows this module's docstring)."""
    parser = argparse.ArgumentParser(prog="python -m checks.grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", nargs="+", help="notebooks or folders (one per learner, or a class folder)")
    parser.add_argument("--out", required=True, type=Path, help="folder for the reports (created)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="notebooks graded at once")
    parser.add_argument("--shard", type=parse_shard, metavar="I/N",
                        help="grade only shard I of N, I counted from 0 (e.g. \"$JOB_COMPLETION_INDEX/8\"): the "
                        "learners whose folder name hashes to I; then merge the shards' --out folders")
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
    parser.add_argument("--roster", type=Path, help="CSV of submission,name,id,email: also write canvas.csv, "
                        "moodle.csv and unmapped.csv (README: \"Exports for Canvas and Moodle\"); with shards, "
                        "give it to the merge")
    parser.add_argument("--no-html", dest="html", action="store_false",
                        help="do not write the learners' HTML pages (html/): for a run whose pages nobody "
                             "collects, such as the Gradescope bundle's (about 2 s per chapter saved)")
    parser.add_argument("--gradescope", type=Path, help="also write this learner's results.json here "
                        "(inside Gradescope: /autograder/results/results.json; needs exactly one learner)")
    return parser.parse_args(argv)


def limits_from(args: argparse.Namespace) -> Limits:
    """The limits on every learner's sandbox, from the command line."""
    return Limits(cell_timeout=args.cell_timeout, memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds,
                  disk_mb=args.disk_mb, processes=args.processes, run_timeout=args.notebook_timeout,
                  sandboxed=not args.unsafe_no_sandbox)


def main(argv=None) -> int:
    """Find the learners -> keep this shard's -> snapshot -> grade or reuse -> write the reports."""
    from_env = os.environ.pop(SEED_ENV, None)   # before anything else can start a process
    args = parse_args(argv)
    chapters = load_chapters(args.solutions)
    course = {name: dict(chapter.points) for name, chapter in chapters.items()}
    everyone = find_learners(args.submissions)
    if not everyone:
        raise SystemExit("grade: no notebooks found in the submissions given")
    learners = select(everyone, args.shard)
    if args.roster and args.shard:
        raise SystemExit("grade: give --roster to `mlp-lab grade merge`, not to a shard: a shard sees part of "
                         "the class, and its LMS files would give 0 points to everyone graded in another shard")
    members = read_roster_or_exit(args.roster, "grade")
    if args.gradescope and len(learners) != 1:
        raise SystemExit("grade: --gradescope writes one learner's results; give exactly one submission")
    # The first judge starts now, so that its imports overlap the sandbox probe and the snapshot.
    with EarlyJudges(sum(map(len, learners.values())), args.jobs) as judges:
        check_sandbox(args.unsafe_no_sandbox)
        args.out.mkdir(parents=True, exist_ok=True)
        seed = grading_seed(args.seed, args.seed_file, from_env, args.out)
        limits = limits_from(args)
        settings = record.settings(seed, limits, args.solutions)
        if args.shard:
            print(f"shard {args.shard}: {len(learners)} of the {len(everyone)} learner(s)", flush=True)

        start = time.perf_counter()
        results, digests = grade_or_reuse(learners, chapters, seed, limits, settings, args.out, args.jobs, judges)
        seconds = time.perf_counter() - start

    handed_in = {nb["chapter"] for r in results for nb in r.notebooks}
    class_chapters = [name for name in chapters if name in handed_in]
    summaries = reports.write_reports(args.out, results, class_chapters, course, args.visibility, members,
                                      html=args.html)
    record.save(args.out, settings, args.visibility, course, args.shard, list(everyone), class_chapters,
                {r.learner: record.entry(r, digests[r.learner]) for r in results})
    if args.gradescope:
        args.gradescope.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.out / results[0].learner / "results.json", args.gradescope)
    width = max((len(s["learner"]) for s in summaries), default=0)
    for s in summaries:
        print(f"  {s['learner']:<{width}}  {s['total']:>3} / {s['max']}")
    print(f"graded in {seconds:.0f} s; reports in {args.out}/ (gradebook.csv, summary.md, <learner>/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
