"""Tiny course notebooks built in memory, for the tests of the notebook tooling."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from checks.course_cells import course_meta
from checks.locations import install_cell_lines

SETUP = ("\n".join(install_cell_lines()) + "\n\nimport numpy as np\nimport matplotlib.pyplot as plt\nrng = np.random.default_rng(0)\n"
         "np.set_printoptions(precision=4, suppress=True)\n%matplotlib inline\n"
         "%config InlineBackend.print_figure_kwargs = {'metadata': {'Software': None}}")


def exercise(name: str, body: str, hint: str = "a hint") -> nbformat.NotebookNode:
    """An exercise cell for ``name`` whose source is ``body``."""
    return new_code_cell(body, metadata={"mlp_lab": {"exercise": name, "kind": "solution", "hint": hint}})


def check(name: str, points: int = 1, source: str | None = None) -> nbformat.NotebookNode:
    """The check cell of ``name``: one ``check_<name>(<name>)`` call unless ``source`` is given."""
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
            meta = course_meta(cell) or {}
            if meta.get("kind") == "check":
                cell.outputs = [new_output("stream", name="stdout", text=f"passed {meta['exercise']}\n")]
    return nb


def good_notebook() -> nbformat.NotebookNode:
    """A solution notebook that lint accepts: title, setup cell, sigmoid, its check, one use of it."""
    return executed([new_markdown_cell("# Tiny"), new_code_cell(SETUP), exercise("sigmoid", SIGMOID),
                     check("sigmoid", 2), new_code_cell("print(sigmoid(np.zeros(2)))")])
