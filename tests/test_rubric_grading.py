"""Rubric points end to end: a class of three graded by the real grader in its sandbox.

The mini course of ``test_grading`` with a rubric on sigmoid (4 points: one per stage): a learner
with right answers gets every point, one whose sigmoid is right except on extreme inputs loses the
stability point only, one whose sigmoid returns the wrong shape gets nothing (form failed, the other
stages not judged). Every report lists each stage with its points; the learner still reads the first
failure in the check cell, as without a rubric. ``mlp-lab check`` shows the partial points too.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import nbformat
import pytest

from checks.stages import STAGES

from test_grading import chapter, with_body
from test_shards import ROOT, grade

RUBRIC = {"form": 1, "stability": 1, "inputs": 1, "values": 1}
NAIVE = "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))"            # overflows on extreme z only
FLAT = "def sigmoid(z):\n    return (0.5 * (1 + np.tanh(0.5 * z))).ravel()"  # right values, wrong shape
#: learner -> (sigmoid points, the status of each stage)
EXPECTED = {
    "full": (4, {"form": "passed", "stability": "passed", "inputs": "passed", "values": "passed"}),
    "partial": (3, {"form": "passed", "stability": "failed", "inputs": "passed", "values": "passed"}),
    "zero": (0, {"form": "failed", "stability": "not judged", "inputs": "not judged", "values": "not judged"}),
}


def with_rubric(nb):
    """``nb`` with sigmoid worth 4 points split by ``RUBRIC`` (in its check cell's metadata)."""
    for cell in nb.cells:
        meta = cell.metadata.get("mlp_lab", {})
        if meta.get("kind") == "check" and meta["exercise"] == "sigmoid":
            meta.update(points=4, rubric=dict(RUBRIC))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("rubric")
    (root / "solutions").mkdir()
    nbformat.write(with_rubric(chapter()), str(root / "solutions" / "01_mini.ipynb"))
    learners = {"full": chapter(), "partial": with_body("sigmoid", NAIVE), "zero": with_body("sigmoid", FLAT)}
    for learner, nb in learners.items():
        (root / "class" / learner).mkdir(parents=True)
        nbformat.write(with_rubric(nb), str(root / "class" / learner / "01_mini.ipynb"))
    grade(root / "class", root / "out", root / "solutions")
    return root / "out"


def sigmoid_result(out, learner):
    return json.loads((out / learner / "grade.json").read_text())["exercises"]["sigmoid"]


@pytest.mark.parametrize("learner", EXPECTED)
def test_points_are_those_of_the_stages_that_passed(graded, learner):
    points, statuses = EXPECTED[learner]
    result = sigmoid_result(graded, learner)
    assert (result["points"], result["max_points"]) == (points, 4)
    assert {row["stage"]: row["status"] for row in result["stages"]} == statuses
    for row in result["stages"]:
        assert row["max_points"] == RUBRIC[row["stage"]]
        assert row["points"] == (RUBRIC[row["stage"]] if row["status"] == "passed" else 0)
    assert result["passed"] == (learner == "full")
    grade_json = json.loads((graded / learner / "grade.json").read_text())
    assert grade_json["total"] == points + 3 and grade_json["max"] == 7   # linear_forward: 3, all or nothing
    assert grade_json["exercises"]["linear_forward"]["stages"] == []


def test_feedback_lists_every_stage_and_says_why_stages_were_not_judged(graded):
    partial = sigmoid_result(graded, "partial")
    assert partial["mistake"] == "overflow"
    assert partial["feedback"].startswith("✘ sigmoid: NumPy warned about overflow")
    lines = partial["feedback"].split("Points by stage:\n")[1].splitlines()
    assert lines == [f"- {stage} {int(status == 'passed')}/1, {status}: {STAGES[stage]}"
                     for stage, status in EXPECTED["partial"][1].items()]
    zero = sigmoid_result(graded, "zero")
    assert zero["mistake"] == "wrong_shape"
    assert "Stages not judged score 0: the form failure kept the checks after it from running." in zero["feedback"]


def test_the_learner_reads_the_first_failure_in_the_check_cell(graded):
    nb = nbformat.read(str(graded / "partial" / "feedback" / "01_mini.ipynb"), as_version=4)
    check = next(c for c in nb.cells if c.metadata.get("mlp_lab", {}).get("kind") == "check"
                 and c.metadata["mlp_lab"]["exercise"] == "sigmoid")
    errors = [o for o in check.outputs if o.get("output_type") == "error"]
    assert errors and "NumPy warned about overflow" in errors[0]["evalue"]
    notes = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "`sigmoid`: 3/4 points" in notes and "| `sigmoid` | 3/4 |" in notes and "Score: 6 / 7" in notes


def test_gradescope_and_gradebook_carry_the_partial_points(graded):
    results = json.loads((graded / "partial" / "results.json").read_text())
    test = next(t for t in results["tests"] if t["name"].endswith("/ sigmoid"))
    assert (test["score"], test["max_score"], test["status"]) == (3.0, 4.0, "failed")
    assert "Points by stage:" in test["output"] and results["score"] == 6.0
    rows = {r["learner"]: r for r in csv.DictReader(open(graded / "gradebook.csv"))}
    assert {learner: rows[learner]["sigmoid"] for learner in EXPECTED} == {"full": "4", "partial": "3", "zero": "0"}
    assert {learner: rows[learner]["total"] for learner in EXPECTED} == {"full": "7", "partial": "6", "zero": "3"}


def test_mlp_lab_check_shows_the_partial_points_of_a_rubric(tmp_path):
    """The learner's own table: chapter 02's sigmoid (stability 1, inputs 1, values 2) written the
    textbook way overflows on extreme input only, so it earns 3 of its 4 points there too."""
    nb = nbformat.read(str(ROOT / "chapters" / "02_sigmoid.ipynb"), as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("mlp_lab", {})
        if meta.get("kind") == "solution" and meta["exercise"] == "sigmoid":
            cell.source = NAIVE
    path = tmp_path / "02_sigmoid.ipynb"
    nbformat.write(nb, str(path))
    proc = subprocess.run([sys.executable, "-m", "checks.mine", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^  sigmoid\s+3/4  failed$", proc.stdout, re.M), proc.stdout
    assert "0 of 2 checks passed, 3 of 5 points" in proc.stdout
    assert "sigmoid: CheckFailure: ✘ sigmoid: NumPy warned about overflow on extreme input" in proc.stdout
