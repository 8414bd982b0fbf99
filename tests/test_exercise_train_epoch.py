"""The train_epoch check: named slips in the loop fail, differently written right loops pass.

The check runs ``train_epoch`` for three epochs of a seeded model (``three_epochs``), as
check_train_epoch does."""

import numpy as np
import pytest

import mlp_lab as ml
from checks.exercises.train_epoch import three_epochs
from mlp_lab.accumulate import AccumulatingMLP, train_epoch
from support import Attempt, judged, not_implemented

EXERCISE = "train_epoch"


def loop(model, optimizer, batches, X_val, y_val, *, zero=True, step_first=False, train=True, evaluate=True):
    """A train_epoch with one slip switched on."""
    if train:
        model.train()
    losses = []
    for Xb, yb in batches:
        if zero:
            model.zero_grad()
        loss, dscores = ml.softmax_cross_entropy(model(Xb), yb)
        if step_first:
            optimizer.step()
        model.backward(dscores)
        if not step_first:
            optimizer.step()
        losses.append(loss)
    if evaluate:
        model.eval()
    return losses, ml.softmax_cross_entropy(model(X_val), y_val)[0]


def right_with_evaluate(model, optimizer, batches, X_val, y_val):
    model.train()
    losses = np.zeros(0)
    for Xb, yb in batches:
        for _, _, g in model.parameters():
            g[...] = 0.0
        scores = model.forward(Xb)
        loss, dscores = ml.softmax_cross_entropy(scores, yb)
        model.backward(dscores, need_dx=False)
        optimizer.step()
        losses = np.append(losses, loss)
    return list(losses), ml.evaluate(model, X_val, y_val)[0]


def loss_after_step(model, optimizer, batches, X_val, y_val):
    model.train()
    losses = []
    for Xb, yb in batches:
        model.zero_grad()
        model.backward(ml.softmax_cross_entropy(model(Xb), yb)[1])
        optimizer.step()
        losses.append(ml.softmax_cross_entropy(model(Xb), yb)[0])
    model.eval()
    return losses, ml.softmax_cross_entropy(model(X_val), y_val)[0]


def mean_loss_only(model, optimizer, batches, X_val, y_val):
    losses, val = loop(model, optimizer, batches, X_val, y_val)
    return float(np.mean(losses)), val


WRONG = [
    Attempt("no zero_grad", three_epochs(lambda *a: loop(*a, zero=False)), "gradient_accumulation"),
    Attempt("step before backward", three_epochs(lambda *a: loop(*a, step_first=True)), "step_before_backward"),
    Attempt("evaluates with dropout on", three_epochs(lambda *a: loop(*a, evaluate=False)), "wrong_mode"),
    Attempt("never back to train mode", three_epochs(lambda *a: loop(*a, train=False)), "wrong_mode"),
    Attempt("loss after the step", three_epochs(loss_after_step), "loss_after_step"),
    Attempt("returns the mean loss", three_epochs(mean_loss_only), "wrong_type"),
    Attempt("returns nothing", three_epochs(lambda *a: None), "wrong_type"),
    Attempt("not implemented", three_epochs(not_implemented), "not_implemented"),
]

RIGHT = [
    Attempt("the reference", three_epochs(train_epoch)),
    Attempt("a loop of its own", three_epochs(loop)),
    Attempt("evaluate() and manual zeroing", three_epochs(right_with_evaluate)),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_accumulating_mlp_adds_gradients_and_zero_grad_resets():
    model = AccumulatingMLP([4, 5, 3], rng=0, dtype=np.float64, l2=0.1)
    X, y = np.random.default_rng(1).standard_normal((6, 4)), np.array([0, 1, 2, 0, 1, 2])
    dscores = ml.softmax_cross_entropy(model.forward(X), y)[1]
    model.backward(dscores)
    once = {n: g.copy() for n, _, g in model.parameters()}
    reference = ml.MLP([4, 5, 3], rng=0, dtype=np.float64, l2=0.1)
    reference.forward(X)
    reference.backward(dscores)
    for (n, _, g), (_, _, g_ref) in zip(model.parameters(), reference.parameters()):
        np.testing.assert_allclose(g, g_ref, rtol=1e-12)            # the penalty's gradient included once
    model.backward(dscores)
    for n, _, g in model.parameters():
        np.testing.assert_allclose(g, 2 * once[n], rtol=1e-12)
    model.zero_grad()
    assert all(not g.any() for _, _, g in model.parameters())
