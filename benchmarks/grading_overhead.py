"""What grading costs beyond executing: one learner who submitted the solution notebooks, graded by
``python -m checks.grade`` in one command, and the same notebooks executed with nbclient, in the same run.

    python benchmarks/grading_overhead.py                          # chapters/solutions/0[1-7]*.ipynb
    python benchmarks/grading_overhead.py --repeats 3 --unsafe-no-sandbox   # unknown flags go to the grader

It prints the seconds nbclient takes to execute each notebook in a fresh kernel (kernel start
included), the seconds to grade the learner (the whole command: start-up once, then for each
notebook the sandbox, the judge, the kernel, the run and the reports), and the difference per
notebook, which is the grading overhead. With ``--repeats``, the figures are medians. The grader is
used only through its command line; arguments this script does not know are passed to it
unchanged. Both run with ``OPENBLAS_NUM_THREADS=1`` and ``MPLBACKEND=Agg``; MNIST comes from
MLP_LAB_MNIST_DIR as usual. The machine's load average is printed at the start and at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def grade_seconds(notebooks: list[Path], grader_args: list[str], scratch: Path) -> float:
    """Wall-clock seconds of ``python -m checks.grade`` on one learner who submitted ``notebooks``."""
    learner, out = scratch / "learner", scratch / "grades"
    shutil.rmtree(learner, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    learner.mkdir()
    for notebook in notebooks:
        shutil.copy(notebook, learner / notebook.name)
    cmd = [sys.executable, "-m", "checks.grade", str(learner), "--out", str(out), "-j", "1", "--seed", "0",
           *grader_args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"grading failed (exit status {proc.returncode}):\n"
                         f"{proc.stdout}{proc.stderr}\ncommand: {' '.join(cmd)}")
    return seconds


def execute_seconds(notebook: Path, scratch: Path) -> float:
    """Wall-clock seconds for nbclient to execute a copy of ``notebook`` in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(scratch)}})
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log (its TCP warning); cell errors still raise
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Any other argument is passed to python -m checks.grade.")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="solution notebooks (default: chapters/solutions/0[1-7]*.ipynb)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each notebook, medians shown (default: 1)")
    args, grader_args = parser.parse_known_args()
    notebooks = args.notebooks or sorted((REPO / "chapters" / "solutions").glob("0[1-7]*.ipynb"))
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing or not notebooks or args.repeats < 1:
        parser.error(f"no such notebook: {', '.join(missing)}" if missing else "need notebooks and --repeats >= 1")
    os.environ.update(OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")

    print(f"grader: python -m checks.grade -j 1 --seed 0 {' '.join(grader_args)}".rstrip())
    print(f"load average {load()} (1, 5, 15 min) at the start")
    print(f"{'notebook':34s} {'executed s':>11}")
    with tempfile.TemporaryDirectory(prefix="mlp_lab_grading_overhead_") as tmp:
        scratch = Path(tmp)
        executed = {notebook: [] for notebook in notebooks}
        graded = []
        for _ in range(args.repeats):   # each round: the learner graded, then each notebook executed
            graded.append(grade_seconds(notebooks, grader_args, scratch))
            for notebook in notebooks:
                executed[notebook].append(execute_seconds(notebook, scratch))
        for notebook, seconds in executed.items():
            print(f"{notebook.name:34s} {statistics.median(seconds):11.1f}")
    g, e, n = statistics.median(graded), sum(statistics.median(s) for s in executed.values()), len(notebooks)
    print(f"{n} notebooks of one learner: graded in {g:.1f} s, executed in {e:.1f} s; overhead {g - e:.1f} s, "
          f"{(g - e) / n:.2f} s per notebook   (load average {load()} at the end)")
    return 0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
