"""Re-execute solution notebooks in place, reproducibly: ``mlp-lab execute NB...``.

Runs each notebook top to bottom in a fresh kernel of this environment (as "Restart & Run All"
does), removes every cell's execution timestamps (``metadata.execution``, old ones included),
merges stdout split across several messages (a loaded machine splits one printed line into two
outputs), stores the kernel's ``language_info`` (so Jupyter does not see the notebook as modified
when it opens it), and writes it as Jupyter does. After executing, run ``mlp-lab release``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from .notebook_file import read_notebook, write_notebook


def execute(path: Path, timeout: int = 600) -> float:
    """Execute ``path`` in place; return the wall-clock seconds it took."""
    # Imported here, not at the top: they take a second, which --help should not pay.
    from nbclient import NotebookClient
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    from .ipc_kernel import ipc_kernel_manager

    nb = read_notebook(path)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlp-lab-execute-") as sockets:  # ipc sockets: no TCP port, no warning
        NotebookClient(nb, kernel_name="python3", timeout=timeout, record_timing=False,
                       kernel_manager_class=ipc_kernel_manager(f"{sockets}/kernel"),
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    write_notebook(nb, path)
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="mlp-lab execute", description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if not path.is_file():
            print(f"execute: {path} does not exist", file=sys.stderr)
            return 2
        print(f"{path}: executed in {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
