"""LMS exports with a roster and the similarity report, end to end through the real grader.

One class, graded once in one run and once in two shards then merged (both with ``--roster``):
- sigmoid written five ways: two renamed copies of one answer (other names, comments, docstring,
  layout), a renamed copy of ``mlp_lab``'s reference, two independent right answers; two learners
  hand in the untouched stubs (equal, but never "copies");
- the roster names a learner with an accent and no e-mail (folder ``ann lee``), names with a comma
  and with quotes, a member who handed in nothing, and misses one graded learner (``eve``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from checks.grading import record
from checks.grading.shards import shard_index
from checks.grading.submissions import folder_name
from checks.learner_copies import release
from test_grading import GOOD, chapter
from test_shards import grade, merge

ROOT = Path(__file__).resolve().parent.parent

COPY = '''def sigmoid(z):
    z = np.asarray(z)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1 + ez)
    return out'''
RENAMED_COPY = '''def sigmoid(x):
    """The logistic function, computed stably."""
    x = np.asarray( x )
    result = np.empty_like(x)   # filled in two halves
    mask = x >= 0

    result[mask] = 1 / (1 + np.exp(-x[mask]))
    exp_neg = np.exp(x[~mask])
    result[~mask] = (exp_neg
                     / (1 + exp_neg))
    return result'''
REFERENCE_COPY = '''def sigmoid(values):
    # found this in mlp_lab
    values = np.asarray(values)
    small = np.exp(-np.abs(values))
    return np.where(values >= 0, 1.0, small) / (1.0 + small)'''
INDEPENDENT = ['''def sigmoid(z):
    z = np.asarray(z)
    result = np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))
    return result''', '''def sigmoid(z):
    t = np.tanh(np.asarray(z) / 2.0)
    half = 0.5
    return half * t + half''']

#: learner folder -> sigmoid (None: the untouched learner copy)
CLASS = {"ada": COPY, "bob": RENAMED_COPY, "cy": REFERENCE_COPY, "dee": INDEPENDENT[0], "eve": INDEPENDENT[1],
         "ann lee": COPY.replace("positive", "pos"), "fay": None, "gus": None}
ROSTER = """\ufeffSubmission;Name;ID;Email;Notes
ada;Lovelace, Ada;1001;ada@uni.example;
bob;"Bob ""Bobby"" Tables";1002;bob@uni.example;late
cy;Cy Young;1003;CY@uni.example;
dee;Dee Dee;1004;dee@uni.example;
ann lee;Ann Lée;1005;;
fay.ipynb;Fay Wray;1006;fay@uni.example;
gus;Gus Grissom;1007;gus@uni.example;
zed;Zed Zero;1008;zed@uni.example;
"""
CHAPTER = "01_mini"


def parse(path: Path) -> list:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    solutions = root / "solutions"
    solutions.mkdir()
    nbformat.write(chapter(), str(solutions / f"{CHAPTER}.ipynb"))
    class_dir = root / "class"
    for learner, sigmoid in CLASS.items():
        (class_dir / learner).mkdir(parents=True)
        nb = release(chapter()) if sigmoid is None else chapter({**GOOD, "sigmoid": sigmoid})
        nbformat.write(nb, str(class_dir / learner / f"{CHAPTER}.ipynb"))
    roster = root / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    single = subprocess.run(
        [sys.executable, "-m", "checks.grade", str(class_dir), "--out", str(root / "single"), "-j", "2",
         "--solutions", str(solutions), "--cell-timeout", "60", "--roster", str(roster)],
        cwd=ROOT, env={**os.environ, "MLP_LAB_GRADING_SEED": "4242"}, capture_output=True, text=True,
        timeout=900)
    assert single.returncode == 0, single.stdout + single.stderr
    for i in range(2):
        grade(class_dir, root / f"shard{i}", solutions, "--shard", f"{i}/2", seed="4242")
    status, err = merge(root / "shard0", root / "shard1", "--out", root / "merged", "--roster", roster)
    assert status == 0, err
    return {"root": root, "out": root / "single", "stderr": single.stderr, "merge_stderr": err,
            "class": class_dir, "solutions": solutions, "roster": roster}


def test_the_class_spans_both_shards():
    assert {shard_index(folder_name(learner), 2) for learner in CLASS} == {0, 1}


def test_grades_are_as_written(graded):
    for learner in ("ada", "bob", "cy", "dee", "eve", "ann_lee-e49591"):
        assert json.loads((graded["out"] / learner / "grade.json").read_text())["total"] == 5, learner
    assert json.loads((graded["out"] / "fay" / "grade.json").read_text())["total"] == 0


def test_canvas_file_has_canvas_s_import_layout(graded):
    rows = parse(graded["out"] / "canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", CHAPTER]
    assert rows[1] == ["    Points Possible", "", "", "", "", "5"]
    body = rows[2:]
    assert [r[0] for r in body] == ["Ann Lée", 'Bob "Bobby" Tables', "Cy Young", "Dee Dee", "Fay Wray",
                                    "Gus Grissom", "Lovelace, Ada", "Zed Zero"]      # sorted by name
    by_name = {r[0]: r for r in body}
    assert by_name["Lovelace, Ada"] == ["Lovelace, Ada", "", "1001", "ada@uni.example", "", "5"]
    assert by_name["Ann Lée"] == ["Ann Lée", "", "1005", "", "", "5"]
    assert by_name["Fay Wray"][-1] == "0"          # the untouched stubs
    assert by_name["Zed Zero"][-1] == "0"          # on the roster, handed in nothing
    raw = (graded["out"] / "canvas.csv").read_text(encoding="utf-8")
    assert '"Lovelace, Ada"' in raw and '"Bob ""Bobby"" Tables"' in raw and "eve" not in raw


def test_moodle_file_has_an_identity_column_and_one_column_per_chapter(graded):
    rows = parse(graded["out"] / "moodle.csv")
    assert rows[0] == ["Email address", "ID number", "Full name", CHAPTER]
    emails = [r[0] for r in rows[1:]]
    assert all(emails) and "" not in emails and len(rows) == 1 + 7    # Ann has no e-mail: left out
    assert ["ada@uni.example", "1001", "Lovelace, Ada", "5"] in rows
    assert ["zed@uni.example", "1008", "Zed Zero", "0"] in rows


def test_unmapped_learner_is_listed_never_dropped(graded):
    out = graded["out"]
    assert parse(out / "unmapped.csv") == [["learner", CHAPTER, "total", "max"], ["eve", "5", "5", "5"]]
    assert "eve" in graded["stderr"] and "no roster row" in graded["stderr"]
    assert "eve" in graded["merge_stderr"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["lms"] == {"roster_members": 8, "mapped": 7, "unmapped": ["eve"], "no_submission": ["zed"],
                              "not_in_moodle_no_email": ["ann lee"]}
    text = (out / "summary.md").read_text()
    assert "Not on the roster" in text and "eve" in text and "zed" in text
    assert "eve" in [r["learner"] for r in csv.DictReader(open(out / "gradebook.csv"))]


def test_similar_submissions_are_listed_and_independent_answers_are_not(graded):
    found = json.loads((graded["out"] / "summary.json").read_text())["similar_submissions"]
    assert "never a penalty" in found["note"]
    assert list(found["exercises"]) == ["sigmoid"]     # linear_forward: one line, too short to compare
    sigmoid = found["exercises"]["sigmoid"]
    assert [g["learners"] for g in sigmoid["same_code"]] == [["ada", "ann_lee-e49591", "bob"]]
    assert sigmoid["same_as_reference"] == ["cy"]
    everyone = {learner for g in sigmoid["same_code"] for learner in g["learners"]} | set(sigmoid["same_as_reference"])
    assert not everyone & {"dee", "eve", "fay", "gus"}      # independent answers and untouched stubs
    text = (graded["out"] / "summary.md").read_text()
    assert "Similar submissions (to look at, never a penalty)" in text and "ada, ann_lee-e49591, bob" in text


def test_shards_and_merge_write_the_same_files_as_one_run(graded):
    single, merged = graded["out"], graded["root"] / "merged"
    for name in ("canvas.csv", "moodle.csv", "unmapped.csv", "gradebook.csv", "summary.json", "summary.md"):
        assert (merged / name).read_bytes() == (single / name).read_bytes(), name
    fingerprints = [json.loads((graded["root"] / f"shard{i}" / record.NAME).read_text())["learners"]
                    for i in range(2)]
    assert all("fingerprints" in entry for shard in fingerprints for entry in shard.values())
    assert not (graded["root"] / "shard0" / "canvas.csv").exists()


def test_grading_again_without_a_roster_removes_the_stale_lms_files(graded, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(graded["root"] / "merged", out)
    printed = grade(graded["class"], out, graded["solutions"], seed="4242")
    assert "reused 8 learner(s)" in printed
    assert not any((out / name).exists() for name in ("canvas.csv", "moodle.csv", "unmapped.csv"))
    assert "similar_submissions" in json.loads((out / "summary.json").read_text())


def test_roster_with_a_shard_is_refused_before_anything_is_written(graded, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "checks.grade", str(graded["class"]), "--out", str(tmp_path / "o"),
                           "--shard", "0/2", "--roster", str(graded["roster"])], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "give --roster to `mlp-lab grade merge`" in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["grade", "merge"])
def test_a_bad_roster_stops_grade_and_merge_with_the_reason(graded, tmp_path, command):
    bad = tmp_path / "roster.csv"
    bad.write_text("submission,name,id,email\nada,Ada,1,a@x\nada.ipynb,Ada again,2,b@x\n", encoding="utf-8")
    if command == "grade":
        args = ["-m", "checks.grade", str(graded["class"]), "--out", str(tmp_path / "o")]
    else:
        args = ["-m", "checks.merge", str(graded["root"] / "shard0"), str(graded["root"] / "shard1"),
                "--out", str(tmp_path / "o")]
    proc = subprocess.run([sys.executable, *args, "--roster", str(bad)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1 and "lines 2 and 3" in proc.stderr and "same submission (ada)" in proc.stderr
    assert not (tmp_path / "o").exists()
