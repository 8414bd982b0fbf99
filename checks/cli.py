"""The ``mlp-lab`` command: open the course, check your work, grade, release and re-execute notebooks.

    mlp-lab course [DIR]         copy the chapters into DIR (yours are never overwritten), open JupyterLab
    mlp-lab check NOTEBOOK...    which exercises of your notebooks pass (python -m checks.mine)
    mlp-lab submit [DIR]         check your chapters, then zip them to hand in (python -m checks.submit)
    mlp-lab grade SUBMISSION...  grade returned notebooks (python -m checks.grade)
    mlp-lab grade merge DIR...   merge the output folders of grading shards (python -m checks.merge)
    mlp-lab release              write the learner notebooks from the solutions (python -m checks.release)
    mlp-lab execute NOTEBOOK...  re-run notebooks in place, reproducibly (python -m checks.execute)

Every command but ``course`` hands its arguments unchanged to its module's ``main``, so its options
and its ``--help`` are that module's own. ``grade merge`` is always the merge (to grade a submission
folder named ``merge``, write ``./merge``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from pathlib import Path

from checks.locations import chapters_dir

DEFAULT_COURSE_DIR = Path("mlp-lab-course")
DELEGATED = {
    "check": ("checks.mine", "which exercises of your notebooks pass, fail or are not implemented yet"),
    "submit": ("checks.submit", "run your chapters, warn about what would cost points, write the zip to upload"),
    "grade": ("checks.grade", "grade returned notebooks: points, feedback, gradebook (instructors); "
                              "'grade merge' merges shards"),
    "release": ("checks.release", "write the learner notebooks from chapters/solutions/ (maintainers)"),
    "execute": ("checks.execute", "re-run notebooks top to bottom in place, reproducibly (maintainers)"),
}


def copy_chapters(source: Path, target: Path) -> tuple[list[Path], list[Path]]:
    """Copy the learner notebooks and ``solutions/`` from ``source`` into ``target``, never overwriting.

    Returns ``(copied, kept)``: the files written, and the files already in ``target`` (left as they are).
    """
    notebooks = sorted(source.glob("[0-9][0-9]_*.ipynb")) + sorted(source.glob("solutions/[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no chapter notebooks in {source}; reinstall mlp-lab")
    copied, kept = [], []
    for src in notebooks:
        dst = target / src.relative_to(source)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(dst, "xb") as out:     # "x": fails if the file exists, so no learner work is replaced
                out.write(src.read_bytes())
        except FileExistsError:
            kept.append(dst)
        else:
            copied.append(dst)
    return copied, kept


def course(directory: Path, copy_only: bool, jupyter_args: list[str]) -> int:
    """``mlp-lab course``: copy the chapters into ``directory``, then replace this process by JupyterLab."""
    if directory.exists() and not directory.is_dir():
        print(f"error: {directory} is a file; give a folder for the course (default: {DEFAULT_COURSE_DIR})",
              file=sys.stderr)
        return 2
    try:
        copied, kept = copy_chapters(chapters_dir(), directory)
    except OSError as exc:
        print(f"error: cannot copy the chapters into {directory}: {exc}", file=sys.stderr)
        return 2
    print(f"{directory}: copied {len(copied)} notebook(s), kept {len(kept)} already there (never overwritten)")
    if copy_only:
        print(f"open them in any Jupyter, or run: mlp-lab course {directory}")
        return 0
    if importlib.util.find_spec("jupyterlab") is None:
        print("error: JupyterLab is not installed here: pip install 'mlp-lab[course]', "
              f"or open {directory} in your own Jupyter or VS Code", file=sys.stderr)
        return 2
    # Jupyter refuses to run as root unless told to (containers and course VMs often are root).
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    command = [sys.executable, "-m", "jupyterlab", *as_root, *jupyter_args, str(directory)]
    sys.stdout.flush()
    os.execv(sys.executable, command)   # JupyterLab takes over this process (and its Ctrl-C, and its pid)


def parser() -> argparse.ArgumentParser:
    """The top-level parser; it parses ``course`` and lists the delegated commands for ``--help``."""
    top = argparse.ArgumentParser(prog="mlp-lab",
                                  description="The mlp-lab course: open it, check your work, grade, release.",
                                  epilog="Run 'mlp-lab COMMAND --help' for a command's options.")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    start = commands.add_parser(
        "course", help="copy the chapters into DIR (never overwriting yours) and open JupyterLab there",
        description="Copy the learner notebooks (and solutions/) into DIR, keeping any file already "
                    "there, then open JupyterLab in DIR. Options not listed here go to JupyterLab "
                    "(e.g. --no-browser, --port=8890).")
    start.add_argument("directory", nargs="?", type=Path, default=DEFAULT_COURSE_DIR, metavar="DIR",
                       help=f"folder for your notebooks (default: ./{DEFAULT_COURSE_DIR})")
    start.add_argument("--copy-only", action="store_true", help="copy the notebooks, do not start JupyterLab")
    for name, (module, summary) in DELEGATED.items():
        commands.add_parser(name, help=f"{summary} [{module}]", add_help=False)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mlp-lab`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["grade", "merge"]:
        return importlib.import_module("checks.merge").main(argv[2:])
    if argv and argv[0] in DELEGATED:
        return importlib.import_module(DELEGATED[argv[0]][0]).main(argv[1:])
    top = parser()
    args, jupyter_args = top.parse_known_args(argv)
    return course(args.directory, args.copy_only, jupyter_args)


if __name__ == "__main__":
    sys.exit(main())
