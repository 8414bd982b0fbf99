"""The course hangs together: every check cell of every solution names a registered exercise that has a
``check_*``, a test file with wrong and right attempts, and a reference in ``mlp_lab`` that passes its
check at several seeds; the README's table lists every mistake category."""

import importlib
import inspect
from pathlib import Path

import pytest

import checks
import mlp_lab as ml
from checks import EXERCISES, MISTAKES
from checks.course_cells import find_cells
from checks.learner_copies import solution_paths
from checks.notebook_file import read_notebook
from mlp_lab import accumulate, steps
from diagnosis_table import measure
from support import Attempt

ROOT = Path(__file__).resolve().parents[1]


def _checked_exercises() -> dict:
    """exercise name -> (notebook file name, check cell source), over every solution notebook."""
    found = {}
    for path in solution_paths(ROOT):
        _, check_cells = find_cells(read_notebook(path), str(path))
        for name, cell in check_cells.items():
            found[name] = (path.name, cell.source)
    return found


CHECKED = _checked_exercises()


def test_every_exercise_module_is_used_by_a_notebook():
    assert CHECKED, "no check cells found in chapters/solutions"
    assert set(CHECKED) == set(EXERCISES)


@pytest.mark.parametrize("name", sorted(CHECKED))
def test_check_cell_names_a_registered_exercise_with_its_check(name):
    notebook, source = CHECKED[name]
    assert name in EXERCISES, f"{notebook}: check cell for unknown exercise {name!r}"
    assert callable(getattr(checks, f"check_{name}", None)), f"checks has no check_{name}"
    assert f"check_{name}(" in source, f"{notebook}: the check cell of {name} does not call check_{name}"
    assert (ROOT / "checks" / "exercises" / f"{name}.py").is_file()


@pytest.mark.parametrize("name", sorted(CHECKED))
def test_exercise_has_a_test_file_with_wrong_and_right_attempts(name):
    module = importlib.import_module(f"test_exercise_{name}")
    assert module.EXERCISE == name
    wrong, right = module.WRONG, module.RIGHT
    assert all(isinstance(a, Attempt) for a in wrong + right)
    assert wrong and all(a.verdict in MISTAKES for a in wrong)
    assert right and all(a.verdict == "pass" for a in right)


@pytest.mark.parametrize("name", sorted(CHECKED))
def test_mlp_lab_reference_passes_at_several_seeds(name, capsys):
    """The function of that name in mlp_lab (or in mlp_lab.steps / mlp_lab.accumulate, chapter 07's
    step rules and loop) is the reference; it goes through check_<name> as a learner's function
    does. The check's other parameters (the learner's own forward functions) get mlp_lab's."""
    check = getattr(checks, f"check_{name}")
    roles = [p.name for p in inspect.signature(check).parameters.values()
             if p.kind is p.POSITIONAL_OR_KEYWORD][1:]
    reference = next(getattr(m, name) for m in (ml, steps, accumulate) if hasattr(m, name))
    costly = getattr(importlib.import_module(f"test_exercise_{name}"), "SEEDS", None)   # one MNIST training each
    for seed in (None,) if costly else (None, 1, 2, 3):
        check(reference, **{role: getattr(ml, role) for role in roles}, seed=seed)
        assert capsys.readouterr().out == f"✔ {name}: all checks passed\n"


def test_readme_lists_every_mistake_category():
    readme = (ROOT / "README.md").read_text()
    missing = [key for key in MISTAKES if f"| `{key}` |" not in readme]
    assert not missing, f"README's table of mistake categories lacks {missing}"


@pytest.mark.parametrize("name", sorted(CHECKED))
def test_diagnosis_is_the_listed_one_at_ten_seeds(name):
    """Every wrong attempt gets its listed category at each of 10 seeds; no right attempt fails at any."""
    row = measure(name)
    assert not row.unexpected and not row.false_alarms, (row.unexpected, row.false_alarms)


def test_at_most_a_tenth_of_the_wrong_attempts_get_the_generic_verdict():
    wrong = [a for name in CHECKED for a in importlib.import_module(f"test_exercise_{name}").WRONG]
    generic = [a.label for a in wrong if a.verdict == "wrong_value"]
    assert len(generic) <= 0.1 * len(wrong), generic
