"""The grading record, ``OUT/grading-record.json``: what was graded, with which settings.

Written only by the grader process, after every sandbox is gone, into the output folder (which no
learner code can write to; README: threat model), with mode 0600 like ``OUT/.grading-seed``. It
holds, for the run's ``settings`` (a fingerprint of the seed, the limits, the SHA-256 of every
solution notebook the points and check cells come from, the package version and a hash of its
code), the shard, every learner of the class (so a merge can tell a missing shard), the chapters
anyone handed in, and per learner the digest of their snapshot, the chapters graded, the
seconds it took and the fingerprints of their functions (``similarity.py``). Two uses:

- **resuming**: a learner whose submission digest and settings are unchanged is not graded again;
  their ``grade.json`` (and feedback) in OUT is reused (``reuse``);
- **merging** shards (``checks/merge.py``): shards must have equal settings, and each learner
  of the class must be in exactly one of them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
from pathlib import Path

from ..locations import package_version
from .reports import LearnerResult

NAME = "grading-record.json"
FORMAT = 2


def settings(seed: int, limits, solutions: Path) -> dict:
    """Everything besides the submission that can change a grade (the seed only as a SHA-256)."""
    return {
        "seed_sha256": hashlib.sha256(f"mlp-lab grading seed {seed}".encode()).hexdigest(),
        "limits": dataclasses.asdict(limits),
        "solutions": {p.name: _sha256(p.read_bytes()) for p in sorted(Path(solutions).glob("[0-9][0-9]_*.ipynb"))},
        "version": package_version(),
        "code_sha256": _code_digest(),
    }


def submission_digest(submitted: list) -> str:
    """One SHA-256 for a learner's snapshot: each notebook's path and SHA-256, or why it was refused,
    and the notes on it (a zip's manifest can change while its notebooks do not)."""
    parts = [[str(sub.source), sub.sha256, sub.refused] + ([sub.notes] if sub.notes else []) for sub in submitted]
    return _sha256(json.dumps(parts).encode())


def load(out: Path) -> dict | None:
    """The record in ``out``, or None if there is none (or it is not one this version can read)."""
    try:
        record = json.loads((Path(out) / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def reuse(record: dict | None, current: dict, learner: str, digest: str, out: Path) -> LearnerResult | None:
    """The learner's earlier result, if ``record`` graded the same submission with the same settings
    and its reports are still in ``out``; else None (grade them)."""
    if not record or record.get("settings") != current:
        return None
    entry = record.get("learners", {}).get(learner)
    if not entry or entry.get("submission") != digest:
        return None
    return stored_result(out, learner, entry)


def stored_result(out: Path, learner: str, entry: dict) -> LearnerResult | None:
    """The LearnerResult behind ``out/<learner>/grade.json`` and the record's ``entry`` (None if the
    reports are not all there)."""
    folder = Path(out) / learner
    try:
        grade = json.loads((folder / "grade.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    graded = entry["graded"]
    if not all((folder / "feedback" / f"{chapter}.ipynb").is_file() for chapter in graded):
        return None
    exercises = {ex: r for ex, r in grade["exercises"].items() if r["chapter"] in graded}
    return LearnerResult(learner=learner, notebooks=grade["notebooks"], exercises=exercises,
                         chapters_graded=graded, seconds=entry["seconds"], fingerprints=entry["fingerprints"])


def entry(result: LearnerResult, digest: str) -> dict:
    """The record's line for one learner (with their functions' fingerprints, for the similarity report)."""
    return {"submission": digest, "graded": result.chapters_graded, "seconds": result.seconds,
            "fingerprints": result.fingerprints}


def save(out: Path, current: dict, visibility: str, course: dict, shard, everyone: list,
         class_chapters: list, entries: dict) -> None:
    """Write the record into ``out`` (readable only by this user), replacing any earlier one at once."""
    record = {
        "format": FORMAT,
        "written_by": "mlp-lab grade (read by resumed runs and by mlp-lab grade merge; do not edit)",
        "settings": current,
        "visibility": visibility,
        "course": course,
        "shard": None if shard is None else str(shard),
        "class": sorted(everyone),
        "chapters": class_chapters,
        "learners": dict(sorted(entries.items())),
    }
    path = Path(out) / NAME
    partial = path.with_name(NAME + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    os.replace(partial, path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()



def _code_digest() -> str:
    """SHA-256 over the source of ``checks`` and ``mlp_lab`` (a fixed judge regrades everyone)."""
    digest = hashlib.sha256()
    for package in ("checks", "mlp_lab"):
        root = Path(importlib.util.find_spec(package).origin).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{package}/{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
