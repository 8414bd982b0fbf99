"""Find the notebooks in a Gradescope upload and decide which chapter each one is.

An upload is whatever the learner sent: notebooks at the top or in nested folders, often with
``__MACOSX/`` (macOS zip metadata), ``.ipynb_checkpoints/`` or other hidden files beside them.
Those are ignored; symbolic links are never followed; every other file is accounted for, so the
learner reads what was graded, what was not, and why.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

JUNK_FOLDERS = {"__MACOSX", ".ipynb_checkpoints"}


@dataclass
class Upload:
    """Where each expected chapter's notebook is, and notes (Markdown lines) about everything else."""

    notebooks: dict = field(default_factory=dict)   # chapter name -> path of the notebook to grade
    notes: list = field(default_factory=list)
    files_seen: list = field(default_factory=list)  # relative paths of every file that is not junk


def scan(folder: Path, course: dict, expected: list) -> Upload:
    """Sort the files under ``folder``; ``course`` maps every chapter name to {exercise: points}."""
    upload = Upload()
    ignored = 0
    candidates = []
    for dirpath, dirnames, filenames in os.walk(folder):   # never follows symbolic links to folders
        dirnames[:] = sorted(d for d in dirnames if d not in JUNK_FOLDERS and not d.startswith("."))
        ignored += len([f for f in filenames if f.startswith(".")])
        for name in sorted(f for f in filenames if not f.startswith(".")):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            upload.files_seen.append(rel)
            if path.is_symlink():
                upload.notes.append(f"Not graded: `{rel}` is a symbolic link; upload the notebook itself.")
            elif path.suffix.lower() != ".ipynb":
                upload.notes.append(f"Not graded: `{rel}` is not a Jupyter notebook (`.ipynb`).")
            else:
                candidates.append((rel, path))
    for rel, path in sorted(candidates, key=lambda c: (c[0].count("/"), c[0])):
        chapter = chapter_of(path, course)
        if chapter is None:
            upload.notes.append(f"Not graded: `{rel}` matches no chapter of this course "
                                f"(name it after its chapter, like `{expected[0]}.ipynb`).")
        elif chapter not in expected:
            upload.notes.append(f"Not graded: `{rel}` is chapter {chapter}, which this assignment does not "
                                f"cover (it covers {', '.join(expected)}).")
        elif chapter in upload.notebooks:
            first = upload.notebooks[chapter].relative_to(folder).as_posix()
            upload.notes.append(f"Not graded: `{rel}` is a second notebook for {chapter}; `{first}` was graded.")
        else:
            upload.notebooks[chapter] = path
    if ignored:
        upload.notes.append(f"Ignored {ignored} hidden file(s).")
    return upload


def chapter_of(path: Path, course: dict):
    """The chapter a notebook belongs to: by its ``NN_`` file-name prefix, else by its exercise keys."""
    prefix = path.name.split("_")[0]
    by_prefix = [name for name in course if prefix.isdigit() and name.split("_")[0] == prefix.zfill(2)]
    if len(by_prefix) == 1:
        return by_prefix[0]
    keys = _exercise_keys(path)
    overlap = {name: len(keys & set(exercises)) for name, exercises in course.items()}
    best = max(overlap, key=overlap.get, default=None)
    return best if best is not None and overlap[best] > 0 else None


def _exercise_keys(path: Path) -> set:
    """The ``mlp_lab.exercise`` keys in a notebook's cell metadata; empty when it is not readable."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        metas = [cell.get("metadata", {}).get("mlp_lab", {}) for cell in cells]
        return {meta.get("exercise") for meta in metas if isinstance(meta, dict)} - {None}
    except (OSError, ValueError, AttributeError, TypeError):
        return set()
