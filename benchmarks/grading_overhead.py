"""What grading costs beyond executing: each solution notebook graded by ``python -m checks.grade``
as one learner's submission, and executed with nbclient, in the same run, one after the other.

    python benchmarks/grading_overhead.py                          # the six chapters/solutions/0*.ipynb
    python benchmarks/grading_overhead.py --repeats 3 --unsafe-no-sandbox   # unknown flags go to the grader

For each notebook it prints the seconds to grade it (the whole command: start-up, sandbox, kernel,
the run and the reports), the seconds nbclient takes to execute it in a fresh kernel (kernel start
included), and the difference, which is the grading overhead. With ``--repeats``, the figures are
medians. The grader is used only through its command line; arguments this script does not know
are passed to it unchanged. Both run with ``OPENBLAS_NUM_THREADS=1`` and ``MPLBACKEND=Agg``;
MNIST comes from MLP_LAB_MNIST_DIR as usual. The machine's load average is printed with each row.
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


def grade_seconds(notebook: Path, grader_args: list[str], scratch: Path) -> float:
    """Wall-clock seconds of ``python -m checks.grade`` on a learner who submitted ``notebook`` only."""
    learner, out = scratch / "learner", scratch / "grades"
    shutil.rmtree(learner, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    learner.mkdir()
    shutil.copy(notebook, learner / notebook.name)
    cmd = [sys.executable, "-m", "checks.grade", str(learner), "--out", str(out), "-j", "1", "--seed", "0",
           *grader_args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"grading {notebook.name} failed (exit status {proc.returncode}):\n"
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
                        help="solution notebooks (default: chapters/solutions/0*.ipynb)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each notebook, medians shown (default: 1)")
    args, grader_args = parser.parse_known_args()
    notebooks = args.notebooks or sorted((REPO / "chapters" / "solutions").glob("0*.ipynb"))
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing or not notebooks or args.repeats < 1:
        parser.error(f"no such notebook: {', '.join(missing)}" if missing else "need notebooks and --repeats >= 1")
    os.environ.update(OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")

    print(f"grader: python -m checks.grade -j 1 --seed 0 {' '.join(grader_args)}".rstrip())
    print(f"{'notebook':34s} {'graded s':>9} {'executed s':>11} {'overhead s':>11}   load (1, 5, 15 min)")
    totals = [0.0, 0.0]
    with tempfile.TemporaryDirectory(prefix="mlp_lab_grading_overhead_") as tmp:
        scratch = Path(tmp)
        for notebook in notebooks:
            graded, executed = [], []
            for _ in range(args.repeats):
                graded.append(grade_seconds(notebook, grader_args, scratch))
                executed.append(execute_seconds(notebook, scratch))
            g, e = statistics.median(graded), statistics.median(executed)
            totals[0], totals[1] = totals[0] + g, totals[1] + e
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"{notebook.name:34s} {g:9.1f} {e:11.1f} {g - e:11.1f}   {load}", flush=True)
    g, e = totals
    print(f"{'all ' + str(len(notebooks)):34s} {g:9.1f} {e:11.1f} {g - e:11.1f}   "
          f"({(g - e) / len(notebooks):.1f} s per notebook)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
