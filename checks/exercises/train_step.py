"""Exercise ``train_step(model, optimizer, X, y) -> loss`` (chapter 06): forward, loss, backward, step.

A model and an optimizer cannot cross the grader's round trip, so ``check_train_step`` hands the
judge ``one_epoch_of_steps(train_step)``: a function of arrays and seeds that builds a small seeded
``mlp_lab.MLP`` with an SGD-momentum optimizer, calls ``train_step`` on every batch of one shuffled
epoch and returns the losses and the final parameters. The judge runs the same function with the
reference and with known slips, and compares.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

import mlp_lab as ml

from .. import verdict as v
from ..calling import RngSpec
from ..registry import register
from ..runner import run_check

NAME = "train_step"


def reference(model, optimizer, X, y) -> float:
    """Forward, softmax cross-entropy, backward, step; the batch loss before the step."""
    loss, dscores = ml.softmax_cross_entropy(model.forward(X), y)
    model.backward(dscores)
    optimizer.step()
    return float(loss)


def one_epoch_of_steps(train_step: Callable) -> Callable:
    """``run(X, y, batch_size, lr, rng, model_seed) -> (losses, [final parameters])``."""
    def run(X, y, batch_size, lr, rng, model_seed):
        model = ml.MLP([X.shape[1], 6, int(y.max()) + 1], rng=model_seed, dtype=np.float64).train()
        optimizer = ml.SGD(model.parameters(), lr=lr, momentum=0.9)
        losses = [train_step(model, optimizer, X_batch, y_batch) for X_batch, y_batch in ml.batches(X, y, batch_size, rng)]
        return losses, [p.copy() for _, p, _ in model.parameters()]
    run.__name__ = getattr(train_step, "__name__", NAME)
    return run


def _steps_first(model, optimizer, X, y):
    loss, dscores = ml.softmax_cross_entropy(model.forward(X), y)
    optimizer.step()
    model.backward(dscores)
    return float(loss)


def _no_step(model, optimizer, X, y):
    loss, dscores = ml.softmax_cross_entropy(model.forward(X), y)
    model.backward(dscores)
    return float(loss)


def _two_steps(model, optimizer, X, y):
    loss = reference(model, optimizer, X, y)
    optimizer.step()
    return loss


def _loss_after_step(model, optimizer, X, y):
    reference(model, optimizer, X, y)
    return float(ml.softmax_cross_entropy(model.forward(X), y)[0])


SLIPS = [
    ("step_before_backward", _steps_first, "the optimizer stepped before backward, with the previous batch's "
                                           "gradients: forward, loss, backward, then step"),
    ("step_count", _no_step, "the parameters never change: call optimizer.step() after model.backward(dscores)"),
    ("step_count", _two_steps, "the optimizer stepped twice per batch: call optimizer.step() once, after "
                               "model.backward(dscores)"),
    ("loss_after_step", _loss_after_step, "the loss was measured after the step: return the loss of the forward "
                                      "pass that the gradients came from"),
]


def _case(rng: np.random.Generator):
    d, n = int(rng.integers(3, 7)), int(rng.integers(30, 50))
    centres = rng.standard_normal((3, d)) * 2.0
    y = rng.integers(0, 3, n)
    X = centres[y] + rng.standard_normal((n, d))
    return X, y, int(rng.integers(6, 10)), float(rng.uniform(0.05, 0.2)), int(rng.integers(0, 2**31)), \
        int(rng.integers(0, 2**31))


@register(NAME, "train_step(model, optimizer, X, y) -> the batch loss as a float")
def judge_train_step(call, rng: np.random.Generator) -> None:
    """Pass silently or raise CheckFailure; evaluates the learner's function only through ``call``."""
    ex = NAME
    for _ in range(2):
        X, y, batch_size, lr, shuffle_seed, model_seed = _case(rng)
        tested = (f"train_step(model, optimizer, X_batch, y_batch) on every batch of one epoch: a seeded "
                  f"{X.shape[1]}-6-3 ReLU MLP, SGD lr = {lr:.3g} with momentum 0.9, X {X.shape}, batch_size {batch_size}")
        out = call("impl", X, y, batch_size, lr, RngSpec(shuffle_seed), model_seed)
        result = v.outcome_value(ex, out, tested)
        v.check_mutation(ex, out, {"X": X, "y": y}, tested)
        losses, params = v.as_tuple(ex, result, ("losses", "params"), tested)
        got = np.array([v.as_scalar(ex, f"the loss of batch {i + 1}", x, tested) for i, x in enumerate(losses)])

        def local(fn):
            run = one_epoch_of_steps(fn)(X, y, batch_size, lr, np.random.default_rng(shuffle_seed), model_seed)
            return np.array(run[0]), run[1]

        (expected, expected_params), alts = local(reference), [(m, local(fn), why) for m, fn, why in SLIPS]
        v.check_values(ex, "the batch losses", got, expected, tested,
                       alternatives=[(m, alt[0], why) for m, alt, why in alts],
                       hint="forward, ml.softmax_cross_entropy, model.backward(dscores), optimizer.step(); "
                            "return float(loss)")
        if not isinstance(params, list) or len(params) != len(expected_params):
            raise v.fail(ex, "wrong_type", "the model's parameters could not be read after the epoch", tested=tested,
                         problem=f"got {v.fmt(params)}", hint="change the model's parameters only through optimizer.step()")
        for i, (p, q) in enumerate(zip(params, expected_params)):
            v.check_values(ex, f"parameter {i + 1} of the model after the epoch", v.as_array(ex, "parameter", p, tested),
                           q, tested, hint="optimizer.step() exactly once per call, after model.backward(dscores)")


def check_train_step(train_step: Callable, *, seed: int | None = None) -> None:
    """Check ``train_step(model, optimizer, X, y)`` on every batch of an epoch against the reference."""
    run_check(NAME, {"impl": one_epoch_of_steps(train_step)}, seed)
