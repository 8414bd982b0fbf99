"""``mlp-lab execute``: a notebook run in place in a fresh kernel, over ipc sockets (no TCP warning)."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from checks.execute import execute


def test_execute_runs_the_notebook_in_place_without_the_tcp_warning(tmp_path, capfd):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("print(6 * 7)")]), path)
    execute(path)
    err = capfd.readouterr().err   # the kernel writes its log to the stderr it inherits from us
    assert "without encryption" not in err, err
    cell = nbformat.read(path, as_version=4).cells[0]
    assert cell.outputs[0].text == "42\n" and cell.execution_count == 1
