"""pytest plugin (``-p checks.grading.plugin``) that turns an nbval lax run into a graded run.

It hosts the judge: a thread in the pytest process listening on a Unix socket. While the
released check cell for exercise X runs in the learner's kernel, the kernel connects, the judge
runs X's hidden cases through it and records the verdict. Verdicts arriving outside X's own
check cell are ignored, so a learner's extra calls cannot count. The socket lives in a folder
that only this notebook's sandbox sees (read-only). The seed comes through a pipe
(``MLP_LAB_GRADING_SEED_FD``) that is closed before any kernel starts, so learner code cannot read
it. The judge runs under its own memory limit, talks to the kernel over ZMQ ``ipc`` sockets (the
sandbox has no network), and kills the kernel, sandbox and all, when a cell runs past its
wall-clock limit whether or not it prints. At the end it writes a JSON record, in a folder the
sandbox never sees: one entry per code cell (what nbval saw, the outputs) and the verdicts.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import struct
import threading

import pytest

from ..ipc_kernel import ipc_kernel_manager
from . import protocol
from .evaluator import ENV


def pytest_addoption(parser):
    group = parser.getgroup("mlp_lab grading")
    group.addoption("--mlp-grading-record", default=None, help="write the grading record (JSON) here")
    group.addoption("--mlp-grading-call-timeout", type=float, default=60.0,
                    help="seconds the judge waits for one evaluation reply from the kernel")
    group.addoption("--mlp-grading-socket", help="path of the judge's Unix socket (its folder is the sandbox's view)")
    group.addoption("--mlp-grading-ipc", help="path prefix of the kernel's ZMQ ipc sockets")
    group.addoption("--mlp-grading-cell-limit", type=float, default=0,
                    help="seconds of wall-clock after which a cell's kernel is killed (0: never)")
    group.addoption("--mlp-grading-judge-memory-mb", type=int, default=0, help="address space of this process")
    group.addoption("--mlp-grading-kernel-uid", type=int, default=None,
                    help="user id of the kernel: connections from any other user are refused")


class RemoteCaller:
    """The judge's view of the learner's functions: every call is a round trip to the kernel."""

    def __init__(self, sock: socket.socket, roles):
        self.sock, self.roles = sock, set(roles)

    def has(self, role: str) -> bool:
        return role in self.roles

    def __call__(self, role, *args):
        return self.many(role, [args])[0]

    def many(self, role, arglists):
        from ..calling import Outcome, encode_value

        packed = []
        for args in arglists:
            arrays: dict = {}
            packed.append({"data": encode_value(tuple(args), arrays), "arrays": arrays})
        protocol.send(self.sock, {"type": "call", "role": role, "arglists": packed})
        reply = protocol.recv(self.sock)
        if not isinstance(reply, dict) or reply.get("type") != "outcomes" \
                or len(reply.get("outcomes", ())) != len(arglists):
            raise protocol.ProtocolError("the kernel answered out of turn")
        return [Outcome.from_dict(d) for d in reply["outcomes"]]


class Judge:
    def __init__(self, seed: int, call_timeout: float, path: str, kernel_uid=None):
        self.seed, self.call_timeout, self.path, self.kernel_uid = seed, call_timeout, path, kernel_uid
        self.verdicts: dict = {}
        self.current = None          # (exercise, cell index, whether it has a rubric) of the check cell now running
        self._judged_in_cell = False
        self.lock = threading.Lock()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        os.chmod(self.path, 0o666)   # the kernel runs as an unprivileged user
        self.server.listen(4)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                if self.kernel_uid is not None and _peer_uid(conn) != self.kernel_uid:
                    continue
                conn.settimeout(self.call_timeout)
                try:
                    self._handle(conn)
                except Exception:  # a misbehaving kernel must never take the judge down
                    pass

    def _handle(self, conn):
        from ..registry import PASS_LINE
        from ..runner import judge_exercise
        from ..scoring import score_stages

        hello = protocol.recv(conn)
        exercise = str(hello.get("exercise")) if isinstance(hello, dict) else ""
        with self.lock:
            current = self.current
            counts = current is not None and current[0] == exercise and not self._judged_in_cell
            if counts:
                self._judged_in_cell = True
        if not counts:
            protocol.send(conn, {"type": "ignored", "reason":
                                 f"(grading: this call of check_{exercise} is not in its check cell; it does not count)"})
            return
        caller = RemoteCaller(conn, hello.get("roles", []))
        verdict = {"exercise": exercise, "cell": current[1]}
        try:
            if current[2]:   # a rubric: judge every stage; the learner still reads the first failure
                score = score_stages(exercise, caller, seed=self.seed)
                verdict.update(stages=score.stages, stopped_by=score.stopped_by)
                if score.first is not None:
                    raise score.first
                line = PASS_LINE.format(name=exercise)
            else:
                line = judge_exercise(exercise, caller, seed=self.seed)  # mixed with the exercise's own seed there
            verdict.update(passed=True, line=line)
            reply = {"type": "verdict", "passed": True, "line": line}
        except (protocol.ProtocolError, ValueError) as exc:
            verdict.update(passed=False, mistake="exception",
                           message=f"The kernel stopped answering while {exercise} was being checked ({exc}).")
            reply = None
        except socket.timeout:
            verdict.update(passed=False, mistake="exception",
                           message=f"Your function took longer than {self.call_timeout:.0f} s on one check "
                                   f"case (an infinite loop?).")
            reply = None
        except AssertionError as exc:  # CheckFailure
            data = exc.to_dict() if hasattr(exc, "to_dict") else {"message": str(exc)}
            verdict.update(passed=False, mistake=getattr(exc, "mistake", "wrong_value"), message=str(exc),
                           failure=data)
            reply = {"type": "verdict", "passed": False, "failure": data}
        with self.lock:
            self.verdicts[exercise] = verdict
        if reply is not None:
            try:
                protocol.send(conn, reply)
            except OSError:
                pass

    def close(self):
        try:
            self.server.close()
            os.unlink(self.path)
        except OSError:
            pass


def _peer_uid(conn: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket (as the kernel sees it)."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


_judge: Judge | None = None
_cells: list = []
_cell_limit = 0.0


def _read_seed() -> int:
    fd = os.environ.pop("MLP_LAB_GRADING_SEED_FD", None)
    if fd is None:
        raise pytest.UsageError("checks.grading.plugin: no seed pipe (run it through python -m checks.grade)")
    with os.fdopen(int(fd), "r") as pipe:
        return int(pipe.read().strip())


def pytest_configure(config):
    global _judge, _cell_limit
    if not config.getoption("--mlp-grading-record"):
        return
    memory_mb = config.getoption("--mlp-grading-judge-memory-mb")
    if memory_mb:
        # Soft limit only: the kernel's launcher inherits the hard one and must be able to set its own,
        # larger limit. Nothing in this process (no learner code runs here) raises the soft one.
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, resource.getrlimit(resource.RLIMIT_AS)[1]))
    ipc = config.getoption("--mlp-grading-ipc")
    if ipc:
        import nbval.kernel

        nbval.kernel.KernelManager = ipc_kernel_manager(ipc)
    _cell_limit = config.getoption("--mlp-grading-cell-limit")
    _judge = Judge(_read_seed(), config.getoption("--mlp-grading-call-timeout"),
                   config.getoption("--mlp-grading-socket"), config.getoption("--mlp-grading-kernel-uid"))
    os.environ[ENV] = _judge.path   # what an unsandboxed kernel inherits; the sandbox sets its own


def _meta(item):
    cell = getattr(item, "cell", None)
    return (cell.get("metadata", {}).get("mlp_lab", {}) if cell is not None else {}), cell


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _judge is None:
        return
    meta, _ = _meta(item)
    with _judge.lock:
        _judge.current = (meta.get("exercise"), getattr(item, "cell_num", None), bool(meta.get("rubric"))) \
            if meta.get("kind") == "check" else None
        _judge._judged_in_cell = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """The per-cell wall clock: kill the kernel (its sandbox dies with it) if the cell runs too long.

    nbval's own timeout only interrupts, and then waits for as long as the cell keeps printing."""
    kernel = getattr(item.parent, "kernel", None)
    watchdog = None
    if _judge is not None and _cell_limit and kernel is not None:
        watchdog = threading.Timer(_cell_limit, _kill_kernel, (item, kernel))
        watchdog.daemon = True
        watchdog.start()
    try:
        yield
    finally:
        if watchdog is not None:
            watchdog.cancel()


