"""Layers: every backward against centred differences (float64, random upstream gradient),
a deliberately wrong backward failing the same check, shapes, dtypes and modes."""

import numpy as np
import pytest

import mlp_lab as ml
from support import numerical_gradient, rel_error


# --- a small, independent numerical-gradient oracle ------------------------------------------

def layer_gradient_errors(layer, x, dout, reseed=None):
    """Relative errors of dx and of every grads[key] for L = sum(layer(x) * dout).

    reseed(layer) runs before each forward (used to give Dropout the same mask every time).
    """
    def loss():
        if reseed:
            reseed(layer)
        return float(np.sum(layer.forward(x) * dout))

    if reseed:
        reseed(layer)
    layer.forward(x)
    dx = layer.backward(dout)
    analytic = {"x": dx.copy(), **{k: g.copy() for k, g in layer.grads.items()}}
    numeric = {"x": numerical_gradient(loss, x), **{k: numerical_gradient(loss, p) for k, p in layer.params.items()}}
    return {k: rel_error(analytic[k], numeric[k]) for k in analytic}


def same_dropout_mask(seed):
    def reseed(layer):
        layer.rng = np.random.default_rng(seed)
    return reseed


rng = np.random.default_rng(1234)


def away_from_zero(shape, margin=0.1):
    """Random values with |v| >= margin, so ReLU's kink is never within h."""
    v = rng.standard_normal(shape)
    return np.where(v >= 0, v + margin, v - margin)


def make(kind):
    """(layer, x, dout, reseed) in float64 for each layer type."""
    if kind == "linear":
        return ml.Linear(5, 4, rng=1, init=0.5, dtype=np.float64), rng.standard_normal((3, 5)), rng.standard_normal((3, 4)), None
    x = away_from_zero((4, 6)) if kind == "relu" else rng.standard_normal((4, 6))
    layer = {"sigmoid": ml.Sigmoid(), "tanh": ml.Tanh(), "relu": ml.ReLU(), "dropout": ml.Dropout(0.4, rng=0)}[kind]
    return layer, x, rng.standard_normal((4, 6)), same_dropout_mask(7) if kind == "dropout" else None


# --- correct layers pass ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["linear", "sigmoid", "tanh", "relu", "dropout"])
def test_backward_matches_numerical_gradient(kind):
    layer, x, dout, reseed = make(kind)
    errors = layer_gradient_errors(layer, x, dout, reseed)
    assert set(errors) == {"x", *layer.params}
    for name, err in errors.items():
        assert err < 1e-7, f"{kind}: d{name} relative error {err:.2e}"


def test_linear_has_the_three_gradients():
    layer, x, dout, _ = make("linear")
    assert set(layer_gradient_errors(layer, x, dout)) == {"x", "W", "b"}


def test_dropout_mask_is_really_used_in_the_check():
    # The check above is only meaningful if the mask drops something and scales the rest.
    layer = ml.Dropout(0.4, rng=7)
    x = np.ones((4, 6))
    out = layer.forward(x)
    assert 0 < np.sum(out == 0) < out.size
    np.testing.assert_allclose(out[out != 0], 1 / 0.6)


# --- a deliberately wrong backward fails the same check -------------------------------------

class LinearFlippedDx(ml.Linear):
    """dx with a flipped sign."""

    def backward(self, dout, need_dx=True):
        return -super().backward(dout)


class LinearHalfdW(ml.Linear):
    """dW off by a factor 2 (as if the loss had a stray 1/2)."""

    def backward(self, dout, need_dx=True):
        dx = super().backward(dout)
        self.grads["W"] *= 0.5
        return dx


class LinearMeanDb(ml.Linear):
    """db averaged over the batch instead of summed (a dropped factor N)."""

    def backward(self, dout, need_dx=True):
        dx = super().backward(dout)
        self.grads["b"][...] = dout.mean(axis=0)
        return dx


class SigmoidPrimeOfOutput(ml.Sigmoid):
    """The classic slip: sigma'(A) instead of sigma'(Z)."""

    def _local_grad(self):
        return ml.sigmoid_prime(self._out)


class TanhNoSquare(ml.Tanh):
    """1 - A instead of 1 - A^2."""

    def _local_grad(self):
        return 1.0 - self._out


class ReLUWrongSide(ml.ReLU):
    """Passes the gradient where Z < 0 instead of Z > 0."""

    def _local_grad(self):
        return self._x < 0


