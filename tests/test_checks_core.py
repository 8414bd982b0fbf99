"""The machinery around the judges: pass line, odd learner code, seeds, serialisation, fallback."""

import io
import json
import time

import numpy as np
import pytest

import mlp_lab as ml
import checks
from checks import (EXERCISES, MISTAKES, CheckFailure, LocalCaller, Outcome, RngSpec, check_sigmoid,
                    check_softmax, judge_exercise, or_reference)
from checks.calling import Opaque
from checks.registry import register

REFERENCES = {
    "linear_forward": {"impl": ml.linear_forward},
    "linear_backward": {"impl": ml.linear_backward, "linear_forward": ml.linear_forward},
    "forward_pass": {"impl": ml.forward_pass},
    "sigmoid": {"impl": ml.sigmoid},
    "sigmoid_prime": {"impl": ml.sigmoid_prime, "sigmoid": ml.sigmoid},
    "sigmoid_backward": {"impl": ml.sigmoid_backward, "sigmoid": ml.sigmoid},
    "network_gradients": {"impl": ml.network_gradients},
    "softmax": {"impl": ml.softmax},
    "softmax_cross_entropy": {"impl": ml.softmax_cross_entropy, "softmax": ml.softmax},
    "binary_cross_entropy_with_logits": {"impl": ml.binary_cross_entropy_with_logits},
    "l2_penalty": {"impl": ml.l2_penalty},
    "l1_penalty": {"impl": ml.l1_penalty},
    "dropout_forward": {"impl": ml.dropout_forward},
    "dropout_backward": {"impl": ml.dropout_backward, "dropout_forward": ml.dropout_forward},
    "accuracy": {"impl": ml.accuracy},
}
CATEGORIES = ["not_implemented", "exception", "wrong_type", "wrong_shape", "transposed", "wrong_dtype",
              "nan_or_inf", "overflow", "mutates_input", "sign", "scale", "not_summed_over_batch",
              "wrong_axis", "missing_term", "wrong_formula", "wrong_point", "swapped", "missing_branch",
              "inconsistent_with_forward", "nondeterministic", "wrong_value"]


def test_mistake_list_is_complete_and_described():
    assert set(CATEGORIES) <= set(MISTAKES)
    assert all(isinstance(text, str) and len(text) > 20 for text in MISTAKES.values())


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_reference_passes_with_exactly_one_line(name, capsys):
    public = getattr(checks, f"check_{name}")
    functions = REFERENCES[name]
    public(functions["impl"], *[f for role, f in functions.items() if role != "impl"])
    assert capsys.readouterr().out == f"✔ {name}: all checks passed\n"
    assert EXERCISES[name].signature


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_reference_passes_other_seeds(name):
    for seed in (1, 12345):
        assert judge_exercise(name, LocalCaller(REFERENCES[name]), seed=seed) == f"✔ {name}: all checks passed"


def test_printing_learner_code_still_gives_one_line(capsys):
    def chatty(z):
        print("debug", z.shape)
        return ml.sigmoid(z)
    check_sigmoid(chatty)
    assert capsys.readouterr().out == "✔ sigmoid: all checks passed\n"


@pytest.mark.parametrize("fn, mistake", [
    (lambda z: 1 / 0, "exception"),
    (lambda z: None, "wrong_type"),
    (lambda z: list(z), "wrong_type"),
    (lambda z: "sigmoid", "wrong_type"),
    (lambda z: {"value": z}, "wrong_type"),
    (42, "wrong_type"),
    (None, "wrong_type"),
    (lambda z: np.array([str(v) for v in z.ravel()], dtype=object), "wrong_type"),
    (lambda z, extra: z, "exception"),
    (lambda z: np.int64(1), "wrong_type"),
])
def test_odd_learner_code_ends_in_a_check_failure(fn, mistake):
    with pytest.raises(CheckFailure) as info:
        check_sigmoid(fn)
    assert info.value.mistake == mistake
    assert str(info.value).startswith("✘ sigmoid: ")


def test_exception_message_shows_the_learners_error_and_line():
    def broken(z):
        return z.nonexistent_method()
    with pytest.raises(CheckFailure) as info:
        check_sigmoid(broken)
    text = str(info.value)
    assert "AttributeError" in text and "nonexistent_method" in text and "line " in text


def test_not_implemented_message_matches_the_tooling():
    def stub(z):
        raise NotImplementedError("sigmoid: use np.exp")
    with pytest.raises(CheckFailure) as info:
        check_sigmoid(stub)
    assert info.value.mistake == "not_implemented"
    assert "not implemented yet" in str(info.value).splitlines()[0]
    assert isinstance(info.value, AssertionError)


