"""The train_step check (chapter 06): named slips fail, differently written right steps pass.

The check runs ``train_step`` on every batch of one epoch of a seeded model (``one_epoch_of_steps``),
as check_train_step does."""

import numpy as np
import pytest

import mlp_lab as ml
from checks.exercises.train_step import one_epoch_of_steps
from support import Attempt, judged, not_implemented

EXERCISE = "train_step"


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
    Attempt("step before backward", one_epoch_of_steps(steps_first), "step_before_backward"),
    Attempt("two steps", one_epoch_of_steps(two_steps), "step_count"),
    Attempt("no step", one_epoch_of_steps(no_step), "step_count"),
    Attempt("loss after the step", one_epoch_of_steps(loss_after), "loss_after_step"),
    Attempt("returns loss and dscores", one_epoch_of_steps(returns_the_pair), "wrong_type"),
    Attempt("twice the loss", one_epoch_of_steps(scaled_loss), "scale"),
    Attempt("not implemented", one_epoch_of_steps(not_implemented), "not_implemented"),
]


def right_with_need_dx(model, optimizer, X, y):
    scores = model(X)
    loss, dZ = ml.softmax_cross_entropy(scores, y)
    model.backward(dZ, need_dx=False)
    optimizer.step()
    return np.float64(loss)


RIGHT = [
    Attempt("the reference", one_epoch_of_steps(ml.train_step)),
    Attempt("need_dx=False, numpy float", one_epoch_of_steps(right_with_need_dx)),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict
