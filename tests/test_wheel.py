"""From a clean checkout to a learner's machine: build the wheel, install it fresh, run the course from it.

"Fresh" here means: a new virtual environment (no ``--system-site-packages``) in a temporary folder
outside the repository, with no path into this checkout (no ``PYTHONPATH``, its own Jupyter and
IPython folders). It starts as a bare Jupyter kernel without the course (``ipykernel`` and
``nbclient``, as in Colab); then the first code cell of chapter 1, run in that kernel, installs the
wheel (its ``INSTALL_SOURCE`` pointed at the wheel file), and pip resolves the declared dependencies
from the package registry, or from pip's cache when it has them. The wheel is built from a
``git clone`` of this repository's committed HEAD, so uncommitted edits are not part of it.

Then, from that install only: ``mlp-lab course DIR --copy-only``; every learner notebook and every
solution executed from DIR with nbclient (MNIST from ``MLP_LAB_MNIST_DIR``); ``mlp-lab check``; and
``mlp-lab grade``, whose solutions must come from inside the installed package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from checks.course_cells import is_not_implemented
from checks.locations import INSTALL_SOURCE
from checks.notebook_file import read_notebook

ROOT = Path(__file__).resolve().parent.parent

# Run by the fresh environment's Python: execute notebooks with nbclient, two at a time (the machines
# have two cores), and print what each raised as JSON: [{"path", "errors": [{"cell", "ename", "evalue"}]}].
RUN_NOTEBOOKS = textwrap.dedent('''
    import json, sys
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient

    def run(path):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, kernel_name="python3", timeout=600, allow_errors=True,
                       resources={"metadata": {"path": str(Path(path).parent)}}).execute()
        errors = [{"cell": i, "meta": cell.metadata.get("mlp_lab", {}), "ename": out["ename"],
                   "evalue": out["evalue"], "text": "".join(o.get("text", "") for o in cell.outputs)}
                  for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                  for out in cell.outputs if out.output_type == "error"]
        first = next(c for c in nb.cells if c.cell_type == "code")
        return {"path": path, "errors": errors, "first_cell": [o.get("text", "") for o in first.outputs]}

    with ThreadPoolExecutor(max_workers=2) as pool:
        print(json.dumps(list(pool.map(run, sys.argv[1:]))))
''')


def _run(cmd, cwd: Path, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin folder, environment, work folder): the wheel installed by chapter 1's first cell."""
    work = tmp_path_factory.mktemp("wheel")
    assert ROOT not in work.parents, "the fresh environment must live outside the repository"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(JUPYTER_DATA_DIR=str(work / "jupyter-data"), JUPYTER_CONFIG_DIR=str(work / "jupyter-config"),
               IPYTHONDIR=str(work / "ipython"), MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    _ok(_run(["git", "clone", "--quiet", ROOT, work / "checkout"], work, env))
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist",
              work / "checkout"], work, env))
    (wheel,) = (work / "dist").glob("mlp_lab-*.whl")
    _ok(_run([sys.executable, "-m", "venv", work / "venv"], work, env))
    bin_dir = work / "venv" / "bin"
    _ok(_run([bin_dir / "python", "-m", "pip", "install", "--quiet", "ipykernel", "nbclient"], work, env))

    # The Colab path: chapter 1's own first cell, in a kernel without mlp_lab, installs the package.
    first = next(c for c in read_notebook(work / "checkout" / "chapters" / "01_forward_pass.ipynb").cells
                 if c.cell_type == "code")
    assert f'"{INSTALL_SOURCE}"' in first.source
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(first.source.replace(f'"{INSTALL_SOURCE}"', f'"{wheel}"')),
        nbformat.v4.new_code_cell("import sys, mlp_lab, checks\nprint(sys.prefix)\nprint(checks.__file__)")])
    probe = work / "colab_first_cell.ipynb"
    nbformat.write(nb, str(probe))
    runs = json.loads(_ok(_run([bin_dir / "python", "-c", RUN_NOTEBOOKS, probe], work, env, timeout=1200)))
    assert runs[0]["errors"] == [], runs
    said = "".join(runs[0]["first_cell"])
    assert "Installing the course package mlp-lab" in said, said
    return bin_dir, env, work


def test_first_cell_installs_the_package_into_a_bare_kernel(installed):
    bin_dir, env, work = installed
    where = _ok(_run([bin_dir / "python", "-c", "import checks, mlp_lab; print(checks.__file__)"], work, env))
    assert str(work / "venv") in where and str(ROOT) not in where


def test_course_then_every_notebook_then_check_and_grade_from_the_install(installed):
    bin_dir, env, work = installed
    course = work / "course"
    out = _ok(_run([bin_dir / "mlp-lab", "course", course, "--copy-only"], work, env))
    learner = sorted(course.glob("[0-9][0-9]_*.ipynb"))
    solutions = sorted(course.glob("solutions/[0-9][0-9]_*.ipynb"))
    assert len(learner) == len(solutions) >= 6, out

    runs = json.loads(_ok(_run([bin_dir / "python", "-c", RUN_NOTEBOOKS, *learner, *solutions], course, env,
                               timeout=1800)))
    for run in runs:
        name = Path(run["path"]).relative_to(course)
        if Path(run["path"]).parent == course:
            # A learner copy, nothing solved: only check cells may fail, and only with "not implemented".
            wrong = [e for e in run["errors"] if e["meta"].get("kind") != "check"
                     or not is_not_implemented(e["ename"], e["evalue"])]
            assert not wrong and run["errors"], f"{name}: {wrong}"
        else:
            assert run["errors"] == [], f"{name}: {run['errors']}"
        assert run["first_cell"] == [], f"{name}: the first cell printed {run['first_cell']} in the course env"

    chapter = "02_sigmoid.ipynb"
    checked = _run([bin_dir / "mlp-lab", "check", course / chapter], course, env)
    assert checked.returncode == 0 and "0 of 2 checks passed" in checked.stdout, checked.stdout + checked.stderr
    checked = _run([bin_dir / "mlp-lab", "check", "--strict", course / "solutions" / chapter], course, env)
    assert checked.returncode == 0 and "2 of 2 checks passed" in checked.stdout, checked.stdout + checked.stderr

    grade_help = _ok(_run([bin_dir / "mlp-lab", "grade", "--help"], work, env))
    unsafe = ["--unsafe-no-sandbox"] if "--unsafe-no-sandbox" in grade_help else []   # issue 8's grader
    grades = work / "grades"
    _ok(_run([bin_dir / "mlp-lab", "grade", course / "solutions" / chapter, "--out", grades, "-j", "1",
              "--seed", "7", *unsafe], work, env))
    rows = (grades / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    header, row = rows[0].split(","), rows[1].split(",")
    assert row[header.index("total")] == row[header.index("max")] != "0", rows
