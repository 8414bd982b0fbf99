"""Run one prepared notebook under pytest + nbval (lax) with the judging plugin, in a sandbox.

Each run is its own process tree: pytest (the judge, no learner code; started ahead of its
notebook by ``early_judge.py``) and a kernel started through ``limited_kernel`` inside a
bubblewrap sandbox (``sandbox.py``). The judge's files (the notebook it runs, pytest's
configuration, the verdict record) live in a folder the sandbox never sees, and every run, re-runs
included, gets fresh folders. A cell is stopped after ``cell_timeout`` (nbval interrupts the
kernel) and, if it is still running ``grace`` seconds later, the kernel and its whole sandbox are
killed, whether or not the cell prints. A kernel that
dies (``os._exit``, SIGXCPU, a crash, the watchdog) would make nbval fail every later cell, so the
notebook is run again from the start with the cell that killed the kernel replaced by a comment:
a crash costs only what it touches.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import sandbox
from .early_judge import EarlyJudge, EarlyJudges
from .prepare import neutralise

KERNEL_NAME = "mlp-lab-grading"


@dataclass
class Limits:
    cell_timeout: int = 120       # seconds of wall-clock per cell before nbval interrupts it
    grace: int = 10               # seconds after that before the kernel and its sandbox are killed
    memory_mb: int = 4096         # address space of each kernel process
    cpu_seconds: int = 900        # CPU time of the kernel, all cells together
    disk_mb: int = 512            # size of the sandbox's /tmp and home, and of the largest file
    processes: int = 64           # processes and threads of the kernel's user (sandboxed as root)
    run_timeout: int = 1800       # wall-clock for one whole run of a notebook
    max_reruns: int = 3           # how many crashed cells may be skipped before giving up
    judge_memory_mb: int = 3072   # address space of the judge (pytest) process
    sandboxed: bool = True        # False only with --unsafe-no-sandbox


class KernelUids:
    """Unprivileged user ids for kernels when the grader runs as root: one per live sandbox on this
    machine, so one learner's processes never count against another's process limit, and killing
    what is left of one sandbox never touches another (or another grader's). A uid is claimed by
    an exclusive lock on a file named after it, held for the whole run (released even if the grader
    dies), and only while no process runs as that uid. The range sits between systemd-homed's
    (60001-60513) and systemd's dynamic users (61184-65519)."""

    FIRST, COUNT = 60600, 500
    LOCKS = Path(tempfile.gettempdir()) / "mlp-lab-kernel-uids"

    def acquire(self) -> tuple:
        """Return ``(uid, lock)``; keep ``lock`` open until every process of the uid is gone."""
        self.LOCKS.mkdir(mode=0o700, exist_ok=True)
        if self.LOCKS.stat().st_uid != os.geteuid() or os.path.islink(self.LOCKS):
            raise RuntimeError(f"{self.LOCKS} belongs to someone else; remove it and grade again")
        for uid in range(self.FIRST, self.FIRST + self.COUNT):
            lock = open(self.LOCKS / str(uid), "a")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                continue
            if next(_pids_of(uid), None) is None:
                return uid, lock
            lock.close()
        raise RuntimeError(f"all {self.COUNT} kernel user ids from {self.FIRST} are in use")


UIDS = KernelUids()


def _kernel_argv(limits: Limits, runtime: Path, sockets: Path, uid) -> list:
    # Run as a file in isolated mode (-I), not with -m: -m would first import the package ``checks``
    # (NumPy and every exercise: about 0.3 s of CPU per notebook), which the launcher never uses.
    launcher = [sys.executable, "-I", str(Path(__file__).resolve().with_name("limited_kernel.py")),
                "--memory-mb", str(limits.memory_mb),
                "--cpu-seconds", str(limits.cpu_seconds), "--file-mb", str(limits.disk_mb)]
    if not limits.sandboxed:
        return launcher + ["-f", "{connection_file}"]
    if uid is not None:
        launcher += ["--uid", str(uid), "--processes", str(limits.processes)]
    elif not sandbox.as_root():
        launcher += ["--processes", str(limits.processes)]  # counted in the sandbox's user namespace
    box = sandbox.bwrap_command(runtime_dir=runtime, judge_dir=sockets, judge_socket_name="judge.sock",
                                disk_mb=limits.disk_mb)
    return box + launcher + ["-f", "{connection_file}"]


def _write_kernelspec(run: Path, argv: list, sandboxed: bool) -> Path:
    spec = run / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    # Inside the sandbox the kernel is in another session: interrupt it by message, not by signal.
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "mlp-lab grading", "language": "python",
         "interrupt_mode": "message" if sandboxed else "signal"}))
    return run / "jupyter"


