"""Extra exercises of chapters 3 and 4: ``network_gradients`` and ``binary_cross_entropy_with_logits``.

Each judge follows the checks architecture: it builds cases from ``rng``, asks for evaluations only
through ``call``, and compares the results itself (so the grader can run it in another process).

- ``network_gradients(X, Y, W1, b1, W2, b2) -> (L, dW1, db1, dW2, db2)`` for
  Z1 = X W1 + b1, A1 = sigma(Z1), Z2 = A1 W2 + b2, A2 = sigma(Z2), L = (1/N) sum_n 1/2 ||A2[n] - Y[n]||^2.
- ``binary_cross_entropy_with_logits(z, y) -> (L, dz)`` with z, y of shape (N, 1):
  L = -(1/N) sum [y log sigma(z) + (1 - y) log(1 - sigma(z))], dz = (sigma(z) - y) / N.
"""

from __future__ import annotations

import numpy as np

from .registry import register
from .verdict import (LOOSE, as_array, as_scalar, as_tuple, check_form, check_mutation, check_values,
                      check_warnings, close, fail, fmt, outcome_value, shapes_text)

# --- reference implementations (the judges compute expected values with these) -------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def reference_network_gradients(X, Y, W1, b1, W2, b2):
    """L = (1/2N) sum (A2 - Y)^2 for the two-layer sigmoid network, and its gradients.

    X: (N, n_in), Y: (N, n_out), W1: (n_in, n_h), b1: (n_h,), W2: (n_h, n_out), b2: (n_out,).
    Returns (L, dW1, db1, dW2, db2), each gradient shaped like its parameter.
    """
    Z1 = X @ W1 + b1
    A1 = _sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    A2 = _sigmoid(Z2)
    n = X.shape[0]
    L = float(0.5 * np.sum((A2 - Y) ** 2) / n)
    dZ2 = (A2 - Y) / n * A2 * (1.0 - A2)
    dW2, db2, dA1 = A1.T @ dZ2, dZ2.sum(axis=0), dZ2 @ W2.T
    dZ1 = dA1 * A1 * (1.0 - A1)
    return L, X.T @ dZ1, dZ1.sum(axis=0), dW2, db2


def reference_binary_cross_entropy_with_logits(z, y):
    """L = mean[max(z, 0) - z y + log(1 + exp(-|z|))];  dz = (sigma(z) - y) / N.  z, y: (N, 1)."""
    n = z.shape[0]
    L = float(np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))) / n)
    return L, (_sigmoid(z) - y) / n


# --- diagnosis: the shared verdict helpers, plus a guard for one-number outputs ------------------

def _values(ex: str, name: str, got, expected, tested: str, hint: str, factors: dict, alternatives=()):
    """verdict.check_values, except that a single number is called a sign or scale slip only for a
    telling factor (-1, or one of ``factors``): any one number is a multiple of any other."""
    e = np.asarray(expected, dtype=np.float64)
    if e.size >= 2:
        check_values(ex, name, got, expected, tested, alternatives=alternatives, factors=factors, hint=hint,
                     scalar=e.ndim == 0)
        return
    g = np.asarray(got, dtype=np.float64)
    if close(g, e):
        return
    for mistake, alt, why in alternatives:
        if close(g, np.asarray(alt, dtype=np.float64), rtol=LOOSE, atol_rel=LOOSE):
            raise fail(ex, mistake, f"{name} is wrong: {why}", tested=tested,
                       problem=f"{name}: got {fmt(g)}, expected {fmt(e)}", hint=hint)
    named = {-1.0: "sign", **{f: "scale" for f in factors}}
    for factor, mistake in named.items():
        if close(g, factor * e, rtol=LOOSE, atol_rel=LOOSE):
            summary = "has the wrong sign" if mistake == "sign" else f"is {factor:g} times too large ({factors[factor]})"
            raise fail(ex, mistake, f"{name} {summary}", tested=tested,
                       problem=f"{name}: got {fmt(g)}, expected {fmt(e)}", hint=hint, details={"output": name})
    raise fail(ex, "wrong_value", f"{name} has a wrong value", tested=tested,
               problem=f"{name}: got {fmt(g)}, expected {fmt(e)}", hint=hint, details={"output": name})


