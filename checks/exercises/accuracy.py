"""Exercise ``accuracy`` (chapter 06): the fraction of rows whose highest score is at the true label,
acc = (1/N) sum_n [argmax_k scores[n, k] = y_n], for scores (N, K) and integer labels y (N,).

``train_step`` (chapter 06) changes a model and an optimizer in place, so it cannot be judged on arrays
alone: the chapter shows whether it works (the loss must fall) instead of running a check.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..registry import register
from ..runner import run_check

HINT = ("each row of scores is one example; its prediction is the column with the highest score, and the "
        "accuracy is the fraction of rows where that column equals the label")


def _accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(scores, axis=1) == y))


def _labels(rng: np.random.Generator, scores: np.ndarray, fraction_right: float) -> np.ndarray:
    """Labels that agree with the argmax on about ``fraction_right`` of the rows (never all or none
    when N > 2), so a fraction, a count, an error rate and a percentage all differ."""
    n, k = scores.shape
    best = scores.argmax(axis=1)
    y = best.copy()
    wrong = rng.random(n) >= fraction_right
    if n > 2:
        wrong[0], wrong[1] = False, True          # at least one right and one wrong row
        if 2 * int(np.sum(~wrong)) == n:          # avoid exactly 1/2: accuracy = error rate
            wrong[2] = not wrong[2]
    y[wrong] = (best[wrong] + rng.integers(1, k, int(wrong.sum()))) % k
    return y.astype(np.int64)


def _slips(scores: np.ndarray, y: np.ndarray) -> list:
    """The values of the slips the judge can name: error rate, argmin, argmax down the columns."""
    slips = [1.0 - _accuracy(scores, y), float(np.mean(scores.argmin(axis=1) == y))]
    if scores.shape[0] == scores.shape[1]:
        slips.append(float(np.mean(scores.argmax(axis=0) == y)))
    return slips


def _distinct_labels(rng: np.random.Generator, scores: np.ndarray) -> np.ndarray:
    """Labels for which the right answer and every named slip are different numbers (and the slips
    are not 0), so that each slip gets its own diagnosis. Falls back to the last draw."""
    for _ in range(200):
        y = _labels(rng, scores, fraction_right=float(rng.uniform(0.3, 0.8)))
        values = [_accuracy(scores, y)] + _slips(scores, y)
        if scores.shape[0] == 1:
            return y
        distinct = all(abs(a - b) > 1e-9 for i, a in enumerate(values) for b in values[i + 1:])
        if distinct and min(values[1:]) > 0 and values[0] != 0:
            return y
    return y


def _cases(rng: np.random.Generator):
    """Lists of (scores, y, kind): three square cases together (an argmax over the wrong axis gives
    a number there, and three matches in a row name it), then a single example, then two batches
    (5 to 29 rows, then 30 to 199, of 3 to 11 classes each)."""
    k = int(rng.integers(6, 11))
    squares = [rng.normal(size=(k, k)) for _ in range(3)]
    yield [(S, _distinct_labels(rng, S), "square") for S in squares]
    one = rng.normal(size=(1, int(rng.integers(3, 11))))
    yield [(one, _distinct_labels(rng, one), "one example")]
    for n in (int(rng.integers(5, 30)), int(rng.integers(30, 200))):
        scores = rng.normal(scale=3.0, size=(n, int(rng.integers(3, 12))))
        yield [(scores, _distinct_labels(rng, scores), "batch")]


def _tested(scores: np.ndarray, y: np.ndarray) -> str:
    return f"accuracy(scores {scores.shape}, y {y.shape}) with integer labels y in 0..{scores.shape[1] - 1}"


def _argmax_down_columns(ex: str, group: list, results: list) -> None:
    """wrong_axis when all three square cases match the column-wise argmax and not the right answer."""
    expected = [_accuracy(S, y) for S, y, _ in group]
    axis0 = [_slips(S, y)[2] for S, y, _ in group]
    if all(abs(a - e) > 1e-9 and abs(a - c) <= 1e-9 for a, e, c in zip(results, expected, axis0)):
        S, y, _ = group[0]
        raise v.fail(ex, "wrong_axis", "the argmax ran down the columns (over the examples), not along each row",
                     tested=_tested(S, y) + f" (and two more {S.shape} cases)",
                     problem=f"the accuracy: got {results[0]:.6g}, expected {expected[0]:.6g}; in all three "
                             f"square cases your value equals the column-wise argmax's",
                     hint="axis 0 runs over the examples (rows); the prediction of one example is found along its row")


SLIP_TEXTS = ("it is the error rate (the fraction of wrong predictions)",
              "it takes the lowest score as the prediction (argmin instead of argmax)")


def _slip_everywhere(cases: list, results: list) -> str | None:
    """The text of the slip (error rate, argmin) that every result with N > 1 equals, if one does: a single
    number can match a slip by chance, all cases together cannot."""
    many = [(scores, y, acc) for (scores, y), acc in zip(cases, results) if scores.shape[0] > 1]
    for i, text in enumerate(SLIP_TEXTS):
        if many and all(abs(acc - _slips(scores, y)[i]) <= 1e-9 for scores, y, acc in many):
            return text
    return None


@register("accuracy", "accuracy(scores, y) -> a float in [0, 1]")
def judge(call, rng: np.random.Generator) -> None:
    """One float per case against the right fraction; slips are named from all cases together."""
    ex = "accuracy"
    cases, results = [], []
    for group in _cases(rng):
        outs = call.many("impl", [(scores, y) for scores, y, _ in group])
        for (scores, y, _), out in zip(group, outs):
            tested = _tested(scores, y)
            acc = v.as_scalar(ex, "the accuracy", v.outcome_value(ex, out, tested), tested, batch=scores.shape[0])
            v.check_mutation(ex, out, {"scores": scores, "y": y}, tested)
            cases.append((scores, y))
            results.append(acc)
        if group[0][2] == "square":
            _argmax_down_columns(ex, group, results[-len(group):])
    slip = _slip_everywhere(cases, results)
    for (scores, y), acc in zip(cases, results):
        n, k = scores.shape
        right = _accuracy(scores, y)
        if slip is not None and abs(acc - right) > 1e-9:
            raise v.fail(ex, "wrong_formula", f"the accuracy is wrong: {slip}", tested=_tested(scores, y),
                         problem=f"the accuracy: got {acc:.6g}, expected {right:.6g} (and the same slip in every "
                                 f"case)", hint=HINT, details={"output": "the accuracy"})
        factors = {100.0: "a percentage: return a fraction between 0 and 1",
                   1.0 / k: f"divided by N*K = scores.size; divide by the number of examples N only (K = {k})"}
        if n > 1:
            factors[float(n)] = f"N = {n}: the number of correct predictions, not the fraction"
        v.check_values(ex, "the accuracy", acc, right, _tested(scores, y), factors=factors, scalar=True, hint=HINT)


def check_accuracy(accuracy: Callable, *, seed: int | None = None) -> None:
    """Check ``accuracy(scores, y) -> float`` (chapter 06): scores (N, K), y (N,) integer labels."""
    run_check("accuracy", {"impl": accuracy}, seed)
