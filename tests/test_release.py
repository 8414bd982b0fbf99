"""The release command, the drift check, the nbval setup (conftest.py) and ``python -m checks.mine``.

Notebook runs happen in a subprocess on a throwaway copy of the repository layout built in tmp_path
(conftest.py, the sanitize file and the fixture chapter), so these tests pass before the real
chapters exist and never touch ``chapters/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

from checks import mine
from checks import release as release_cli
from checks.course_cells import course_meta, is_not_implemented
from checks.learner_copies import drift, release, release_all
from checks.mine import REPORT_ENV
from checks.notebook_file import dumps_notebook, read_notebook

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "solutions" / "01_tiny.ipynb"
SANITIZE = ROOT / "chapters" / "nbval_sanitize.cfg"
ENV = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")


def run(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env or ENV, capture_output=True, text=True,
                          timeout=600)


def cli(main, argv: list[str], capsys) -> tuple[int, str, str]:
    """Run a command's main() in-process: (exit status, stdout, stderr)."""
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def make_repo(root: Path) -> Path:
    """A minimal copy of the repository layout: conftest, sanitize file, one solution chapter."""
    (root / "chapters" / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "conftest.py", root / "conftest.py")
    shutil.copy(SANITIZE, root / "chapters" / "nbval_sanitize.cfg")
    shutil.copy(FIXTURE, root / "chapters" / "solutions" / "01_tiny.ipynb")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def cell_index(nb, predicate) -> int:
    """Index among code cells (what nbval numbers) of the one cell matching ``predicate``."""
    found = [i for i, c in enumerate(c for c in nb.cells if c.cell_type == "code") if predicate(c)]
    assert len(found) == 1
    return found[0]


def is_check(name):
    return lambda c: (course_meta(c) or {}).get("kind") == "check" and c.metadata.mlp_lab.exercise == name


def exercise_cell(nb, name):
    return next(c for c in nb.cells if (course_meta(c) or {}).get("kind") == "solution"
                and c.metadata.mlp_lab.exercise == name)


# ----------------------------------------------------------------------------- release and drift

def test_release_cli_writes_learner_copies_and_never_touches_solutions(tmp_path, capsys):
    root = make_repo(tmp_path)
    solution = root / "chapters" / "solutions" / "01_tiny.ipynb"
    before = solution.read_bytes()
    status, out, err = cli(release_cli.main, ["--root", str(root)], capsys)
    assert status == 0, err
    assert "wrote chapters/01_tiny.ipynb" in out
    learner = root / "chapters" / "01_tiny.ipynb"
    expected = dumps_notebook(release(read_notebook(FIXTURE)))
    assert learner.read_text(encoding="utf-8") == expected
    assert solution.read_bytes() == before
    stamp = learner.stat().st_mtime_ns
    status, out, _ = cli(release_cli.main, ["--root", str(root)], capsys)
    assert status == 0 and "1 notebook(s), 0 changed" in out
    assert learner.stat().st_mtime_ns == stamp and solution.read_bytes() == before


def test_learner_copy_keeps_everything_but_solutions_and_their_outputs():
    solution = read_notebook(FIXTURE)
    learner = release(solution)
    assert len(learner.cells) == len(solution.cells)
    for sol, lrn in zip(solution.cells, learner.cells):
        kind = (course_meta(sol) or {}).get("kind")
        assert lrn.id == sol.id
        if kind is None:
            assert lrn == sol
        else:
            assert lrn.outputs == [] and lrn.execution_count is None
        if kind == "check":   # tagged so that Run All goes on past a failing check
            assert lrn.metadata == dict(sol.metadata, tags=sol.metadata.get("tags", []) + ["raises-exception"])
        else:
            assert lrn.metadata == sol.metadata
    stub = exercise_cell(learner, "sigmoid").source
    assert 'raise NotImplementedError(\n        "sigmoid: exponentiate only' in stub and "np.exp" not in stub


def test_check_mode_reports_each_kind_of_drift_with_the_fix(tmp_path, capsys):
    root = make_repo(tmp_path)
    assert cli(release_cli.main, ["--root", str(root)], capsys)[0] == 0
    status, out, _ = cli(release_cli.main, ["--check", "--root", str(root)], capsys)
    assert status == 0 and "1 learner notebook(s) match" in out

    learner = root / "chapters" / "01_tiny.ipynb"
    nb = read_notebook(learner)
    nb.cells[0].source += " (edited by hand)"
    nbformat.write(nb, learner)
    shutil.copy(learner, root / "chapters" / "07_orphan.ipynb")
    shutil.copy(FIXTURE, root / "chapters" / "solutions" / "02_new.ipynb")
    status, out, _ = cli(release_cli.main, ["--check", "--root", str(root)], capsys)
    assert status == 1
    assert "chapters/01_tiny.ipynb: differs from a fresh release" in out
    assert "chapters/02_new.ipynb: missing" in out
    assert "chapters/07_orphan.ipynb: has no solution" in out
    assert "fix: run mlp-lab release" in out
    assert not (root / "chapters" / "02_new.ipynb").exists()     # --check never writes


