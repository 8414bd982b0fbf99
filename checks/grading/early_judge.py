"""Judges started ahead of their notebooks, so that their start-up overlaps the notebook before.

A judge is ``pytest`` with nbval and the grading plugin (``notebook_run.py``). Importing pytest,
nbval, nbformat, jupyter_client and ``checks`` takes about a second of CPU, and paid in front of
every notebook it was most of what grading costs beyond executing. So the grader starts the next
judge while the current notebook runs (the kernel uses one core): in a fresh private folder,
with a clean environment, the process imports everything and then waits on its stdin. When the
notebook is ready, the grader writes it and the kernelspec into that folder, sends the seed
through the judge's seed pipe and pytest's command line through its stdin, and the judge runs
exactly as ``python -I -B -m pytest`` would. Both pipes are held by the grader alone, and the
folder is one no sandbox sees, so nothing a judge waits for can come from learner code.

    python -I -B -m checks.grading.early_judge   # what the grader starts; reads one line: argv as JSON
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# What the judge imports before it is needed: the plugins named on its command line, and pytest's
# own, which pytest would otherwise import when it builds its configuration.
PLUGINS = ("checks.grading.plugin", "checks.run_all", "nbval.plugin")


class EarlyJudge:
    """One judge process, importing or waiting, and its private folder ``run``: ``judge`` (its
    files: notebook, configuration, record), ``k`` (the kernel's runtime folder) and ``s`` (the
    folder of the judge's socket, the only one the sandbox sees)."""

    def __init__(self):
        self.run = Path(tempfile.mkdtemp(prefix="mlpg-"))   # private to the grader (0700)
        self.judge, self.runtime, self.sockets = self.run / "judge", self.run / "k", self.run / "s"
        for folder in (self.judge, self.runtime, self.sockets):
            folder.mkdir()
        env = judge_env(self.judge, self.runtime, self.run / "jupyter")
        # The seed goes through a pipe that the plugin reads and closes before any kernel starts.
        # Each descriptor is closed exactly once: graders run in threads, and closing a number twice
        # could close another thread's freshly opened descriptor.
        read_fd, self._seed_fd = os.pipe()
        try:
            env["MLP_LAB_GRADING_SEED_FD"] = str(read_fd)
            self.proc = subprocess.Popen([sys.executable, "-I", "-B", "-m", __name__], cwd=self.judge, env=env,
                                         pass_fds=(read_fd,), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            os.close(read_fd)

    def run_pytest(self, argv: list, seed: int, timeout: float) -> tuple:
        """Run pytest with ``argv`` and ``seed``; return ``(output, timed_out)``. The process group
        is killed at the end, whatever it left behind."""
        seed_fd, self._seed_fd = self._seed_fd, None
        try:
            with os.fdopen(seed_fd, "w") as pipe:
                pipe.write(str(seed))
        except BrokenPipeError:
            pass   # the judge died while it waited: no record, so the run counts as failed and is retried
        try:
            out, _ = self.proc.communicate(input=(json.dumps(argv) + "\n").encode(), timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            self._kill()   # the sandbox dies with the judge (--die-with-parent)
            out, _ = self.proc.communicate()
            timed_out = True
        self._kill()
        return out, timed_out

    def discard(self) -> None:
        """Stop the process if it still waits (a judge never used), and remove the folder."""
        if self._seed_fd is not None:
            os.close(self._seed_fd)
            self._seed_fd = None
        if self.proc.returncode is None:
            self._kill()
            self.proc.communicate()
        shutil.rmtree(self.run, ignore_errors=True)

    def _kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class EarlyJudges:
    """Judges for a batch of (at most) ``notebooks`` graded ``jobs`` at a time: the first ``jobs``
    start at once, and each ``take()`` returns a started judge and starts the one after it, until as
    many were started as there are notebooks (a re-run after a crash starts its judge when it needs
    it). ``close()`` discards the judges never taken."""

    def __init__(self, notebooks: int, jobs: int = 1):
        self._left, self._waiting, self._lock = notebooks, [], threading.Lock()
        for _ in range(max(1, jobs)):
            judge = self._start()
            if judge is not None:
                self._waiting.append(judge)

    def take(self) -> EarlyJudge:
        with self._lock:
            judge = self._waiting.pop(0) if self._waiting else self._start()   # the longest started
            if self._left > 0:
                self._waiting.append(self._start())
        return judge or EarlyJudge()

    def _start(self):
        if self._left <= 0:
            return None
        self._left -= 1
        return EarlyJudge()

    def close(self) -> None:
        with self._lock:
            waiting, self._waiting, self._left = self._waiting, [], 0
        for judge in waiting:
            judge.discard()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def judge_env(judge: Path, runtime: Path, jupyter_path: Path) -> dict:
    """A clean environment for pytest: nothing from the grader's home or configuration."""
    home = judge / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local"),
           "XDG_CACHE_HOME": str(home / ".cache"), "IPYTHONDIR": str(home / ".ipython"),
           "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / ".jupyter-data"),
           "JUPYTER_PATH": str(jupyter_path), "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTER_PLATFORM_DIRS": "1", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    if os.environ.get("MLP_LAB_MNIST_DIR"):
        env["MLP_LAB_MNIST_DIR"] = os.environ["MLP_LAB_MNIST_DIR"]
    return env


def main() -> None:
    """The judge's side: import, wait for pytest's command line, run it."""
    import _pytest.config
    import pytest

    for name in _pytest.config.default_plugins:
        importlib.import_module(f"_pytest.{name}")
    for name in PLUGINS:
        importlib.import_module(name)
    line = sys.stdin.readline()
    if not line:
        return   # the grader stopped before it needed this judge
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.argv = ["pytest", *json.loads(line)]
    raise SystemExit(pytest.console_main())


if __name__ == "__main__":
    main()