def _run_once(nb, judge: EarlyJudge, seed: int, limits: Limits, uid):
    """Execute ``nb`` once with ``judge`` (fresh folders); return the plugin's record and a problem."""
    try:
        if uid is not None:
            os.chown(judge.runtime, uid, uid)   # the kernel creates its ipc sockets there
        _write_kernelspec(judge.run, _kernel_argv(limits, judge.runtime, judge.sockets, uid), limits.sandboxed)
        nb_path, record, ini = judge.judge / "submission.ipynb", judge.judge / "record.json", judge.judge / "pytest.ini"
        nbformat.write(nb, str(nb_path))
        ini.write_text("[pytest]\n")
        # No assertion rewriting: no Python test file is collected, and the plugins are imported already.
        argv = [str(nb_path), "-p", "checks.grading.plugin", "-p", "checks.run_all", "-p", "nbval.plugin",
                "--noconftest", "-c", str(ini), "--rootdir", str(judge.judge), "-p", "no:cacheprovider",
                "--assert=plain", "--nbval-lax", "--nbval-kernel-name", KERNEL_NAME,
                "--nbval-cell-timeout", str(limits.cell_timeout),
                "--mlp-grading-record", str(record), "--mlp-grading-call-timeout", str(limits.cell_timeout),
                "--mlp-grading-socket", str(judge.sockets / "judge.sock"),
                "--mlp-grading-ipc", str(judge.runtime / "ipc"),
                "--mlp-grading-cell-limit", str(limits.cell_timeout + limits.grace),
                "--mlp-grading-judge-memory-mb", str(limits.judge_memory_mb),
                "--mlp-grading-kernel-uid", str(uid if uid is not None else os.getuid()),
                "-q", "--no-header", "-rN", "-o", "python_files=none"]
        out, timed_out = judge.run_pytest(argv, seed, limits.run_timeout)
        problem = f"the notebook did not finish within {limits.run_timeout} s and was stopped" if timed_out else ""
        if uid is not None:
            _kill_user(uid)
        if not record.exists():
            tail = out.decode(errors="replace")[-2000:] if out else ""
            return {"cells": [], "verdicts": {}}, problem or f"the grading run failed before finishing:\n{tail}"
        return json.loads(record.read_text()), problem
    finally:
        judge.discard()


def _kill_user(uid: int, patience: float = 10.0) -> None:
    """Kill every process of the kernel's user id and wait until none is left."""
    deadline = time.monotonic() + patience
    while True:
        alive = list(_pids_of(uid))
        if not alive or time.monotonic() > deadline:
            return
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)


def _pids_of(uid: int):
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    yield int(entry.name)
            except FileNotFoundError:
                pass


def run_notebook(nb, seed: int, limits: Limits, judges: EarlyJudges | None = None) -> dict:
    """Grade-run a prepared notebook; return verdicts, per-cell results and what happened. Its
    judges come from ``judges`` when given (started ahead), else are started when needed."""
    uid, lock = UIDS.acquire() if limits.sandboxed and sandbox.as_root() else (None, None)
    take = judges.take if judges is not None else EarlyJudge
    try:
        events, verdicts, crashed = [], {}, {}
        record, problem = {"cells": []}, ""
        for attempt in range(limits.max_reruns + 1):
            record, problem = _run_once(nb, take(), seed, limits, uid)
            if not record["cells"] and problem.startswith("the grading run failed"):
                # pytest itself failed before any cell ran: a fault of ours, not the learner's; try again once
                record, problem = _run_once(nb, take(), seed, limits, uid)
            for exercise, v in record["verdicts"].items():
                verdicts.setdefault(exercise, v)
            dead = _first_crash(record["cells"])
            if dead is None:
                break
            index, cell = dead
            what = (f"code cell {index + 1} ran longer than {limits.cell_timeout + limits.grace} s, so the "
                    f"kernel was stopped" if cell.get("stopped") else
                    f"the kernel died while running code cell {index + 1}")
            what += f" (the check of '{cell['exercise']}')" if cell.get("kind") == "check" else ""
            events.append(what[0].upper() + what[1:] + ("; the notebook was run again without it."
                                                       if attempt < limits.max_reruns
                                                       else "; no more re-runs were attempted."))
            if cell.get("kind") == "check" and cell.get("exercise"):
                crashed[cell["exercise"]] = what
            if attempt < limits.max_reruns:
                nb = neutralise(nb, index, "the kernel died in this cell during grading")
        for exercise, what in crashed.items():
            if exercise not in verdicts:
                verdicts[exercise] = {"exercise": exercise, "passed": False, "mistake": "exception",
                                      "message": f"The kernel crashed while checking {exercise} ({what}): "
                                                 f"your function may call os._exit, loop, or exhaust memory "
                                                 f"or CPU time."}
        if problem:
            events.append(problem)
        return {"verdicts": verdicts, "cells": record["cells"], "events": events}
    finally:
        if uid is not None:
            _kill_user(uid)
            lock.close()


def _first_crash(cells):
    """The last cell that ran before nbval first found the kernel dead, as (code index, cell)."""
    previous = None
    for cell in cells:
        if cell["kernel_dead"]:
            return (previous["index"], previous) if previous is not None else None
        previous = cell
    return None
