"""Merge the output folders of grading shards into one: ``mlp-lab grade merge SHARD_DIR... --out DIR``
(also ``python -m checks.merge``).

Each SHARD_DIR is the ``--out`` of one ``mlp-lab grade --shard I/N`` run (any folder written by
``mlp-lab grade`` will do). DIR receives what grading the whole class in one run writes:
``gradebook.csv``, ``summary.md`` / ``summary.json`` and the learners' folders (their ``grade.json``
and ``results.json`` rewritten over the chapters of the whole class, their feedback notebooks
copied), with ``--roster FILE`` the Canvas and Moodle imports, plus a grading record, so grading
again into DIR (with the same seed) resumes. The similar submissions are found across the whole
class, from the fingerprints each shard keeps in its record.
A shard's ``results.json`` ``execution_time`` is the time its learner's grading took in that
shard (kept in the shard's record): the merge reproduces it, it is not measured again.

Refused, with the reason: a folder without a grading record, shards graded with different
settings (seed, limits, solutions, version, code, visibility) or different classes, a learner
graded in two shards, and learners of the class graded in none (a shard missing).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import Counter
from pathlib import Path

from .grading import record, reports
from .grading.roster import read_roster_or_exit

#: What must be equal in every shard's record, with the words for it in an error.
SAME = {"settings": "grading settings (seed, limits, solutions, version or code)",
        "visibility": "--visibility", "course": "course (chapters and points)",
        "class": "class (the learners found in the submissions)"}


class MergeError(Exception):
    """Shards that cannot be merged; the message says why and what to do."""


def load_shards(folders: list) -> list:
    """The grading record of every folder, or MergeError naming the one that has none."""
    records = []
    for folder in folders:
        found = record.load(folder)
        if found is None:
            hint = " (to grade a submission folder named merge, write ./merge)" if Path(folder).name == "merge" else ""
            raise MergeError(f"{folder} has no grading record ({record.NAME}): it is not the --out folder of "
                             f"`mlp-lab grade`, or was written by another version{hint}")
        records.append(found)
    return records


def check_compatible(folders: list, records: list) -> None:
    """MergeError unless the shards share settings and class, and each learner is in exactly one."""
    for key, words in SAME.items():
        for folder, other in zip(folders[1:], records[1:]):
            if other[key] != records[0][key]:
                differ = ""
                if key == "settings":
                    differ = ": " + ", ".join(k for k in records[0][key] if other[key].get(k) != records[0][key][k])
                remedy = ("the submissions changed between the shards' runs: grade every shard again (each "
                          "reuses what is unchanged)" if key == "class" else
                          "grade every shard with the same command and options")
                raise MergeError(f"{folder} was graded with a different {words} than {folders[0]}{differ}; {remedy}")
    counts = Counter(learner for r in records for learner in r["learners"])
    twice = sorted(learner for learner, n in counts.items() if n > 1)
    if twice:
        where = {learner: [str(f) for f, r in zip(folders, records) if learner in r["learners"]] for learner in twice}
        raise MergeError(f"{len(twice)} learner(s) were graded in more than one shard, e.g. {twice[0]} in "
                         f"{' and '.join(where[twice[0]])}; give each shard's folder once, all with the same N")
    missing = sorted(set(records[0]["class"]) - set(counts))
    if missing:
        shards = sorted({r["shard"] for r in records if r["shard"]})
        raise MergeError(f"{len(missing)} learner(s) of the class were graded in none of the shards given "
                         f"(e.g. {missing[0]}); shards given: {', '.join(shards) or 'none'}: is one missing?")


def merge(folders: list, out: Path, roster: list | None = None) -> list:
    """Merge the shard folders into ``out``; return the learners' summaries. ``roster``: the members
    of ``--roster`` (``grading/roster.py``), for the LMS files."""
    if any(Path(f).resolve() == out.resolve() for f in folders):
        raise MergeError(f"--out {out} is one of the shards; merge into a new folder")
    records = load_shards(folders)
    check_compatible(folders, records)
    results, entries, sources = [], {}, {}
    for folder, shard in zip(folders, records):
        for learner, entry in shard["learners"].items():
            result = record.stored_result(folder, learner, entry)
            if result is None:
                raise MergeError(f"{Path(folder) / learner} lacks its grade.json or feedback notebooks: "
                                 f"copy the shard's output folder completely, or grade that shard again")
            results.append(result)
            entries[learner], sources[learner] = entry, Path(folder) / learner / "feedback"
    out.mkdir(parents=True, exist_ok=True)
    for learner, feedback in sources.items():
        shutil.rmtree(out / learner / "feedback", ignore_errors=True)   # from an earlier merge into out
        shutil.copytree(feedback, out / learner / "feedback")
    first = records[0]
    handed_in = {chapter for r in records for chapter in r["chapters"]}
    class_chapters = [chapter for chapter in first["course"] if chapter in handed_in]
    summaries = reports.write_reports(out, results, class_chapters, first["course"], first["visibility"], roster)
    record.save(out, first["settings"], first["visibility"], first["course"], None, first["class"],
                class_chapters, entries)
    return summaries


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="mlp-lab grade merge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shards", nargs="+", type=Path, metavar="SHARD_DIR", help="the shards' --out folders")
    parser.add_argument("--out", required=True, type=Path, help="folder for the merged reports (created)")
    parser.add_argument("--roster", type=Path, help="CSV of submission,name,id,email: also write canvas.csv, "
                        "moodle.csv and unmapped.csv (README: \"Exports for Canvas and Moodle\")")
    args = parser.parse_args(argv)
    members = read_roster_or_exit(args.roster, "grade merge")
    try:
        summaries = merge(args.shards, args.out, members)
    except MergeError as exc:
        print(f"grade merge: {exc}", file=sys.stderr)
        return 2
    print(f"merged {len(args.shards)} folder(s), {len(summaries)} learner(s); reports in {args.out}/ "
          f"(gradebook.csv, summary.md, <learner>/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
