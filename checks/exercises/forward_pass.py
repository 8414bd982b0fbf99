"""Exercise ``forward_pass`` (chapter 01): a network with one hidden layer,
A2 = sigma(sigma(X W1 + b1) W2 + b2).

When the values are wrong the judge tries the usual slips (a sigmoid or a bias left out, ReLU instead
of sigmoid, one layer's bias in the other, a weight matrix transposed) and names the one that matches.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import verdict as v
from ..cases import distinct_sizes
from ..oracles import sigma
from ..registry import register
from ..runner import run_check


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
    s, relu = sigma, (lambda z: np.maximum(z, 0.0))
    slips = [
        ("missing_term", s(X @ W1 + b1) @ W2 + b2, "it equals Z2 = A1 W2 + b2: the sigmoid on the output layer "
                                                   "is missing"),
        ("missing_term", s((X @ W1 + b1) @ W2 + b2), "it equals sigma((X W1 + b1) W2 + b2): the sigmoid on the "
                                                     "hidden layer is missing"),
        ("missing_term", (X @ W1 + b1) @ W2 + b2, "no sigmoid was applied at all: both layers are purely linear"),
        ("missing_term", s(s(X @ W1) @ W2), "it equals the network without biases: b1 and b2 were not added"),
        ("missing_term", s(s(X @ W1) @ W2 + b2), "the hidden layer's bias b1 was not added"),
        ("missing_term", s(s(X @ W1 + b1) @ W2), "the output layer's bias b2 was not added"),
        ("wrong_formula", s(relu(X @ W1 + b1) @ W2 + b2), "the hidden layer used ReLU; this exercise uses the "
                                                          "sigmoid after both layers"),
        ("sign", s(-(s(X @ W1 + b1) @ W2 + b2)), "the output is sigma(-Z2): a minus sign crept into the sigmoid"),
    ]
    if b1.size == b2.size:
        slips.append(("wrong_point", s(s(X @ W1 + b1) @ W2 + b1), "b1 was added in the output layer: each layer "
                                                                  "has its own bias"))
    if W1.shape[0] == W1.shape[1]:
        slips.append(("transposed", s(s(X @ W1.T + b1) @ W2 + b2),
                      "it equals the network with W1.T in place of W1: W1[i, j] connects input i to unit j"))
    return slips


def _hidden_shape(ex: str, name: str, got: np.ndarray, X, W1, b1, W2, tested: str) -> None:
    """Output shaped (N, n_hidden): b1 broadcast into the output layer, or A1 returned."""
    if b1.size != W2.shape[1] and W2.shape[1] == 1 and \
            v.close(got, sigma(sigma(X @ W1 + b1) @ W2 + b1), rtol=v.LOOSE, atol_rel=v.LOOSE):
        raise v.fail(ex, "wrong_point", "b1 was added in the output layer: each layer has its own bias",
                     tested=tested, problem=f"{name} has shape {got.shape}: adding b1 {b1.shape} to Z2 "
                                            f"{(X.shape[0], 1)} broadcast it to the hidden layer's width",
                     hint="the output layer adds b2", details={"output": name})
    raise v.fail(ex, "wrong_shape", f"{name} has the shape of the hidden layer", tested=tested,
                 problem=f"{name} has shape {got.shape} = (N, n_hidden); expected (N, n_out) = "
                         f"{(X.shape[0], W2.shape[1])}",
                 hint="return the output of the second layer, not the hidden activations A1",
                 details={"output": name})


@register("forward_pass", "forward_pass(X, W1, b1, W2, b2) -> A2 = sigma(sigma(X W1 + b1) W2 + b2) of shape (N, n_out)")
def judge(call, rng: np.random.Generator) -> None:
    """Values, shape, dtype and input mutation; wrong values are matched against the classic slips."""
    ex, name = "forward_pass", "A2"
    for n, n_in, n_h, n_out in _cases(rng):
        X = rng.standard_normal((n, n_in))
        W1, b1 = rng.standard_normal((n_in, n_h)) * 1.5, rng.standard_normal(n_h)
        W2, b2 = rng.standard_normal((n_h, n_out)) * 1.5, rng.standard_normal(n_out)
        tested = f"forward_pass(X, W1, b1, W2, b2) with {v.shapes_text(X=X, W1=W1, b1=b1, W2=W2, b2=b2)}, float64"
        out = call("impl", X, W1, b1, W2, b2)
        got = v.as_array(ex, name, v.outcome_value(ex, out, tested), tested)
        if got.shape == (n, n_h) and n_h != n_out:
            _hidden_shape(ex, name, got, X, W1, b1, W2, tested)
        v.check_form(ex, name, got, (n, n_out), tested)
        v.check_warnings(ex, out, tested, False)
        v.check_mutation(ex, out, {"X": X, "W1": W1, "b1": b1, "W2": W2, "b2": b2}, tested)
        v.check_values(ex, name, got, sigma(sigma(X @ W1 + b1) @ W2 + b2), tested,
                       alternatives=_slips(X, W1, b1, W2, b2),
                       hint="write the four lines Z1, A1, Z2, A2 one after the other; each layer's output "
                            "is the next layer's input")


def check_forward_pass(forward_pass: Callable, *, seed: int | None = None) -> None:
    """Check ``forward_pass(X, W1, b1, W2, b2) -> A2`` (chapter 01)."""
    run_check("forward_pass", {"impl": forward_pass}, seed)
