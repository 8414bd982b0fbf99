"""End-to-end tests of ``python -m checks.grade`` on a two-exercise mini course.

Each hostile submission is a real notebook executed in a real, limited kernel; they are graded
together in parallel (-j 2), so one learner's crash or loop must not touch another's grade.
"""

from __future__ import annotations

import copy
import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from checks.nbtools import release

ROOT = Path(__file__).resolve().parent.parent

SETUP = """\
import numpy as np
import mlp_lab as ml
from checks import check_linear_forward, check_sigmoid
rng = np.random.default_rng(0)"""

GOOD = {
    "sigmoid": "def sigmoid(z):\n    ### BEGIN SOLUTION\n    return 0.5 * (1 + np.tanh(0.5 * z))\n    ### END SOLUTION",
    "linear_forward": "def linear_forward(X, W, b):\n    ### BEGIN SOLUTION\n    return X @ W + b\n    ### END SOLUTION",
}


def chapter(bodies=GOOD, extra_cells=()):
    cells = [new_markdown_cell("# Mini chapter"), new_code_cell(SETUP), *extra_cells]
    for name, points in (("sigmoid", 2), ("linear_forward", 3)):
        cells.append(new_code_cell(bodies[name], metadata={"mlp_lab": {
            "exercise": name, "kind": "solution", "hint": "see the text above"}}))
        cells.append(new_code_cell(f"check_{name}({name})", metadata={"mlp_lab": {
            "exercise": name, "kind": "check", "points": points}}))
    cells.append(new_code_cell("print('the end')"))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


def with_body(name, body):
    bodies = dict(GOOD)
    bodies[name] = body
    return chapter(bodies)


def check_cell(nb, name):
    return next(c for c in nb.cells if c.metadata.get("mlp_lab", {}) == {
        "exercise": name, "kind": "check", "points": {"sigmoid": 2, "linear_forward": 3}[name]})


