"""Reading and writing notebook files: Jupyter's exact text, and clear errors for unusable files."""

from __future__ import annotations

import json

import nbformat
import pytest

from checks.notebook_file import NotebookError, dumps_notebook, read_notebook, write_notebook

from notebook_builders import good_notebook


def test_dumps_matches_nbformat_write_and_round_trips(tmp_path):
    nb = good_notebook()
    nbformat.write(nb, tmp_path / "a.ipynb")
    assert (tmp_path / "a.ipynb").read_text(encoding="utf-8") == dumps_notebook(nb)
    assert write_notebook(nb, tmp_path / "a.ipynb") is False      # unchanged: not rewritten
    assert json.loads(dumps_notebook(nb))["cells"][1]["source"][0] == "import importlib.util\n"


def test_cells_without_ids_are_refused_not_given_random_ids(tmp_path):
    raw = json.loads(dumps_notebook(good_notebook()))
    del raw["cells"][2]["id"]
    path = tmp_path / "noid.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(NotebookError, match="cell 2 has no 'id'"):
        read_notebook(path)


@pytest.mark.parametrize("text, fragment", [("{", "not valid notebook JSON"),
                                            ('{"nbformat": 3, "cells": []}', "nbformat 4")])
def test_unreadable_notebooks_are_clear_errors(tmp_path, text, fragment):
    path = tmp_path / "bad.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NotebookError, match=fragment):
        read_notebook(path)
    with pytest.raises(NotebookError, match="no such notebook"):
        read_notebook(tmp_path / "missing.ipynb")