def test_release_refuses_a_broken_solution_and_writes_nothing(tmp_path, capsys):
    root = make_repo(tmp_path)
    nb = read_notebook(FIXTURE)
    cell = exercise_cell(nb, "linear_forward")
    cell.source = cell.source.replace("    ### END SOLUTION", "")
    nbformat.write(nb, root / "chapters" / "solutions" / "02_broken.ipynb")
    status, _, err = cli(release_cli.main, ["--root", str(root)], capsys)
    assert status == 2
    assert "02_broken.ipynb" in err and "'linear_forward'" in err and "never closed" in err
    assert not list((root / "chapters").glob("*.ipynb"))         # the good chapter was not written either


def test_release_cli_explains_a_wrong_root(tmp_path, capsys):
    status, _, err = cli(release_cli.main, ["--root", str(tmp_path)], capsys)
    assert status == 2 and "pass --root" in err


def test_committed_learner_copies_match_a_fresh_release():
    """The CI drift check over the real chapters/ (any number of chapters, none included)."""
    problems = drift(ROOT)
    assert problems == [], "\n".join(problems + ["fix: run mlp-lab release"])


# ----------------------------------------------------------------------------- sanitize file

def sanitize(text: str) -> str:
    for regex, replace in get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")):
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize("text, expected", [
    ("<function sigmoid at 0x7f3a2c1d5e40>", "<function sigmoid at 0xADDRESS>"),
    ("epoch 1: 0.88 s, then 1.2s", "epoch 1: DURATION, then DURATION"),
    ("35 ms and 3 seconds", "DURATION and DURATION"),
    ("elapsed 0:00:01", "elapsed H:MM:SS"),
    ("saved to /work/main/chapters/fig.png", "saved to PATH"),
])
def test_sanitize_rewrites_machine_dependent_text(text, expected):
    assert sanitize(text) == expected


@pytest.mark.parametrize("text", ["loss 0.3412, accuracy 97.5%", "shape (3, 4)", "found 2 sets", "1/2 = 0.5",
                                  "[0.2689 0.5    0.7311]"])
def test_sanitize_keeps_results(text):
    assert sanitize(text) == text


# ----------------------------------------------------------------------------- nbval, one run

