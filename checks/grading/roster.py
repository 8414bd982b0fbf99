"""The class roster (``--roster FILE``): which LMS learner each submission belongs to.

A CSV file, UTF-8 (a byte-order mark, as Excel writes, is accepted), separated by commas (or by
semicolons, as Excel writes in some locales), with a header row naming its columns, in any order
and any letter case:

- ``submission`` (required): the learner's submission as given to the grader: their folder's name
  (or, for a learner who is one notebook or zip file, the file's name, with or without ``.ipynb``
  or ``.zip``), or
  their folder's name in the reports (``ann_lee-e49591`` for ``ann lee``);
- ``id``: the learner's student number at the institution: Canvas's "SIS User ID", Moodle's
  "ID number";
- ``email``: the learner's e-mail address: Canvas's "SIS Login ID" where logins are e-mail
  addresses, Moodle's "Email address";
- ``name`` (optional): the learner's name as the LMS shows it (Canvas's "Student").

``id`` or ``email`` must be a column, and every row needs a submission and at least one of them.
Other columns are ignored. Refused, with the line: two rows for one submission, or for one id or
e-mail address (the LMS would get two grades for one learner).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .submissions import folder_name

COLUMNS = ("submission", "name", "id", "email")
IDENTITY = ("id", "email")


class RosterError(Exception):
    """A roster that cannot be used; the message names the file, the line and what to do."""


@dataclass(frozen=True)
class Member:
    """One row of the roster: the learner's LMS identity, and the report folder it maps to."""

    submission: str    # as written in the roster
    folder: str        # the learner's folder name in the reports
    name: str
    id: str
    email: str
    line: int          # in the roster file, for messages


def read_roster(path: Path) -> list:
    """The roster's members, in file order; RosterError saying what is wrong and how to fix it."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise RosterError(f"cannot read the roster {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise RosterError(f"the roster {path} is not UTF-8 text: save it as \"CSV UTF-8\" (Excel) or "
                          f"with UTF-8 encoding") from None
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in header_line and "," not in header_line else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RosterError(f"the roster {path} is empty: its first line must name the columns, e.g. "
                          f"submission,name,id,email")
    header = [cell.strip().lower() for cell in rows[0]]
    where = {column: header.index(column) for column in COLUMNS if column in header}
    twice = sorted({column for column in header if column in COLUMNS and header.count(column) > 1})
    if twice:
        raise RosterError(f"the roster {path} has two columns named {twice[0]!r}; keep one")
    if "submission" not in where or not any(column in where for column in IDENTITY):
        missing = "submission" if "submission" not in where else "id or email"
        raise RosterError(f"the roster {path} has no {missing} column (its columns: {', '.join(rows[0])}); "
                          f"its first line must name: submission, id and/or email, and optionally name")
    members, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RosterError(f"line {line} of the roster {path} has {len(row)} field(s), its header "
                              f"{len(header)}: quote a value that holds a '{delimiter}' (\"Lee, Ann\")")
        value = {column: row[i].strip() for column, i in where.items()}
        member = Member(submission=value["submission"], folder=folder_name(_without_suffix(value["submission"])),
                        name=value.get("name", ""), id=value.get("id", ""), email=value.get("email", ""),
                        line=line)
        if not member.submission:
            raise RosterError(f"line {line} of the roster {path} has no submission: name the learner's "
                              f"submission folder (or notebook file)")
        if not (member.id or member.email):
            raise RosterError(f"line {line} of the roster {path} ({member.submission}) has neither an id nor an "
                              f"email: the LMS could not tell whose grade it is")
        for key, kind in ((member.folder, "submission"), (member.id, "id"), (member.email.lower(), "email")):
            if key and (kind, key) in seen:
                raise RosterError(f"lines {seen[kind, key]} and {line} of the roster {path} have the same "
                                  f"{kind} ({key}); each learner must have one row")
            seen[kind, key] = line
        members.append(member)
    return members


def read_roster_or_exit(path: Path | None, command: str) -> list | None:
    """``read_roster(path)`` for a command line (None without a roster); exits with the reason."""
    if path is None:
        return None
    try:
        return read_roster(path)
    except RosterError as exc:
        raise SystemExit(f"{command}: {exc}") from None


def _without_suffix(submission: str) -> str:
    """A notebook or zip file's learner name is its stem: ``alice.ipynb``, ``alice.zip`` -> ``alice``."""
    for suffix in (".ipynb", ".zip"):
        if submission.lower().endswith(suffix):
            return submission[:-len(suffix)]
    return submission


def match(members: list, learners: list) -> tuple:
    """``(mapped, unmapped, absent)``: learner -> Member for the graded learners on the roster, the
    graded learners on no row (sorted), and the members with no graded learner (in roster order)."""
    by_folder = {m.folder: m for m in members}
    graded = set(learners)
    mapped = {learner: by_folder[learner] for learner in sorted(graded) if learner in by_folder}
    unmapped = sorted(graded - set(mapped))
    taken = set(mapped.values())
    return mapped, unmapped, [m for m in members if m not in taken]