def _batch_factors(n: int) -> dict:
    return {float(n): f"N = {n}: a missing 1/N?", 1.0 / n: f"1/N with N = {n}: divided by N twice?",
            2.0: "a missing 1/2?", 0.5: "an extra 1/2?"} if n > 2 else \
        {2.0: "a missing 1/2 or 1/N?", 0.5: "an extra 1/2 or 1/N?"}


# --- network_gradients -----------------------------------------------------------------------------

NG_NAMES = ("dW1", "db1", "dW2", "db2")
NG_ARGS = ("X", "Y", "W1", "b1", "W2", "b2")
NG_HINTS = {
    "dW2": "dW2 = A1^T dZ2 with dZ2 = dA2 * sigma'(Z2) and dA2 = (A2 - Y) / N.",
    "db2": "db2 adds up the rows of dZ2 (the bias gear has ratio 1).",
    "dW1": "the output layer's gradients are right, so look at what reaches the hidden layer: "
           "dA1 = dZ2 W2^T must be passed on to the hidden sigmoid, with sigma' evaluated at Z1.",
    "db1": "db1 adds up the rows of dZ1, the hidden layer's checkpoint.",
}


def _network_cases(rng: np.random.Generator):
    """(N, n_in, n_hidden, n_out): XOR-sized first, then random non-square ones, N = 1 included."""
    shapes = [(4, 2, 2, 1), (5, 3, 4, 2), (1, 3, 2, 4)]
    for _ in range(2):
        n_in, n_h, n_out = (int(v) for v in rng.choice(np.arange(2, 7), size=3, replace=False))
        shapes.append((int(rng.integers(2, 9)), n_in, n_h, n_out))
    for N, n_in, n_h, n_out in shapes:
        X = rng.normal(size=(N, n_in))
        Y = rng.random((N, n_out))
        W1, b1 = rng.normal(size=(n_in, n_h)), rng.normal(scale=0.5, size=n_h)
        W2, b2 = rng.normal(size=(n_h, n_out)), rng.normal(scale=0.5, size=n_out)
        yield (X, Y, W1, b1, W2, b2)


@register("network_gradients", "network_gradients(X, Y, W1, b1, W2, b2) -> (L, dW1, db1, dW2, db2)")
def judge_network_gradients(call, rng: np.random.Generator) -> None:
    """Pass silently or raise CheckFailure; evaluates the learner's function only through ``call``."""
    ex = "network_gradients"
    for args in _network_cases(rng):
        X, Y, W1, b1, W2, b2 = args
        N = X.shape[0]
        tested = "network_gradients(" + shapes_text(**dict(zip(NG_ARGS, args))) + ")"
        out = call("impl", *args)
        value = as_tuple(ex, outcome_value(ex, out, tested), ("L",) + NG_NAMES, tested)
        check_warnings(ex, out, tested, extreme=False)
        check_mutation(ex, out, dict(zip(NG_ARGS, args)), tested)
        expected = reference_network_gradients(*args)
        L = as_scalar(ex, "the loss L", value[0], tested, batch=N)
        grads = [as_array(ex, name, v, tested) for name, v in zip(NG_NAMES, value[1:])]
        for name, got, want in zip(NG_NAMES, grads, expected[1:]):
            check_form(ex, name, got, want.shape, tested, batch=N)
        # output layer first: if it is wrong, that is the first thing to fix
        for i in (2, 3, 0, 1):
            _values(ex, NG_NAMES[i], grads[i], expected[i + 1], tested, NG_HINTS[NG_NAMES[i]], _batch_factors(N))
        if not np.isfinite(L):
            raise fail(ex, "nan_or_inf", "the loss L is nan or inf", tested=tested, problem=f"L = {L}",
                       hint="check the forward pass")
        _values(ex, "the loss L", L, expected[0], tested,
                "L = (1/N) sum_n 1/2 ||A2[n] - Y[n]||^2; ml.mse computes exactly this.", _batch_factors(N))


