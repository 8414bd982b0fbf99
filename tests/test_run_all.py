""""Restart Kernel and Run All" on a learner copy never loses work.

nbclient stops at an error exactly as JupyterLab's Run All does, and honours the same
``raises-exception`` cell tag, so executing the learner copies with it shows what a learner sees:
with nothing, some or everything solved, every cell runs, a failing check shows its message
alone (no frames of the checker), and every figure of the chapter is drawn.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from nbclient import NotebookClient

from checks import CheckFailure
from checks.course_cells import course_meta
from checks.learner_copies import RUN_ALL_TAG, learner_path, solution_paths
from checks.notebook_file import read_notebook

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = {path.name: path for path in solution_paths(ROOT)}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def figures(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
               for out in cell.outputs)


def solve(learner, solution, exercises) -> None:
    """Put the solution's code into the learner copy's exercise cells named in ``exercises``."""
    answers = {course_meta(c)["exercise"]: c.source for c in solution.cells
               if (course_meta(c) or {}).get("kind") == "solution"}
    for cell in learner.cells:
        meta = course_meta(cell) or {}
        if meta.get("kind") == "solution" and meta["exercise"] in exercises:
            cell.source = answers[meta["exercise"]]


def run_all(nb, where):
    """Execute ``nb`` top to bottom as Run All does (stops at an untagged error)."""
    nb = copy.deepcopy(nb)
    NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False,
                   resources={"metadata": {"path": str(where)}}).execute()
    return nb


def exercises_in(nb, kind):
    return [course_meta(c)["exercise"] for c in nb.cells if (course_meta(c) or {}).get("kind") == kind]


CASES = [(name, "nothing") for name in SOLUTIONS] + \
        [(name, "some") for name in SOLUTIONS if len(exercises_in(read_notebook(SOLUTIONS[name]), "check")) > 1] + \
        [("01_forward_pass.ipynb", "all")]


@pytest.mark.parametrize("name, solved", CASES, ids=[f"{n[:2]}-{s}" for n, s in CASES])
def test_run_all_runs_every_cell_and_draws_every_figure(name, solved):
    solution = read_notebook(SOLUTIONS[name])
    learner = read_notebook(learner_path(SOLUTIONS[name]))
    checks = exercises_in(learner, "check")
    chosen = {"nothing": [], "some": checks[::2], "all": exercises_in(learner, "solution")}[solved]
    solve(learner, solution, chosen)

    ran = run_all(learner, SOLUTIONS[name].parent.parent)

    code = [c for c in ran.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "Run All stopped before the last cell"
    assert figures(ran) == figures(solution), "a figure below a failing check was not drawn"
    for cell in code:
        meta = course_meta(cell) or {}
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if meta.get("kind") != "check":
            assert not errors, f"an ordinary cell raised: {errors[0]['ename']}: {errors[0]['evalue']}"
            continue
        assert RUN_ALL_TAG in cell.metadata.get("tags", [])
        if meta["exercise"] in chosen:
            assert not errors and "all checks passed" in "".join(o.get("text", "") for o in cell.outputs)
            continue
        (error,) = errors
        shown = [ANSI.sub("", line) for line in error["traceback"]]
        assert error["ename"] == "CheckFailure"
        assert "\n".join(shown) == error["evalue"], "the message alone, nothing above or below it"
        assert shown[0].startswith(f"✘ {meta['exercise']}: ") and "not implemented yet" in shown[0]
        assert error["traceback"][0].startswith("\x1b[1;31m"), "the verdict's first line is red"


def test_a_failure_renders_as_its_message_with_the_first_line_in_red():
    failure = CheckFailure("softmax", "wrong_axis", "✘ softmax: rows do not sum to 1\nHint: axis=1")
    assert failure._render_traceback_() == ["\x1b[1;31m✘ softmax: rows do not sum to 1\x1b[0m", "Hint: axis=1"]


def test_a_failing_check_keeps_its_frames_for_debugging():
    from checks import check_softmax

    with pytest.raises(CheckFailure) as info:
        check_softmax(lambda Z: Z)
    frames = [entry.path.name for entry in info.traceback]
    assert "runner.py" in frames and len(frames) > 2, frames
