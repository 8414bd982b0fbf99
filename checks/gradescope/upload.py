"""Find the notebooks in a Gradescope upload and decide which chapter each one is.

An upload is whatever the learner sent: notebooks at the top or in nested folders, often with
``__MACOSX/`` (macOS zip metadata), ``.ipynb_checkpoints/`` or other hidden files beside them.
Those are ignored; symbolic links are never followed; every other file is accounted for, so the
learner reads what was graded, what was not, and why. A zip (``mlp-lab submit`` writes one; a
learner may upload it or its contents) counts as the notebooks in it, read by
``checks.submission_zip`` into a scratch folder; a manifest, in the zip or beside the notebooks,
is checked against them and any mismatch noted.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from checks.submission_zip import MANIFEST, MAX_MEMBER_BYTES, Member, read_zip, verify

JUNK_FOLDERS = {"__MACOSX", ".ipynb_checkpoints"}


@dataclass
class Upload:
    """Where each expected chapter's notebook is, and notes (Markdown lines) about everything else."""

    notebooks: dict = field(default_factory=dict)   # chapter name -> path of the notebook to grade
    notes: list = field(default_factory=list)
    files_seen: list = field(default_factory=list)  # relative paths of every file that is not junk
    labels: dict = field(default_factory=dict)      # path of a notebook to grade -> its name in the upload


def scan(folder: Path, course: dict, expected: list, scratch: Path) -> Upload:
    """Sort the files under ``folder``; ``course`` maps every chapter name to {exercise: points}.

    The notebooks of an uploaded zip are written under ``scratch``, never by the names in the zip."""
    upload = Upload()
    ignored = 0
    candidates, manifests = [], []
    for dirpath, dirnames, filenames in os.walk(folder):   # never follows symbolic links to folders
        dirnames[:] = sorted(d for d in dirnames if d not in JUNK_FOLDERS and not d.startswith("."))
        ignored += len([f for f in filenames if f.startswith(".")])
        for name in sorted(f for f in filenames if not f.startswith(".")):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            upload.files_seen.append(rel)
            if path.is_symlink():
                upload.notes.append(f"Not graded: `{rel}` is a symbolic link; upload the notebook itself.")
            elif path.suffix.lower() == ".zip":
                candidates += _unzip(path, rel, scratch / str(len(upload.files_seen)), upload.notes)
            elif name == MANIFEST:
                manifests.append(path)
            elif path.suffix.lower() != ".ipynb":
                upload.notes.append(f"Not graded: `{rel}` is not a Jupyter notebook (`.ipynb`).")
            else:
                candidates.append((rel, path))
    for manifest in manifests:
        beside = {p.name: Member(name=p.name, data=p.read_bytes()) for p in manifest.parent.glob("*.ipynb")
                  if not p.is_symlink()}
        label = manifest.parent.relative_to(folder).as_posix()
        verify(manifest.read_bytes(), beside, "the upload" if label == "." else f"`{label}`", upload.notes)
        upload.notes += [note for member in beside.values() for note in member.notes]
    for rel, path in sorted(candidates, key=lambda c: (c[0].count("/"), c[0])):
        chapter = chapter_of(path, course)
        if chapter is None:
            upload.notes.append(f"Not graded: `{rel}` matches no chapter of this course "
                                f"(name it after its chapter, like `{expected[0]}.ipynb`).")
        elif chapter not in expected:
            upload.notes.append(f"Not graded: `{rel}` is chapter {chapter}, which this assignment does not "
                                f"cover (it covers {', '.join(expected)}).")
        elif chapter in upload.notebooks:
            first = upload.labels[upload.notebooks[chapter]]
            upload.notes.append(f"Not graded: `{rel}` is a second notebook for {chapter}; `{first}` was graded.")
        else:
            upload.notebooks[chapter] = path
            upload.labels[path] = rel
    if ignored:
        upload.notes.append(f"Ignored {ignored} hidden file(s).")
    return upload


def _unzip(path: Path, rel: str, scratch: Path, notes: list) -> list:
    """``(name, path)`` of each notebook in the zip at ``path``, written as ``scratch/<k>/<base name>``."""
    if path.stat().st_size > MAX_MEMBER_BYTES:
        notes.append(f"Not graded: `{rel}` is larger than {MAX_MEMBER_BYTES // 2**20} MiB.")
        return []
    unzipped = read_zip(path.read_bytes(), f"`{rel}`")
    if unzipped.refused:
        notes.append(f"Not graded: {unzipped.refused}")
        return []
    notes += unzipped.notes
    found = []
    for k, member in enumerate(unzipped.members):
        notes += member.notes
        if member.refused:
            notes.append(f"Not graded: {member.refused}")
            continue
        copy = scratch / str(k) / Path(member.name).name
        copy.parent.mkdir(parents=True)
        copy.write_bytes(member.data)
        found.append((f"{rel}/{member.name}", copy))
    if not found:
        notes.append(f"Not graded: `{rel}` holds no notebook (`.ipynb`).")
    return found


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
