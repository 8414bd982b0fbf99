"""Losses and penalties: (loss, dscores) against centred differences in float64, a wrong
gradient failing the same check, values against direct formulas, stability, dtypes, errors."""

import math

import numpy as np
import pytest

import mlp_lab as ml
from support import numerical_gradient, rel_error


def gradient_error(loss_fn, scores, target, upstream):
    """Relative error of upstream * dscores against the numerical gradient of upstream * loss."""
    value, dscores = loss_fn(scores, target)
    assert isinstance(value, float)
    assert dscores.shape == scores.shape and dscores.dtype == scores.dtype
    numeric = numerical_gradient(lambda: upstream * loss_fn(scores, target)[0], scores)
    return rel_error(upstream * dscores, numeric)


def cases(seed=0):
    """(name, loss function, scores, target) in float64, inside each loss's domain."""
    rng = np.random.default_rng(seed)
    n, k = 5, 4
    probs = ml.softmax(rng.standard_normal((n, k)))
    return {
        "mse": (ml.mse, rng.standard_normal((n, k)), rng.standard_normal((n, k))),
        "binary_cross_entropy": (ml.binary_cross_entropy, rng.uniform(0.1, 0.9, (n, 1)),
                                 rng.integers(0, 2, (n, 1)).astype(np.float64)),
        "binary_cross_entropy_with_logits": (ml.binary_cross_entropy_with_logits, 3 * rng.standard_normal((n, 1)),
                                             rng.integers(0, 2, (n, 1)).astype(np.float64)),
        "softmax_cross_entropy": (ml.softmax_cross_entropy, 3 * rng.standard_normal((n, k)), rng.integers(0, k, n)),
        "cross_entropy": (ml.cross_entropy, probs, rng.integers(0, k, n)),
    }


NAMES = list(cases())


@pytest.mark.parametrize("name", NAMES)
def test_dscores_matches_numerical_gradient(name):
    loss_fn, scores, target = cases()[name]
    upstream = np.random.default_rng(1).uniform(0.5, 2.0)  # a random upstream gradient (a scalar here)
    err = gradient_error(loss_fn, scores, target, upstream)
    assert err < 1e-7, f"{name}: relative error {err:.2e}"


# --- deliberately wrong gradients fail the same check ----------------------------------------

def without_one_over_n(loss_fn):
    def wrong(scores, target):
        value, d = loss_fn(scores, target)
        return value, d * len(scores)
    return wrong


def flipped_sign(loss_fn):
    def wrong(scores, target):
        value, d = loss_fn(scores, target)
        return value, -d
    return wrong


def mse_with_factor_two(scores, target):
    value, d = ml.mse(scores, target)
    return value, 2 * d


def softmax_ce_unnormalised(scores, y):
    """P - Y without dividing by N: the most common slip."""
    value, _ = ml.softmax_cross_entropy(scores, y)
    P = ml.softmax(scores)
    P[np.arange(len(y)), y] -= 1
    return value, P


@pytest.mark.parametrize("name, wrong", [
    ("mse", mse_with_factor_two),
    ("binary_cross_entropy", flipped_sign(ml.binary_cross_entropy)),
    ("binary_cross_entropy_with_logits", without_one_over_n(ml.binary_cross_entropy_with_logits)),
    ("softmax_cross_entropy", softmax_ce_unnormalised),
    ("cross_entropy", flipped_sign(ml.cross_entropy)),
])
def test_a_wrong_gradient_fails_the_check(name, wrong):
    _, scores, target = cases()[name]
    err = gradient_error(wrong, scores, target, 1.3)
    assert err > 1e-2, f"the check missed a wrong gradient for {name} (error {err:.2e})"


# --- values against direct formulas ----------------------------------------------------------

def test_values_against_the_textbook_formulas():
    c = cases(3)
    pred, target = c["mse"][1:]
    assert ml.mse(pred, target)[0] == pytest.approx(0.5 * np.sum((pred - target) ** 2) / len(pred), rel=1e-12)
    p, t = c["binary_cross_entropy"][1:]
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert ml.binary_cross_entropy(p, t)[0] == pytest.approx(expected, rel=1e-12)
    z, t = c["binary_cross_entropy_with_logits"][1:]
    s = 1 / (1 + np.exp(-z))
    assert ml.binary_cross_entropy_with_logits(z, t)[0] == pytest.approx(
        -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s)), rel=1e-10)
    Z, y = c["softmax_cross_entropy"][1:]
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert ml.softmax_cross_entropy(Z, y)[0] == pytest.approx(-np.mean(np.log(P[np.arange(len(y)), y])), rel=1e-12)
    assert ml.cross_entropy(P, y)[0] == pytest.approx(ml.softmax_cross_entropy(Z, y)[0], rel=1e-12)


def test_uniform_scores_give_log_k():
    assert ml.softmax_cross_entropy(np.zeros((3, 10)), np.array([0, 4, 9]))[0] == pytest.approx(math.log(10))


def test_fused_gradient_equals_the_chain_through_the_softmax_jacobian():
    _, Z, y = cases(4)["softmax_cross_entropy"]
    P = ml.softmax(Z)
    _, dP = ml.cross_entropy(P, y)
    # dZ[n] = J[n]^T dP[n] with J[n] = diag(P[n]) - P[n] P[n]^T
    dZ_chain = np.stack([(np.diag(p) - np.outer(p, p)).T @ d for p, d in zip(P, dP)])
    np.testing.assert_allclose(ml.softmax_cross_entropy(Z, y)[1], dZ_chain, rtol=1e-10, atol=1e-14)


