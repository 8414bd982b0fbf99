"""One flat buffer for many arrays (mlp_lab.flat), as Sequential and the optimizers use it."""

import numpy as np
import pytest

import mlp_lab as ml
from mlp_lab.flat import joined, share_one_buffer, split


def test_share_one_buffer_keeps_values_and_shapes_and_joins_back():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (4,), (4, 2), (2,)]]
    flat, views = share_one_buffer(arrays)
    assert flat.shape == (26,) and flat.dtype == np.float32
    for view, a in zip(views, arrays):
        assert view.shape == a.shape and np.shares_memory(view, flat) and not np.shares_memory(view, a)
        np.testing.assert_array_equal(view, a)
    assert joined(views) is flat
    views[1][2] = 7.0  # writing through a view writes the buffer
    assert flat[12 + 2] == 7.0


@pytest.mark.parametrize("pick", [
    lambda views, arrays: arrays,                     # separate arrays
    lambda views, arrays: views[:2],                  # do not fill the buffer
    lambda views, arrays: [views[1], views[0], *views[2:]],  # out of order
    lambda views, arrays: [views[0].T, *views[1:]],   # a transposed view
    lambda views, arrays: [views[0], views[0], *views[2:]],  # one twice
])
def test_joined_refuses_anything_but_the_whole_buffer_in_order(pick):
    arrays = [np.ones((3, 4)), np.ones(4), np.ones((4, 2))]
    _, views = share_one_buffer(arrays)
    assert joined(pick(views, arrays)) is None


def test_split_and_mixed_dtypes():
    flat = np.arange(10.0)
    a, b = split(flat, [(2, 3), (4,)])
    np.testing.assert_array_equal(b, [6, 7, 8, 9])
    assert a.base is flat
    with pytest.raises(ValueError, match="one dtype"):
        share_one_buffer([np.ones(2, np.float32), np.ones(2, np.float64)])


def test_a_model_keeps_its_parameters_and_gradients_in_one_buffer_each():
    model = ml.MLP([5, 4, 3], rng=0)
    ps, gs = [p for _, p, _ in model.parameters()], [g for _, _, g in model.parameters()]
    flat_p, flat_g = joined(ps), joined(gs)
    assert flat_p is not None and flat_g is not None and flat_p.size == model.n_params()
    assert model.layers[0].params["W"].base is flat_p  # the layers hold the views
    model.backward(model.forward(np.ones((2, 5), np.float32)))  # backward writes into the buffer
    assert np.any(flat_g != 0)


def test_an_optimizer_updates_a_flat_model_as_it_updates_separate_arrays():
    """One update over the flat buffers equals the per-parameter updates, bit for bit."""
    rng = np.random.default_rng(3)
    model = ml.MLP([6, 5, 4], rng=0)
    separate = [(n, p.copy(), g.copy()) for n, p, g in model.parameters()]
    for cls in (ml.SGD, ml.RMSProp, ml.Adam):
        flat_opt, separate_opt = cls(model.parameters(), lr=0.01), cls(separate, lr=0.01)
        assert len(flat_opt._groups) == 1 and len(separate_opt._groups) == len(separate)
        for _ in range(3):
            for (_, _, g), (_, _, g2) in zip(model.parameters(), separate):
                g[...] = g2[...] = rng.standard_normal(g.shape)
            flat_opt.step()
            separate_opt.step()
        for (name, p, _), (_, p2, _) in zip(model.parameters(), separate):
            np.testing.assert_array_equal(p, p2, err_msg=f"{cls.__name__} {name}")
            assert flat_opt.state[name]["tmp"].shape == p.shape