def hostile_submissions():
    subs = {}
    subs["solution"] = chapter()
    subs["untouched"] = release(chapter())
    subs["wrong_linear"] = with_body("linear_forward", "def linear_forward(X, W, b):\n    return 2 * (X @ W + b)")

    nb = with_body("sigmoid", "def sigmoid(z):\n    return 1 / (1 + np.exp(z))")
    check_cell(nb, "sigmoid").source = "pass  # trust me"
    subs["edited_check"] = nb

    nb = chapter()
    nb.cells.remove(check_cell(nb, "linear_forward"))
    subs["deleted_check"] = nb

    nb = chapter()
    dup = copy.deepcopy(check_cell(nb, "sigmoid"))
    dup.id = "duplicate-check"
    nb.cells.append(dup)
    subs["duplicated_check"] = nb

    patch = new_code_cell(
        "import checks\n"
        "fake = lambda *a, **k: print('✔ sigmoid: all checks passed')\n"
        "checks.check_sigmoid = fake\ncheck_sigmoid = fake\n"
        "import checks.runner\nchecks.runner.run_check = lambda *a, **k: None")
    subs["patched_checks"] = chapter({**GOOD, "sigmoid": "def sigmoid(z):\n    return z"}, [patch])

    patch = new_code_cell(
        "np.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
        "np.array_equal = lambda *a, **k: True\nimport builtins\nbuiltins.abs = lambda x: 0\n"
        "builtins.all = lambda it: True\nbuiltins.any = lambda it: False")
    subs["patched_numpy"] = chapter({**GOOD, "sigmoid": "def sigmoid(z):\n    return np.exp(z)"}, [patch])

    subs["infinite_loop"] = with_body("sigmoid", "def sigmoid(z):\n    while True:\n        pass")
    subs["os_exit"] = with_body("sigmoid", "def sigmoid(z):\n    import os\n    os._exit(3)")
    subs["memory_bomb"] = with_body("sigmoid", "def sigmoid(z):\n    hog = []\n    while True:\n"
                                               "        hog.append(np.ones(10**8))")
    crash = new_code_cell("import ctypes\nctypes.string_at(0)  # segfault: the kernel dies")
    subs["kernel_crash"] = chapter(GOOD, [crash])
    subs["syntax_error"] = with_body("linear_forward", "def linear_forward(X, W, b)\n    return X @ W + b")
    return subs


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    solutions = root / "solutions"
    solutions.mkdir()
    nbformat.write(chapter(), str(solutions / "01_mini.ipynb"))
    class_dir = root / "class"
    originals = {}
    for learner, nb in hostile_submissions().items():
        (class_dir / learner).mkdir(parents=True)
        path = class_dir / learner / "01_mini.ipynb"
        nbformat.write(nb, str(path))
        originals[path] = path.read_bytes()
    (class_dir / "invalid_json").mkdir()
    bad = class_dir / "invalid_json" / "01_mini.ipynb"
    bad.write_text('{"cells": [ this is not json')
    originals[bad] = bad.read_bytes()
    out = root / "out"
    cmd = [sys.executable, "-m", "checks.grade", str(class_dir), "--out", str(out), "-j", "2",
           "--solutions", str(solutions), "--seed", "20261123", "--cell-timeout", "15",
           "--memory-mb", "3000"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    grades = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/grade.json")}
    return {"out": out, "grades": grades, "originals": originals, "stdout": proc.stdout, "cmd": cmd}


def points(graded, learner):
    ex = graded["grades"][learner]["exercises"]
    return ex["sigmoid"]["points"], ex["linear_forward"]["points"]


def mistake(graded, learner, exercise):
    return graded["grades"][learner]["exercises"][exercise]["mistake"]


def events(graded, learner):
    return " ".join(e for nb in graded["grades"][learner]["notebooks"] for e in nb["events"])


def test_solution_gets_full_marks(graded):
    assert points(graded, "solution") == (2, 3)
    assert graded["grades"]["solution"]["total"] == 5 == graded["grades"]["solution"]["max"]


def test_untouched_copy_gets_zero_not_implemented(graded):
    assert points(graded, "untouched") == (0, 0)
    assert mistake(graded, "untouched", "sigmoid") == "not_implemented"
    assert mistake(graded, "untouched", "linear_forward") == "not_implemented"


def test_one_wrong_function_costs_only_that_exercise(graded):
    assert points(graded, "wrong_linear") == (2, 0)
    assert mistake(graded, "wrong_linear", "linear_forward") == "scale"


def test_edited_check_cell_is_restored(graded):
    assert points(graded, "edited_check") == (0, 3)
    assert mistake(graded, "edited_check", "sigmoid") not in ("not_run", None)
    assert "restored" in events(graded, "edited_check")


def test_deleted_check_cell_is_re_added(graded):
    assert points(graded, "deleted_check") == (2, 3)
    assert "re-added" in events(graded, "deleted_check")


def test_duplicated_check_cell_is_ignored(graded):
    assert points(graded, "duplicated_check") == (2, 3)
    assert "duplicate" in events(graded, "duplicated_check")


def test_patching_checks_in_the_kernel_cannot_forge_a_pass(graded):
    assert points(graded, "patched_checks") == (0, 3)


def test_patching_numpy_and_builtins_cannot_forge_a_pass(graded):
    assert points(graded, "patched_numpy")[0] == 0
    assert mistake(graded, "patched_numpy", "sigmoid") not in ("not_run", None)


def test_infinite_loop_costs_only_its_exercise(graded):
    assert points(graded, "infinite_loop") == (0, 3)


def test_os_exit_costs_only_its_exercise(graded):
    assert points(graded, "os_exit") == (0, 3)
    assert "kernel died" in events(graded, "os_exit")


def test_memory_bomb_costs_only_its_exercise(graded):
    assert points(graded, "memory_bomb") == (0, 3)


def test_kernel_crash_outside_exercises_costs_nothing(graded):
    assert points(graded, "kernel_crash") == (2, 3)
    assert "kernel died" in events(graded, "kernel_crash")


def test_syntax_error_costs_only_its_exercise(graded):
    assert points(graded, "syntax_error") == (2, 0)


def test_invalid_json_gets_a_report(graded):
    g = graded["grades"]["invalid_json"]
    assert g["total"] == 0
    assert "not valid notebook JSON" in g["notebooks"][0]["error"]


def test_submitted_files_are_never_modified(graded):
    for path, data in graded["originals"].items():
        assert path.read_bytes() == data, path


def test_gradebook_csv(graded):
    rows = list(csv.DictReader(open(graded["out"] / "gradebook.csv")))
    assert [r["learner"] for r in rows] == sorted(graded["grades"])
    assert rows[0].keys() >= {"sigmoid", "linear_forward", "total", "max"}
    by = {r["learner"]: r for r in rows}
    assert by["solution"]["total"] == "5" and by["wrong_linear"]["linear_forward"] == "0"


def test_gradescope_results_have_the_documented_fields(graded):
    for learner in graded["grades"]:
        res = json.loads((graded["out"] / learner / "results.json").read_text())
        assert isinstance(res["score"], float) and isinstance(res["execution_time"], int)
        assert res["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
        assert {t["name"].split(" / ")[1] for t in res["tests"]} == {"sigmoid", "linear_forward"}
        for t in res["tests"]:
            assert set(t) <= {"score", "max_score", "status", "name", "name_format", "number", "output",
                              "output_format", "tags", "visibility", "extra_data"}
            assert t["status"] in ("passed", "failed") and 0 <= t["score"] <= t["max_score"]
        assert res["score"] == sum(t["score"] for t in res["tests"])


def test_feedback_notebook_shows_verdicts(graded):
    nb = nbformat.read(str(graded["out"] / "wrong_linear" / "feedback" / "01_mini.ipynb"), as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Score: 2 / 5" in text and "scale" in text


def test_class_summary_names_common_mistakes(graded):
    summary = json.loads((graded["out"] / "summary.json").read_text())
    assert summary["sigmoid"]["mistakes"].get("not_implemented", 0) >= 1
    assert "what to re-teach" in (graded["out"] / "summary.md").read_text()


def test_regrading_gives_the_same_grades(graded, tmp_path):
    cmd = list(graded["cmd"])
    cmd[cmd.index("--out") + 1] = str(tmp_path / "again")
    subset = tmp_path / "subset"
    for learner in ("solution", "wrong_linear", "patched_numpy"):
        (subset / learner).mkdir(parents=True)
        src = next(p for p in graded["originals"] if p.parent.name == learner)
        (subset / learner / src.name).write_bytes(src.read_bytes())
    cmd[3] = str(subset)
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=600)
    for learner in ("solution", "wrong_linear", "patched_numpy"):
        again = json.loads((tmp_path / "again" / learner / "grade.json").read_text())
        first = graded["grades"][learner]
        assert {k: (v["points"], v["mistake"]) for k, v in again["exercises"].items()} == \
               {k: (v["points"], v["mistake"]) for k, v in first["exercises"].items()}