# --- stability -------------------------------------------------------------------------------

def test_huge_logits_give_finite_losses_and_gradients():
    Z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    y = np.array([1, 2])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, dZ = ml.softmax_cross_entropy(Z, y)
        bce, dz = ml.binary_cross_entropy_with_logits(np.array([[800.0], [-800.0]]), np.array([[0.0], [0.0]]))
    assert loss == pytest.approx((2000 + 1 + math.log1p(math.exp(-1) + 0)) / 2, rel=1e-9)
    assert bce == pytest.approx(400.0)
    assert np.all(np.isfinite(dZ)) and np.all(np.isfinite(dz))


def test_probabilities_of_exactly_zero_and_one_do_not_give_inf():
    p = np.array([[0.0], [1.0]])
    loss, d = ml.binary_cross_entropy(p, np.array([[1.0], [0.0]]))
    assert np.isfinite(loss) and np.all(np.isfinite(d))
    loss, d = ml.cross_entropy(np.array([[1.0, 0.0]]), np.array([1]))
    assert np.isfinite(loss) and np.all(np.isfinite(d))


# --- dtypes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_float32_scores_give_float32_gradients(name):
    loss_fn, scores, target = cases()[name]
    scores32 = scores.astype(np.float32)
    if target.dtype.kind == "f":
        target = target.astype(np.float32)
    value, d = loss_fn(scores32, target)
    assert d.dtype == np.float32 and isinstance(value, float)
    np.testing.assert_allclose(d, loss_fn(scores, target)[1], rtol=1e-4, atol=1e-6)


def test_losses_do_not_modify_their_inputs():
    for name, (loss_fn, scores, target) in cases(5).items():
        before = scores.copy(), target.copy()
        loss_fn(scores, target)
        np.testing.assert_array_equal(scores, before[0], err_msg=name)
        np.testing.assert_array_equal(target, before[1], err_msg=name)


# --- clear errors ----------------------------------------------------------------------------

def test_one_hot_labels_get_a_hint():
    with pytest.raises(ValueError, match=r"softmax_cross_entropy.*\(3,\).*argmax"):
        ml.softmax_cross_entropy(np.zeros((3, 4)), np.eye(4)[[0, 1, 2]])


def test_labels_out_of_range_and_float_labels_are_refused():
    with pytest.raises(ValueError, match=r"0\.\.3 for 4 classes.*from 0 to 4"):
        ml.softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 4]))
    with pytest.raises(ValueError, match="integers.*float64"):
        ml.cross_entropy(np.full((2, 4), 0.25), np.array([0.0, 1.0]))


def test_label_count_must_match_the_rows():
    with pytest.raises(ValueError, match=r"shape \(3,\).*got \(2,\)"):
        ml.softmax_cross_entropy(np.zeros((3, 4)), np.array([0, 1]))


def test_target_shape_must_match_the_predictions():
    with pytest.raises(ValueError, match=r"mse: targets must have the shape of the predictions \(4, 2\), got \(4,\)"):
        ml.mse(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: .*\(3, 1\).*\(3,\)"):
        ml.binary_cross_entropy_with_logits(np.zeros((3, 1)), np.zeros(3))


def test_scores_must_be_a_batch():
    with pytest.raises(ValueError, match=r"softmax_cross_entropy.*2-D.*\(10,\)"):
        ml.softmax_cross_entropy(np.zeros(10), np.array([1]))


# --- penalties -------------------------------------------------------------------------------

def test_penalty_gradients_match_numerical_gradients():
    rng = np.random.default_rng(6)
    W = rng.standard_normal((4, 3))
    W[np.abs(W) < 0.05] = 0.3  # away from the kink of |W|
    for penalty in (ml.l2_penalty, ml.l1_penalty):
        value, dW = penalty(W, 0.7)
        assert isinstance(value, float) and dW.shape == W.shape
        err = rel_error(dW, numerical_gradient(lambda: penalty(W, 0.7)[0], W))
        assert err < 1e-7, f"{penalty.__name__}: {err:.2e}"


def test_wrong_penalty_gradients_fail_the_check():
    W = np.random.default_rng(7).standard_normal((4, 3)) + 0.5
    wrong = {"l2 without the 1/2": lambda W: (ml.l2_penalty(W, 0.7)[0], 2 * 0.7 * W),
             "l1 with W instead of sign(W)": lambda W: (ml.l1_penalty(W, 0.7)[0], 0.7 * W)}
    for name, penalty in wrong.items():
        err = rel_error(penalty(W)[1], numerical_gradient(lambda: penalty(W)[0], W))
        assert err > 1e-2, name


def test_penalty_values_and_float32():
    W = np.array([[1.0, -2.0], [0.0, 3.0]], dtype=np.float32)
    assert ml.l2_penalty(W, 0.1)[0] == pytest.approx(0.05 * 14)
    assert ml.l1_penalty(W, 0.1)[0] == pytest.approx(0.6)
    assert ml.l2_penalty(W, 0.1)[1].dtype == np.float32 and ml.l1_penalty(W, 0.1)[1].dtype == np.float32
    np.testing.assert_array_equal(ml.l1_penalty(W, 1.0)[1], [[1, -1], [0, 1]])
