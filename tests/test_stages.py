"""Stages of a verdict and rubric points: which stage a failure belongs to, every stage judged at
several seeds, rubrics validated, and the points a report gives for them."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell

from checks import CheckFailure, LocalCaller, judge_exercise
from checks import verdict as v
from checks.course_cells import find_cells
from checks.grading.prepare import Chapter
from checks.grading.reports import exercise_result
from checks.notebook_file import NotebookError
from checks.registry import EXERCISES, Exercise
from checks.scoring import score_stages
from checks.stages import STAGES, rubric_problems, stage_of, waiving

from notebook_builders import SETUP, SIGMOID, check, executed, exercise
from support import not_implemented

SEEDS = (None, 1, 2024)
P, F, N = "passed", "failed", "not judged"


def stable_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_zeroes_its_input(z):
    s = stable_sigmoid(z)
    z[...] = 0.0
    return s


def naive_sigmoid_zeroes_its_input(z):
    s = 1 / (1 + np.exp(-z))
    z[...] = 0.0
    return s


def softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    return Z / Z.sum(axis=1, keepdims=True)


def naive_sce(Z, y):
    n = len(y)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(P[np.arange(n), y]))), (P - np.eye(Z.shape[1])[y]) / n


def sigmoid_backward_naive(dA, Z):
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)


def stages(form, stability, inputs, values):
    return {"form": form, "stability": stability, "inputs": inputs, "values": values}


CASES = [
    ("sigmoid", stable_sigmoid, stages(P, P, P, P), None),
    ("sigmoid", lambda z: 1 / (1 + np.exp(-z)), stages(P, F, P, P), "overflow"),        # right but on extremes
    ("sigmoid", sigmoid_zeroes_its_input, stages(P, P, F, P), "mutates_input"),
    ("sigmoid", naive_sigmoid_zeroes_its_input, stages(P, F, F, P), "mutates_input"),   # two stages lost
    ("sigmoid", lambda z: 0.5 * (1 - np.tanh(0.5 * z)), stages(P, F, P, F), "sign"),     # wrong everywhere
    ("sigmoid", lambda z: stable_sigmoid(z).reshape(-1, 1), stages(F, N, N, N), "wrong_shape"),
    ("sigmoid", lambda z: stable_sigmoid(z).astype(np.float32), stages(F, N, N, N), "wrong_dtype"),
    ("sigmoid", not_implemented, stages(F, N, N, N), "not_implemented"),
    ("softmax", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), stages(P, F, P, P), "overflow"),
    ("softmax", softmax_in_place, stages(P, P, F, P), "mutates_input"),
    ("softmax", lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=0), stages(P, F, P, F), "wrong_axis"),
    ("softmax_cross_entropy", naive_sce, stages(P, F, P, P), "overflow"),
    ("sigmoid_backward", sigmoid_backward_naive, stages(P, F, P, P), "overflow"),
    ("sigmoid_backward", lambda dA, Z: np.atleast_2d(dA).T, stages(F, N, N, N), "wrong_shape"),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_name, impl, expected, first", CASES,
                         ids=[f"{c[0]}-{c[3] or 'right'}-{i}" for i, c in enumerate(CASES)])
def test_every_stage_is_judged(exercise_name, impl, expected, first, seed):
    score = score_stages(exercise_name, LocalCaller({"impl": impl}), seed)
    assert score.stages == expected
    assert score.stopped_by == ("form" if expected["form"] == F else None)
    if first is None:
        assert score.first is None
        return
    # the failure the learner reads is the one a plain judgement raises, message and all
    with pytest.raises(CheckFailure) as plain:
        judge_exercise(exercise_name, LocalCaller({"impl": impl}), seed)
    assert score.first.mistake == plain.value.mistake == first
    assert score.first.message == plain.value.message


def test_a_check_the_judge_cannot_step_over_stops_the_scoring(monkeypatch):
    """A failure raised although its stage is waived (here: the judge raises it directly) leaves the
    stages not yet failed 'not judged', never 'passed'."""
    calls = []

    def judge_bypassing_reject(call, rng):
        calls.append(1)
        raise CheckFailure("sigmoid", "wrong_value", "✘ sigmoid: wrong")

    monkeypatch.setitem(EXERCISES, "sigmoid", Exercise("sigmoid", judge_bypassing_reject, "sigmoid(z)"))
    score = score_stages("sigmoid", LocalCaller({"impl": stable_sigmoid}))
    assert score.stages == stages(N, N, N, F) and score.stopped_by == "values" and len(calls) == 2


@pytest.mark.parametrize("mistake, layout, extreme, stage", [
    ("not_implemented", False, False, "form"), ("wrong_dtype", False, True, "form"),
    ("transposed", True, False, "form"), ("transposed", False, False, "values"),
    ("not_summed_over_batch", True, False, "form"), ("overflow", False, False, "stability"),
    ("sign", False, True, "stability"), ("sign", False, False, "values"),
    ("mutates_input", False, False, "inputs"), ("inconsistent_with_forward", False, False, "values"),
    ("momentum_buffer", False, False, "values"),
])
def test_stage_of(mistake, layout, extreme, stage):
    assert stage_of(mistake, layout, extreme) == stage


def test_stage_survives_the_trip_to_the_grader():
    failure = CheckFailure("sigmoid", "transposed", "✘ sigmoid: transposed", {"output": "s"}, stage="form")
    back = CheckFailure.from_dict(failure.to_dict())
    assert (back.stage, back.mistake) == ("form", "transposed")
    with pytest.raises(ValueError, match="unknown stage 'speed'"):
        CheckFailure("sigmoid", "wrong_value", "x", stage="speed")


def test_form_cannot_be_waived():
    with pytest.raises(ValueError, match="form stage cannot be waived"):
        with waiving({"form"}):
            pass


@pytest.mark.parametrize("rubric, points, fragment", [
    ({"form": 1, "values": 2}, 4, "add up to 3 but the exercise's 'points' is 4"),
    ({"form": 1, "speed": 3}, 4, "unknown stage(s) 'speed'"),
    ({"form": -1, "values": 5}, 4, "whole numbers >= 0"),
    ({"form": 1.5, "values": 2.5}, 4, "whole numbers >= 0"),
    ([1, 3], 4, "must be a dict of stage -> points"),
    ({}, 4, "must be a dict of stage -> points"),
])
def test_bad_rubrics_are_refused_with_what_to_do(rubric, points, fragment):
    assert any(fragment in problem for problem in rubric_problems(rubric, points))
    cell = check("f", points=points)
    cell.metadata["mlp_lab"]["rubric"] = rubric
    with pytest.raises(NotebookError, match="exercise 'f'") as info:
        find_cells(executed([new_code_cell(SETUP), exercise("f", SIGMOID), cell]), "09_x")
    assert fragment in str(info.value)


def test_a_good_rubric_is_accepted():
    cell = check("f", points=4)
    cell.metadata["mlp_lab"]["rubric"] = {"form": 1, "stability": 1, "values": 2}
    assert rubric_problems(cell.metadata["mlp_lab"]["rubric"], 4) == []
    find_cells(executed([new_code_cell(SETUP), exercise("f", SIGMOID), cell]), "09_x")


def test_report_points_follow_the_rubric():
    chapter = Chapter("09_x", points={"f": 4, "g": 2}, rubrics={"f": {"form": 1, "stability": 1, "values": 2}})
    verdict = {"passed": False, "mistake": "overflow", "message": "✘ f: overflow",
               "stages": stages(P, F, P, P), "stopped_by": None}
    result = exercise_result(chapter, "f", verdict, [])
    assert (result["points"], result["max_points"], result["passed"]) == (3, 4, False)
    assert [(r["stage"], r["points"], r["max_points"], r["status"]) for r in result["stages"]] == [
        ("form", 1, 1, P), ("stability", 0, 1, F), ("inputs", 0, 0, P), ("values", 2, 2, P)]
    assert result["feedback"].startswith("✘ f: overflow\n\nPoints by stage:\n- form")
    # no verdict at all (the kernel died): every stage not judged, nothing earned
    lost = exercise_result(chapter, "f", None, [])
    assert lost["points"] == 0 and {r["status"] for r in lost["stages"]} == {N}
    # without a rubric: all or nothing, no stages
    assert exercise_result(chapter, "g", {"passed": False, "mistake": "sign", "message": "✘"}, [])["stages"] == []
    assert exercise_result(chapter, "f", {"passed": True, "line": "ok"}, [])["points"] == 4
    assert list(STAGES) == [r["stage"] for r in result["stages"]]


def test_a_judge_stumbling_past_a_waived_failure_does_not_cost_form(monkeypatch):
    """Past a waived values failure the judge may meet output it cannot handle: the stages not yet
    failed are then 'not judged', and form is not blamed for it."""
    def judge_that_stumbles(call, rng):
        z = rng.standard_normal(5)
        got = v.as_array("sigmoid", "s", v.outcome_value("sigmoid", call("impl", z), "z"), "z")
        v.check_values("sigmoid", "s", got, stable_sigmoid(z), "z")
        if not v.close(got, stable_sigmoid(z)):
            raise KeyError("the judge's own follow-up broke")

    monkeypatch.setitem(EXERCISES, "sigmoid", Exercise("sigmoid", judge_that_stumbles, "sigmoid(z)"))
    score = score_stages("sigmoid", LocalCaller({"impl": lambda z: -z}))
    assert score.stages == stages(N, N, N, F) and score.stopped_by == "values"
    assert score.first.mistake == "wrong_value"


def test_the_grader_refuses_solutions_with_a_bad_rubric(tmp_path):
    cell = check("f", points=4)
    cell.metadata["mlp_lab"]["rubric"] = {"values": 3}
    path = tmp_path / "09_x.ipynb"
    nbformat.write(executed([new_code_cell(SETUP), exercise("f", SIGMOID), cell]), str(path))
    with pytest.raises(SystemExit, match="the check cell of 'f': 'rubric' points add up to 3 but"):
        Chapter.load(path)
    cell.metadata["mlp_lab"]["rubric"] = {"values": 3, "form": 1}
    nbformat.write(executed([new_code_cell(SETUP), exercise("f", SIGMOID), cell]), str(path))
    assert Chapter.load(path).rubrics == {"f": {"values": 3, "form": 1}}
