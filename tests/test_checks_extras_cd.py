"""The extra checks of chapters 3 and 4 catch the classic wrong implementations and pass right ones."""

import numpy as np
import pytest

import mlp_lab as ml
from checks.calling import LocalCaller
from checks.extras_cd import (check_binary_cross_entropy_with_logits, check_network_gradients,
                              reference_binary_cross_entropy_with_logits, reference_network_gradients)
from checks.failure import CheckFailure
from checks.gradcheck import numerical_gradient
from checks.registry import EXERCISES
from checks.runner import judge_exercise


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- network_gradients: right implementations written differently -----------------------------------

def ng_from_mlp_lab(X, Y, W1, b1, W2, b2):
    """The chapter's solution: mlp_lab's gears chained."""
    Z1 = ml.linear_forward(X, W1, b1)
    A1 = ml.sigmoid(Z1)
    Z2 = ml.linear_forward(A1, W2, b2)
    A2 = ml.sigmoid(Z2)
    L, dA2 = ml.mse(A2, Y)
    dZ2 = ml.sigmoid_backward(dA2, Z2)
    dA1, dW2, db2 = ml.linear_backward(dZ2, A1, W2)
    dZ1 = ml.sigmoid_backward(dA1, Z1)
    _, dW1, db1 = ml.linear_backward(dZ1, X, W1)
    return L, dW1, db1, dW2, db2


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


# --- network_gradients: wrong implementations and the expected diagnosis ------------------------------

def ng_sign(*args):
    L, *g = ng_from_mlp_lab(*args)
    return (L, *[-x for x in g])


def ng_missing_1_over_n(X, Y, W1, b1, W2, b2):
    L, dW1, db1, dW2, db2 = ng_from_mlp_lab(X, Y, W1, b1, W2, b2)
    n = X.shape[0]
    return L, dW1 * n, db1 * n, dW2 * n, db2 * n


def ng_transposed(*args):
    L, dW1, db1, dW2, db2 = ng_from_mlp_lab(*args)
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
    L, *g = ng_from_mlp_lab(*args)
    return (2 * L, *g)


def ng_steps_in_place(X, Y, W1, b1, W2, b2):
    out = ng_from_mlp_lab(X, Y, W1, b1, W2, b2)
    W1 -= 0.1 * out[1]                        # a gradient step inside the backward pass
    return out


def ng_float32(*args):
    L, *g = ng_from_mlp_lab(*args)
    return (L, *[x.astype(np.float32) for x in g])


def ng_unimplemented(*args):
    raise NotImplementedError("network_gradients: write me")


def ng_returns_none(*args):
    ng_from_mlp_lab(*args)


def ng_raises(X, Y, W1, b1, W2, b2):
    Z1 = X.T @ W1 + b1                       # (n_in, N) @ (n_in, n_h): the shapes do not meet
    return ng_from_mlp_lab(X, Y, W1, b1, W2, b2) if Z1 is None else None


NG_WRONG = [
    (ng_sign, "sign"),
    (ng_missing_1_over_n, "scale"),
    (ng_transposed, "transposed"),
    (ng_db_not_summed, "not_summed_over_batch"),
    (ng_blog_not_passed_on, "wrong_value"),
    (ng_sigma_prime_at_output, "wrong_value"),
    (ng_loss_without_half, "scale"),
    (ng_steps_in_place, "mutates_input"),
    (ng_float32, "wrong_dtype"),
    (ng_unimplemented, "not_implemented"),
    (ng_returns_none, "wrong_type"),
    (ng_raises, "exception"),
]


@pytest.mark.parametrize("impl", [ng_from_mlp_lab, ng_column_vectors, ng_per_example_loop, reference_network_gradients])
def test_network_gradients_right_ones_pass(impl, capsys):
    check_network_gradients(impl)
    assert capsys.readouterr().out == "✔ network_gradients: all checks passed\n"


@pytest.mark.parametrize("impl, mistake", NG_WRONG, ids=[f.__name__ for f, _ in NG_WRONG])
def test_network_gradients_wrong_ones_fail(impl, mistake):
    with pytest.raises(CheckFailure) as info:
        check_network_gradients(impl)
    assert info.value.mistake == mistake, str(info.value)
    assert str(info.value).startswith("✘ network_gradients: ")


def test_blog_bug_names_the_hidden_layer():
    with pytest.raises(CheckFailure) as info:
        check_network_gradients(ng_blog_not_passed_on)
    assert "dW1" in str(info.value) and "dA1" in str(info.value)


def test_network_gradients_reference_matches_finite_differences():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(3, 4)), rng.random((3, 2))
    params = [rng.normal(size=(4, 5)), rng.normal(size=5), rng.normal(size=(5, 2)), rng.normal(size=2)]
    _, *grads = reference_network_gradients(X, Y, *params)
    for i, g in enumerate(grads):
        def loss_of(p, i=i):
            ps = list(params)
            ps[i] = p
            return np.array(reference_network_gradients(X, Y, *ps)[0])
        numeric = numerical_gradient(loss_of, params[i].copy(), np.array(1.0))
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)


