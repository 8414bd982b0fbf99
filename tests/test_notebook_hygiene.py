"""Every chapter opens clean in Jupyter and reads well in an editor, and the tools keep it that way.

- ``language_info`` is stored as the kernel reports it (else Jupyter marks the notebook modified on open);
- no cell carries execution timestamps (``metadata.execution``), which change on every run;
- the stubs written by the release stay within ``STUB_WIDTH`` characters (the hint stays on screen);
- the package lists every package folder, so the wheel carries all of them (see pyproject.toml).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from checks.course_cells import find_cells
from checks.execute import execute
from checks.locations import CHECKOUT, chapters_dir
from checks.notebook_file import read_notebook
from checks.solution_stubs import STUB_WIDTH, stub_line

CHAPTERS = sorted(chapters_dir().glob("[0-9][0-9]_*.ipynb")) + sorted(chapters_dir().glob("solutions/*.ipynb"))
LANGUAGE_INFO = ("name", "version", "mimetype", "file_extension", "codemirror_mode", "pygments_lexer",
                 "nbconvert_exporter")


def _id(path: Path) -> str:
    return str(path.relative_to(chapters_dir()))


@pytest.mark.parametrize("path", CHAPTERS, ids=_id)
def test_chapter_stores_language_info_and_no_timestamps(path):
    nb = read_notebook(path)
    info = nb.metadata.get("language_info", {})
    missing = [key for key in LANGUAGE_INFO if key not in info]
    assert not missing, f"{_id(path)}: language_info lacks {missing}; fix: mlp-lab execute it, then release"
    stamped = [i for i, cell in enumerate(nb.cells) if "execution" in cell.metadata]
    assert not stamped, f"{_id(path)}: cells {stamped} carry execution timestamps; fix: mlp-lab execute it"


@pytest.mark.parametrize("path", [p for p in CHAPTERS if p.parent == chapters_dir()], ids=_id)
def test_released_stubs_fit_the_editor(path):
    """The lines the release wrote (those not in the solution's cell) are at most STUB_WIDTH long."""
    exercises, _ = find_cells(read_notebook(path), str(path), solutions=False)
    solved, _ = find_cells(read_notebook(path.parent / "solutions" / path.name), str(path))
    for name, cell in exercises.items():
        stub = set(cell.source.splitlines()) - set(solved[name].source.splitlines())
        assert any("NotImplementedError" in line for line in stub), f"{_id(path)}: no stub for {name!r}"
        long = [line for line in stub if len(line) > STUB_WIDTH]
        assert not long, f"{_id(path)}: the stub of {name!r} has lines over {STUB_WIDTH} characters: {long}"


@pytest.mark.parametrize("indent", ["", "    ", "        "])
def test_long_stub_is_wrapped_into_the_same_message(indent):
    hint = ("compute the mean over the batch of the loss, then divide the upstream gradient by N; "
            "keepdims=True keeps (N, 1) so it broadcasts against (N, C) without a transpose")
    stub = stub_line("softmax_cross_entropy", hint, indent)
    assert len(stub.splitlines()) > 1
    assert all(len(line) <= STUB_WIDTH and line.startswith(indent) for line in stub.splitlines())
    with pytest.raises(NotImplementedError) as raised:
        exec("def f():\n" + "\n".join("    " + line for line in stub.splitlines()) + "\nf()", {})
    assert str(raised.value) == f"softmax_cross_entropy: {hint}"
    assert stub_line("f", "short", indent) == f'{indent}raise NotImplementedError("f: short")'


def test_execute_stores_language_info_and_removes_old_timestamps(tmp_path):
    nb = new_notebook(cells=[new_code_cell("print(1 + 1)")])
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00.000000Z"}
    nb.metadata["language_info"] = {"name": "python"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    execute(path)
    done = read_notebook(path)
    assert "execution" not in done.cells[0].metadata
    assert all(key in done.metadata["language_info"] for key in LANGUAGE_INFO)
    assert done.cells[0].outputs[0]["text"] == "2\n"


def test_pyproject_lists_every_package_folder():
    """The chapter mapping in pyproject.toml rules out automatic discovery, so a new package must be listed."""
    config = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(CHECKOUT).parts)
               for top in ("mlp_lab", "checks") for p in (CHECKOUT / top).rglob("__init__.py")}
    listed = set(config["packages"])
    assert on_disk <= listed, f"add {sorted(on_disk - listed)} to [tool.setuptools] packages in pyproject.toml"
    assert config["package-dir"] == {"checks.chapters": "chapters"}
