"""Peak memory, CPU and wall-clock time of grading each chapter alone, one notebook at a time (``-j 1``).

For each solution notebook, the grader (``python -m checks.grade``) runs on a one-learner class
while this script samples its whole process tree (grader, pytest judge, kernel) every 50 ms:

- the sum of PSS (proportional set size: shared pages split between the processes that map
  them), which is what a container's memory limit counts, and
- the sum of RSS (shared pages counted once per process), a safe upper bound,
- the kernel's largest virtual size (what the grader's ``--memory-mb`` address-space limit counts),
- the CPU seconds (user + system) of every process of the tree, sandboxed ones included, as last
  sampled (a process that ends loses at most its last 50 ms): the cost to plan a cluster with.

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


def sample_tree(proc: psutil.Process, cpu: dict) -> tuple[int, int, int]:
    """(sum of PSS, sum of RSS, largest VMS of any one process) over ``proc`` and its descendants;
    records each one's CPU seconds so far in ``cpu`` (keyed by pid and start time)."""
    pss = rss = vms = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            info = p.memory_full_info()
            times = p.cpu_times()
            cpu[p.pid, p.create_time()] = times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        pss, rss, vms = pss + info.pss, rss + info.rss, max(vms, info.vms)
    return pss, rss, vms


def measure(cmd: list, env=None) -> dict:
    """Run ``cmd``; return the peaks (MB) of its process tree, its CPU and wall-clock seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree = psutil.Process(proc.pid)
    peaks, cpu = [0, 0, 0], {}
    while proc.poll() is None:
        peaks = [max(a, b) for a, b in zip(peaks, sample_tree(tree, cpu))]
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.read().decode()[-2000:]}")
    return {"pss": peaks[0] / MB, "rss": peaks[1] / MB, "vms": peaks[2] / MB, "cpu": sum(cpu.values()),
            "seconds": seconds}


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
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| what | peak PSS (MB) | peak RSS sum (MB) | largest VMS (MB) | CPU (s) | wall-clock (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    if args.autograder:
        runs = {"run_autograder": lambda: measure([str(args.autograder / "run_autograder")],
                                                  {**os.environ, "MLP_LAB_AUTOGRADER_ROOT": str(args.autograder)})}
    else:
        runs = {nb.stem: lambda nb=nb: grade_alone(nb.resolve(), args.seed) for nb in args.notebooks}
    total = {"cpu": 0.0, "seconds": 0.0}
    for name, run in runs.items():
        m = run()
        total = {k: v + m[k] for k, v in total.items()}
        print(f"| {name} | {m['pss']:.0f} | {m['rss']:.0f} | {m['vms']:.0f} | {m['cpu']:.1f} | {m['seconds']:.1f} |",
              flush=True)
    print(f"| total | | | | {total['cpu']:.1f} | {total['seconds']:.1f} |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
