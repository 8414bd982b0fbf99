"""Write the learner notebooks ``chapters/*.ipynb`` from ``chapters/solutions/*.ipynb``.

    python -m checks.release            write every learner copy (only files that change)
    python -m checks.release --check    exit 1 if a committed learner copy differs from a fresh release

Solutions become ``raise NotImplementedError("<exercise>: <hint>")``; outputs of exercise and check
cells are cleared; everything else is kept exactly. Solution notebooks are only read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checks.locations import source_checkout

FIX = "fix: run mlp-lab release (then commit chapters/*.ipynb)"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status (0 ok, 1 drift, 2 unusable notebooks)."""
    parser = argparse.ArgumentParser(prog="mlp-lab release", description=__doc__.split("\n")[1])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 listing learner copies that differ from a fresh release")
    parser.add_argument("--root", type=Path, default=source_checkout() or Path.cwd(),
                        help="repository root holding chapters/ (default: this checkout, else the current folder)")
    args = parser.parse_args(argv)
    # Imported once the arguments are read, so that --help and usage errors answer at once.
    from checks.learner_copies import drift, orphans, release_all, solution_paths
    from checks.notebook_file import NotebookError

    root = args.root.resolve()
    if not (root / "chapters" / "solutions").is_dir():
        print(f"error: {root / 'chapters' / 'solutions'} is not a directory; pass --root <repository>",
              file=sys.stderr)
        return 2
    sources = solution_paths(root)
    try:
        if args.check:
            problems = drift(root)
            if problems:
                print("learner notebooks out of date with chapters/solutions/:")
                for line in problems:
                    print(f"  {line}")
                print(FIX)
                return 1
            print(f"ok: {len(sources)} learner notebook(s) match a fresh release")
            return 0
        written = release_all(root)
    except NotebookError as exc:
        print(f"error: cannot release:\n{exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(root)}")
    print(f"released {len(sources)} notebook(s), {len(written)} changed")
    for path in orphans(root):
        print(f"warning: {path.relative_to(root)} has no solution in chapters/solutions/; delete it",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
