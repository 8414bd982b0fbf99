"""The network_gradients check (chapter 03) names the classic slips of backpropagation."""

import numpy as np
import pytest

import mlp_lab as ml
from checks import check_network_gradients
from support import Attempt, failure_of, judged, numerical_gradient

EXERCISE = "network_gradients"


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def ng_column_vectors(X, Y, W1, b1, W2, b2):
    """Textbook column-vector deltas (examples as columns), transposed back at the end."""
    a0, y = X.T, Y.T
    z1 = W1.T @ a0 + b1[:, None]
    a1 = sig(z1)
    z2 = W2.T @ a1 + b2[:, None]
    a2 = sig(z2)
    n = X.shape[0]
    delta2 = (a2 - y) * a2 * (1 - a2) / n
    delta1 = (W2 @ delta2) * a1 * (1 - a1)
    L = np.sum((a2 - y) ** 2) / (2 * n)
    return L, (delta1 @ a0.T).T, delta1.sum(axis=1), (delta2 @ a1.T).T, delta2.sum(axis=1)


def ng_per_example_loop(X, Y, W1, b1, W2, b2):
    """One example at a time, gradients accumulated with einsum-free outer products."""
    n = X.shape[0]
    grads = [np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(W2), np.zeros_like(b2)]
    L = 0.0
    for x, y in zip(X, Y):
        a1 = sig(x @ W1 + b1)
        a2 = sig(a1 @ W2 + b2)
        L += 0.5 * np.sum((a2 - y) ** 2) / n
        d2 = (a2 - y) * a2 * (1 - a2) / n
        d1 = (W2 @ d2) * a1 * (1 - a1)
        for g, v in zip(grads, (np.outer(x, d1), d1, np.outer(a1, d2), d2)):
            g += v
    return (L, *grads)


def ng_sign(*args):
    L, *g = ml.network_gradients(*args)
    return (L, *[-x for x in g])


def ng_missing_1_over_n(X, Y, W1, b1, W2, b2):
    L, dW1, db1, dW2, db2 = ml.network_gradients(X, Y, W1, b1, W2, b2)
    n = X.shape[0]
    return L, dW1 * n, db1 * n, dW2 * n, db2 * n


def ng_transposed(*args):
    L, dW1, db1, dW2, db2 = ml.network_gradients(*args)
    return L, dW1, db1, dW2.T, db2


