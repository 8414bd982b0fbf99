"""Peak memory and time of grading each chapter alone, one notebook at a time (``-j 1``).

For each solution notebook, the grader (``python -m checks.grade``) runs on a one-learner class
while this script samples its whole process tree (grader, pytest judge, kernel) every 50 ms:

- the sum of PSS (proportional set size: shared pages split between the processes that map
  them), which is what a container's memory limit counts, and
- the sum of RSS (shared pages counted once per process), a safe upper bound,
- the kernel's largest virtual size (what the grader's ``--memory-mb`` address-space limit counts).

    OPENBLAS_NUM_THREADS=1 MLP_LAB_MNIST_DIR=../shared/data/mnist .venv/bin/python benchmarks/grading_memory.py
    .venv/bin/python benchmarks/grading_memory.py chapters/solutions/06_mnist.ipynb
    .venv/bin/python benchmarks/grading_memory.py --autograder ROOT   # one run of ROOT/run_autograder

Needs psutil (installed with Jupyter). Choose a container with room above the largest PSS peak.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def sample_tree(proc: psutil.Process) -> tuple[int, int, int]:
    """(sum of PSS, sum of RSS, largest VMS of any one process) over ``proc`` and its descendants."""
    pss = rss = vms = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        pss, rss, vms = pss + info.pss, rss + info.rss, max(vms, info.vms)
    return pss, rss, vms


def measure(cmd: list, env=None) -> dict:
    """Run ``cmd``; return the peaks (MB) of its process tree and its wall-clock seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree = psutil.Process(proc.pid)
    peaks = [0, 0, 0]
    while proc.poll() is None:
        peaks = [max(a, b) for a, b in zip(peaks, sample_tree(tree))]
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.read().decode()[-2000:]}")
    return {"pss": peaks[0] / MB, "rss": peaks[1] / MB, "vms": peaks[2] / MB, "seconds": seconds}


def grade_alone(notebook: Path, seed: int) -> dict:
    """Grade ``notebook`` as a one-learner class, one notebook at a time."""
    with tempfile.TemporaryDirectory(prefix="mlp-memory-") as tmp:
        learner = Path(tmp) / "class" / "learner"
        learner.mkdir(parents=True)
        shutil.copy(notebook, learner / notebook.name)
        return measure([sys.executable, "-m", "checks.grade", str(learner), "--out", str(Path(tmp) / "out"),
                        "-j", "1", "--seed", str(seed)])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=sorted((ROOT / "chapters" / "solutions").glob("[0-9][0-9]_*.ipynb")))
    parser.add_argument("--seed", type=int, default=424242)
    parser.add_argument("--autograder", type=Path, help="measure one run of ROOT/run_autograder instead "
                        "(an unpacked, set-up Gradescope bundle with an upload in ROOT/submission)")
    args = parser.parse_args(argv)
    print("| what | peak PSS (MB) | peak RSS sum (MB) | largest VMS (MB) | wall-clock (s) |")
    print("| --- | --- | --- | --- | --- |")
    if args.autograder:
        runs = {"run_autograder": lambda: measure([str(args.autograder / "run_autograder")],
                                                  {**os.environ, "MLP_LAB_AUTOGRADER_ROOT": str(args.autograder)})}
    else:
        runs = {nb.stem: lambda nb=nb: grade_alone(nb.resolve(), args.seed) for nb in args.notebooks}
    for name, run in runs.items():
        m = run()
        print(f"| {name} | {m['pss']:.0f} | {m['rss']:.0f} | {m['vms']:.0f} | {m['seconds']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