class DropoutUnscaled(ml.Dropout):
    """Keeps the mask but forgets the 1/(1-p) scale in backward."""

    def backward(self, dout):
        return dout * (self._mask > 0)


@pytest.mark.parametrize("kind, wrong, grad", [
    ("linear", LinearFlippedDx(5, 4, rng=1, init=0.5, dtype=np.float64), "x"),
    ("linear", LinearHalfdW(5, 4, rng=1, init=0.5, dtype=np.float64), "W"),
    ("linear", LinearMeanDb(5, 4, rng=1, init=0.5, dtype=np.float64), "b"),
    ("sigmoid", SigmoidPrimeOfOutput(), "x"),
    ("tanh", TanhNoSquare(), "x"),
    ("relu", ReLUWrongSide(), "x"),
    ("dropout", DropoutUnscaled(0.4, rng=0), "x"),
])
def test_a_wrong_backward_fails_the_check(kind, wrong, grad):
    _, x, dout, reseed = make(kind)
    errors = layer_gradient_errors(wrong, x, dout, reseed)
    assert errors[grad] > 1e-2, f"the check did not catch a wrong d{grad} in {kind}: error {errors[grad]:.2e}"
    for other, err in errors.items():
        if other != grad:
            assert err < 1e-7  # the bug is caught exactly where it is


# --- functional forms ------------------------------------------------------------------------

def test_linear_forward_and_backward_functions_agree_with_the_layer():
    layer = ml.Linear(5, 3, rng=2, dtype=np.float64)
    layer.params["b"][...] = rng.standard_normal(3)
    X, dY = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    W, b = layer.params["W"], layer.params["b"]
    np.testing.assert_allclose(ml.linear_forward(X, W, b), layer.forward(X), rtol=1e-12)
    dX, dW, db = ml.linear_backward(dY, X, W)
    np.testing.assert_allclose(dX, layer.backward(dY), rtol=1e-12)
    np.testing.assert_allclose(dW, layer.grads["W"], rtol=1e-12)
    np.testing.assert_allclose(db, layer.grads["b"], rtol=1e-12)
    assert (dX.shape, dW.shape, db.shape) == (X.shape, W.shape, b.shape)


def test_linear_backward_can_skip_dx_without_changing_the_parameter_gradients():
    layer = ml.Linear(5, 3, rng=2, dtype=np.float64)
    X, dY = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer.forward(X)
    assert layer.backward(dY, need_dx=False) is None
    dW, db = layer.grads["W"].copy(), layer.grads["b"].copy()
    layer.backward(dY)
    np.testing.assert_array_equal(layer.grads["W"], dW)
    np.testing.assert_array_equal(layer.grads["b"], db)


def test_dropout_functions_scale_and_share_the_mask():
    X = rng.standard_normal((200, 50))
    out, mask = ml.dropout_forward(X, 0.25, np.random.default_rng(0))
    assert set(np.unique(mask)) == {0.0, 1 / 0.75}
    assert abs(np.mean(mask == 0) - 0.25) < 0.02
    np.testing.assert_array_equal(out, X * mask)
    dout = rng.standard_normal(X.shape)
    np.testing.assert_array_equal(ml.dropout_backward(dout, mask), dout * mask)
    again, mask_again = ml.dropout_forward(X, 0.25, np.random.default_rng(0))
    np.testing.assert_array_equal(mask, mask_again)  # the generator, not global state, decides


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_rejects_a_bad_probability(p):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        ml.Dropout(p)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        ml.dropout_forward(np.ones((2, 2)), p, np.random.default_rng(0))


# --- modes -----------------------------------------------------------------------------------

def test_dropout_is_the_identity_in_eval_mode_and_random_in_train_mode():
    layer = ml.Dropout(0.5, rng=0)
    x = rng.standard_normal((64, 32))
    layer.training = False
    np.testing.assert_array_equal(layer.forward(x), x)
    dout = rng.standard_normal(x.shape)
    np.testing.assert_array_equal(layer.backward(dout), dout)
    layer.training = True
    a, b = layer.forward(x), layer.forward(x)
    assert not np.array_equal(a, b)  # a fresh mask per call
    assert abs(np.mean(a == 0) - 0.5) < 0.05
    assert abs(a.mean() - x.mean()) < 0.1  # inverted dropout keeps the expectation


# --- backward only computes gradients --------------------------------------------------------

