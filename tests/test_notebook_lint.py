"""The lint for solution notebooks: a good notebook passes, each problem is found, every chapter is clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nbformat.v4 import new_output

from checks.learner_copies import release
from checks.notebook_file import read_notebook
from checks.notebook_lint import lint

from notebook_builders import SETUP, good_notebook

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "solutions" / "01_tiny.ipynb"


def test_lint_accepts_a_good_notebook():
    assert lint(good_notebook()) == []


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
    problems = lint(nb)
    assert any(fragment in p for p in problems), problems


def test_lint_accepts_an_exercise_marked_unchecked_without_a_check_cell():
    nb = good_notebook()
    nb.cells[2].metadata["mlp_lab"]["checked"] = False
    nb.cells.pop(3)
    nb.cells[3].execution_count = 3
    assert lint(nb) == []
    assert "raise NotImplementedError" in release(nb).cells[2].source


def test_lint_accepts_a_figure_cell_with_show_a_split_passed_line_and_the_fixture():
    nb = good_notebook()
    nb.cells[4].source = "plt.plot([1, 2])\nplt.show()\nprint('done')"
    nb.cells[4].outputs = [new_output("display_data", data={"image/png": "iVBO", "text/plain": "<Figure>"}),
                           new_output("stream", name="stdout", text="done\n")]
    nb.cells[3].outputs = [new_output("stream", name="stdout", text="✔ sigmoid: all checks passed"),
                           new_output("stream", name="stdout", text="\n")]
    assert lint(nb) == []
    assert lint(read_notebook(FIXTURE)) == []


SOLUTIONS = sorted((ROOT / "chapters" / "solutions").glob("*.ipynb"))


def test_every_solution_notebook_passes_lint():
    """Runs over whatever chapters exist (none yet is fine); each must be clean."""
    problems = {}
    for path in SOLUTIONS:
        found = lint(read_notebook(path))
        if found:
            problems[path.name] = found
    assert problems == {}, json.dumps(problems, indent=1)