def ng_db_not_summed(X, Y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = sig(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sig(Z2)
    dZ2 = (A2 - Y) / len(X) * A2 * (1 - A2)
    dZ1 = dZ2 @ W2.T * A1 * (1 - A1)
    return 0.5 * np.mean(np.sum((A2 - Y) ** 2, axis=1)), X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2


def ng_blog_not_passed_on(X, Y, W1, b1, W2, b2):
    """The blog's slip: dA1 is computed but the hidden layer gets dA2 again."""
    Z1 = X @ W1 + b1
    A1 = sig(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sig(Z2)
    L, dA2 = ml.mse(A2, Y)
    dZ2 = ml.sigmoid_backward(dA2, Z2)
    dA1, dW2, db2 = ml.linear_backward(dZ2, A1, W2)
    dZ1 = ml.sigmoid_backward(dA2, Z1)
    _, dW1, db1 = ml.linear_backward(dZ1, X, W1)
    return L, dW1, db1, dW2, db2


def ng_sigma_prime_at_output(X, Y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = sig(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sig(Z2)
    L, dA2 = ml.mse(A2, Y)
    dZ2 = dA2 * A2 * (1 - A2)
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * ml.sigmoid_prime(A1)          # sigma' at A1 instead of Z1
    return L, X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def ng_loss_without_half(*args):
    L, *g = ml.network_gradients(*args)
    return (2 * L, *g)


def ng_steps_in_place(X, Y, W1, b1, W2, b2):
    out = ml.network_gradients(X, Y, W1, b1, W2, b2)
    W1 -= 0.1 * out[1]                        # a gradient step inside the backward pass
    return out


def ng_float32(*args):
    L, *g = ml.network_gradients(*args)
    return (L, *[x.astype(np.float32) for x in g])


def ng_unimplemented(*args):
    raise NotImplementedError("network_gradients: write me")


def ng_returns_none(*args):
    ml.network_gradients(*args)


def ng_raises(X, Y, W1, b1, W2, b2):
    Z1 = X.T @ W1 + b1                       # (n_in, N) @ (n_in, n_h): the shapes do not meet
    return ml.network_gradients(X, Y, W1, b1, W2, b2) if Z1 is None else None


def ng_shortcut(X, Y, W1, b1, W2, b2):
    """The cross-entropy shortcut dZ2 = (A2 - Y) / N used with the squared error."""
    A1 = sig(X @ W1 + b1)
    A2 = sig(A1 @ W2 + b2)
    L, dA2 = ml.mse(A2, Y)
    dZ2 = dA2
    dZ1 = dZ2 @ W2.T * A1 * (1 - A1)
    return L, X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def ng_prime_at_activations(X, Y, W1, b1, W2, b2):
    """sigma' evaluated at A2 and A1 in both layers."""
    A1 = sig(X @ W1 + b1)
    A2 = sig(A1 @ W2 + b2)
    L, dA2 = ml.mse(A2, Y)
    dZ2 = dA2 * ml.sigmoid_prime(A2)
    dZ1 = dZ2 @ W2.T * ml.sigmoid_prime(A1)
    return L, X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def ng_mean_over_outputs(*args):
    """The squared error averaged over N * n_out entries (np.mean over everything)."""
    L, *g = ml.network_gradients(*args)
    n_out = args[1].shape[1]
    return (L / n_out, *[x / n_out for x in g])


def ng_bias_summed_everywhere(*args):
    L, dW1, db1, dW2, db2 = ml.network_gradients(*args)
    return L, dW1, db1, dW2, np.sum(db2)          # np.sum(dZ2): every axis, one number


def ng_loss_off_by_a_bit(*args):
    L, *g = ml.network_gradients(*args)
    return (L + 0.123, *g)


WRONG = [
    Attempt("sign", ng_sign, "sign"),
    Attempt("missing 1/N", ng_missing_1_over_n, "scale"),
    Attempt("dW2 transposed", ng_transposed, "transposed"),
    Attempt("db2 not summed", ng_db_not_summed, "not_summed_over_batch"),
    Attempt("db2 summed over every axis", ng_bias_summed_everywhere, "wrong_axis"),
    Attempt("dA1 not passed on (the blog's slip)", ng_blog_not_passed_on, "wrong_point"),
    Attempt("sigma' at A1 in the hidden layer", ng_sigma_prime_at_output, "wrong_point"),
    Attempt("sigma' at the activations in both layers", ng_prime_at_activations, "wrong_point"),
    Attempt("cross-entropy shortcut with the squared error", ng_shortcut, "wrong_formula"),
    Attempt("mean over N * n_out", ng_mean_over_outputs, "scale"),
    Attempt("loss without the 1/2", ng_loss_without_half, "scale"),
    Attempt("loss off by a constant", ng_loss_off_by_a_bit, "wrong_value"),
    Attempt("steps in place", ng_steps_in_place, "mutates_input"),
    Attempt("float32", ng_float32, "wrong_dtype"),
    Attempt("not implemented", ng_unimplemented, "not_implemented"),
    Attempt("returns None", ng_returns_none, "wrong_type"),
    Attempt("raises", ng_raises, "exception"),
]

RIGHT = [
    Attempt("column vectors", ng_column_vectors),
    Attempt("per-example loop", ng_per_example_loop),
]


@pytest.mark.parametrize("attempt", WRONG + RIGHT, ids=str)
def test_verdict(attempt):
    assert judged(EXERCISE, attempt) == attempt.verdict


def test_blog_bug_names_the_hidden_layer():
    text = str(failure_of(check_network_gradients, ng_blog_not_passed_on))
    assert "dW1" in text.splitlines()[0] and "dA1" in text


def test_mean_over_outputs_is_stated_the_right_way_round():
    first = str(failure_of(check_network_gradients, ng_mean_over_outputs)).splitlines()[0]
    assert "2 times too small" in first and "n_out" in first and "too large" not in first


def test_reference_matches_finite_differences():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(3, 4)), rng.random((3, 2))
    params = [rng.normal(size=(4, 5)), rng.normal(size=5), rng.normal(size=(5, 2)), rng.normal(size=2)]
    _, *grads = ml.network_gradients(X, Y, *params)
    for i, g in enumerate(grads):
        def loss_of(i=i):
            return ml.network_gradients(X, Y, *params)[0]
        numeric = numerical_gradient(loss_of, params[i])
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)