@pytest.mark.parametrize("kind", ["linear", "sigmoid", "tanh", "relu", "dropout"])
def test_backward_modifies_neither_dout_nor_the_parameters_nor_x(kind):
    layer, x, dout, _ = make(kind)
    x_before, dout_before = x.copy(), dout.copy()
    params_before = {k: p.copy() for k, p in layer.params.items()}
    out = layer.forward(x)
    out_before = out.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, dout_before)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(out, out_before)
    for k, p in layer.params.items():
        np.testing.assert_array_equal(p, params_before[k])
    assert not np.shares_memory(dx, dout)


def test_linear_backward_overwrites_the_gradients_in_place():
    layer = ml.Linear(3, 2, rng=0, dtype=np.float64)
    dW = layer.grads["W"]  # an optimizer keeps this reference
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer.forward(x)
    layer.backward(dout)
    layer.backward(dout)  # twice: overwritten, not accumulated
    assert layer.grads["W"] is dW
    np.testing.assert_allclose(dW, x.T @ dout, rtol=1e-12)


# --- dtypes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["linear", "sigmoid", "tanh", "relu", "dropout"])
def test_dtype_is_kept_through_forward_and_backward(kind, dtype):
    layer, x, dout, _ = make(kind)
    if kind == "linear":
        layer = ml.Linear(5, 4, rng=1, dtype=dtype)
    x, dout = x.astype(dtype), dout.astype(dtype)
    out = layer.forward(x)
    dx = layer.backward(dout)
    assert out.dtype == dtype and dx.dtype == dtype
    for k in layer.params:
        assert layer.params[k].dtype == dtype and layer.grads[k].dtype == dtype


def test_linear_init_is_seeded_and_scaled():
    a, b = ml.Linear(400, 300, rng=3, init="he"), ml.Linear(400, 300, rng=3, init="he")
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert a.params["W"].dtype == np.float32
    assert abs(a.params["W"].std() - np.sqrt(2 / 400)) < 0.05 * np.sqrt(2 / 400)
    xavier = ml.Linear(400, 300, rng=3, init="xavier", dtype=np.float64)
    assert abs(xavier.params["W"].std() - np.sqrt(2 / 700)) < 0.05 * np.sqrt(2 / 700)
    assert np.all(a.params["b"] == 0)
    assert not np.array_equal(a.params["W"], ml.Linear(400, 300, rng=4, init="he").params["W"])


# --- clear errors ----------------------------------------------------------------------------

def test_linear_names_itself_and_the_shapes_on_a_wrong_input_width():
    layer = ml.Linear(3, 4)
    with pytest.raises(ValueError) as err:
        layer.forward(np.zeros((2, 5), np.float32))
    message = str(err.value)
    assert "Linear(3 -> 4)" in message and "(N, 3)" in message and "(2, 5)" in message


def test_a_single_example_gets_a_reshape_hint():
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        ml.Linear(3, 4).forward(np.zeros(3, np.float32))


def test_a_non_array_and_an_integer_array_are_refused_with_advice():
    with pytest.raises(ValueError, match="np.asarray"):
        ml.Linear(2, 1).forward([[0.0, 1.0]])
    with pytest.raises(ValueError, match="dtype int64.*astype"):
        ml.Linear(2, 1).forward(np.zeros((1, 2), np.int64))


def test_float32_input_to_a_float64_layer_is_refused_not_upcast():
    layer = ml.Linear(2, 3, dtype=np.float64)
    with pytest.raises(ValueError) as err:
        layer.forward(np.zeros((1, 2), np.float32))
    message = str(err.value)
    assert "Linear(2 -> 3)" in message and "float32" in message and "float64" in message


@pytest.mark.parametrize("kind", ["linear", "sigmoid", "relu", "dropout"])
def test_backward_with_a_wrong_dout_shape_names_the_layer_and_shapes(kind):
    layer, x, dout, _ = make(kind)
    layer.forward(x)
    with pytest.raises(ValueError) as err:
        layer.backward(dout[:, :-1])
    message = str(err.value)
    assert repr(layer) in message and str(dout.shape) in message and str(dout[:, :-1].shape) in message


@pytest.mark.parametrize("layer", [ml.Linear(2, 2), ml.Sigmoid(), ml.ReLU()])
def test_backward_before_forward_says_so(layer):
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros((1, 2), np.float32))


@pytest.mark.parametrize("args, pattern", [((0, 3), "positive integers"), ((2.5, 3), "positive integers"),
                                           ((2, 3, None, "uniform"), "init must be one of")])
def test_linear_rejects_bad_construction(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        ml.Linear(*args)
