"""The sandbox every learner kernel runs in: bubblewrap (``bwrap``), the tool Flatpak uses.

Inside, the kernel sees only what it needs to run: the system (``/usr``, ``/etc``), the Python
installation and virtual environment, the ``checks`` and ``mlp_lab`` packages and the MNIST
folder, all read-only; a fresh, size-limited ``/tmp`` and home folder; the kernel's connection
folder (read-write) and the judge's socket folder (read-only). No network, its own pid namespace
(everything the kernel starts dies with it), a clean environment without the grading seed.

When the grader runs as root, the kernel gives up root before any learner code runs
(``limited_kernel --uid``): bwrap keeps only the capabilities to change user, and a real
unprivileged uid is what makes the process limit hold. As another user, bwrap needs unprivileged
user namespaces (``--unshare-user``) and the kernel keeps that user's id.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import font_cache

HOME = "/home/learner"               # the kernel's home and working folder (a fresh tmpfs)
MPLCONFIGDIR = f"{HOME}/.config/matplotlib"
JUDGE_DIR = "/run/mlp-lab-judge"     # where the judge's socket folder appears inside
_TOP_LEVEL = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/etc")


class SandboxUnavailable(Exception):
    """bwrap is missing or cannot create a sandbox here (the message says why and what to do)."""


def as_root() -> bool:
    return os.geteuid() == 0


def _packages() -> list:
    import checks
    import mlp_lab

    return [Path(checks.__file__).resolve().parent, Path(mlp_lab.__file__).resolve().parent]


def readonly_paths() -> list:
    """Host folders the kernel needs, mounted read-only at the same place."""
    paths = [Path(sys.base_prefix), Path(sys.prefix), *_packages()]
    mnist = os.environ.get("MLP_LAB_MNIST_DIR")
    if mnist and Path(mnist).is_dir():
        paths.append(Path(mnist))
    kept: list = []
    for p in sorted({Path(os.path.realpath(p)) for p in paths}, key=lambda p: len(p.parts)):
        if not any(q == p or q in p.parents for q in kept):
            kept.append(p)
    return kept


def linked_paths() -> list:
    """``(target, link)`` for the environment's folders reached through a symbolic link (a
    virtual environment linked into place): the kernel starts as ``sys.executable``, so that path
    must lead to the same files inside."""
    links = []
    for p in {Path(sys.prefix), Path(sys.base_prefix)}:
        real = Path(os.path.realpath(p))
        if real != p:
            links.append((real, p))
    return sorted(links)


def kernel_env(judge_socket: str) -> dict:
    """The whole environment of the kernel (nothing else of the grader's leaks in)."""
    env = {"HOME": HOME, "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": MPLCONFIGDIR, "PYTHONDONTWRITEBYTECODE": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MLP_LAB_GRADER": judge_socket,
           # The kernel imports the very checks and mlp_lab the grader runs (and mounts), not another
           # copy an editable install might point at.
           "PYTHONPATH": os.pathsep.join(sorted({str(p.parent) for p in _packages()}))}
    if os.environ.get("MLP_LAB_MNIST_DIR"):
        env["MLP_LAB_MNIST_DIR"] = os.path.realpath(os.environ["MLP_LAB_MNIST_DIR"])
    return env


def bwrap_command(*, runtime_dir: Path, judge_dir: Path, judge_socket_name: str, disk_mb: int) -> list:
    """The bwrap argv that runs a command (appended after it) in a fresh sandbox.

    ``runtime_dir``: the kernel's connection file and ipc sockets (read-write, same path inside);
    ``judge_dir``: the folder of the judge's Unix socket, visible read-only at ``JUDGE_DIR``.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (the `bwrap` command) is not installed")
    argv = [bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--clearenv"]
    if not as_root():
        argv.append("--unshare-user")
    else:
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    for name, value in kernel_env(f"{JUDGE_DIR}/{judge_socket_name}").items():
        argv += ["--setenv", name, value]
    for top in _TOP_LEVEL:
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    size = str(disk_mb * 1024 * 1024)
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--size", size, "--perms", "1777", "--tmpfs", "/tmp",
             "--size", size, "--perms", "1777", "--tmpfs", HOME]
    binds = [("--ro-bind", path, path) for path in readonly_paths()]
    binds += [("--ro-bind", real, link) for real, link in linked_paths()]
    binds += [("--bind", Path(runtime_dir), Path(runtime_dir)), ("--ro-bind", Path(judge_dir), Path(JUDGE_DIR))]
    made = {Path("/"), Path("/tmp"), Path(HOME)}
    fonts = font_cache.font_list()
    if fonts is not None:
        # matplotlib's folder must stay writable by the kernel's user: only the font list is read-only.
        for folder in (Path(MPLCONFIGDIR).parent, Path(MPLCONFIGDIR)):
            made.add(folder)
            argv += ["--perms", "1777", "--dir", str(folder)]
        binds.append(("--ro-bind", fonts, Path(MPLCONFIGDIR) / fonts.name))
    for how, source, target in binds:
        # bwrap would create missing parents as 0700, which the kernel's user could not cross.
        for parent in reversed(target.parents):
            if parent not in made:
                made.add(parent)
                argv += ["--perms", "0755", "--dir", str(parent)]
        argv += [how, str(source), str(target)]
    return argv + ["--remount-ro", "/", "--chdir", HOME, "--"]


def probe(tmp: Path) -> None:
    """Start one throw-away sandbox running this Python; raise SandboxUnavailable if it fails."""
    runtime, judge = tmp / "probe-k", tmp / "probe-j"
    runtime.mkdir(exist_ok=True)
    judge.mkdir(exist_ok=True)
    argv = bwrap_command(runtime_dir=runtime, judge_dir=judge, judge_socket_name="none", disk_mb=1)
    try:
        proc = subprocess.run(argv + [sys.executable, "-c", "import checks, mlp_lab"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(f"bwrap could not be started ({exc})") from None
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise SandboxUnavailable(f"bwrap cannot create a sandbox on this machine ({why})")
