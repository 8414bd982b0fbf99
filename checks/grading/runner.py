"""Run one prepared notebook under pytest + nbval (lax) with the judging plugin, in limits.

Each run is its own process tree: pytest (the judge, no learner code) and a kernel started
through ``limited_kernel`` (memory and CPU limits). nbval's per-cell timeout interrupts a
looping cell and carries on. A kernel that dies (``os._exit``, SIGXCPU, a crash) would make nbval
fail every later cell, so the notebook is run again from the start with the cell that killed
the kernel replaced by a comment: a crash costs only what it touches.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .prepare import neutralise

KERNEL_NAME = "mlp-lab-grading"


@dataclass
class Limits:
    cell_timeout: int = 120       # seconds of wall-clock per cell
    memory_mb: int = 4096         # address space of the kernel
    cpu_seconds: int = 900        # CPU time of the kernel, all cells together
    run_timeout: int = 1800       # wall-clock for one whole run of a notebook
    max_reruns: int = 3           # how many crashed cells may be skipped before giving up


def _write_kernelspec(root: Path, limits: Limits) -> Path:
    spec = root / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "checks.grading.limited_kernel",
            "--memory-mb", str(limits.memory_mb), "--cpu-seconds", str(limits.cpu_seconds), "--",
            sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "mlp-lab grading", "language": "python"}))
    return root / "jupyter"


def _run_once(nb, workdir: Path, seed: int, limits: Limits, jupyter_path: Path):
    """Execute ``nb`` once; return the plugin's record (cells and verdicts) and a problem string."""
    nb_path = workdir / "submission.ipynb"
    nbformat.write(nb, str(nb_path))
    record = workdir / "record.json"
    if record.exists():
        record.unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLP_LAB_GRADING", "MLP_LAB_CHECK_SEED"))}
    env.update(JUPYTER_PATH=str(jupyter_path), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", str(nb_path), "-p", "checks.grading.plugin", "-p", "checks.run_all",
           "--nbval-lax", "--nbval-kernel-name", KERNEL_NAME, "--nbval-cell-timeout", str(limits.cell_timeout),
           "--mlp-grading-record", str(record), "--mlp-grading-call-timeout", str(limits.cell_timeout),
           "-p", "no:cacheprovider", "-q", "--no-header", "-rN", "--rootdir", str(workdir),
           "-o", "addopts=", "-o", "python_files=none", "-c", os.devnull]
    problem = ""
    # The seed goes through a pipe that the plugin reads and closes before any kernel starts.
    # Each descriptor is closed exactly once: graders run in threads, and closing a number twice
    # could close another thread's freshly opened descriptor.
    read_fd, write_fd = os.pipe()
    try:
        env["MLP_LAB_GRADING_SEED_FD"] = str(read_fd)
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, pass_fds=(read_fd,),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        os.close(read_fd)
    with os.fdopen(write_fd, "w") as pipe:
        pipe.write(str(seed))
    try:
        out, _ = proc.communicate(timeout=limits.run_timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, _ = proc.communicate()
        problem = f"the notebook did not finish within {limits.run_timeout} s and was stopped"
    try:
        os.killpg(proc.pid, 9)  # any kernel left behind
    except (ProcessLookupError, PermissionError):
        pass
    if not record.exists():
        tail = out.decode(errors="replace")[-2000:] if out else ""
        return {"cells": [], "verdicts": {}}, problem or f"the grading run failed before finishing:\n{tail}"
    return json.loads(record.read_text()), problem


def run_notebook(nb, seed: int, limits: Limits) -> dict:
    """Grade-run a prepared notebook; return verdicts, per-cell results and what happened."""
    root = Path(tempfile.mkdtemp(prefix="mlp-grade-"))
    try:
        jupyter_path = _write_kernelspec(root, limits)
        workdir = root / "work"
        workdir.mkdir()
        events, verdicts, crashed = [], {}, {}
        record, problem = {"cells": []}, ""
        for attempt in range(limits.max_reruns + 1):
            record, problem = _run_once(nb, workdir, seed, limits, jupyter_path)
            if not record["cells"] and problem.startswith("the grading run failed"):
                # pytest itself failed before any cell ran: a fault of ours, not the learner's; try again once
                record, problem = _run_once(nb, workdir, seed, limits, jupyter_path)
            for exercise, v in record["verdicts"].items():
                verdicts.setdefault(exercise, v)
            dead = _first_crash(record["cells"])
            if dead is None:
                break
            index, cell = dead
            what = (f"the kernel died while running code cell {index + 1}"
                    + (f" (the check of '{cell['exercise']}')" if cell.get("kind") == "check" else ""))
            events.append(what.capitalize() + ("; the notebook was run again without it." if attempt < limits.max_reruns
                                               else "; no more re-runs were attempted."))
            if cell.get("kind") == "check" and cell.get("exercise"):
                crashed[cell["exercise"]] = what
            if attempt < limits.max_reruns:
                nb = neutralise(nb, index, "the kernel died in this cell during grading")
        for exercise, what in crashed.items():
            if exercise not in verdicts:
                verdicts[exercise] = {"exercise": exercise, "passed": False, "mistake": "exception",
                                      "message": f"The kernel crashed while checking {exercise} ({what}): "
                                                 f"your function may call os._exit, exhaust memory or CPU time."}
        if problem:
            events.append(problem)
        return {"verdicts": verdicts, "cells": record["cells"], "events": events}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _first_crash(cells):
    """The last cell that ran before nbval first found the kernel dead, as (code index, cell)."""
    previous = None
    for cell in cells:
        if cell["kernel_dead"]:
            return (previous["index"], previous) if previous is not None else None
        previous = cell
    return None
