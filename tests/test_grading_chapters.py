"""Grading the real chapters: the solutions get full marks, the untouched learner copies zero.

This is the course's own acceptance test for the grader: every exercise of every chapter is
judged through the kernel round trip, with a secret seed, in parallel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "chapters" / "solutions").glob("[0-9][0-9]_*.ipynb"))
RELEASED = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))

pytestmark = pytest.mark.skipif(not SOLUTIONS, reason="no chapters yet")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("chapters")
    for learner, notebooks in (("solutions", SOLUTIONS), ("untouched", RELEASED)):
        (root / "class" / learner).mkdir(parents=True)
        for nb in notebooks:
            shutil.copy(nb, root / "class" / learner / nb.name)
    out = root / "out"
    proc = subprocess.run([sys.executable, "-m", "checks.grade", str(root / "class"), "--out", str(out),
                           "-j", "2", "--seed", "424242"], cwd=ROOT, capture_output=True, text=True,
                          timeout=1500)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/grade.json")}


def test_solutions_get_full_marks(graded):
    g = graded["solutions"]
    failed = {ex: r["feedback"] for ex, r in g["exercises"].items() if not r["passed"]}
    assert not failed
    assert g["total"] == g["max"] > 0


def test_every_chapter_exercise_is_graded(graded):
    from checks.grading.prepare import load_chapters

    expected = {ex for ch in load_chapters(ROOT / "chapters" / "solutions").values() for ex in ch.checks}
    assert set(graded["solutions"]["exercises"]) == expected


def test_untouched_learner_copies_get_zero_not_implemented(graded):
    g = graded["untouched"]
    assert g["total"] == 0
    wrong = {ex: r["mistake"] for ex, r in g["exercises"].items() if r["mistake"] != "not_implemented"}
    assert not wrong
