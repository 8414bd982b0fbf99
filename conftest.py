"""Notebook validation for the whole repository in one pytest run (nbval 0.11 underneath).

With no nbval flag (``make test``), notebooks under ``chapters/`` are collected by location:

- ``chapters/solutions/*.ipynb`` strictly: every cell's outputs compared with the stored ones;
- ``chapters/*.ipynb`` (learner copies) as released: outputs not compared, every cell must run,
  except that each check cell must fail with a "not implemented yet" verdict (and nothing else).

With ``--nbval`` or ``--nbval-lax`` every collected notebook runs in that nbval mode, as nbval
documents it (a learner: ``pytest --nbval-lax chapters/03_backprop_as_gears.ipynb``).

Always: the kernel is this environment's Python (headless, MNIST read from ``../shared/data/mnist``
unless ``MLP_LAB_MNIST_DIR`` is set), outputs are sanitized with
``chapters/nbval_sanitize.cfg``, stderr is never compared, cells time out after 300 s, and
images are not compared (nbval skips image/png unless ``--nbdime``). Explicit options win.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, NbCellError

from checks.course_cells import course_meta, is_not_implemented

pytest_plugins = ("checks.run_all",)   # a learner copy's tagged check cells still fail when their check does

ROOT = Path(__file__).resolve().parent
CHAPTERS = ROOT / "chapters"
SANITIZE = CHAPTERS / "nbval_sanitize.cfg"
CELL_TIMEOUT = 300.0
NBVAL_DEFAULT_TIMEOUT = 2000.0   # nbval's own default: means "not set on the command line"
_MODE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    # Kernels inherit this environment: headless, and MNIST from the shared folder (as the Makefile does).
    os.environ.setdefault("MPLBACKEND", "Agg")
    mnist = ROOT.parent / "shared" / "data" / "mnist"
    if mnist.is_dir():
        os.environ.setdefault("MLP_LAB_MNIST_DIR", str(mnist))
    opt = config.option
    # Remember the requested mode, then take over collection from nbval so our cells are used.
    config.stash[_MODE] = "strict" if opt.nbval else "lax" if opt.nbval_lax else "auto"
    opt.nbval = opt.nbval_lax = False
    if not opt.nbval_sanitize_with:
        opt.nbval_sanitize_with = str(SANITIZE)
    if not opt.nbval_kernel_name:
        opt.nbval_current_env = True
    if opt.nbval_cell_timeout == NBVAL_DEFAULT_TIMEOUT:
        opt.nbval_cell_timeout = CELL_TIMEOUT


def _mode_for(file_path: Path, requested: str) -> str | None:
    """strict / lax / released for a notebook, or None to leave it uncollected."""
    if requested != "auto":
        return requested
    if file_path.parent == CHAPTERS / "solutions":
        return "strict"
    if file_path.parent == CHAPTERS:
        return "released"
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix != ".ipynb" or ".ipynb_checkpoints" in file_path.parts:
        return None
    mode = _mode_for(file_path, parent.config.stash[_MODE])
    if mode is None:
        return None
    notebook = CourseNotebook.from_parent(parent, path=file_path)
    notebook.mode = mode
    notebook.compare_outputs = mode == "strict"
    return notebook


class CourseNotebook(IPyNbFile):
    """nbval's notebook collector, yielding CourseCell items with nbval's names ("Cell N")."""

    mode = "strict"

    def collect(self):
        for item in super().collect():
            yield CourseCell.from_parent(self, name=item.name, cell_num=item.cell_num,
                                         cell=item.cell, options=item.options)


def _stdout_only(outputs):
    return [o for o in outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]


class CourseCell(IPyNbCell):
    """nbval's cell item; never compares stderr; in a released copy, check cells must say "not implemented"."""

    def compare_outputs(self, test, ref, skip_compare=None):
        return super().compare_outputs(_stdout_only(test), _stdout_only(ref), skip_compare)

    def runtest(self):
        meta = course_meta(self.cell) or {}
        if self.parent.mode != "released" or meta.get("kind") != "check":
            return super().runtest()
        name = meta.get("exercise", "?")
        try:
            super().runtest()
        except NbCellError as exc:
            errors = [o for o in self.test_outputs or [] if o.get("output_type") == "error"]
            if errors and is_not_implemented(errors[-1]["ename"], errors[-1]["evalue"]):
                return
            got = f"{errors[-1]['ename']}: {errors[-1]['evalue']}" if errors else str(exc)
            self.raise_cell_error(
                f"check for exercise {name!r} in the released learner copy should fail with a "
                f"'not implemented yet' verdict, but got {got}", exc.inner_traceback)
        self.raise_cell_error(
            f"check for exercise {name!r} passed in the released learner copy: the stub is not "
            "reaching the check (solution leaked by release, or the check accepts a stub)")