# --- binary_cross_entropy_with_logits ------------------------------------------------------------------

def bce_logaddexp(z, y):
    return float(np.mean(np.logaddexp(0.0, z) - z * y)), (ml.sigmoid(z) - y) / len(z)


def bce_branches(z, y):
    """Per-sign branches, each exponentiating only non-positive numbers."""
    pos = z >= 0
    e = np.exp(np.where(pos, -z, z))
    log1pexp = np.where(pos, z + np.log1p(e), np.log1p(e))
    p = np.where(pos, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(np.sum(log1pexp - z * y) / z.shape[0]), (p - y) / z.shape[0]


def bce_notebook(z, y):
    N = z.shape[0]
    L = np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))) / N
    return float(L), (ml.sigmoid(z) - y) / N


def bce_blog_sigma_prime_twice(z, y):
    L, dz = bce_notebook(z, y)
    p = ml.sigmoid(z)
    return L, dz * p * (1 - p)


def bce_unstable(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))), (p - y) / len(z)


def bce_sign(z, y):
    L, dz = bce_notebook(z, y)
    return L, -dz


def bce_dz_missing_1_over_n(z, y):
    L, dz = bce_notebook(z, y)
    return L, dz * len(z)


def bce_loss_summed(z, y):
    L, dz = bce_notebook(z, y)
    return L * len(z), dz


def bce_flat_dz(z, y):
    L, dz = bce_notebook(z, y)
    return L, dz.ravel()


def bce_reuses_z(z, y):
    L, _ = bce_notebook(z, y)
    dz = z
    dz[:] = (ml.sigmoid(z) - y) / len(z)
    return L, dz


def bce_float32(z, y):
    L, dz = bce_notebook(z, y)
    return L, dz.astype(np.float32)


def bce_only_loss(z, y):
    return bce_notebook(z, y)[0]


BCE_WRONG = [
    (bce_blog_sigma_prime_twice, "wrong_value"),
    (bce_unstable, "overflow"),
    (bce_sign, "sign"),
    (bce_dz_missing_1_over_n, "scale"),
    (bce_loss_summed, "scale"),
    (bce_flat_dz, "wrong_shape"),
    (bce_reuses_z, "mutates_input"),
    (bce_float32, "wrong_dtype"),
    (bce_only_loss, "wrong_type"),
]


@pytest.mark.parametrize("impl", [bce_logaddexp, bce_branches, bce_notebook, ml.binary_cross_entropy_with_logits,
                                  reference_binary_cross_entropy_with_logits])
def test_bce_right_ones_pass(impl, capsys):
    check_binary_cross_entropy_with_logits(impl)
    assert capsys.readouterr().out == "✔ binary_cross_entropy_with_logits: all checks passed\n"


@pytest.mark.parametrize("impl, mistake", BCE_WRONG, ids=[f.__name__ for f, _ in BCE_WRONG])
def test_bce_wrong_ones_fail(impl, mistake):
    with pytest.raises(CheckFailure) as info:
        check_binary_cross_entropy_with_logits(impl)
    assert info.value.mistake == mistake, str(info.value)


def test_blog_bce_bug_is_explained():
    with pytest.raises(CheckFailure) as info:
        check_binary_cross_entropy_with_logits(bce_blog_sigma_prime_twice)
    assert "sigma'(z) again" in str(info.value)


# --- registry, seeds, one-number guard ----------------------------------------------------------------

def test_registered_with_signatures():
    for name in ("network_gradients", "binary_cross_entropy_with_logits"):
        assert name in EXERCISES and name in EXERCISES[name].signature


@pytest.mark.parametrize("seed", [1, 2, 12345])
def test_other_seeds_still_judge_correctly(seed):
    assert judge_exercise("network_gradients", LocalCaller({"impl": ng_column_vectors}), seed) \
        == "✔ network_gradients: all checks passed"
    with pytest.raises(CheckFailure):
        judge_exercise("network_gradients", LocalCaller({"impl": ng_blog_not_passed_on}), seed)
    with pytest.raises(CheckFailure):
        judge_exercise("binary_cross_entropy_with_logits", LocalCaller({"impl": bce_blog_sigma_prime_twice}), seed)


def test_a_wrong_single_number_is_not_called_a_scale_slip():
    def loss_off_by_a_bit(*args):
        L, *g = ng_from_mlp_lab(*args)
        return (L + 0.123, *g)
    with pytest.raises(CheckFailure) as info:
        check_network_gradients(loss_off_by_a_bit)
    assert info.value.mistake == "wrong_value"
