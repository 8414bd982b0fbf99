"""Sequential and MLP: whole-model gradients (with L1/L2) against centred differences,
a wrong model backward failing the check, parameters, modes, predict, dtypes, errors."""

import numpy as np
import pytest

import mlp_lab as ml
from support import numerical_gradient, rel_error


def model_gradient_errors(model, x, y):
    """Relative error of every parameter gradient and of dx for L = CE(model(x), y) + penalty."""
    def total_loss():
        return ml.softmax_cross_entropy(model.forward(x), y)[0] + model.penalty()

    _, dscores = ml.softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(dscores)
    errors = {"x": rel_error(dx, numerical_gradient(total_loss, x))}
    for name, p, g in model.parameters():
        errors[name] = rel_error(g.copy(), numerical_gradient(total_loss, p))
    return errors


def small_problem(activation="tanh", l1=0.0, l2=0.0, seed=0):
    rng = np.random.default_rng(seed)
    model = ml.MLP([5, 7, 6, 3], activation=activation, rng=seed, l1=l1, l2=l2, dtype=np.float64)
    for _, p, _ in model.parameters():  # nonzero biases, and every |W| >= 0.1: away from the kink of L1
        p[...] = rng.uniform(0.1, 0.6, p.shape) * rng.choice([-1, 1], p.shape)
    x = rng.standard_normal((4, 5))
    y = rng.integers(0, 3, 4)
    return model, x, y


