"""Grade files a learning-management system imports, one assignment column per chapter.

Written with ``--roster`` (``roster.py``), next to ``gradebook.csv`` (one column per exercise,
keyed by folder name, every graded learner): UTF-8, comma-separated, quoted where a value holds a
comma, quote or line break (RFC 4180; lines end in LF), rows sorted, columns in course order; a chapter's value is
the points the learner earned in it. The layouts are those the LMS's own importer reads:

``canvas.csv``, Canvas's gradebook import (Grades > Import). The header is Canvas's own export
header: ``Student,ID,SIS User ID,SIS Login ID,Section``, then one column per chapter, titled with
the chapter's name; right under it a ``    Points Possible`` row with each chapter's maximum.
Canvas matches a row to a student by ``ID`` (Canvas's internal number, left empty: the roster does
not know it), else ``SIS User ID`` (the roster's ``id``), else ``SIS Login ID`` (the roster's
``email``), else by name (``Student``); a column matches an assignment of that exact title, or of
the id in a title ending in ``(<assignment id>)``; any other column becomes a new assignment whose
points are read from the Points Possible row.

``moodle.csv``, Moodle's "Import grades from CSV" (Grades > Import > CSV file): a header row, the
identifying column ``Email address`` (map it from "Email address" to "Email address" on import),
``ID number`` and ``Full name`` for reading, then one column per chapter, each mapped on import to
a grade item (or to "New grade item"). Only members with an e-mail address are written: Moodle
gives a row whose identifying cell is empty to the learner of the row before it.

Who is in them: every roster member. A member with no graded submission gets 0 in every chapter,
as a learner who hands in an empty folder does (leaving their cells empty would leave their
LMS total as if the assignment did not exist); ``summary.md`` lists them, so an extension can be
entered by hand. A graded learner who is on no roster row cannot be imported: they are listed in
``summary.md``, on stderr and in ``unmapped.csv`` (folder name, points per chapter, total, max), are
in ``gradebook.csv`` as always, and enter the LMS files once a roster row names their submission
(grading again resumes: nobody is graded twice).
"""

from __future__ import annotations

import csv
import io

from .roster import match

FILES = ("canvas.csv", "moodle.csv", "unmapped.csv")
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "    Points Possible"     # as Canvas exports it; its importer looks for "Points Possible"
MOODLE_IDENTITY = ["Email address", "ID number", "Full name"]


def lms_exports(summaries: list, class_chapters: list, course: dict, members: list) -> tuple:
    """``(files, overview)``: file name -> CSV text for ``FILES``, and who was mapped, unmapped or absent.

    summaries: every learner's ``grade.json`` (``reports.learner_summary``); course: chapter ->
    {exercise: points}; members: the roster (``roster.read_roster``)."""
    summary_of = {s["learner"]: s for s in summaries}
    by_learner = {learner: _chapter_points(s, class_chapters) for learner, s in summary_of.items()}
    mapped, unmapped, absent = match(members, list(by_learner))
    zero = dict.fromkeys(class_chapters, 0)
    rows = sorted([(member, by_learner[learner]) for learner, member in mapped.items()] +
                  [(member, zero) for member in absent],
                  key=lambda row: (row[0].name.casefold(), row[0].id, row[0].email.casefold(), row[0].folder))
    maximum = [_number(sum(course[chapter].values())) for chapter in class_chapters]

    def points(chapters: dict) -> list:
        return [_number(chapters[chapter]) for chapter in class_chapters]

    canvas = [CANVAS_IDENTITY + class_chapters, [CANVAS_POINTS_ROW, "", "", "", ""] + maximum]
    canvas += [[m.name, "", m.id, m.email, ""] + points(chapters) for m, chapters in rows]
    moodle = [MOODLE_IDENTITY + class_chapters]
    moodle += [[m.email, m.id, m.name] + points(chapters) for m, chapters in rows if m.email]
    left_out = [["learner"] + class_chapters + ["total", "max"]]
    left_out += [[learner] + points(by_learner[learner]) +
                 [_number(summary_of[learner]["total"]), _number(summary_of[learner]["max"])] for learner in unmapped]
    files = {"canvas.csv": _csv(canvas), "moodle.csv": _csv(moodle), "unmapped.csv": _csv(left_out)}
    overview = {"roster_members": len(members), "mapped": len(mapped), "unmapped": unmapped,
                "no_submission": [m.submission for m in absent],
                "not_in_moodle_no_email": sorted(m.submission for m, _ in rows if not m.email)}
    return files, overview


def overview_markdown(overview: dict) -> str:
    """The LMS section of ``summary.md``."""
    lines = ["## LMS exports (canvas.csv, moodle.csv)", "",
             f"{overview['mapped']} graded learner(s) matched to the roster's {overview['roster_members']} row(s)."]
    if overview["unmapped"]:
        lines += ["", f"**Not on the roster, so in no LMS file** ({len(overview['unmapped'])}; see unmapped.csv, "
                      f"add them to the roster and grade again): " + ", ".join(overview["unmapped"])]
    if overview["no_submission"]:
        lines += ["", f"On the roster with no graded submission, exported with 0 points "
                      f"({len(overview['no_submission'])}): " + ", ".join(overview["no_submission"])]
    if overview["not_in_moodle_no_email"]:
        lines += ["", "Not in moodle.csv, no e-mail address on the roster: " +
                  ", ".join(overview["not_in_moodle_no_email"])]
    return "\n".join(lines) + "\n"


def _chapter_points(summary: dict, class_chapters: list) -> dict:
    """Chapter -> points the learner earned in it."""
    points = dict.fromkeys(class_chapters, 0)
    for result in summary["exercises"].values():
        points[result["chapter"]] += result["points"]
    return points


def _number(value) -> str:
    """Points as the LMS reads them: ``3``, ``2.5`` (rounded to two decimals, as Canvas keeps them)."""
    value = round(float(value), 2)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _csv(rows: list) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()
