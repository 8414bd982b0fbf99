"""Build a Gradescope autograder: ``python -m checks.gradescope.build CHAPTER... --seed-file FILE``.

Writes ``autograder.zip`` in Gradescope's layout: ``setup.sh`` and ``run_autograder`` at the root,
the course's code (``mlp_lab``, ``checks``, ``requirements.txt``), the released learner chapters
(never the solutions), ``assignment.json`` (the chapters this assignment covers and the options
below) and the secret seed, which ``setup.sh`` moves out of the source folder. Upload the zip in
the assignment's "Configure Autograder" page with the Ubuntu 24.04 base image.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import zipfile
from pathlib import Path

from ..grading.prepare import load_chapters

PROJECT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent

#: Gradescope's result visibilities; "visible" is its documented default.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
#: "required": the grader must sandbox every notebook, or it refuses and results.json says why.
#: "off": grade without a sandbox (for containers whose seccomp profile blocks bubblewrap).
SANDBOX_MODES = ("required", "off")
DEFAULT_TIME_LIMIT = 540       # seconds: a minute under a 10-minute autograder timeout
DEFAULT_MEMORY_MB = 2048       # address space of one kernel: chapter 06's kernel peaks at 1438 MB (README)
DEFAULT_CELL_TIMEOUT = 120     # seconds of wall-clock per cell
CODE_SUFFIXES = (".py", ".sh")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)   # fixed, so the same inputs give the same zip


def read_seed(seed_file: Path | None) -> int:
    """The grading seed from ``seed_file``, else asked for on the terminal without echo."""
    if seed_file is not None:
        try:
            text = seed_file.read_text().strip()
        except OSError as exc:
            raise SystemExit(f"gradescope build: cannot read the seed file {seed_file}: {exc.strerror}") from None
        where = f"the seed file {seed_file}"
    else:
        text = getpass.getpass("Secret grading seed (an integer; not shown): ").strip()
        where = "the seed you typed"
    try:
        return int(text)
    except ValueError:
        raise SystemExit(f"gradescope build: {where} must hold one integer (for example 918273), "
                         f"and nothing else") from None


def pick_chapters(wanted: list, released: dict) -> list:
    """Chapter names for ``wanted`` items given as numbers ("03") or names ("03_backprop_as_gears")."""
    picked = []
    for item in wanted:
        hits = [name for name in released if name == item or name.split("_")[0] == item.zfill(2)]
        if len(hits) != 1:
            raise SystemExit(f"gradescope build: no chapter '{item}'; the course has: {', '.join(released)}")
        if hits[0] not in picked:
            picked.append(hits[0])
    return picked


def assignment(chapters: list, released: dict, args) -> dict:
    """What run_autograder needs besides the seed: chapters expected, every chapter's points, options."""
    return {"chapters": chapters,
            "course": {name: dict(ch.points) for name, ch in released.items()},
            "visibility": args.visibility, "time_limit": args.time_limit, "sandbox": args.sandbox,
            "memory_mb": args.memory_mb, "cell_timeout": args.cell_timeout}


def write_zip(out: Path, released_dir: Path, config: dict, seed: int) -> list:
    """Write the bundle; return the names it holds."""
    files = {"setup.sh": HERE / "setup.sh", "run_autograder": HERE / "run_autograder",
             "requirements.txt": PROJECT / "requirements.txt", "pyproject.toml": PROJECT / "pyproject.toml"}
    for package in ("mlp_lab", "checks"):
        for path in sorted((PROJECT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and (
                    path.suffix in CODE_SUFFIXES or path.name == "run_autograder"):
                files[path.relative_to(PROJECT).as_posix()] = path
    for name in config["course"]:
        files[f"chapters/{name}.ipynb"] = released_dir / f"{name}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, path in files.items():
            executable = path.suffix == ".sh" or path.name == "run_autograder"
            _add(zf, arcname, path.read_bytes(), 0o755 if executable else 0o644)
        _add(zf, "assignment.json", (json.dumps(config, indent=1) + "\n").encode(), 0o644)
        _add(zf, "grading-seed", f"{seed}\n".encode(), 0o600)
    return [*files, "assignment.json", "grading-seed"]


def _add(zf: zipfile.ZipFile, arcname: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(arcname, ZIP_DATE)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.gradescope.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="+", help="chapters the assignment covers: numbers (01 03) or names")
    parser.add_argument("--seed-file", type=Path,
                        help="file holding the secret grading seed (default: asked for, not shown)")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to write")
    parser.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                        help="when learners see their results (Gradescope's default: visible)")
    parser.add_argument("--time-limit", type=int, default=DEFAULT_TIME_LIMIT,
                        help="seconds for grading one submission; keep it under the autograder timeout "
                             "set in Gradescope (default %(default)s, for a 10-minute timeout)")
    parser.add_argument("--sandbox", choices=SANDBOX_MODES, default="required",
                        help="required (default): refuse to grade where the sandbox cannot run; "
                             "off: grade without it (learner code then runs unconfined in the container)")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help="address-space limit of each notebook's kernel (default %(default)s)")
    parser.add_argument("--cell-timeout", type=int, default=DEFAULT_CELL_TIMEOUT,
                        help="seconds of wall-clock per cell (default %(default)s)")
    parser.add_argument("--released", type=Path, default=PROJECT / "chapters",
                        help="folder of the released learner chapters (default: this course's chapters/)")
    args = parser.parse_args(argv)
    for name in ("time_limit", "memory_mb", "cell_timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be a positive number")

    released = load_chapters(args.released)
    chapters = pick_chapters(args.chapters, released)
    seed = read_seed(args.seed_file)
    config = assignment(chapters, released, args)
    write_zip(args.out, args.released, config, seed)
    points = sum(released[name].max_points for name in chapters)
    print(f"wrote {args.out}: chapters {', '.join(chapters)} ({points} points), visibility {args.visibility}, "
          f"time limit {args.time_limit} s, sandbox {args.sandbox}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