def _kill_kernel(item, kernel):
    process = getattr(getattr(kernel.km, "provisioner", None), "process", None)
    if process is None or process.poll() is not None:
        return
    item.mlp_stopped = True
    try:
        os.kill(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if _judge is None or call.when != "call":
        return
    report = outcome.get_result()
    meta, cell = _meta(item)
    # Record the exception even when nbval turned it into an xfail (cells after a timeout).
    error = str(call.excinfo.value)[:4000] if call.excinfo is not None else ""
    _cells.append({
        "index": getattr(item, "cell_num", None),
        "kind": meta.get("kind"),
        "exercise": meta.get("exercise"),
        "outcome": report.outcome,
        "kernel_dead": "Kernel dead on test start" in error,
        "timed_out": bool(getattr(item.parent, "timed_out", False)),
        "stopped": bool(getattr(item, "mlp_stopped", False)),
        "error": error,
        "outputs": _jsonable(getattr(item, "test_outputs", None) or []),
    })


def _jsonable(outputs):
    try:
        return json.loads(json.dumps(outputs, default=str))
    except (TypeError, ValueError):
        return []


def pytest_sessionfinish(session):
    if _judge is None:
        return
    with _judge.lock:
        _judge.current = None
        record = {"cells": _cells, "verdicts": _judge.verdicts}
    with open(session.config.getoption("--mlp-grading-record"), "w") as f:
        json.dump(record, f)
    _judge.close()
