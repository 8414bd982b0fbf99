"""Learner copies of the solution notebooks: the release transform, writing them, and the drift check.

``chapters/solutions/NN_slug.ipynb`` is the source of truth; ``chapters/NN_slug.ipynb`` is its
learner copy. ``mlp-lab release`` (``checks/release.py``) is the command around these functions.
"""

from __future__ import annotations

import copy
from pathlib import Path

from nbformat import NotebookNode

from checks.course_cells import course_meta, find_cells
from checks.notebook_file import NotebookError, dumps_notebook, read_notebook
from checks.solution_stubs import stub_solutions

RUN_ALL_TAG = "raises-exception"   # on learner check cells: Run All goes on past a failing check


def release(nb: NotebookNode, where: str = "<notebook>") -> NotebookNode:
    """Learner copy of solution notebook ``nb`` (left unmodified): solutions stubbed, their outputs cleared.

    Check cells get the ``raises-exception`` tag, so "Run All" carries on past a failing check
    (``checks.run_all`` keeps nbval judging them).
    """
    find_cells(nb, where)   # refuses a notebook with structural problems, listing every one
    learner = copy.deepcopy(nb)
    for cell in learner.cells:
        meta = course_meta(cell)
        if meta is None:
            continue
        if meta["kind"] == "solution":
            cell.source = stub_solutions(cell.source, meta["exercise"], meta["hint"])
        elif RUN_ALL_TAG not in cell.metadata.get("tags", []):
            cell.metadata["tags"] = list(cell.metadata.get("tags", [])) + [RUN_ALL_TAG]
        cell.outputs = []
        cell.execution_count = None
    return learner


def learner_path(solution: str | Path) -> Path:
    """``chapters/solutions/NN_slug.ipynb`` -> ``chapters/NN_slug.ipynb``."""
    solution = Path(solution)
    return solution.parent.parent / solution.name


def solution_paths(root: str | Path) -> list[Path]:
    """Every solution notebook under ``root/chapters/solutions``, sorted by name."""
    return sorted((Path(root) / "chapters" / "solutions").glob("*.ipynb"))


def _fresh_releases(root: Path) -> dict[Path, str]:
    """Learner path -> text of a fresh release, for every solution notebook (all validated first)."""
    fresh, errors = {}, []
    for src in solution_paths(root):
        try:
            fresh[learner_path(src)] = dumps_notebook(release(read_notebook(src), _rel(src, root)))
        except NotebookError as exc:
            errors.append(str(exc))
    if errors:
        raise NotebookError("\n".join(errors))
    return fresh


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def release_all(root: str | Path) -> list[Path]:
    """Write every learner copy under ``root/chapters`` from its solution; return the files written."""
    root = Path(root)
    written = []
    for dst, text in _fresh_releases(root).items():
        if not (dst.is_file() and dst.read_text(encoding="utf-8") == text):
            dst.write_text(text, encoding="utf-8", newline="\n")
            written.append(dst)
    return written


def orphans(root: str | Path) -> list[Path]:
    """Learner copies under ``root/chapters`` with no solution notebook behind them."""
    root = Path(root)
    return sorted(p for p in (root / "chapters").glob("*.ipynb")
                  if not (root / "chapters" / "solutions" / p.name).is_file())


def drift(root: str | Path) -> list[str]:
    """One line per learner copy that is missing, differs from a fresh release, or has no solution."""
    root = Path(root)
    lines = []
    for dst, text in _fresh_releases(root).items():
        if not dst.is_file():
            lines.append(f"{_rel(dst, root)}: missing (no learner copy for this solution)")
        elif dst.read_text(encoding="utf-8") != text:
            lines.append(f"{_rel(dst, root)}: differs from a fresh release of its solution")
    for path in orphans(root):
        lines.append(f"{_rel(path, root)}: has no solution in chapters/solutions/ "
                     "(delete it, or add its solution)")
    return lines