@pytest.mark.parametrize("activation, l1, l2", [
    ("tanh", 0.0, 0.0), ("sigmoid", 0.0, 0.0), ("relu", 0.0, 0.0),
    ("tanh", 0.0, 0.3), ("tanh", 0.2, 0.0), ("sigmoid", 0.1, 0.2),
])
def test_whole_model_gradients_match_numerical_gradients(activation, l1, l2):
    model, x, y = small_problem(activation, l1, l2)
    if activation == "relu":  # keep every pre-activation away from ReLU's kink
        z = x @ model.layers[0].params["W"] + model.layers[0].params["b"]
        assert np.min(np.abs(z)) > 1e-4
    errors = model_gradient_errors(model, x, y)
    assert set(errors) == {"x", "0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}
    for name, err in errors.items():
        assert err < 1e-7, f"{activation}, l1={l1}, l2={l2}: d{name} relative error {err:.2e}"


def test_the_penalty_changes_the_gradients_of_weights_only():
    plain, x, y = small_problem("tanh")
    reg, _, _ = small_problem("tanh", l1=0.1, l2=0.2)
    for model in (plain, reg):
        model.backward(ml.softmax_cross_entropy(model.forward(x), y)[1])
    for (name, W, g_plain), (_, _, g_reg) in zip(plain.parameters(), reg.parameters()):
        if name.endswith(".W"):
            np.testing.assert_allclose(g_reg - g_plain, 0.2 * W + 0.1 * np.sign(W), rtol=1e-10)
        else:
            np.testing.assert_array_equal(g_reg, g_plain)
    assert reg.penalty() == pytest.approx(sum(0.1 * np.abs(W).sum() + 0.1 * (W * W).sum()
                                              for n, W, _ in reg.parameters() if n.endswith(".W")))


class ForgetsThePenalty(ml.MLP):
    def backward(self, dscores, need_dx=True):
        l1, l2 = self.l1, self.l2
        self.l1 = self.l2 = 0.0
        try:
            return super().backward(dscores, need_dx)
        finally:
            self.l1, self.l2 = l1, l2


class SkipsTheActivations(ml.MLP):
    """Back-propagates through the Linear layers only, as if the activations were the identity."""

    def backward(self, dscores, need_dx=True):
        d = dscores
        for layer in reversed(self.layers):
            if isinstance(layer, ml.Linear):
                d = layer.backward(d)
        return d


def test_a_model_backward_that_forgets_the_penalty_fails_the_check():
    model, x, y = small_problem("tanh", l2=0.5)
    wrong = ForgetsThePenalty([5, 7, 6, 3], activation="tanh", l2=0.5, dtype=np.float64)
    for (_, p, _), (_, q, _) in zip(model.parameters(), wrong.parameters()):
        q[...] = p
    errors = model_gradient_errors(wrong, x, y)
    assert errors["0.W"] > 1e-2 and errors["4.W"] > 1e-2
    assert errors["0.b"] < 1e-7  # biases carry no penalty: they still pass


def test_a_model_backward_that_skips_the_activations_fails_the_check():
    model, x, y = small_problem("tanh")
    wrong = SkipsTheActivations([5, 7, 6, 3], activation="tanh", dtype=np.float64)
    for (_, p, _), (_, q, _) in zip(model.parameters(), wrong.parameters()):
        q[...] = p
    errors = model_gradient_errors(wrong, x, y)
    assert errors["0.W"] > 1e-2 and errors["2.W"] > 1e-2
    assert errors["4.W"] < 1e-7  # the last layer's gradient does not go through an activation


def test_backward_without_dx_gives_the_same_parameter_gradients():
    model, x, y = small_problem("relu", l1=0.1, l2=0.1)
    dscores = ml.softmax_cross_entropy(model.forward(x), y)[1]
    assert model.backward(dscores, need_dx=False) is None
    grads = {name: g.copy() for name, _, g in model.parameters()}
    assert model.backward(dscores).shape == x.shape
    for name, _, g in model.parameters():
        np.testing.assert_array_equal(g, grads[name], err_msg=name)


# --- backward only computes gradients ---------------------------------------------------------

def test_model_backward_modifies_neither_dscores_nor_weights():
    model, x, y = small_problem("relu", l2=0.1)
    dscores = ml.softmax_cross_entropy(model.forward(x), y)[1]
    before = dscores.copy()
    weights = {name: p.copy() for name, p, _ in model.parameters()}
    model.backward(dscores)
    np.testing.assert_array_equal(dscores, before)
    for name, p, _ in model.parameters():
        np.testing.assert_array_equal(p, weights[name], err_msg=name)


# --- structure, parameters ------------------------------------------------------------------

def test_mlp_structure_names_and_counts():
    model = ml.MLP([784, 256, 128, 10], dropout=0.2)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    names = [name for name, _, _ in model.parameters()]
    assert names == ["0.W", "0.b", "3.W", "3.b", "6.W", "6.b"]
    assert model.n_params() == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    for (_, p, g), layer_params in zip(model.parameters(), [layer.params[k] for layer in model.layers for k in layer.params]):
        assert p is layer_params and g.shape == p.shape  # the very arrays, so in-place updates land
    assert "Linear(784 -> 256)" in repr(model) and "Dropout(p=0.2)" in repr(model)


def test_mlp_is_reproducible_from_its_seed():
    a, b, c = ml.MLP([4, 8, 2], rng=5), ml.MLP([4, 8, 2], rng=5), ml.MLP([4, 8, 2], rng=6)
    for (_, p, _), (_, q, _), (_, r, _) in zip(a.parameters(), b.parameters(), c.parameters()):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(a.layers[0].params["W"], c.layers[0].params["W"])


# --- modes and predict ----------------------------------------------------------------------

def test_train_and_eval_modes_switch_dropout():
    model = ml.MLP([6, 50, 3], dropout=0.5, rng=1, dtype=np.float64)
    x = np.random.default_rng(2).standard_normal((8, 6))
    assert model.training
    assert not np.array_equal(model.forward(x), model.forward(x))  # masks differ
    model.eval()
    assert not model.training and all(not layer.training for layer in model.layers)
    np.testing.assert_array_equal(model.forward(x), model.forward(x))
    assert model.train() is model and model.training


def test_predict_is_deterministic_and_restores_the_mode():
    model = ml.MLP([6, 50, 3], dropout=0.5, rng=1, dtype=np.float64)
    x = np.random.default_rng(2).standard_normal((20, 6))
    labels = model.predict(x)
    assert model.training  # restored
    np.testing.assert_array_equal(labels, model.predict(x))
    model.eval()
    np.testing.assert_array_equal(labels, model.forward(x).argmax(axis=1))
    model.predict(x)
    assert not model.training  # still eval
    assert labels.shape == (20,) and labels.dtype.kind == "i"


def test_predict_with_one_output_thresholds_logits_and_probabilities():
    logits = ml.Sequential([ml.Linear(1, 1, dtype=np.float64)])
    logits.layers[0].params["W"][...] = 1.0
    x = np.array([[-2.0], [-0.1], [0.1], [3.0]])
    np.testing.assert_array_equal(logits.predict(x), [0, 0, 1, 1])
    probs = ml.Sequential([ml.Linear(1, 1, dtype=np.float64), ml.Sigmoid()])
    probs.layers[0].params["W"][...] = 1.0
    probs.layers[0].params["b"][...] = -1.0  # sigma(x - 1) > 0.5 exactly when x > 1
    np.testing.assert_array_equal(probs.predict(np.array([[0.5], [0.9], [1.1], [2.0]])), [0, 0, 1, 1])


# --- dtypes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", [ml.SGD, ml.RMSProp, ml.Adam])
def test_dtype_stays_the_same_through_a_whole_training_step(dtype, optimizer):
    model = ml.MLP([6, 16, 8, 3], dropout=0.1, l1=1e-4, l2=1e-3, rng=0, dtype=dtype)
    opt = optimizer(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((10, 6)).astype(dtype), rng.integers(0, 3, 10)
    scores = model.forward(x)
    loss, dscores = ml.softmax_cross_entropy(scores, y)
    dx = model.backward(dscores)
    opt.step()
    opt.step()
    assert scores.dtype == dtype and dscores.dtype == dtype and dx.dtype == dtype
    assert isinstance(loss, float) and isinstance(model.penalty(), float)
    for name, p, g in model.parameters():
        assert p.dtype == dtype and g.dtype == dtype, name
    for state in opt.state.values():
        for key, arr in state.items():
            assert arr.dtype == dtype, key


# --- clear errors ----------------------------------------------------------------------------

def test_a_mismatched_stack_names_the_layer_and_the_shapes():
    model = ml.Sequential([ml.Linear(4, 5), ml.ReLU(), ml.Linear(6, 2)])
    with pytest.raises(ValueError) as err:
        model.forward(np.zeros((3, 4), np.float32))
    message = str(err.value)
    assert "Linear(6 -> 2)" in message and "(N, 6)" in message and "(3, 5)" in message


@pytest.mark.parametrize("kwargs, pattern", [
    ({"sizes": [10]}, "at least an input and an output"),
    ({"sizes": [4, 2], "activation": "softplus"}, "activation must be one of"),
    ({"sizes": [4, 3, 2], "dropout": 1.0}, r"\[0, 1\)"),
    ({"sizes": [4, 2], "l2": -1.0}, ">= 0"),
])
def test_mlp_rejects_bad_settings(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        ml.MLP(**kwargs)


def test_sequential_rejects_non_layers_and_an_empty_list():
    with pytest.raises(ValueError, match="item 1 is function, not a layer"):
        ml.Sequential([ml.Linear(2, 2), ml.relu])
    with pytest.raises(ValueError, match=r"item 1 is the class ReLU.*ReLU\(...\)"):
        ml.Sequential([ml.Linear(2, 2), ml.ReLU])
    with pytest.raises(ValueError, match="at least one layer"):
        ml.Sequential([])
