"""The capstone check: it scores the returned parameters itself, on the test images in the secret pixel order."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_train_network
from checks.exercises import train_network as capstone
from support import Attempt, failure_of, judged, not_implemented

EXERCISE = "train_network"
SEEDS = (0,)   # each right attempt trains on all of MNIST (about 15 s): one seed in the 10-seed table


def untrained(images, labels, rng):
    """Initial weights, returned without training."""
    model = ml.MLP([784, 256, 128, 10], activation="relu", rng=rng)
    return dict(zip(capstone.SHAPES, (p for _, p, _ in model.parameters()))), {}


def trained_on_the_files(images, labels, rng):
    """Ignores the images it is given: trains briefly on the training files in their own pixel order."""
    X, y = ml.load_mnist("train")
    params, history = ml.train_network(np.rint(X[:6000] * 255).astype(np.uint8), y[:6000], rng, epochs=1,
                                       n_val=1000)
    return params, history


def shrinks_images(images, labels, rng):
    images //= 2
    return untrained(images, labels, rng)


WRONG = [
    Attempt("not implemented", not_implemented, "not_implemented"),
    Attempt("params only, no history", lambda images, labels, rng: untrained(images, labels, rng)[0], "wrong_type"),
    Attempt("a key missing", lambda images, labels, rng: ({k: v for k, v in untrained(images, labels, rng)[0].items()
                                                           if k != "b3"}, {}), "wrong_type"),
    Attempt("W1 stored as (256, 784)", lambda images, labels, rng: (
        {**untrained(images, labels, rng)[0], "W1": np.zeros((256, 784), np.float32)}, {}), "transposed"),
    Attempt("nan weights", lambda images, labels, rng: (
        {**untrained(images, labels, rng)[0], "W3": np.full((128, 10), np.nan, np.float32)}, {}), "nan_or_inf"),
    Attempt("untrained weights", untrained, "below_target"),
    Attempt("trained on the files on disk, not on the images given", trained_on_the_files, "below_target"),
    Attempt("changes the images in place", shrinks_images, "mutates_input"),
]

RIGHT = [
    Attempt("mlp_lab's recipe", ml.train_network),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_too_slow_against_the_instructors_limit(monkeypatch):
    monkeypatch.setattr(capstone, "limits", lambda: {"time_limit": 0.0, "target": 0.975})
    failure = failure_of(check_train_network, untrained)
    assert failure.mistake == "too_slow" and "time limit of 0 s" in str(failure)


def test_a_network_trained_on_the_files_on_disk_is_told_so():
    failure = failure_of(check_train_network, trained_on_the_files)
    assert failure.mistake == "below_target"
    assert "it was trained on the files on disk, not on the images it was given" in str(failure)


def test_missing_mnist_is_the_set_up_s_error_not_the_learner_s(monkeypatch):
    from checks.runner import JudgeUnavailable

    def no_data(split):
        raise FileNotFoundError("load_mnist: no MNIST files found")

    monkeypatch.setattr(ml, "load_mnist", no_data)
    with pytest.raises(JudgeUnavailable, match="needs MNIST and could not load it:\nload_mnist: no MNIST"):
        check_train_network(ml.train_network)
