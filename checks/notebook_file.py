"""Reading and writing notebook files exactly as Jupyter does, with errors a person can act on."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import nbformat
from nbformat import NotebookNode


class NotebookError(ValueError):
    """A notebook that the course tools cannot use, with what is wrong and how to fix it."""


def read_notebook(path: str | Path) -> NotebookNode:
    """Read a version-4 notebook from ``path``; refuse cells without ids (nbformat would invent random ones)."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such notebook file")
    text = path.read_text(encoding="utf-8")
    return reads_notebook(text, str(path))


def reads_notebook(text: str, where: str = "<notebook>") -> NotebookNode:
    """Parse notebook JSON ``text``; ``where`` names it in error messages."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{where}: not valid notebook JSON ({exc}); re-save it from Jupyter") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        raise NotebookError(f"{where}: expected an nbformat 4 notebook; re-save it from a current Jupyter")
    if raw.get("nbformat_minor", 0) >= 5:
        for i, cell in enumerate(raw.get("cells", [])):
            if "id" not in cell:
                raise NotebookError(f"{where}: cell {i} has no 'id'; re-save the notebook from Jupyter "
                                    "(or run nbformat's normalize) so ids are stable")
    captured: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT, capture_validation_error=captured)
    if "ValidationError" in captured:
        first = str(captured["ValidationError"]).splitlines()[0]
        raise NotebookError(f"{where}: invalid notebook ({first}); re-save it from Jupyter")
    return nb


def dumps_notebook(nb: NotebookNode) -> str:
    """The exact text Jupyter writes for ``nb``: sorted keys, indent 1, trailing newline."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb: NotebookNode, path: str | Path) -> bool:
    """Write ``nb`` to ``path`` only if its text changes; return whether the file was written."""
    path = Path(path)
    text = dumps_notebook(nb)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8", newline="\n")
    return True
