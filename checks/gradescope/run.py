"""Grade one Gradescope submission: what ``run_autograder`` runs, as ``python -m checks.gradescope.run``.

Reads ``source/assignment.json`` and the seed that ``setup.sh`` put in ``<root>/grading-seed``,
sorts the upload in ``<root>/submission`` (see ``upload.py``), then grades each expected chapter's
notebook with the grader's own command line, one notebook at a time, within the assignment's time
limit. Always writes ``<root>/results/results.json``, whatever happens. ``<root>`` is
``/autograder``, or ``$MLP_LAB_AUTOGRADER_ROOT``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import psutil

from . import results, upload

ROOT_ENV = "MLP_LAB_AUTOGRADER_ROOT"
#: The grader's flag that accepts grading without a sandbox (bundles built with --sandbox off).
NO_SANDBOX_ARGS = ("--unsafe-no-sandbox",)
MARGIN = 10.0   # seconds kept back from the time limit to write results.json


def main() -> int:
    root = Path(os.environ.get(ROOT_ENV) or "/autograder")
    started = time.monotonic()
    try:
        res = grade_submission(root, started)
    except Exception as exc:   # whatever went wrong, Gradescope must get a results.json
        traceback.print_exc()
        res = results.failure(f"The autograder failed before it could grade your work ({type(exc).__name__}: "
                              f"{exc}). This is not a problem with your submission: please tell your instructor.")
    res["execution_time"] = int(round(time.monotonic() - started))
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    print(f"score {res['score']:g}; results in {root / 'results' / 'results.json'}")
    return 0


def grade_submission(root: Path, started: float) -> dict:
    """The results of grading ``root/submission`` against ``root/source/assignment.json``."""
    config = json.loads((root / "source" / "assignment.json").read_text())
    seed_file = root / "grading-seed"
    read_seed(seed_file)   # fail here, for the instructor, if setup.sh did not leave a seed
    course, expected = config["course"], config["chapters"]
    deadline = started + config["time_limit"] - min(MARGIN, config["time_limit"] / 10)
    with tempfile.TemporaryDirectory(prefix="mlp-gradescope-") as work:
        found = upload.scan(root / "submission", course, expected, Path(work) / "unzipped")
        if not found.notebooks:
            what = "Your upload is empty." if not found.files_seen else "Nothing in your upload could be graded."
            found.notes.insert(0, f"{what} Upload the notebook(s) of {', '.join(expected)} as `.ipynb` files, "
                                  f"e.g. `{expected[0]}.ipynb`.")
        tests, notes = [], list(found.notes)
        for chapter in expected:
            exercises = course[chapter]
            path = found.notebooks.get(chapter)
            if path is None:
                tests += results.zero_tests(chapter, exercises, f"No notebook for {chapter} was found in your "
                                            f"upload: upload `{chapter}.ipynb`.", "missing")
                continue
            rel = found.labels[path]
            if time.monotonic() >= deadline:
                tests += results.zero_tests(chapter, exercises, f"Not graded: the time limit of "
                                            f"{config['time_limit']} s was used up by earlier chapters.", "time_limit")
                notes.append(f"`{rel}` ({chapter}) was not graded: no time was left.")
                continue
            chapter_tests, chapter_notes = grade_chapter(path, chapter, Path(work) / chapter, root, config,
                                                          seed_file, deadline)
            tests += chapter_tests
            notes += [f"`{rel}` {chapter_notes[0]}"] + [f"`{rel}`: {n}" for n in chapter_notes[1:]]
    return results.assemble(tests, notes, config["visibility"])


def read_seed(path: Path) -> int:
    """The seed ``setup.sh`` moved out of the source folder (an error for the instructor if absent)."""
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        raise RuntimeError(f"no grading seed in {path}: was the autograder set up with its own setup.sh?") from None


def grade_chapter(path: Path, chapter: str, work: Path, root: Path, config: dict, seed_file: Path,
                  deadline: float):
    """Run the grader on one notebook; return (tests, notes), the first note saying how it went.

    The upload itself is only read: the grader gets a copy named after the chapter."""
    learner, released, out = work / "learner", work / "released", work / "out"
    learner.mkdir(parents=True)
    released.mkdir()
    (learner / f"{chapter}.ipynb").write_bytes(path.read_bytes())
    shutil.copy(root / "source" / "chapters" / f"{chapter}.ipynb", released)
    cmd = [sys.executable, "-m", "checks.grade", str(learner), "--out", str(out), "-j", "1",
           "--solutions", str(released), "--cell-timeout", str(config["cell_timeout"]),
           "--memory-mb", str(config["memory_mb"]), "--seed-file", str(seed_file), "--no-html"]
    if config["sandbox"] == "off":
        cmd += NO_SANDBOX_ARGS
    exercises = config["course"][chapter]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        log, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        kill_tree(proc)
        why = (f"Grading this notebook was stopped: the time limit of {config['time_limit']} s for the whole "
               "submission ran out (look for a cell that runs too long, such as a loop that never ends).")
        return results.zero_tests(chapter, exercises, why, "time_limit"), [f"({chapter}) was stopped: no time left."]
    log = log.decode(errors="replace")
    print(log)   # Gradescope keeps stdout for the instructor
    graded = out / "learner" / "results.json"
    if proc.returncode != 0 or not graded.exists():
        lines = [ln for ln in log.splitlines() if ln.strip()]
        own = [ln for ln in lines if ln.startswith("grade: ")]   # the grader's own error, if it gave one
        last = (own or lines or [f"exit status {proc.returncode}"])[-1][:300]
        why = (f"The grader failed on this notebook and could not grade it: `{last}`. Check that the file "
               "opens in Jupyter; if it does, please tell your instructor.")
        return results.zero_tests(chapter, exercises, why, "grader_failed"), [f"({chapter}) could not be graded."]
    report = json.loads((out / "learner" / "grade.json").read_text())
    notes = [n for nb in report["notebooks"] for n in [*nb.get("events", []), nb.get("error")] if n]
    tests = json.loads(graded.read_text())["tests"]
    score, maximum = sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)
    return tests, [f"was graded as {chapter}: {score:g} / {maximum:g} points.", *notes]


def kill_tree(proc: subprocess.Popen) -> None:
    """Kill the grader and everything it started (its judge and kernels run in their own sessions)."""
    try:
        family = [*psutil.Process(proc.pid).children(recursive=True), psutil.Process(proc.pid)]
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    proc.communicate()


if __name__ == "__main__":
    sys.exit(main())
