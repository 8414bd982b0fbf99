"""Find each learner's notebooks and snapshot them before any learner code runs.

A submission argument is one learner (a folder of notebooks, or one notebook or zip file, the
learner then named after the file) or a class (a folder holding no notebook of its own but
sub-folders or more than one zip: one learner per sub-folder and per zip, named after it).
A zip (``mlp-lab submit`` writes one) counts as the notebooks inside it: it is read with
``checks.submission_zip`` (nothing is extracted by the names in it) and its manifest checked.
Every notebook is copied into a folder private to the grader and hashed; grading reads only that
copy. Links are never followed: a notebook that is a symbolic link, or that is reached through
one, or that resolves outside its submission folder, is refused with a note for that learner.
Learner names become folder names that never collide: a name that had to be changed to be a
safe file name gets a short hash of the original (``ann lee`` -> ``ann_lee-1b2c3d``, while
``ann_lee`` stays ``ann_lee``).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from checks.submission_zip import read_zip

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


@dataclass
class Submitted:
    """One submitted notebook: where it was found, the grader's copy of it, or why it was refused."""

    source: Path                 # the path as found among the submissions
    root: Path                   # the submission folder it must stay inside
    copy: Path | None = None     # the snapshot that is graded (None: refused)
    sha256: str | None = None
    refused: str | None = None   # for the learner's report
    notes: list = field(default_factory=list)   # for the learner's report, about a notebook still graded


def find_learners(paths) -> dict:
    """Map unique learner name -> list of Submitted (not yet snapshotted)."""
    learners: dict = {}
    origins: dict = {}

    def add(name: str, origin: Path, root: Path, notebooks) -> None:
        key = _unique_name(name, str(origin), origins)
        learners.setdefault(key, []).extend(Submitted(source=p, root=root) for p in notebooks)

    for raw in paths:
        path = Path(raw)
        if path.is_file() or path.is_symlink() and not path.is_dir():
            add(path.stem, path, path.parent, [path])
        elif path.is_dir():
            own = _notebooks(path, recursive=False)
            subdirs = [d for d in sorted(path.iterdir()) if d.is_dir() and not d.name.startswith(".")]
            zips = [p for p in own if p.suffix == ".zip"]
            if len(zips) == len(own) and (subdirs or len(zips) > 1):   # a class
                for d in subdirs:
                    add(d.name, d, path, _notebooks(d, recursive=True))
                for z in zips:
                    add(z.stem, z, path, [z])
            else:
                add(path.name, path, path, own or _notebooks(path, recursive=True))
        else:
            raise SystemExit(f"grade: {raw} does not exist (give notebooks or folders of notebooks)")
    return learners


def _notebooks(folder: Path, recursive: bool):
    """The notebooks and zips in ``folder`` (and below it if ``recursive``)."""
    found = [p for suffix in (".ipynb", ".zip") for p in folder.glob(("**/*" if recursive else "*") + suffix)]
    return sorted(p for p in found if ".ipynb_checkpoints" not in p.parts and "__MACOSX" not in p.parts)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "learner"


#: what the grader writes beside the learners' folders: a learner may not be named like one of them
#: (a learner folder named ``summary.json`` would stop the class's reports being written)
CLASS_OUTPUTS = frozenset({"html", "gradebook.csv", "summary.md", "summary.json", "grading-record.json",
                           "canvas.csv", "moodle.csv", "unmapped.csv"})


def folder_name(name: str) -> str:
    """The learner's folder name in the reports: ``name`` if it is a safe file name that is not one
    of ``CLASS_OUTPUTS``, else a safe version of it with a short hash of ``name`` (unless another
    learner took it: ``_unique_name``)."""
    key = _safe(name)
    if key == name and key.lower() not in CLASS_OUTPUTS:
        return key
    return f"{key}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"


def _unique_name(name: str, origin: str, origins: dict) -> str:
    """A safe folder name for ``name`` that no other origin (learner folder or file) has taken."""
    key = folder_name(name)
    if origins.setdefault(key, origin) != origin:
        key = f"{key}-{hashlib.sha256(origin.encode()).hexdigest()[:6]}"
        origins.setdefault(key, origin)
    return key


def snapshot(learners: dict, into: Path) -> None:
    """Copy every submitted notebook into ``into`` (fills ``copy``/``sha256``, or ``refused``).

    A zip is replaced, in its learner's list, by one Submitted per notebook in it."""
    for n, (learner, submitted) in enumerate(learners.items()):
        kept = []
        for i, sub in enumerate(submitted):
            try:
                data = _read_no_links(sub.source, sub.root)
            except _Refused as exc:
                sub.refused = str(exc)
                kept.append(sub)
                continue
            if sub.source.suffix == ".zip":
                kept += _unzipped(sub, data, into / f"{n}" / f"{i}")
            else:
                _keep(sub, data, into / f"{n}" / f"{i}")
                kept.append(sub)
        submitted[:] = kept


def _keep(sub: Submitted, data: bytes, folder: Path) -> None:
    folder.mkdir(parents=True)
    sub.copy = folder / sub.source.name
    sub.copy.write_bytes(data)
    sub.sha256 = hashlib.sha256(data).hexdigest()


def _unzipped(sub: Submitted, data: bytes, folder: Path) -> list:
    """One Submitted per notebook in the zip ``sub`` (its bytes ``data``), snapshotted under ``folder``.

    Each copy is written as ``folder/<k>/<its base name>``: no path from the zip names a folder."""
    unzipped = read_zip(data, sub.source.name)
    if unzipped.refused:
        return [Submitted(source=sub.source, root=sub.root, refused=unzipped.refused)]
    found = []
    for k, member in enumerate(unzipped.members):
        entry = Submitted(source=Path(f"{sub.source}/{member.name}"), root=sub.root, refused=member.refused,
                          notes=member.notes)
        if member.data is not None:
            _keep(entry, member.data, folder / f"{k}")
        found.append(entry)
    if not found:
        return [Submitted(source=sub.source, root=sub.root, refused=" ".join(
            [f"{sub.source.name} holds no notebook (`.ipynb`); nothing in it was graded."] + unzipped.notes))]
    found[0].notes = unzipped.notes + found[0].notes
    return found


class _Refused(Exception):
    pass


def _read_no_links(path: Path, root: Path) -> bytes:
    """The bytes of ``path``, refusing links anywhere below ``root`` and anything that is not a file."""
    name = path.name
    try:
        inside = path.relative_to(root)
    except ValueError:
        raise _Refused(f"{name} is not inside the submission folder; it was not graded") from None
    current = root
    for part in inside.parts:
        current = current / part
        if os.path.islink(current):
            raise _Refused(f"{name} is (or is reached through) a symbolic link, {current.relative_to(root)}; "
                           f"links are never followed, so it was not graded. Submit the notebook file itself.")
    if not os.path.realpath(path).startswith(os.path.realpath(root) + os.sep):
        raise _Refused(f"{name} resolves outside the submission folder; it was not graded")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise _Refused(f"could not open {name} without following links ({exc.strerror}); it was not graded") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Refused(f"{name} is not a regular file; it was not graded")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise _Refused(f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB; it was not graded")
        return f.read(MAX_NOTEBOOK_BYTES + 1)