@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A repository copy with: a good solution, a solution whose stored output drifted, the released
    learner copy, and a broken learner copy (leaked solution, wrong answer, crashing cell)."""
    root = make_repo(tmp_path_factory.mktemp("course"))
    solutions = root / "chapters" / "solutions"
    nb = read_notebook(FIXTURE)
    printed = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("sigmoid = or_reference"))
    printed.outputs[0].text = "[0.1 0.5 0.9]\n"
    nbformat.write(nb, solutions / "02_drift.ipynb")
    release_all(root)
    (root / "chapters" / "02_drift.ipynb").unlink()          # one learner copy is enough

    broken = release(read_notebook(FIXTURE))
    exercise_cell(broken, "sigmoid").source = exercise_cell(read_notebook(FIXTURE), "sigmoid").source
    exercise_cell(broken, "linear_forward").source = "def linear_forward(X, W, b):\n    return X @ W + b + 1.0"
    crash = next(c for c in broken.cells if c.cell_type == "code" and "object()" in c.source)
    crash.source = "raise ValueError('a plain bug outside any exercise')"
    nbformat.write(broken, root / "chapters" / "03_broken.ipynb")
    return root


def cell_results(records: list[dict], path: Path) -> dict[int, dict]:
    return {r["cell"]: r for r in records if r["path"] == str(path.resolve())}


def test_one_pytest_run_validates_solutions_strictly_and_learner_copies_as_released(course, tmp_path):
    before = snapshot(course)
    report = tmp_path / "report.json"
    result = run(["-m", "pytest", "-p", "checks.mine", "-p", "no:cacheprovider", "-q", "chapters"], course,
                 dict(ENV, **{REPORT_ENV: str(report)}))
    records = json.loads(report.read_text(encoding="utf-8"))
    assert snapshot(course) == before, "running the notebooks changed or created files"
    failed = {(Path(r["path"]).name, r["cell"]) for r in records if r["outcome"] == "failed"}

    fixture = read_notebook(FIXTURE)
    code_cells = sum(c.cell_type == "code" for c in fixture.cells)
    printed = cell_index(fixture, lambda c: c.source.startswith("sigmoid = or_reference"))
    crash = cell_index(fixture, lambda c: "object()" in c.source)
    expected = {("02_drift.ipynb", printed),                     # strict: a stored output differs
                ("03_broken.ipynb", cell_index(fixture, is_check("sigmoid"))),          # leaked: check passed
                ("03_broken.ipynb", cell_index(fixture, is_check("linear_forward"))),   # wrong, not "not implemented"
                ("03_broken.ipynb", crash)}                      # an ordinary cell raised
    assert failed == expected, result.stdout[-3000:]
    assert result.returncode == 1
    # everything else ran and passed: 4 notebooks, every code cell reported once
    assert len(records) == 4 * code_cells
    assert "check for exercise 'sigmoid' passed in the released learner copy" in result.stdout
    assert "should fail with a 'not implemented yet' verdict" in result.stdout
    good = cell_results(records, course / "chapters" / "01_tiny.ipynb")
    checks = [r for r in good.values() if r["meta"].get("kind") == "check"]
    assert len(checks) == 2 and all(r["outcome"] == "passed" and is_not_implemented(r["ename"], r["evalue"])
                                    for r in checks)


# ----------------------------------------------------------------------------- python -m checks.mine

def rows(output: str, notebook: str) -> dict[str, str]:
    """exercise -> verdict, from the table printed for ``notebook``."""
    block = output.split(notebook + "\n", 1)[1].split("\n\n", 1)[0]
    found = re.findall(r"^  (\w+)\s+(\d+)  (passed|failed|not implemented|not run)$", block, re.M)
    return {name: verdict for name, _, verdict in found}


def test_mine_prints_a_verdict_per_exercise(course):
    """mine runs ``pytest --nbval-lax`` (what a learner may type too) with its recording plugin.

    Failing checks are answers, not errors: the exit status is 0 (``make mine`` prints no "Error 1").
    """
    before = snapshot(course)
    result = run(["-m", "checks.mine", "chapters/01_tiny.ipynb", "chapters/03_broken.ipynb"], course)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(result.stdout, "chapters/01_tiny.ipynb") == {"sigmoid": "not implemented",
                                                             "linear_forward": "not implemented"}
    assert rows(result.stdout, "chapters/03_broken.ipynb") == {"sigmoid": "passed", "linear_forward": "failed"}
    assert "0 of 2 checks passed, 0 of 5 points" in result.stdout
    assert "1 of 2 checks passed, 2 of 5 points" in result.stdout
    assert "total: 1 of 4 checks passed, 2 of 10 points" in result.stdout
    assert "ValueError: a plain bug outside any exercise" in result.stdout
    assert re.search(r"why \(.*\):\n    linear_forward: \S", result.stdout), result.stdout
    assert snapshot(course) == before


def test_mine_strict_exits_zero_only_when_every_check_passes(course):
    result = run(["-m", "checks.mine", "--strict", "chapters/solutions/01_tiny.ipynb"], course)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(result.stdout, "chapters/solutions/01_tiny.ipynb") == {"sigmoid": "passed",
                                                                       "linear_forward": "passed"}
    result = run(["-m", "checks.mine", "--strict", "chapters/01_tiny.ipynb"], course)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 of 2 checks passed" in result.stdout


@pytest.mark.parametrize("name, text, fragment", [
    ("notes.txt", "hello", "is not a notebook"),
    ("missing.ipynb", None, "no such notebook"),
    ("plain.ipynb", dumps_notebook(nbformat.v4.new_notebook()), "has no check cells"),
], ids=["not-a-notebook", "missing", "no-checks"])
def test_mine_explains_bad_input(tmp_path, capsys, name, text, fragment):
    if text is not None:
        (tmp_path / name).write_text(text, encoding="utf-8")
    status, _, err = cli(mine.main, [str(tmp_path / name)], capsys)
    assert status == 2 and fragment in err


def record(outcome: str, ename: str = "", evalue: str = "", message: str = "") -> dict:
    return {"outcome": outcome, "ename": ename, "evalue": evalue, "message": message}


@pytest.mark.parametrize("rec, expected", [
    (record("passed"), ("passed", "")),
    (record("failed", "CheckFailure", "✘ softmax: sigmoid is not implemented yet\nmore"),
     ("not implemented", "✘ softmax: sigmoid is not implemented yet")),
    (record("failed", "CheckFailure", "✘ softmax: wrong axis\nLikely mistake"), ("failed", "CheckFailure: ✘ softmax: wrong axis")),
    (record("failed", "KeyboardInterrupt"), ("failed", "timed out: the cell ran longer than the per-cell limit (--timeout)")),
    (record("failed", message="Kernel dead on test start"), ("failed", "Kernel dead on test start")),
    (record("skipped"), ("not run", "the notebook stopped before this check (an earlier cell timed out or crashed)")),
    (None, ("not run", "the notebook stopped before this check (an earlier cell timed out or crashed)")),
])
def test_mine_verdicts(rec, expected):
    assert mine.verdict(rec) == expected
