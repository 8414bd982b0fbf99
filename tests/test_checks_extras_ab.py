"""The chapter-1 extra check ``forward_pass`` catches the classic slips and passes right answers."""

import numpy as np
import pytest

import mlp_lab as ml
from checks.calling import LocalCaller
from checks.extras_ab import check_forward_pass, reference_forward_pass
from checks.failure import CheckFailure
from checks.registry import EXERCISES, PASS_LINE
from checks.runner import judge_exercise


def sig(z):
    """A sigmoid written differently from the reference: two stable branches."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# --- right implementations, written differently ------------------------------------------------------

def fp_mlp_lab(X, W1, b1, W2, b2):
    """The chapter's solution, with mlp_lab's pieces."""
    Z1 = ml.linear_forward(X, W1, b1)
    A1 = ml.sigmoid(Z1)
    return ml.sigmoid(ml.linear_forward(A1, W2, b2))


def fp_loops(X, W1, b1, W2, b2):
    """Example by example and unit by unit, with np.dot."""
    out = np.empty((X.shape[0], W2.shape[1]))
    for n, x in enumerate(X):
        hidden = np.array([sig(np.dot(x, W1[:, j]) + b1[j]) for j in range(W1.shape[1])])
        for k in range(W2.shape[1]):
            out[n, k] = sig(np.dot(hidden, W2[:, k]) + b2[k])
    return out


def fp_column_vectors(X, W1, b1, W2, b2):
    """Textbook column vectors: examples as columns, transposed back at the end."""
    a1 = sig(W1.T @ X.T + b1[:, None])
    return sig(W2.T @ a1 + b2[:, None]).T


def fp_einsum_tanh(X, W1, b1, W2, b2):
    """einsum for the products and sigma(z) = (1 + tanh(z/2)) / 2."""
    s = lambda z: 0.5 + 0.5 * np.tanh(z / 2)  # noqa: E731
    return s(np.einsum("nh,ho->no", s(np.einsum("ni,ih->nh", X, W1) + b1), W2) + b2)


# --- wrong implementations, each with the diagnosis it must get -------------------------------------

def no_output_sigmoid(X, W1, b1, W2, b2):
    return sig(X @ W1 + b1) @ W2 + b2


def no_hidden_sigmoid(X, W1, b1, W2, b2):
    return sig((X @ W1 + b1) @ W2 + b2)


def no_biases(X, W1, b1, W2, b2):
    return sig(sig(X @ W1) @ W2)


def relu_hidden(X, W1, b1, W2, b2):
    return sig(np.maximum(X @ W1 + b1, 0) @ W2 + b2)


def w1_transposed(X, W1, b1, W2, b2):
    return sig(sig(X @ W1.T + b1) @ W2 + b2)


def returns_hidden(X, W1, b1, W2, b2):
    return sig(X @ W1 + b1)


def returns_transposed(X, W1, b1, W2, b2):
    return sig(sig(X @ W1 + b1) @ W2 + b2).T


def float32_out(X, W1, b1, W2, b2):
    return fp_mlp_lab(X, W1, b1, W2, b2).astype(np.float32)


def mutates_x(X, W1, b1, W2, b2):
    X *= 1.0
    X += 0.0
    X[0, 0] = 0.0
    return sig(sig(X @ W1 + b1) @ W2 + b2)


def naive_sigmoid_minus(X, W1, b1, W2, b2):
    return 1.0 / (1.0 + np.exp(sig(X @ W1 + b1) @ W2 + b2))


def returns_list(X, W1, b1, W2, b2):
    return fp_mlp_lab(X, W1, b1, W2, b2).tolist()


def forgets_return(X, W1, b1, W2, b2):
    sig(sig(X @ W1 + b1) @ W2 + b2)


def untouched(X, W1, b1, W2, b2):
    raise NotImplementedError("forward_pass: two layers: linear_forward then sigmoid, twice")


def crashes(X, W1, b1, W2, b2):
    return sig(W1 @ X + b1)


def random_output(X, W1, b1, W2, b2):
    return np.random.default_rng(0).random((X.shape[0], W2.shape[1]))


WRONG = [
    (no_output_sigmoid, "wrong_value", "output layer is missing"),
    (no_hidden_sigmoid, "wrong_value", "hidden layer is missing"),
    (no_biases, "wrong_value", "without biases"),
    (relu_hidden, "wrong_value", "ReLU"),
    (w1_transposed, "transposed", "W1.T"),
    (returns_hidden, "wrong_shape", "hidden layer"),
    (returns_transposed, "transposed", "transposed shape"),
    (float32_out, "wrong_dtype", "float32"),
    (mutates_x, "mutates_input", "changed its input X"),
    (naive_sigmoid_minus, "sign", "sigma(-Z2)"),
    (returns_list, "wrong_type", "Python list"),
    (forgets_return, "wrong_type", "return"),
    (untouched, "not_implemented", "not implemented"),
    (crashes, "exception", ""),
    (random_output, "wrong_value", "wrong values"),
]


@pytest.mark.parametrize("impl", [fp_mlp_lab, fp_loops, fp_column_vectors, fp_einsum_tanh, reference_forward_pass])
def test_right_implementations_pass(impl, capsys):
    check_forward_pass(impl)
    assert capsys.readouterr().out == PASS_LINE.format(name="forward_pass") + "\n"


@pytest.mark.parametrize("impl, mistake, words", WRONG, ids=[w[0].__name__ for w in WRONG])
def test_wrong_implementations_fail_with_the_right_mistake(impl, mistake, words):
    with pytest.raises(CheckFailure) as info:
        check_forward_pass(impl)
    failure = info.value
    assert failure.exercise == "forward_pass"
    assert failure.mistake == mistake, str(failure)
    assert str(failure).startswith("✘ forward_pass: ")
    assert words.lower() in str(failure).lower()


@pytest.mark.parametrize("impl", [fp_mlp_lab, no_output_sigmoid, no_biases])
def test_verdicts_hold_for_other_seeds(impl):
    right = impl is fp_mlp_lab
    for seed in (1, 2, 3, 12345):
        if right:
            assert judge_exercise("forward_pass", LocalCaller({"impl": impl}), seed) == \
                PASS_LINE.format(name="forward_pass")
        else:
            with pytest.raises(CheckFailure):
                judge_exercise("forward_pass", LocalCaller({"impl": impl}), seed)


def test_cases_change_with_the_seed():
    seen = []

    def spy(X, W1, b1, W2, b2):
        seen.append(X.copy())
        return fp_mlp_lab(X, W1, b1, W2, b2)

    judge_exercise("forward_pass", LocalCaller({"impl": spy}), 1)
    first = list(seen)
    seen.clear()
    judge_exercise("forward_pass", LocalCaller({"impl": spy}), 2)
    assert not all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, seen))


def test_registered_with_a_signature():
    ex = EXERCISES["forward_pass"]
    assert ex.required == ("impl",)
    assert "forward_pass(X, W1, b1, W2, b2)" in ex.signature


def test_hand_set_xor_weights_give_xor():
    """The chapter's hand-set 2-2-1 weights really compute XOR through the reference."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    W1, b1 = np.array([[20.0, -20.0], [20.0, -20.0]]), np.array([-10.0, 30.0])
    W2, b2 = np.array([[20.0], [20.0]]), np.array([-30.0])
    out = reference_forward_pass(X, W1, b1, W2, b2)
    assert out.shape == (4, 1)
    np.testing.assert_array_equal(np.round(out[:, 0]), [0, 1, 1, 0])
    assert np.max(np.abs(out[:, 0] - [0, 1, 1, 0])) < 1e-4
