"""Exercise ``train_epoch(model, optimizer, batches, X_val, y_val) -> (batch losses, validation loss)``.

In train mode, for every batch: zero_grad, forward, softmax cross-entropy, backward, step; then
the validation loss in eval mode (dropout off). A model and an optimizer cannot cross the grader's
round trip, so ``check_train_epoch`` hands the judge ``three_epochs(train_epoch)``: a function of
arrays and seeds that builds a small seeded ``AccumulatingMLP`` with dropout and an SGD-momentum
optimizer, runs three epochs of fresh shuffled batches and returns every loss. The judge runs the
same function with the reference and with known slips, and compares whole trajectories.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

import mlp_lab as ml
from mlp_lab.accumulate import AccumulatingMLP
from mlp_lab.accumulate import train_epoch as reference

from .. import verdict as v
from ..calling import RngSpec
from ..registry import register
from ..runner import run_check

NAME = "train_epoch"
EPOCHS = 3


def three_epochs(train_epoch: Callable) -> Callable:
    """``run(X, y, X_val, y_val, batch_size, lr, rng, model_seed) -> [(losses, val_loss) per epoch]``."""
    def run(X, y, X_val, y_val, batch_size, lr, rng, model_seed):
        model = AccumulatingMLP([X.shape[1], 7, int(y.max()) + 1], dropout=0.25, rng=model_seed, dtype=np.float64)
        optimizer = ml.SGD(model.parameters(), lr=lr, momentum=0.9)
        return [train_epoch(model, optimizer, ml.batches(X, y, batch_size, rng), X_val, y_val)
                for _ in range(EPOCHS)]
    run.__name__ = getattr(train_epoch, "__name__", NAME)
    return run


def _losses(model, X_batch, y_batch):
    loss, dscores = ml.softmax_cross_entropy(model.forward(X_batch), y_batch)
    return float(loss), dscores


def _epoch_with_slip(model, optimizer, batches, X_val, y_val, *, zero_grad=True, step_first=False,
                     train_mode=True, eval_mode=True, loss_after_step=False):
    """The reference epoch with one classic slip switched on by its keyword."""
    if train_mode:
        model.train()
    losses = []
    for X_batch, y_batch in batches:
        if zero_grad:
            model.zero_grad()
        loss, dscores = _losses(model, X_batch, y_batch)
        if step_first:
            optimizer.step()
        model.backward(dscores)
        if not step_first:
            optimizer.step()
        losses.append(_losses(model, X_batch, y_batch)[0] if loss_after_step else loss)
    if eval_mode:
        model.eval()
    return losses, _losses(model, X_val, y_val)[0]


def _slip(**switch):
    return functools.partial(_epoch_with_slip, **switch)


SLIPS = [
    ("gradient_accumulation", _slip(zero_grad=False),
     "the gradients were never reset: backward adds to them, so call model.zero_grad() before each batch's backward"),
    ("step_before_backward", _slip(step_first=True),
     "the optimizer stepped before backward, with the previous batch's gradients (zeros at the first batch)"),
    ("wrong_mode", _slip(eval_mode=False),
     "the validation loss was computed with dropout still on: call model.eval() before evaluating"),
    ("wrong_mode", _slip(train_mode=False),
     "after the first epoch's evaluation the model stayed in eval mode, so later epochs trained without dropout: "
     "call model.train() first"),
    ("loss_after_step", _slip(loss_after_step=True),
     "each batch's loss was measured again after the step: keep the loss of the forward pass whose gradients the "
     "step used"),
]


def _case(rng: np.random.Generator):
    """Three-class data: X (n, d) and X_val (m, d) float64, labels int64; batch size, lr, seeds."""
    d, n, m = int(rng.integers(3, 6)), int(rng.integers(30, 45)), int(rng.integers(10, 20))
    centres = rng.standard_normal((3, d)) * 2.0
    y, y_val = rng.integers(0, 3, n), rng.integers(0, 3, m)
    X = centres[y] + rng.standard_normal((n, d))
    X_val = centres[y_val] + rng.standard_normal((m, d))
    return X, y, X_val, y_val, int(rng.integers(6, 10)), float(rng.uniform(0.05, 0.2)), \
        int(rng.integers(0, 2**31)), int(rng.integers(0, 2**31))


def _pieces(ex, result, n_batches, tested) -> list:
    """[(name, values)] per epoch: its batch losses, then its validation loss."""
    pieces = []
    for e, item in enumerate(result):
        losses, val_loss = v.as_tuple(ex, item, ("losses", "val_loss"), tested)
        if isinstance(losses, np.ndarray):
            losses = list(losses.reshape(-1))
        if not isinstance(losses, (list, tuple)) or len(losses) != n_batches:
            raise v.fail(ex, "wrong_type", f"losses must hold one number per batch ({n_batches})", tested=tested,
                         problem=f"epoch {e + 1} returned losses = {v.fmt(losses)}",
                         hint="append float(loss) for every batch and return the list")
        values = np.array([v.as_scalar(ex, f"the loss of batch {i + 1}", x, tested) for i, x in enumerate(losses)])
        pieces.append((f"the batch losses of epoch {e + 1}", values))
        pieces.append((f"the validation loss after epoch {e + 1}", np.array([v.as_scalar(ex, "val_loss", val_loss,
                                                                                            tested)])))
    return pieces


@register(NAME, "train_epoch(model, optimizer, batches, X_val, y_val) -> (list of batch losses, val_loss)")
def judge_train_epoch(call, rng: np.random.Generator) -> None:
    """Pass silently or raise CheckFailure; evaluates the learner's function only through ``call``."""
    ex = NAME
    for _ in range(2):
        X, y, X_val, y_val, batch_size, lr, shuffle_seed, model_seed = _case(rng)
        args = (X, y, X_val, y_val, batch_size, lr, RngSpec(shuffle_seed), model_seed)
        tested = (f"{EPOCHS} epochs of train_epoch(model, optimizer, batches, X_val, y_val) on a seeded "
                  f"{X.shape[1]}-7-3 AccumulatingMLP with dropout 0.25, SGD lr = {lr:.3g} with momentum 0.9, "
                  f"X {X.shape}, X_val {X_val.shape}, batch_size {batch_size}, fresh shuffled batches each epoch")
        out = call("impl", *args)
        result = v.outcome_value(ex, out, tested)
        v.check_mutation(ex, out, {"X": X, "y": y, "X_val": X_val, "y_val": y_val}, tested)
        n_batches = -(-len(X) // batch_size)
        if not isinstance(result, list) or len(result) != EPOCHS:
            raise v.fail(ex, "wrong_type", "train_epoch must return (losses, val_loss)", tested=tested,
                         problem=f"got {v.fmt(result)}", hint="return losses, val_loss")
        got = _pieces(ex, result, n_batches, tested)

        def local(fn):
            return _pieces(ex, three_epochs(fn)(*args[:6], np.random.default_rng(shuffle_seed), model_seed),
                           n_batches, tested)

        expected = local(reference)
        alts = [(m, local(fn), why) for m, fn, why in SLIPS]
        for i, (name, values) in enumerate(got):
            v.check_values(ex, name, values, expected[i][1], tested,
                           alternatives=[(m, alt[i][1], why) for m, alt, why in alts],
                           hint="train mode; per batch: zero_grad, forward, loss, backward, step; then eval mode "
                                "for the validation loss")


def check_train_epoch(train_epoch: Callable, *, seed: int | None = None) -> None:
    """Check ``train_epoch(model, optimizer, batches, X_val, y_val)`` over three epochs against the reference."""
    run_check(NAME, {"impl": three_epochs(train_epoch)}, seed)
