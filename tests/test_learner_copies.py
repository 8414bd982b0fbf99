"""The release transform: a solution notebook's learner copy, and the notebooks it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_output

from checks.learner_copies import learner_path, release
from checks.notebook_file import NotebookError, dumps_notebook, reads_notebook

from notebook_builders import SETUP, check, executed, exercise, good_notebook


def test_release_replaces_block_with_stub_at_begin_indentation():
    learner = release(good_notebook())
    source = learner.cells[2].source
    assert source == ('def sigmoid(z):\n    """1 / (1 + exp(-z)); z any shape."""\n'
                      '    raise NotImplementedError("sigmoid: a hint")')
    assert "BEGIN SOLUTION" not in source and "np.exp" not in source


def test_release_clears_only_exercise_and_check_outputs():
    nb = good_notebook()
    nb.cells[4].outputs = [new_output("stream", name="stdout", text="[0.5 0.5]\n")]
    nb.cells[2].outputs = [new_output("stream", name="stdout", text="leak\n")]
    learner = release(nb)
    for i in (2, 3):
        assert learner.cells[i].outputs == [] and learner.cells[i].execution_count is None
    assert learner.cells[4] == nb.cells[4]          # other cells untouched, outputs and counts kept
    assert learner.cells[1] == nb.cells[1] and learner.metadata == nb.metadata


def test_release_does_not_modify_its_input():
    nb = good_notebook()
    before = dumps_notebook(nb)
    release(nb)
    assert dumps_notebook(nb) == before


def test_release_text_is_stable_through_a_file_round_trip():
    nb = good_notebook()
    once = dumps_notebook(release(nb))
    again = release(reads_notebook(dumps_notebook(nb)))
    assert dumps_notebook(again) == once
    assert dumps_notebook(reads_notebook(once)) == once


def test_several_blocks_in_one_cell_and_quotes_in_hint_are_escaped():
    body = ("def f(x):\n    ### BEGIN SOLUTION\n    y = x\n    ### END SOLUTION\n"
            "    if x:\n        ### BEGIN SOLUTION\n        return y\n        ### END SOLUTION\n    return 0")
    nb = executed([new_code_cell(SETUP), exercise("f", body, hint='use "x" \\ back'), check("f")])
    source = release(nb).cells[1].source
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
        release(nb, "chapters/solutions/09_x.ipynb")
    message = str(info.value)
    assert "chapters/solutions/09_x.ipynb" in message and "'f'" in message and fragment in message


def test_learner_path():
    assert learner_path(Path("chapters/solutions/02_sigmoid.ipynb")) == Path("chapters/02_sigmoid.ipynb")
