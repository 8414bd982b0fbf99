"""Start an IPython kernel under resource limits: ``python -I checks/grading/limited_kernel.py
--memory-mb M --cpu-seconds C --file-mb F --processes P [--uid U] -f CONNECTION_FILE``.

The grader's kernelspec runs this file inside the sandbox (``sandbox.py``), before any learner
code. It imports nothing but the standard library (run as a file, not with -m, so that the package
``checks`` is not imported first). It sets every limit with the hard value equal to the soft one, so the kernel cannot raise
them again: address space (a memory bomb ends in MemoryError or a dead kernel), CPU time
(SIGXCPU), file size, number of processes (and threads) of the kernel's user, open files, and no
core dumps. With ``--uid`` (the grader runs as root) it reads the connection file while still
root, gives up root for that unprivileged id for good, and keeps its own copy of the file in the
sandbox's home. Then it becomes ``python -m ipykernel_launcher -f <that copy>``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys

_MB = 1024 * 1024


def set_limits(memory_mb: int, cpu_seconds: int, file_mb: int, processes: int | None) -> None:
    """Soft = hard for every limit: learner code can only lower them further."""
    limits = [(resource.RLIMIT_AS, memory_mb * _MB), (resource.RLIMIT_CPU, cpu_seconds),
              (resource.RLIMIT_FSIZE, file_mb * _MB), (resource.RLIMIT_NOFILE, 1024), (resource.RLIMIT_CORE, 0)]
    if processes is not None:
        limits.append((resource.RLIMIT_NPROC, processes))
    for which, value in limits:
        resource.setrlimit(which, (value, value))


def drop_root(uid: int) -> None:
    """Become ``uid`` (user and group, no supplementary groups), irreversibly."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit(f"limited_kernel: could not drop root for uid {uid}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--file-mb", type=int, required=True)
    parser.add_argument("--processes", type=int, help="processes and threads of the kernel's user (needs --uid "
                        "or a user namespace: it counts every process of that user)")
    parser.add_argument("--uid", type=int, help="unprivileged id to run the kernel as (when started as root)")
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)
    connection_file = args.connection_file
    if args.uid is not None:
        with open(connection_file) as f:
            connection = f.read()
    set_limits(args.memory_mb, args.cpu_seconds, args.file_mb, args.processes)
    if args.uid is not None:
        drop_root(args.uid)
        connection_file = os.path.join(os.path.expanduser("~"), ".kernel-connection.json")
        fd = os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(connection)
    # One BLAS thread per kernel: submissions are graded in parallel, one process each.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file])


if __name__ == "__main__":
    main()
