"""Extra exercise of chapter 6: ``accuracy``; and the read-ahead references of chapter 6.

The judge follows the checks architecture: it builds cases from ``rng``, asks for evaluations only
through ``call``, and compares the results itself (so the grader can run it in another process).

- ``accuracy(scores, y) -> float``: the fraction of rows whose highest score is at the true label,
  acc = (1/N) sum_n [argmax_k scores[n, k] = y_n], for scores (N, K) and integer labels y (N,).

``train_step`` (chapter 6) changes a model and an optimizer in place, so it cannot be judged on arrays
alone: the chapter shows whether it works (the loss must fall) instead of running a check.
"""

from __future__ import annotations

import numpy as np

from .registry import register
from .verdict import as_scalar, check_mutation, check_values, fail, outcome_value


# --- reference implementations ------------------------------------------------------------------------

def reference_accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """acc = mean_n [argmax_k scores[n, k] == y[n]].  scores: (N, K), y: (N,) ints -> a float in [0, 1]."""
    return float(np.mean(np.argmax(scores, axis=1) == y))


def reference_train_step(model, optimizer, X: np.ndarray, y: np.ndarray) -> float:
    """One step of gradient descent on a batch: forward, softmax cross-entropy, backward, step.

    model: an mlp_lab model (forward/backward); optimizer: built on model.parameters();
    X: (N, n_in), y: (N,) integer labels. Returns the batch's loss before the step, as a float.
    """
    from mlp_lab.losses import softmax_cross_entropy

    scores = model.forward(X)
    loss, dscores = softmax_cross_entropy(scores, y)
    model.backward(dscores)
    optimizer.step()
    return float(loss)


# --- the judge ------------------------------------------------------------------------------------------

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
    slips = [1.0 - reference_accuracy(scores, y), float(np.mean(scores.argmin(axis=1) == y))]
    if scores.shape[0] == scores.shape[1]:
        slips.append(float(np.mean(scores.argmax(axis=0) == y)))
    return slips


def _distinct_labels(rng: np.random.Generator, scores: np.ndarray) -> np.ndarray:
    """Labels for which the right answer and every named slip are different numbers (and the slips
    are not 0), so that each slip gets its own diagnosis. Falls back to the last draw."""
    for _ in range(200):
        y = _labels(rng, scores, fraction_right=float(rng.uniform(0.3, 0.8)))
        values = [reference_accuracy(scores, y)] + _slips(scores, y)
        if scores.shape[0] == 1:
            return y
        distinct = all(abs(a - b) > 1e-9 for i, a in enumerate(values) for b in values[i + 1:])
        if distinct and min(values[1:]) > 0 and values[0] != 0:
            return y
    return y


def _cases(rng: np.random.Generator):
    """Lists of (scores, y, kind): three square cases together (an argmax over the wrong axis gives
    a number there, and three matches in a row name it), then a single example, then two non-square
    batches."""
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


@register("accuracy", "accuracy(scores, y) -> a float in [0, 1]")
def judge_accuracy(call, rng: np.random.Generator) -> None:
    """Pass silently or raise CheckFailure; evaluates the learner's function only through ``call``."""
    ex = "accuracy"
    hint = ("each row of scores is one example; its prediction is the column with the highest score, and the "
            "accuracy is the fraction of rows where that column equals the label")
    for group in _cases(rng):
        outs = call.many("impl", [(scores, y) for scores, y, _ in group])
        results = []
        for (scores, y, _), out in zip(group, outs):
            tested = _tested(scores, y)
            acc = as_scalar(ex, "the accuracy", outcome_value(ex, out, tested), tested, batch=scores.shape[0])
            check_mutation(ex, out, {"scores": scores, "y": y}, tested)
            results.append(acc)
        if group[0][2] == "square":
            expected = [reference_accuracy(S, y) for S, y, _ in group]
            axis0 = [_slips(S, y)[2] for S, y, _ in group]
            if all(abs(a - e) > 1e-9 and abs(a - c) <= 1e-9 for a, e, c in zip(results, expected, axis0)):
                S, y, _ = group[0]
                raise fail(ex, "wrong_axis", "the argmax ran down the columns (over the examples), not along each row",
                           tested=_tested(S, y) + f" (and two more {S.shape} cases)",
                           problem=f"the accuracy: got {results[0]:.6g}, expected {expected[0]:.6g}; in all three "
                                   f"square cases your value equals the column-wise argmax's",
                           hint="axis 0 runs over the examples (rows); the prediction of one example is found "
                                "along its row")
        for (scores, y, _), acc in zip(group, results):
            n = scores.shape[0]
            slips = _slips(scores, y)
            alternatives = [
                ("wrong_value", slips[0], "it is the error rate (the fraction of wrong predictions)"),
                ("wrong_value", slips[1], "it takes the lowest score as the prediction (argmin instead of argmax)"),
            ]
            factors = {100.0: "a percentage: return a fraction between 0 and 1"}
            if n > 1:
                factors[float(n)] = f"N = {n}: the number of correct predictions, not the fraction"
            check_values(ex, "the accuracy", acc, reference_accuracy(scores, y), _tested(scores, y),
                         alternatives=alternatives, factors=factors, scalar=True, hint=hint)


# --- the public check -----------------------------------------------------------------------------------

def check_accuracy(accuracy, *, seed: int | None = None) -> None:
    """Check ``accuracy(scores, y) -> float`` (chapter 6): scores (N, K), y (N,) integer labels.

    Prints one fixed line on success; raises CheckFailure naming the likely mistake otherwise.
    """
    from .runner import run_check
    return run_check("accuracy", {"impl": accuracy}, seed=seed)