def test_judge_bug_or_bizarre_output_is_a_check_failure():
    @register("_test_broken_judge", "nothing")
    def broken_judge(call, rng):
        call("impl", np.zeros(3))
        raise ZeroDivisionError("a bug in the judge")
    try:
        with pytest.raises(CheckFailure) as info:
            judge_exercise("_test_broken_judge", LocalCaller({"impl": np.sin}))
        assert info.value.mistake == "wrong_type"
    finally:
        del EXERCISES["_test_broken_judge"]


def test_a_failing_caller_is_not_turned_into_a_verdict():
    class Broken:
        def has(self, role):
            return True

        def many(self, role, arglists):
            raise TimeoutError("kernel did not answer")
    with pytest.raises(TimeoutError):
        judge_exercise("sigmoid", Broken())


class Recorder(LocalCaller):
    def __init__(self, functions):
        super().__init__(functions)
        self.seen = []

    def many(self, role, arglists):
        self.seen.extend(arglists)
        return super().many(role, arglists)


def first_input(seed):
    rec = Recorder({"impl": ml.softmax})
    judge_exercise("softmax", rec, seed=seed)
    return rec.seen[0][0]


def test_seed_changes_the_cases_and_default_is_reproducible(monkeypatch, capsys):
    assert np.array_equal(first_input(None), first_input(None))
    assert np.array_equal(first_input(7), first_input(7))
    a, b = first_input(None), first_input(7)
    assert a.shape != b.shape or not np.array_equal(a, b)
    # the public function and the environment variable pick the seed up
    monkeypatch.setenv("MLP_LAB_CHECK_SEED", "7")
    check_softmax(ml.softmax)
    assert capsys.readouterr().out == "✔ softmax: all checks passed\n"
    monkeypatch.setenv("MLP_LAB_CHECK_SEED", "seven")
    with pytest.raises(ValueError, match="MLP_LAB_CHECK_SEED"):
        check_softmax(ml.softmax)


def test_a_wrong_function_fails_under_many_seeds():
    wrong = lambda dY, X, W: (dY @ W.T, X.T @ dY, dY.mean(axis=0))  # noqa: E731
    for seed in range(5):
        with pytest.raises(CheckFailure):
            judge_exercise("linear_backward", LocalCaller({"impl": wrong}), seed=seed)


def test_slow_python_loops_finish_quickly():
    import math
    slow = np.vectorize(lambda t: 1 / (1 + math.exp(-t)) if t >= 0 else math.exp(t) / (1 + math.exp(t)),
                        otypes=[float])
    start = time.perf_counter()
    checks.check_sigmoid_prime(lambda z: slow(z) * (1 - slow(z)), slow)
    assert time.perf_counter() - start < 5.0


def test_local_caller_records_everything():
    def learner(x, rng):
        print("hello")
        x[0] = 99.0
        np.exp(np.array([1000.0]))
        return x.sum(), rng.random()
    x = np.zeros(3)
    out = LocalCaller({"impl": learner}).call("impl", x, RngSpec(3))
    assert out.error is None and out.stdout == "hello\n"
    assert any("overflow" in w for w in out.warnings)
    assert out.args_after[0][0] == 99.0 and x[0] == 0.0          # the caller passed a copy
    assert out.args_after[1] == RngSpec(3)
    assert out.value[1] == np.random.default_rng(3).random()      # the generator was made from the seed
    err = LocalCaller({"impl": lambda: int("x")}).call("impl").error
    assert err["type"] == "ValueError" and "invalid literal" in err["message"] and "line" in err["where"]
    assert LocalCaller({"impl": 3}).call("impl").error["type"] == "NotCallable"
    assert not LocalCaller({"impl": None}).has("impl")


def transmit(payload):
    """What the grader does: JSON for the data, an .npz (no pickle) for the arrays."""
    text = json.dumps(payload["data"])
    buf = io.BytesIO()
    np.savez(buf, **payload["arrays"])
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return {"data": json.loads(text), "arrays": arrays}


