"""The zip a learner hands in: writing it (``mlp-lab submit``) and reading any zip safely (the graders).

What ``mlp-lab submit`` writes: each chapter's notebook, byte for byte as the learner saved it,
named after its chapter (``02_sigmoid.ipynb``), and ``mlp-lab-manifest.json``::

    {"format": 1, "tool": "mlp-lab submit", "version": "0.1.0", "created": "2026-12-03T06:00:00Z",
     "files": [{"name": "02_sigmoid.ipynb", "chapter": "02_sigmoid", "source": "my/02_sigmoid.ipynb",
                "size": 12345, "sha256": "..."}]}

Reading trusts nothing in a zip, whoever made it: members are read into memory with a cap on
every size (``MAX_MEMBER_BYTES`` each, ``MAX_TOTAL_BYTES`` in all, ``MAX_MEMBERS`` entries) and
never extracted by their names, so an absolute path, a ``..`` (zip-slip) or a symbolic link cannot
place a file anywhere; such entries, duplicate names and encrypted entries are refused, each with
a note for the learner. ``__MACOSX/``, ``.ipynb_checkpoints/`` and hidden files are skipped. The
manifest, when there is one, is checked against the notebooks beside it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import time
import zipfile
from dataclasses import dataclass, field

from .locations import package_version


MANIFEST = "mlp-lab-manifest.json"
FORMAT = 1
MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 64 * 1024 * 1024      # as for a notebook handed in as a file
MAX_TOTAL_BYTES = 256 * 1024 * 1024
JUNK_FOLDERS = {"__MACOSX", ".ipynb_checkpoints"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()



def manifest(files: list[dict]) -> dict:
    """The manifest for ``files`` (each: name, chapter, source, and ``data``, the bytes stored)."""
    return {"format": FORMAT, "tool": "mlp-lab submit", "version": package_version(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": [{"name": f["name"], "chapter": f["chapter"], "source": f["source"],
                       "size": len(f["data"]), "sha256": sha256(f["data"])} for f in files]}


def zip_bytes(files: list[dict]) -> bytes:
    """The zip holding ``files`` (name -> ``data``, stored unchanged) and their manifest."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.writestr(f["name"], f["data"])
        zf.writestr(MANIFEST, json.dumps(manifest(files), indent=1) + "\n")
    return buffer.getvalue()


@dataclass
class Member:
    """A notebook found in a zip: its path inside the zip, and its bytes or why it was refused."""

    name: str
    data: bytes | None = None
    refused: str | None = None
    notes: list = field(default_factory=list)   # e.g. a manifest mismatch; it is still graded


@dataclass
class Unzipped:
    """What a zip held: its notebooks (and refused entries), and notes about everything else."""

    members: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    refused: str | None = None   # the whole zip could not be read


def read_zip(data: bytes, label: str) -> Unzipped:
    """Read the notebooks of the zip ``data`` (``label`` names it in notes); never raises on bad zips."""
    out = Unzipped()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        out.refused = f"{label} is not a readable zip file ({exc}); it was not graded. Make it again with mlp-lab submit."
        return out
    if len(infos) > MAX_MEMBERS:
        out.refused = f"{label} holds {len(infos)} entries, more than {MAX_MEMBERS}; it was not graded."
        return out
    names = [_normal(info.filename) for info in infos]
    total = 0
    manifest_data = None
    with zf:
        for info, name in zip(infos, names):
            if info.is_dir() or _junk(name):
                continue
            why = _unsafe(info, name, names.count(name))
            if why is None and total + info.file_size > MAX_TOTAL_BYTES:
                why = f"the zip would unpack to more than {MAX_TOTAL_BYTES // 2**20} MiB (a zip bomb?)"
            if why is None:
                try:
                    content = _read_capped(zf, info)
                    total += len(content)
                except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError) as exc:
                    why = f"it could not be unpacked ({exc})"
            is_notebook = name.lower().endswith(".ipynb")
            if why is not None:
                refusal = f"`{name}` in {label} was refused: {why}; it was not graded."
                if is_notebook:
                    out.members.append(Member(name=name, refused=refusal))
                else:
                    out.notes.append(refusal)
            elif is_notebook:
                out.members.append(Member(name=name, data=content))
            elif name == MANIFEST:
                manifest_data = content
            else:
                out.notes.append(f"`{name}` in {label} is not a Jupyter notebook (`.ipynb`); it was not graded.")
    if manifest_data is not None:
        verify(manifest_data, {m.name: m for m in out.members if m.data is not None}, label, out.notes)
    return out


def verify(manifest_data: bytes, members: dict, label: str, notes: list) -> None:
    """Compare a manifest with ``members`` (name -> Member with data): a mismatch is a note, never an error.

    A note about one notebook goes on that Member (it is still graded); others go to ``notes``."""
    try:
        files = json.loads(manifest_data)["files"]
        listed = {f["name"]: f["sha256"] for f in files}
    except (ValueError, KeyError, TypeError):
        notes.append(f"{MANIFEST} in {label} is not a manifest mlp-lab submit wrote; the hashes were not checked.")
        return
    for name, digest in listed.items():
        member = members.get(name)
        if member is None:
            notes.append(f"`{name}` is listed in {label}'s {MANIFEST} but is not in the upload.")
        elif sha256(member.data) != digest:
            member.notes.append(f"`{name}` is not the file mlp-lab submit packed (its SHA-256 differs from "
                                f"the manifest's): it was changed after the zip was made. It was graded as it is.")
    for name, member in members.items():
        if name not in listed:
            member.notes.append(f"`{name}` is not in {label}'s {MANIFEST}: it was added after mlp-lab submit "
                                "made the zip. It was graded as it is.")


def _normal(name: str) -> str:
    """The entry's name with ``/`` for every separator and no ``./`` parts (a leading ``/`` is kept)."""
    parts = name.replace("\\", "/").split("/")
    return "/".join(p for i, p in enumerate(parts) if p != "." and (p or i == 0))


def _junk(name: str) -> bool:
    return any(p in JUNK_FOLDERS or p.startswith(".") and p != ".." for p in name.split("/"))


def _unsafe(info: zipfile.ZipInfo, name: str, copies: int) -> str | None:
    """Why the entry must not be read, or None."""
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "it has an absolute path"
    if ".." in name.split("/"):
        return "its path leaves the zip's folder (`..`)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "it is a symbolic link; links are never followed"
    if copies > 1:
        return f"{copies} entries of the zip have this name, so which one is meant is unclear"
    if info.flag_bits & 0x1:
        return "it is encrypted"
    if info.file_size > MAX_MEMBER_BYTES:
        return f"it would unpack to more than {MAX_MEMBER_BYTES // 2**20} MiB"
    return None


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The entry's bytes, never more than its declared size (zipfile stops there) or the cap."""
    with zf.open(info) as member:
        content = member.read(MAX_MEMBER_BYTES + 1)
    if len(content) > MAX_MEMBER_BYTES:
        raise ValueError(f"it unpacks to more than {MAX_MEMBER_BYTES // 2**20} MiB")
    return content
