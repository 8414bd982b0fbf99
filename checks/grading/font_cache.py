"""Matplotlib's font list, built once per grading run and shown read-only to every sandboxed kernel.

Each sandbox's home is a fresh tmpfs, so without this the first plot of every graded notebook
would make matplotlib scan the system's fonts again (``fc-list`` and every font file) and write
its ``fontlist-v<version>.json``. The grader builds that file once, in a private folder, with the
very matplotlib the kernels import; ``sandbox.bwrap_command`` binds it read-only into the
kernel's matplotlib folder, which stays writable for anything else matplotlib keeps there.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

_lock = threading.Lock()
_built: list = []   # [path or None] once built: graders run notebooks in threads


def font_list() -> Path | None:
    """The font list file, built on the first call; None if matplotlib could not build one (the
    kernels then build their own, as before)."""
    with _lock:
        if not _built:
            _built.append(_build())
        return _built[0]


def _build() -> Path | None:
    folder = tempfile.mkdtemp(prefix="mlpg-fonts-")   # private to the grader (0700)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    env = dict(os.environ, MPLCONFIGDIR=folder, MPLBACKEND="Agg")
    try:
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env,
                       capture_output=True, timeout=300, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    lists = sorted(Path(folder).glob("fontlist-v*.json"))
    return lists[0] if len(lists) == 1 else None
