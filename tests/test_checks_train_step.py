"""The train_step check (chapter 06): named slips fail, differently written right steps pass."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_train_step
from support import not_implemented, verdict

SEEDS = [None, 11, 4242]


def steps_first(model, optimizer, X, y):
    loss, dscores = ml.softmax_cross_entropy(model.forward(X), y)
    optimizer.step()
    model.backward(dscores)
    return float(loss)


def two_steps(model, optimizer, X, y):
    loss, dscores = ml.softmax_cross_entropy(model.forward(X), y)
    model.backward(dscores)
    optimizer.step()
    optimizer.step()
    return float(loss)


def no_step(model, optimizer, X, y):
    loss, dscores = ml.softmax_cross_entropy(model.forward(X), y)
    model.backward(dscores)
    return float(loss)


def returns_the_pair(model, optimizer, X, y):
    loss, dscores = ml.softmax_cross_entropy(model.forward(X), y)
    model.backward(dscores)
    optimizer.step()
    return loss, dscores


def loss_after(model, optimizer, X, y):
    ml.train_step(model, optimizer, X, y)
    return float(ml.softmax_cross_entropy(model.forward(X), y)[0])


def scaled_loss(model, optimizer, X, y):
    return 2.0 * ml.train_step(model, optimizer, X, y)


WRONG = [
    ("step before backward", steps_first, "step_before_backward"),
    ("two steps", two_steps, "wrong_value"),
    ("no step", no_step, "wrong_value"),
    ("loss after the step", loss_after, "wrong_value"),
    ("returns loss and dscores", returns_the_pair, "wrong_type"),
    ("twice the loss", scaled_loss, "scale"),
    ("not implemented", not_implemented, "not_implemented"),
]


def right_with_need_dx(model, optimizer, X, y):
    scores = model(X)
    loss, dZ = ml.softmax_cross_entropy(scores, y)
    model.backward(dZ, need_dx=False)
    optimizer.step()
    return np.float64(loss)


RIGHT = [("the reference", ml.train_step), ("need_dx=False, numpy float", right_with_need_dx)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn, mistake", WRONG, ids=[w[0] for w in WRONG])
def test_train_step_wrong(label, fn, mistake, seed):
    assert verdict(lambda f: check_train_step(f, seed=seed), fn) == mistake


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label, fn", RIGHT, ids=[r[0] for r in RIGHT])
def test_train_step_right(label, fn, seed):
    assert verdict(lambda f: check_train_step(f, seed=seed), fn) == "pass"
