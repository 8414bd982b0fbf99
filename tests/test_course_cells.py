"""Finding exercise and check cells by their metadata, and what a check cell's error means."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell

from checks.course_cells import find_cells, is_not_implemented
from checks.notebook_file import NotebookError

from notebook_builders import SETUP, SIGMOID, check, executed, exercise


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
        find_cells(nb, "09_x")
    assert fragment in str(info.value)


@pytest.mark.parametrize("ename, evalue, expected", [
    ("NotImplementedError", "sigmoid: use np.exp", True),
    ("CheckFailure", "✘ sigmoid: not implemented yet", True),
    ("CheckFailure", "category not_implemented", True),
    ("CheckFailure", "✘ sigmoid: wrong sign", False),
    ("NameError", "name 'sigmoid' is not defined", False),
])
def test_is_not_implemented(ename, evalue, expected):
    assert is_not_implemented(ename, evalue) is expected
