"""Extra exercise of chapter 1: ``forward_pass``, a network with one hidden layer.

``forward_pass(X, W1, b1, W2, b2) -> A2`` with
Z1 = X W1 + b1, A1 = sigma(Z1), Z2 = A1 W2 + b2, A2 = sigma(Z2).

The judge follows the checks architecture: it builds cases from ``rng``, asks for evaluations only
through ``call``, and compares the results itself (so the grader can run it in another process).
When the values are wrong it tries the usual slips (a sigmoid or a bias left out, ReLU instead of
sigmoid, the layers swapped, a weight matrix transposed) and names the one that matches.
"""

from __future__ import annotations

import numpy as np

from .cases import distinct_sizes
from .registry import register
from .verdict import (as_array, check_form, check_mutation, check_values, check_warnings, fail,
                      outcome_value, shapes_text)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def reference_forward_pass(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
                           b2: np.ndarray) -> np.ndarray:
    """A2 = sigma(sigma(X W1 + b1) W2 + b2).

    X: (N, n_in), W1: (n_in, n_hidden), b1: (n_hidden,), W2: (n_hidden, n_out), b2: (n_out,).
    Returns A2: (N, n_out).
    """
    return _sigmoid(_sigmoid(X @ W1 + b1) @ W2 + b2)


def _cases(rng: np.random.Generator) -> list:
    """(N, n_in, n_hidden, n_out): a 2-2-1 net and another square W1 first (so a W1.T slip is named
    rather than crashing), then all sizes distinct, then N = 1."""
    a = distinct_sizes(rng, 4, 2, 9)
    n_in, n_h, n_out = distinct_sizes(rng, 3, 2, 7)
    k = int(rng.integers(2, 6))
    n = int(rng.choice([m for m in range(2, 9) if m not in (k, 1)]))
    return [(4, 2, 2, 1), (n, k, k, 1), tuple(a), (1, n_in, n_h, n_out)]


def _slips(X, W1, b1, W2, b2) -> list:
    """(mistake, value, explanation) for the classic slips that keep the output's shape."""
    s, relu = _sigmoid, (lambda z: np.maximum(z, 0.0))
    slips = [
        ("wrong_value", s(X @ W1 + b1) @ W2 + b2,
         "it equals Z2 = A1 W2 + b2: the sigmoid on the output layer is missing"),
        ("wrong_value", s((X @ W1 + b1) @ W2 + b2),
         "it equals sigma((X W1 + b1) W2 + b2): the sigmoid on the hidden layer is missing"),
        ("wrong_value", (X @ W1 + b1) @ W2 + b2,
         "no sigmoid was applied at all: both layers are purely linear"),
        ("wrong_value", s(s(X @ W1) @ W2),
         "it equals the network without biases: b1 and b2 were not added"),
        ("wrong_value", s(s(X @ W1) @ W2 + b2), "the hidden layer's bias b1 was not added"),
        ("wrong_value", s(s(X @ W1 + b1) @ W2), "the output layer's bias b2 was not added"),
        ("wrong_value", s(relu(X @ W1 + b1) @ W2 + b2),
         "the hidden layer used ReLU; this exercise uses the sigmoid after both layers"),
        ("wrong_value", s(s(X @ W1 + b1) @ W2 + b1[: b2.size]) if b1.size >= b2.size else None,
         "b1 was added in the output layer: each layer has its own bias"),
        ("sign", s(-(s(X @ W1 + b1) @ W2 + b2)), "the output is sigma(-Z2): a minus sign crept into the sigmoid"),
    ]
    if W1.shape[0] == W1.shape[1]:
        slips.append(("transposed", s(s(X @ W1.T + b1) @ W2 + b2),
                      "it equals the network with W1.T in place of W1: W1[i, j] connects input i to unit j"))
    return [(m, val, why) for m, val, why in slips if val is not None]


@register("forward_pass", "forward_pass(X, W1, b1, W2, b2) -> A2 = sigma(sigma(X W1 + b1) W2 + b2) of shape (N, n_out)")
def judge_forward_pass(call, rng: np.random.Generator) -> None:
    ex, name = "forward_pass", "A2"
    for n, n_in, n_h, n_out in _cases(rng):
        X = rng.standard_normal((n, n_in))
        W1, b1 = rng.standard_normal((n_in, n_h)) * 1.5, rng.standard_normal(n_h)
        W2, b2 = rng.standard_normal((n_h, n_out)) * 1.5, rng.standard_normal(n_out)
        tested = (f"forward_pass(X, W1, b1, W2, b2) with "
                  f"{shapes_text(X=X, W1=W1, b1=b1, W2=W2, b2=b2)}, float64")
        out = call("impl", X, W1, b1, W2, b2)
        got = as_array(ex, name, outcome_value(ex, out, tested), tested)
        if got.shape == (n, n_h) and n_h != n_out:
            raise fail(ex, "wrong_shape", f"{name} has the shape of the hidden layer", tested=tested,
                       problem=f"{name} has shape {got.shape} = (N, n_hidden); expected (N, n_out) = {(n, n_out)}",
                       hint="return the output of the second layer, not the hidden activations A1",
                       details={"output": name})
        check_form(ex, name, got, (n, n_out), tested)
        check_warnings(ex, out, tested, False)
        check_mutation(ex, out, {"X": X, "W1": W1, "b1": b1, "W2": W2, "b2": b2}, tested)
        check_values(ex, name, got, reference_forward_pass(X, W1, b1, W2, b2), tested,
                     alternatives=_slips(X, W1, b1, W2, b2),
                     hint="write the four lines Z1, A1, Z2, A2 one after the other; each layer's output "
                          "is the next layer's input")


def check_forward_pass(forward_pass, *, seed: int | None = None) -> None:
    """Check ``forward_pass(X, W1, b1, W2, b2) -> A2`` (chapter 1); prints one line when it passes.

    Raises ``CheckFailure`` naming the likely mistake otherwise.
    """
    from .runner import run_check
    return run_check("forward_pass", {"impl": forward_pass}, seed=seed)