def test_outcome_round_trip_json_and_npz():
    value = (np.arange(6.0).reshape(2, 3), np.float64(2.5), np.float32(1.5), 3, float("nan"), None,
             [True, np.int64(7)], Opaque("dict", "{}"))
    out = Outcome(value=value, error={"type": "ValueError", "message": "bad", "where": "line 3: x"},
                  warnings=["RuntimeWarning: overflow encountered in exp"], stdout="printed\n",
                  args_after=(np.ones((2, 2), dtype=np.float32), RngSpec(5), 0.5), seconds=0.25)
    back = Outcome.from_dict(transmit(out.to_dict()))
    v = back.value
    assert isinstance(v, tuple) and len(v) == 8
    assert np.array_equal(v[0], value[0]) and v[0].dtype == np.float64
    assert isinstance(v[1], np.float64) and v[1] == 2.5 and isinstance(v[2], np.float32)
    assert v[3] == 3 and type(v[3]) is int and np.isnan(v[4]) and v[5] is None
    assert v[6] == [True, 7] and isinstance(v[6][1], np.int64) and v[7] == Opaque("dict", "{}")
    assert back.error == out.error and back.warnings == out.warnings and back.stdout == "printed\n"
    assert back.args_after[0].dtype == np.float32 and back.args_after[1] == RngSpec(5) and back.seconds == 0.25


def test_string_keyed_dicts_cross_and_others_are_opaque():
    state = {"t": 2, "m": np.arange(3.0), "nested": {"v": np.float32(0.5)}}
    out = Outcome(value={1: "int key"}, args_after=(state,))
    back = Outcome.from_dict(transmit(out.to_dict()))
    after = back.args_after[0]
    assert list(after) == ["t", "m", "nested"] and after["t"] == 2 and np.array_equal(after["m"], state["m"])
    assert after["nested"]["v"] == np.float32(0.5) and isinstance(after["nested"]["v"], np.float32)
    assert isinstance(back.value, Opaque) and back.value.type == "dict"


def test_outcome_from_dict_refuses_malformed_data():
    for bad in ({}, {"data": {"value": {"t": "pickle"}}, "arrays": {}},
                {"data": {"value": {"t": "array", "k": "missing"}}, "arrays": {}},
                {"data": {"args_after": {"t": "list", "items": []}}, "arrays": {}},
                {"data": {"value": {"t": "dict", "keys": [1], "items": [{"t": "none"}]}}, "arrays": {}},
                {"data": {"value": {"t": "dict", "keys": ["a", "b"], "items": [{"t": "none"}]}}, "arrays": {}}):
        with pytest.raises(ValueError):
            Outcome.from_dict(bad)


def test_check_failure_round_trip():
    with pytest.raises(CheckFailure) as info:
        check_sigmoid(lambda z: 1 / (1 + np.exp(z)))
    original = info.value
    back = CheckFailure.from_dict(transmit(original.to_dict()))
    assert isinstance(back, AssertionError)
    assert (back.exercise, back.mistake, str(back)) == ("sigmoid", "sign", str(original))
    assert back.details == original.details
    with pytest.raises(ValueError):
        CheckFailure.from_dict({"data": {"exercise": "x"}})
    with pytest.raises(ValueError):
        CheckFailure("x", "no_such_category", "message")


class RemoteLike(LocalCaller):
    """Every outcome goes through to_dict / JSON / npz / from_dict, as with the grader."""

    def many(self, role, arglists):
        return [Outcome.from_dict(transmit(o.to_dict())) for o in super().many(role, arglists)]


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_verdicts_survive_transmission(name):
    assert judge_exercise(name, RemoteLike(REFERENCES[name])).startswith("✔")


def test_wrong_verdict_survives_transmission():
    wrong = {"impl": lambda X, p, rng: ((X * (np.random.random(X.shape) >= p)) / (1 - p),
                                        (np.random.random(X.shape) >= p) / (1 - p))}
    with pytest.raises(CheckFailure):
        judge_exercise("dropout_forward", RemoteLike(wrong))


def test_or_reference_prints_once_and_falls_back(capsys):
    def sigmoid(z):
        raise NotImplementedError("sigmoid: hint")
    wrapped = or_reference(sigmoid, ml.sigmoid)
    np.testing.assert_allclose(wrapped(np.zeros(2)), [0.5, 0.5])
    wrapped(np.zeros(2))
    assert capsys.readouterr().out == ("note: sigmoid is not implemented yet; using mlp_lab's reference "
                                       "so you can read ahead\n")
    done = or_reference(lambda z: z + 1, ml.sigmoid)
    assert done(1.0) == 2.0 and capsys.readouterr().out == ""

    def buggy(z):
        raise ValueError("my own bug")
    with pytest.raises(ValueError, match="my own bug"):
        or_reference(buggy, ml.sigmoid)(0.0)
    with pytest.raises(TypeError):
        or_reference(None, ml.sigmoid)


def test_or_reference_names_where_a_non_mlp_lab_reference_comes_from(capsys):
    def reference(scores, y):
        return 0.5

    def accuracy(scores, y):
        raise NotImplementedError("accuracy: write me")

    or_reference(accuracy, reference)(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 0]))
    assert capsys.readouterr().out == ("note: accuracy is not implemented yet; using the course's reference "
                                       "so you can read ahead\n")
