"""Start an IPython kernel under resource limits: ``python -m checks.grading.limited_kernel
--memory-mb M --cpu-seconds C -- <kernel command...>``.

The grader writes a kernelspec whose argv runs this module, so every learner kernel gets an
address-space limit (a memory bomb ends in MemoryError or a dead kernel, never a dead machine)
and a CPU-time limit (SIGXCPU ends a runaway kernel). Wall-clock limits per cell are nbval's.
"""

from __future__ import annotations

import argparse
import os
import resource


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the kernel command after --")
    limit = args.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (args.cpu_seconds, args.cpu_seconds + 5))
    # One BLAS thread per kernel: submissions are graded in parallel, one process each.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