# --- binary_cross_entropy_with_logits ---------------------------------------------------------------

def _bce_cases(rng: np.random.Generator):
    for N in (5, 1, int(rng.integers(6, 13))):
        z = rng.normal(scale=3.0, size=(N, 1))
        y = rng.integers(0, 2, size=(N, 1)).astype(np.float64)
        yield z, y, False
    z = np.array([[1000.0], [-1000.0], [800.0], [-750.0], [35.0], [-40.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0], [0.0], [1.0]])
    yield z, y, True


@register("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits(z, y) -> (L, dz)")
def judge_binary_cross_entropy_with_logits(call, rng: np.random.Generator) -> None:
    """Pass silently or raise CheckFailure; evaluates the learner's function only through ``call``."""
    ex = "binary_cross_entropy_with_logits"
    for z, y, extreme in _bce_cases(rng):
        N = z.shape[0]
        tested = f"binary_cross_entropy_with_logits(z {z.shape}, y {y.shape})" + \
            (f" with logits as large as |z| = {np.max(np.abs(z)):.0f}" if extreme else "")
        out = call("impl", z, y)
        value = as_tuple(ex, outcome_value(ex, out, tested), ("L", "dz"), tested)
        check_warnings(ex, out, tested, extreme=extreme)
        check_mutation(ex, out, {"z": z, "y": y}, tested)
        L_exp, dz_exp = reference_binary_cross_entropy_with_logits(z, y)
        L = as_scalar(ex, "the loss L", value[0], tested, batch=N)
        if not np.isfinite(L):
            raise fail(ex, "overflow" if extreme else "nan_or_inf", "the loss L is nan or inf", tested=tested,
                       problem=f"L = {L}, expected {L_exp:.6g}",
                       hint="log(sigmoid(z)) or log(1 - sigmoid(z)) reaches log(0); use the stable form from the text")
        dz = as_array(ex, "dz", value[1], tested)
        check_form(ex, "dz", dz, dz_exp.shape, tested, batch=N, extreme=extreme)
        p = _sigmoid(z)
        twice = ("wrong_value", dz_exp * p * (1.0 - p), "it is (sigma(z) - y)/N multiplied by sigma'(z) again")
        _values(ex, "dz", dz, dz_exp, tested,
                "with binary cross-entropy, (sigma(z) - y)/N is already the gradient with respect to the logit "
                "z: the sigmoid's derivative cancelled in the derivation, so it must not be applied again",
                _batch_factors(N), alternatives=(twice,))
        _values(ex, "the loss L", L, L_exp, tested,
                "L averages max(z, 0) - z*y + log1p(exp(-|z|)) over the N examples", _batch_factors(N))


# --- the public checks -------------------------------------------------------------------------------

def check_network_gradients(network_gradients, *, seed: int | None = None) -> None:
    """Check ``network_gradients(X, Y, W1, b1, W2, b2) -> (L, dW1, db1, dW2, db2)`` (chapter 3).

    Prints one fixed line on success; raises CheckFailure naming the likely mistake otherwise.
    """
    from .runner import run_check
    return run_check("network_gradients", {"impl": network_gradients}, seed=seed)


def check_binary_cross_entropy_with_logits(binary_cross_entropy_with_logits, *, seed: int | None = None) -> None:
    """Check ``binary_cross_entropy_with_logits(z, y) -> (L, dz)`` for z, y of shape (N, 1) (chapter 4).

    Prints one fixed line on success; raises CheckFailure naming the likely mistake otherwise.
    """
    from .runner import run_check
    return run_check("binary_cross_entropy_with_logits", {"impl": binary_cross_entropy_with_logits}, seed=seed)
