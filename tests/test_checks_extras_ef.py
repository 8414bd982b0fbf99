"""The chapter 6 check ``check_accuracy`` catches the classic wrong implementations and passes right ones."""

import numpy as np
import pytest

import mlp_lab as ml
from checks.extras_ef import check_accuracy, reference_accuracy, reference_train_step
from checks.failure import CheckFailure
from checks.registry import EXERCISES


# --- right implementations, written differently ---------------------------------------------------------

def acc_mean(scores, y):
    return float(np.mean(scores.argmax(axis=1) == y))


def acc_python_loop(scores, y):
    right = 0
    for row, label in zip(scores, y):
        best = max(range(len(row)), key=lambda k: row[k])
        right += best == label
    return right / len(y)


def acc_softmax_count(scores, y):
    P = ml.softmax(scores)
    return np.count_nonzero(np.argmax(P, axis=-1) == y) / y.size


RIGHT = [reference_accuracy, acc_mean, acc_python_loop, acc_softmax_count]


@pytest.mark.parametrize("impl", RIGHT, ids=lambda f: f.__name__)
def test_right_implementations_pass(impl, capsys):
    check_accuracy(impl)
    assert capsys.readouterr().out == "✔ accuracy: all checks passed\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_right_implementations_pass_other_seeds(seed):
    for impl in RIGHT:
        check_accuracy(impl, seed=seed)


# --- wrong implementations, each with the diagnosis it must get ---------------------------------------

def acc_count(scores, y):
    return float(np.sum(scores.argmax(axis=1) == y))


def acc_percent(scores, y):
    return 100.0 * np.mean(scores.argmax(axis=1) == y)


def acc_error_rate(scores, y):
    return float(np.mean(scores.argmax(axis=1) != y))


def acc_axis0(scores, y):
    return float(np.mean(scores.argmax(axis=0) == y))


def acc_per_example(scores, y):
    return (scores.argmax(axis=1) == y).astype(float)


def acc_argmin(scores, y):
    return float(np.mean(scores.argmin(axis=1) == y))


def acc_none(scores, y):
    np.mean(scores.argmax(axis=1) == y)


def acc_mutates(scores, y):
    scores -= scores.max(axis=1, keepdims=True)
    return float(np.mean(scores.argmax(axis=1) == y))


def acc_float32(scores, y):
    return np.float32(np.mean(scores.argmax(axis=1) == y))


def acc_stub(scores, y):
    raise NotImplementedError("accuracy: write it")


def acc_compares_scores(scores, y):
    return float(np.mean(np.round(scores[:, 0]) == y))


WRONG = [
    (acc_count, "scale"),
    (acc_percent, "scale"),
    (acc_error_rate, "wrong_value"),
    (acc_axis0, "wrong_axis"),
    (acc_per_example, "not_summed_over_batch"),
    (acc_argmin, "wrong_value"),
    (acc_none, "wrong_type"),
    (acc_mutates, "mutates_input"),
    (acc_float32, "wrong_dtype"),
    (acc_stub, "not_implemented"),
    (acc_compares_scores, "wrong_value"),
]


@pytest.mark.parametrize("impl,mistake", WRONG, ids=lambda x: getattr(x, "__name__", x))
def test_wrong_implementations_fail_with_their_mistake(impl, mistake):
    with pytest.raises(CheckFailure) as info:
        check_accuracy(impl)
    assert info.value.exercise == "accuracy"
    assert info.value.mistake == mistake, str(info.value)
    assert str(info.value).startswith("✘ accuracy:")


def test_messages_name_the_slip():
    with pytest.raises(CheckFailure) as info:
        check_accuracy(acc_count)
    assert "number of correct predictions" in str(info.value)
    with pytest.raises(CheckFailure) as info:
        check_accuracy(acc_error_rate)
    assert "error rate" in str(info.value)


def test_registered_with_its_signature():
    assert "accuracy" in EXERCISES
    assert EXERCISES["accuracy"].signature.startswith("accuracy(scores, y)")


# --- the read-ahead training step -------------------------------------------------------------------------

def test_reference_train_step_lowers_the_loss_and_returns_a_float():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = ml.MLP([5, 16, 2], rng=1)
    before = model.layers[0].params["W"].copy()
    optimizer = ml.SGD(model.parameters(), lr=0.5)
    losses = [reference_train_step(model, optimizer, X, y) for _ in range(40)]
    assert all(isinstance(loss, float) for loss in losses)
    assert losses[-1] < 0.5 * losses[0]
    assert not np.array_equal(before, model.layers[0].params["W"])


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_wrong_implementations_keep_their_diagnosis_under_other_seeds(seed):
    for impl, mistake in WRONG:
        with pytest.raises(CheckFailure) as info:
            check_accuracy(impl, seed=seed)
        assert info.value.mistake == mistake, (impl.__name__, str(info.value))
