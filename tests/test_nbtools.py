"""Unit tests for checks.nbtools: finding cells by metadata, the release transform, lint."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from checks import nbtools
from checks.locations import install_cell_lines
from checks.nbtools import NotebookError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "solutions" / "01_tiny.ipynb"
SETUP = ("\n".join(install_cell_lines()) + "\n\nimport numpy as np\nimport matplotlib.pyplot as plt\nrng = np.random.default_rng(0)\n"
         "np.set_printoptions(precision=4, suppress=True)\n%matplotlib inline\n"
         "%config InlineBackend.print_figure_kwargs = {'metadata': {'Software': None}}")


def exercise(name: str, body: str, hint: str = "a hint") -> nbformat.NotebookNode:
    return new_code_cell(body, metadata={"mlp_lab": {"exercise": name, "kind": "solution", "hint": hint}})


def check(name: str, points: int = 1, source: str | None = None) -> nbformat.NotebookNode:
    return new_code_cell(source if source is not None else f"check_{name}({name})",
                         metadata={"mlp_lab": {"exercise": name, "kind": "check", "points": points}})


SIGMOID = ('def sigmoid(z):\n    """1 / (1 + exp(-z)); z any shape."""\n    ### BEGIN SOLUTION\n'
           "    return 1 / (1 + np.exp(-z))\n    ### END SOLUTION")


def executed(cells: list) -> nbformat.NotebookNode:
    """A notebook whose code cells look run once each, top to bottom; checks store one passed line."""
    nb = new_notebook(cells=cells)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            meta = nbtools.course_meta(cell) or {}
            if meta.get("kind") == "check":
                cell.outputs = [new_output("stream", name="stdout", text=f"passed {meta['exercise']}\n")]
    return nb


def good_notebook() -> nbformat.NotebookNode:
    return executed([new_markdown_cell("# Tiny"), new_code_cell(SETUP), exercise("sigmoid", SIGMOID),
                     check("sigmoid", 2), new_code_cell("print(sigmoid(np.zeros(2)))")])


# ----------------------------------------------------------------------------- release transform

def test_release_replaces_block_with_stub_at_begin_indentation():
    learner = nbtools.release(good_notebook())
    source = learner.cells[2].source
    assert source == ('def sigmoid(z):\n    """1 / (1 + exp(-z)); z any shape."""\n'
                      '    raise NotImplementedError("sigmoid: a hint")')
    assert "BEGIN SOLUTION" not in source and "np.exp" not in source


def test_release_clears_only_exercise_and_check_outputs():
    nb = good_notebook()
    nb.cells[4].outputs = [new_output("stream", name="stdout", text="[0.5 0.5]\n")]
    nb.cells[2].outputs = [new_output("stream", name="stdout", text="leak\n")]
    learner = nbtools.release(nb)
    for i in (2, 3):
        assert learner.cells[i].outputs == [] and learner.cells[i].execution_count is None
    assert learner.cells[4] == nb.cells[4]          # other cells untouched, outputs and counts kept
    assert learner.cells[1] == nb.cells[1] and learner.metadata == nb.metadata


def test_release_does_not_modify_its_input():
    nb = good_notebook()
    before = nbtools.dumps_notebook(nb)
    nbtools.release(nb)
    assert nbtools.dumps_notebook(nb) == before


def test_release_text_is_stable_through_a_file_round_trip():
    nb = good_notebook()
    once = nbtools.dumps_notebook(nbtools.release(nb))
    again = nbtools.release(nbtools.reads_notebook(nbtools.dumps_notebook(nb)))
    assert nbtools.dumps_notebook(again) == once
    assert nbtools.dumps_notebook(nbtools.reads_notebook(once)) == once


def test_several_blocks_in_one_cell_and_quotes_in_hint_are_escaped():
    body = ("def f(x):\n    ### BEGIN SOLUTION\n    y = x\n    ### END SOLUTION\n"
            "    if x:\n        ### BEGIN SOLUTION\n        return y\n        ### END SOLUTION\n    return 0")
    nb = executed([new_code_cell(SETUP), exercise("f", body, hint='use "x" \\ back'), check("f")])
    source = nbtools.release(nb).cells[1].source
    stub = 'raise NotImplementedError("f: use \\"x\\" \\\\ back")'
    assert source == f"def f(x):\n    {stub}\n    if x:\n        {stub}\n    return 0"
    compile(source, "<stub>", "exec")   # the stub is valid Python


@pytest.mark.parametrize("body, fragment", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1", "never closed"),
    ("def f():\n    return 1\n    ### END SOLUTION", "without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "was closed"),
    ("def f():\n    return 1", "has no '### BEGIN SOLUTION'"),
])
def test_bad_markers_are_clear_errors_naming_notebook_and_exercise(body, fragment):
    nb = executed([new_code_cell(SETUP), exercise("f", body), check("f")])
    with pytest.raises(NotebookError) as info:
        nbtools.release(nb, "chapters/solutions/09_x.ipynb")
    message = str(info.value)
    assert "chapters/solutions/09_x.ipynb" in message and "'f'" in message and fragment in message


@pytest.mark.parametrize("cells, fragment", [
    ([exercise("f", SIGMOID), exercise("f", SIGMOID), check("f")], "duplicate solution cell"),
    ([exercise("f", SIGMOID), check("f"), check("f")], "duplicate check cell"),
    ([exercise("f", SIGMOID), check("g")], "'g': check cell has no matching exercise"),
    ([new_code_cell(SIGMOID)], "solution markers but no mlp_lab metadata"),
    ([exercise("f", SIGMOID, hint=""), check("f")], "one-line, non-empty 'hint'"),
    ([exercise("f", SIGMOID, hint="two\nlines"), check("f")], "one-line, non-empty 'hint'"),
    ([exercise("f", SIGMOID), check("f", points=0)], "integer 'points' >= 1"),
    ([exercise("f", SIGMOID), check("f", points=True)], "integer 'points' >= 1"),
    ([exercise("Bad Name", SIGMOID)], "snake_case"),
    ([new_code_cell("x", metadata={"mlp_lab": {"exercise": "f", "kind": "answer"}})], "'kind' must be"),
])
def test_structural_problems_are_refused(cells, fragment):
    nb = executed([new_code_cell(SETUP)] + cells)
    with pytest.raises(NotebookError, match="09_x") as info:
        nbtools.release(nb, "09_x")
    assert fragment in str(info.value)


# ----------------------------------------------------------------------------- reading and writing

def test_dumps_matches_nbformat_write_and_round_trips(tmp_path):
    nb = good_notebook()
    nbformat.write(nb, tmp_path / "a.ipynb")
    assert (tmp_path / "a.ipynb").read_text(encoding="utf-8") == nbtools.dumps_notebook(nb)
    assert nbtools.write_notebook(nb, tmp_path / "a.ipynb") is False      # unchanged: not rewritten
    assert json.loads(nbtools.dumps_notebook(nb))["cells"][1]["source"][0] == "import importlib.util\n"


def test_cells_without_ids_are_refused_not_given_random_ids(tmp_path):
    raw = json.loads(nbtools.dumps_notebook(good_notebook()))
    del raw["cells"][2]["id"]
    path = tmp_path / "noid.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(NotebookError, match="cell 2 has no 'id'"):
        nbtools.read_notebook(path)


@pytest.mark.parametrize("text, fragment", [("{", "not valid notebook JSON"),
                                            ('{"nbformat": 3, "cells": []}', "nbformat 4")])
def test_unreadable_notebooks_are_clear_errors(tmp_path, text, fragment):
    path = tmp_path / "bad.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NotebookError, match=fragment):
        nbtools.read_notebook(path)
    with pytest.raises(NotebookError, match="no such notebook"):
        nbtools.read_notebook(tmp_path / "missing.ipynb")


def test_learner_path():
    assert nbtools.learner_path(Path("chapters/solutions/02_sigmoid.ipynb")) == Path("chapters/02_sigmoid.ipynb")


@pytest.mark.parametrize("ename, evalue, expected", [
    ("NotImplementedError", "sigmoid: use np.exp", True),
    ("CheckFailure", "✘ sigmoid: not implemented yet", True),
    ("CheckFailure", "category not_implemented", True),
    ("CheckFailure", "✘ sigmoid: wrong sign", False),
    ("NameError", "name 'sigmoid' is not defined", False),
])
def test_is_not_implemented(ename, evalue, expected):
    assert nbtools.is_not_implemented(ename, evalue) is expected


# ----------------------------------------------------------------------------- lint

def test_lint_accepts_a_good_notebook():
    assert nbtools.lint(good_notebook()) == []


@pytest.mark.parametrize("change, fragment", [
    (lambda nb: nb.cells.pop(3), "'sigmoid': has no check cell"),
    (lambda nb: nb.cells[2].metadata["mlp_lab"].update(checked=False), "marked \"checked\": false but has"),
    (lambda nb: nb.cells[2].metadata["mlp_lab"].update(checked="no"), "'checked' must be true or false"),
    (lambda nb: setattr(nb.cells[3], "source", "check_sigmoid(sigmoid)\nprint(1)"), "must be one call"),
    (lambda nb: setattr(nb.cells[3], "source", "check_softmax(sigmoid)"), "must be one call"),
    (lambda nb: setattr(nb.cells[1], "source", SETUP.replace("default_rng(0)", "default_rng()")), "seed"),
    (lambda nb: setattr(nb.cells[1], "source", SETUP.replace("precision=4", "precision=3")), "print options"),
    (lambda nb: setattr(nb.cells[1], "source", SETUP.replace("%matplotlib inline", "")), "inline backend"),
    (lambda nb: setattr(nb.cells[1], "source", SETUP.replace("'Software': None", "")), "figure metadata"),
    (lambda nb: setattr(nb.cells[1], "source", SETUP.replace("mlp-lab @", "mlp-lab==0.1 @")), "installing"),
    (lambda nb: setattr(nb.cells[1], "source", SETUP.split("\n\n", 2)[2]), "INSTALL_SOURCE"),
    (lambda nb: setattr(nb.cells[4], "execution_count", None), "not run once each"),
    (lambda nb: setattr(nb.cells[4], "execution_count", 7), "not run once each"),
    (lambda nb: setattr(nb.cells[3], "outputs", []), "exactly its one passed line"),
    (lambda nb: setattr(nb.cells[4], "outputs", [new_output("error", ename="E", evalue="x", traceback=[])]),
     "stored output is an error"),
    (lambda nb: setattr(nb.cells[4], "outputs",
                        [new_output("display_data", data={"image/png": "iVBO", "text/plain": "<Figure>"})]),
     "must call plt.show()"),
    (lambda nb: setattr(nb.cells[4], "outputs", [new_output(
        "execute_result", data={"text/plain": "[<matplotlib.lines.Line2D at 0x7f>]"}, execution_count=3)]),
     "matplotlib object's repr"),
    (lambda nb: nb.cells[3].outputs.append(new_output("stream", name="stdout", text="more\n")),
     "exactly its one passed line"),
    (lambda nb: nb.cells[3].outputs.append(new_output("stream", name="stderr", text="warning\n")),
     "exactly its one passed line"),
    (lambda nb: nb.cells[3].metadata["mlp_lab"].pop("points"), "integer 'points'"),
])
def test_lint_finds_each_problem(change, fragment):
    nb = good_notebook()
    change(nb)
    problems = nbtools.lint(nb)
    assert any(fragment in p for p in problems), problems


def test_lint_accepts_an_exercise_marked_unchecked_without_a_check_cell():
    nb = good_notebook()
    nb.cells[2].metadata["mlp_lab"]["checked"] = False
    nb.cells.pop(3)
    nb.cells[3].execution_count = 3
    assert nbtools.lint(nb) == []
    assert "raise NotImplementedError" in nbtools.release(nb).cells[2].source


def test_lint_accepts_a_figure_cell_with_show_a_split_passed_line_and_the_fixture():
    nb = good_notebook()
    nb.cells[4].source = "plt.plot([1, 2])\nplt.show()\nprint('done')"
    nb.cells[4].outputs = [new_output("display_data", data={"image/png": "iVBO", "text/plain": "<Figure>"}),
                           new_output("stream", name="stdout", text="done\n")]
    nb.cells[3].outputs = [new_output("stream", name="stdout", text="✔ sigmoid: all checks passed"),
                           new_output("stream", name="stdout", text="\n")]
    assert nbtools.lint(nb) == []
    assert nbtools.lint(nbtools.read_notebook(FIXTURE)) == []


SOLUTIONS = sorted((ROOT / "chapters" / "solutions").glob("*.ipynb"))


def test_every_solution_notebook_passes_lint():
    """Runs over whatever chapters exist (none yet is fine); each must be clean."""
    problems = {}
    for path in SOLUTIONS:
        found = nbtools.lint(nbtools.read_notebook(path))
        if found:
            problems[path.name] = found
    assert problems == {}, json.dumps(problems, indent=1)
