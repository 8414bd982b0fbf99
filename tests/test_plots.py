"""Tests for mlp_lab.plots: every figure is titled, labelled, shows the numbers passed in,
is deterministic, and refuses bad input with a ValueError that says what was wrong."""

import io
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

import mlp_lab as ml  # noqa: E402
from mlp_lab import plots  # noqa: E402
from mlp_lab.plots._common import BACKWARD, FORWARD, WRONG, fmt_array, fmt_number  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- helpers ----------------------------------------------------------------------------------

def all_text(fig: Figure) -> str:
    """Every visible string of the figure: titles, axis labels, annotations, legends, ticks."""
    parts = [fig.get_suptitle()]
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.texts]
        parts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        if ax.get_legend() is not None:
            parts += [t.get_text() for t in ax.get_legend().get_texts()]
    return "\n".join(parts)


def overlapping_texts(fig: Figure) -> list:
    """Pairs of text boxes (annotations, titles, legend entries) that overlap once drawn."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [fig._suptitle] if fig._suptitle is not None else []
    for ax in fig.axes:
        texts += [t for t in ax.texts if t.get_text().strip()]
        texts += [ax.title] if ax.get_title() else []
        texts += ax.get_legend().get_texts() if ax.get_legend() is not None else []
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


def test_the_overlap_detector_catches_overlapping_text():
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "dC/dW1 = 0.25")
    ax.text(0.52, 0.5, "W1 = 0.50")
    ax.text(0.1, 0.1, "far away")
    assert overlapping_texts(fig) == [("dC/dW1 = 0.25", "W1 = 0.50")]


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50, metadata={"Software": None})
    return buffer.getvalue()


def assert_titled_and_labelled(ax) -> None:
    assert ax.get_title().strip(), "every axes needs a title"
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), "axes need both axis labels"


def xor_network():
    """A 2-2-1 sigmoid network on XOR and all its forward values and gradients (MSE cost)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    W1, b1 = np.array([[0.61, -0.42], [0.37, 0.88]]), np.array([0.05, -0.27])
    W2, b2 = np.array([[0.93], [-0.74]]), np.array([0.11])
    Z1 = X @ W1 + b1
    A1 = ml.sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    A2 = ml.sigmoid(Z2)
    C = float(np.mean((A2[:, 0] - y) ** 2) / 2)
    dA2 = (A2 - y[:, None]) / len(X)
    dZ2 = dA2 * ml.sigmoid_prime(Z2)
    dA1, dW2, db2 = ml.linear_backward(dZ2, A1, W2)
    dZ1 = dA1 * ml.sigmoid_prime(Z1)
    dX, dW1, db1 = ml.linear_backward(dZ1, X, W1)
    return locals()


def gear_inputs(v):
    stages = [dict(name="X", value=v["X"], grad=v["dX"]),
              dict(name="Z1", value=v["Z1"], grad=v["dZ1"], local="dZ1/dW1 = X^T"),
              dict(name="A1", value=v["A1"], grad=v["dA1"]),
              dict(name="Z2", value=v["Z2"], grad=v["dZ2"]),
              dict(name="A2", value=v["A2"], grad=v["dA2"]),
              dict(name="C", value=v["C"], grad=1.0)]
    side = [dict(name="W1", attach="Z1", value=v["W1"], grad=v["dW1"]),
            dict(name="b1", attach="Z1", value=v["b1"], grad=v["db1"]),
            dict(name="W2", attach="Z2", value=v["W2"], grad=v["dW2"]),
            dict(name="b2", attach="Z2", value=v["b2"], grad=v["db2"])]
    return stages, side


def fit_history(epochs=5, validation=True):
    t = np.arange(epochs)
    return {"loss": list(1.0 / (1 + t)), "acc": list(0.5 + 0.08 * t),
            "val_loss": list(1.1 / (1 + t)) if validation else [],
            "val_acc": list(0.45 + 0.08 * t) if validation else [], "seconds": [0.1] * epochs}


# --- number formatting ---------------------------------------------------------------------------

def test_fmt_shows_small_arrays_in_full_and_summarises_large_ones():
    assert fmt_number(0.3141) == "0.31" and fmt_number(-0.0001) == "-1.0e-04" and fmt_number(-0.001 / 1e9) != "-0.00"
    small = fmt_array(np.array([[0.123, -0.3], [0.5, 0.014]]))
    assert small.splitlines() == ["[[ 0.12 -0.30]", " [ 0.50  0.01]]"]
    large = fmt_array(np.array([[0.1, -0.31], [0.2, 0.0], [0.05, 0.3]]))
    assert large == "shape (3, 2)\n|.|max 0.31"
    assert fmt_array(2.0) == "2.00"
    assert fmt_array(np.array([3.6e-3, 0.0137])) == "[3.6e-03 1.4e-02]"   # one format for all entries


# --- training curves -------------------------------------------------------------------------

def test_plot_history_draws_train_and_validation_per_key_against_1_based_epochs():
    history = fit_history(epochs=6)
    fig = plots.plot_history(history, title="XOR run")
    assert isinstance(fig, Figure) and fig.get_suptitle() == "XOR run"
    assert len(fig.axes) == 2
    for ax, key in zip(fig.axes, ("loss", "acc")):
        assert_titled_and_labelled(ax)
        assert ax.get_xlabel() == "epoch"
        train, val = ax.get_lines()
        np.testing.assert_allclose(train.get_xdata(), np.arange(1, 7))
        np.testing.assert_allclose(train.get_ydata(), history[key])
        np.testing.assert_allclose(val.get_ydata(), history["val_" + key])
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "validation"]


def test_plot_history_without_validation_has_one_line_per_panel():
    fig = plots.plot_history(fit_history(validation=False), keys="loss")
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 1
    assert fig.get_suptitle()


@pytest.mark.parametrize("history, keys, message", [
    ([0.5, 0.4], ("loss",), "dict returned by mlp_lab.fit"),
    (fit_history(), ("los",), "no key 'los'"),
    ({**fit_history(), "val_loss": [1.0]}, ("loss",), "same epochs"),
    ({**fit_history(), "loss": []}, ("loss",), "at least one epoch"),
    (fit_history(), (), "keys is empty"),
])
def test_plot_history_rejects_bad_input(history, keys, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_history(history, keys=keys)


def test_plot_histories_compares_runs_by_name_on_a_given_axes():
    runs = {name: fit_history() for name in ("SGD", "momentum", "RMSProp", "Adam")}
    runs["Adam"]["loss"] = [0.5, 0.2, 0.1, 0.05, 0.02]
    fig, (left, right) = plt.subplots(1, 2)
    assert plots.plot_histories(runs, key="loss", ax=left) is fig
    assert_titled_and_labelled(left)
    assert [t.get_text() for t in left.get_legend().get_texts()] == list(runs)
    np.testing.assert_allclose(left.get_lines()[3].get_ydata(), runs["Adam"]["loss"])
    assert not right.get_lines(), "plot_histories must draw only on the axes it was given"


def test_histories_name_their_x_axis_and_label_a_log_axis_plainly_without_minor_labels():
    assert plots.plot_history(fit_history(), keys="loss", x_label="step").axes[0].get_xlabel() == "step"
    runs = {"none": {"loss": list(np.geomspace(0.6, 0.015, 600))}, "L2": {"loss": list(np.geomspace(0.6, 0.2, 600))}}
    fig = plots.plot_histories(runs, key="loss", x_label="step", log_scale=True)
    ax = fig.axes[0]
    fig.canvas.draw()
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step" and "by step" in ax.get_title()
    assert not [t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()], "no minor tick labels"
    low, high = ax.get_ylim()
    labels = [t.get_text() for t, v in zip(ax.get_yticklabels(), ax.get_yticks()) if low <= v <= high]
    assert {"0.02", "0.05", "0.1", "0.2", "0.5"} <= set(labels), labels


def test_plot_histories_explains_missing_validation_curves():
    with pytest.raises(ValueError, match="Pass X_val and y_val"):
        plots.plot_histories({"SGD": fit_history(validation=False)}, key="val_loss")
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.plot_histories({})


# --- digits and weights ----------------------------------------------------------------------

def test_plot_digits_marks_wrong_predictions_in_red():
    rng = np.random.default_rng(0)
    images = rng.random((10, 28, 28)).astype(np.float32)
    labels = np.arange(10)
    predictions = labels.copy()
    predictions[[2, 7]] = [5, 1]
    fig = plots.plot_digits(images, labels, predictions, n=10)
    shown = [ax for ax in fig.axes if ax.get_images()]
    assert len(shown) == 10 and fig.get_suptitle()
    for i, ax in enumerate(shown):
        assert f"true {labels[i]}" in ax.get_title() and f"pred {predictions[i]}" in ax.get_title()
        expected = WRONG if i in (2, 7) else "black"
        assert matplotlib.colors.same_color(ax.title.get_color(), expected), i
        np.testing.assert_allclose(ax.get_images()[0].get_array(), images[i])


def test_plot_digits_accepts_flat_images_and_probabilities():
    rng = np.random.default_rng(1)
    probs = ml.softmax(rng.normal(size=(5, 10)) * 3)
    fig = plots.plot_digits(rng.random((5, 784)), np.arange(5), probabilities=probs, n=16)
    titles = [ax.get_title() for ax in fig.axes if ax.get_images()]
    assert len(titles) == 5
    best = probs.argmax(axis=1)
    for i, title in enumerate(titles):
        assert f"pred {best[i]} ({probs[i, best[i]]:.0%})" in title


@pytest.mark.parametrize("images, labels, kwargs, message", [
    (np.zeros((3, 785)), [0, 1, 2], {}, "flattened square picture"),
    (np.zeros((3, 28, 20)), [0, 1, 2], {}, r"\(N, 784\) or \(N, 28, 28\)"),
    (np.zeros((3, 784)), [0, 1], {}, "2 entries but there are 3"),
    (np.zeros((3, 784)), np.eye(3), {}, "one-hot"),
    (np.zeros((3, 784)), [0, 1, 2], {"n": 0}, "positive integer"),
    (np.zeros((3, 784)), [0, 1, 2], {"predictions": [0, 1]}, "predictions has 2 entries"),
])
def test_plot_digits_rejects_bad_input(images, labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_digits(images, labels, **kwargs)


def test_plot_weight_images_uses_one_scale_centred_at_zero():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(784, 20))
    fig = plots.plot_weight_images(W, n=12)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 12 and fig.get_suptitle()
    limit = np.abs(W[:, :12]).max()
    for j, image in enumerate(images):
        assert image.get_clim() == pytest.approx((-limit, limit))
        np.testing.assert_allclose(image.get_array(), W[:, j].reshape(28, 28))
    assert any(ax.get_ylabel() == "weight" for ax in fig.axes), "a labelled colorbar"
    with pytest.raises(ValueError, match="transposed: pass W.T"):
        plots.plot_weight_images(W.T)


def test_plot_weight_images_shows_chosen_units_each_on_its_own_scale():
    rng = np.random.default_rng(4)
    W = rng.normal(size=(784, 20)) * np.linspace(0.01, 1.0, 20)     # units of very different strength
    fig = plots.plot_weight_images(W, units=[19, 0, 7], per_unit=True)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert [ax.get_title() for ax in fig.axes if ax.get_images()] == ["unit 19", "unit 0", "unit 7"]
    for image, j in zip(images, (19, 0, 7)):
        assert image.get_clim() == (-1.0, 1.0)
        np.testing.assert_allclose(image.get_array(), W[:, j].reshape(28, 28) / np.abs(W[:, j]).max())
    assert any("largest |weight|" in ax.get_ylabel() for ax in fig.axes), "the colour bar says how tiles are scaled"
    with pytest.raises(ValueError, match="column indices in 0..19"):
        plots.plot_weight_images(W, units=[20])


def test_plot_weight_histograms_overlays_sets_on_shared_bins():
    rng = np.random.default_rng(3)
    sets = {"none": rng.normal(0, 0.1, (30, 20)), "L2": rng.normal(0, 0.05, 600), "L1": rng.laplace(0, 0.02, 600)}
    fig = plots.plot_weight_histograms(sets, bins=40)
    ax = fig.axes[0]
    assert_titled_and_labelled(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [entry.split(" (")[0] for entry in legend] == list(sets)
    assert f"{np.mean(np.abs(sets['L2'])):.3g}" in legend[1]
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.plot_weight_histograms({})
    with pytest.raises(ValueError, match="finite numbers"):
        plots.plot_weight_histograms({"bad": np.array([0.1, np.nan])})


# --- classification --------------------------------------------------------------------------

def test_plot_confusion_matrix_annotates_the_counts():
    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 4, 200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 4, 200))
    fig = plots.plot_confusion_matrix(y_true, y_pred, n_classes=4)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label" and ax.get_title()
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert len(cells) == 16
    for i in range(4):
        for j in range(4):
            expected = sum(1 for a, b in zip(y_true, y_pred) if a == i and b == j)
            assert cells[i, j] == str(expected), (i, j)
    assert f"{np.mean(y_true == y_pred):.1%}" in ax.get_title()


def test_plot_confusion_matrix_normalised_rows_sum_to_one():
    fig = plots.plot_confusion_matrix([0, 0, 0, 1, 2, 2], [0, 1, 1, 1, 2, 0], n_classes=3, normalize=True)
    values = np.array([float(t.get_text()) for t in fig.axes[0].texts]).reshape(3, 3)
    np.testing.assert_allclose(values.sum(axis=1), 1.0, atol=0.011)
    assert values[0, 1] == pytest.approx(0.67)


@pytest.mark.parametrize("y_true, y_pred, kwargs, message", [
    ([0, 1, 10], [0, 1, 2], {}, r"y_true must lie in 0\.\.9"),
    ([0, 1, 2], [0, 1], {}, "y_pred has 2 entries but there are 3"),
    (np.eye(3), [0, 1, 2], {}, "argmax"),
    ([0, 1], [0, 1], {"n_classes": 1}, "n_classes must be an integer >= 2"),
])
def test_plot_confusion_matrix_rejects_bad_input(y_true, y_pred, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_confusion_matrix(y_true, y_pred, **kwargs)


def test_plot_decision_boundary_shows_probabilities_and_the_points():
    v = xor_network()

    def predict(grid):
        return ml.sigmoid(ml.sigmoid(grid @ v["W1"] + v["b1"]) @ v["W2"] + v["b2"])  # (M, 1)

    fig = plots.plot_decision_boundary(predict, v["X"], v["y"], resolution=40)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2" and ax.get_title()
    assert ax.get_xlim() == pytest.approx((-0.5, 1.5)) and ax.get_ylim() == pytest.approx((-0.5, 1.5))
    points = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets()) and c.get_label()
                             .startswith("class")])
    assert sorted(map(tuple, points)) == sorted(map(tuple, v["X"]))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    (bar,) = [a for a in fig.axes if a is not ax]
    assert bar.get_ylabel() == "probability of class 1", "a labelled colorbar"
    ends = [t.get_text() for t in bar.get_yticklabels()]
    assert ends[0] == "0: class 0" and ends[-1] == "1: class 1", "the scale's ends name the legend's classes"
    fig = plots.plot_decision_boundary(predict, v["X"], v["y"], resolution=20, colorbar=False,
                                       value_label="unused")
    assert len(fig.axes) == 1, "colorbar=False leaves the colour scale to the caller (one for many panels)"


def test_plot_decision_boundary_with_scores_labels_a_score_scale():
    X = np.array([[0.0, 0.0], [1.0, 0.2], [0.3, 1.0]])
    fig = plots.plot_decision_boundary(lambda g: g[:, 0] - g[:, 1], X, [0, 1, 1], resolution=30)
    assert any(a.get_ylabel() == "score" for a in fig.axes)


@pytest.mark.parametrize("predict", [
    lambda g: (g[:, 0] > g[:, 1]).astype(int) + (g[:, 0] > 0.8),
    lambda g: np.column_stack([g[:, 0], g[:, 1], 0.8 - g[:, 0]]),
], ids=["labels", "class-columns"])
def test_plot_decision_boundary_colours_each_class_region_like_its_points(predict):
    """Three classes: no colour scale (the legend names the classes); a region is a tint of its points' colour."""
    X = np.array([[0.0, 0.0], [1.0, 0.2], [0.3, 1.0], [0.9, 0.1]])
    y = np.array([2, 1, 0, 1])
    fig = plots.plot_decision_boundary(predict, X, y, resolution=60)
    (ax,) = fig.axes
    points = {c.get_label(): c.get_facecolor()[0][:3] for c in ax.collections if c.get_label().startswith("class")}
    regions = [c for c in ax.collections if not c.get_label().startswith("class")
               and len(c.get_facecolor()) and c.get_facecolor()[0][3] < 1]
    region_colours = {tuple(np.round(c.get_facecolor()[0][:3], 3)) for c in regions}
    assert len(points) == 3 and len({tuple(c) for c in points.values()}) == 3, "three distinct class colours"
    for colour in points.values():
        assert tuple(np.round(colour, 3)) in region_colours
        assert max(colour) - min(colour) > 0.3, "a strong colour, never near-white"


def test_plot_decision_boundary_regions_from_class_columns_have_smooth_edges():
    """Per-class columns give the true edge (here the line x1 + 0.3 x2 = 0.5), not a staircase of grid cells."""
    def scores(g):
        return np.column_stack([g[:, 0] + 0.3 * g[:, 1], 0.5 + 0 * g[:, 0]])

    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    for predict, smooth in ((scores, True), (lambda g: scores(g).argmax(axis=1), False)):
        fig = plots.plot_decision_boundary(predict, X, [0, 1], resolution=20, padding=0.0)
        lines = [c for c in fig.axes[0].collections if getattr(c, "filled", True) is False]
        vertices = np.concatenate([path.vertices for c in lines for path in c.get_paths()])
        off = np.abs(vertices[:, 0] + 0.3 * vertices[:, 1] - 0.5).max()
        assert (off < 1e-9) if smooth else (off > 0.01), off


@pytest.mark.parametrize("predict, X, y, message", [
    (lambda g: g[:, 0], np.zeros((4, 3)), [0, 1, 1, 0], r"shape \(N, 2\)"),
    (lambda g: g[:5, 0], np.eye(2), [0, 1], "must map a grid"),
    ("not a function", np.eye(2), [0, 1], "must be a function"),
    (lambda g: g[:, 0], np.eye(2), [0, 1, 1], "3 entries but there are 2"),
])
def test_plot_decision_boundary_rejects_bad_input(predict, X, y, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_decision_boundary(predict, X, y, resolution=10)


def test_plot_probabilities_draws_one_bar_per_class_with_its_value():
    probs = ml.softmax(np.array([[0.2, 2.0, -1.0, 0.5]]))
    fig = plots.plot_probabilities(probs, labels=["cat", "dog", "eel", "owl"])
    ax = fig.axes[0]
    assert_titled_and_labelled(ax)
    np.testing.assert_allclose([bar.get_height() for bar in ax.patches], probs[0])
    assert [t.get_text() for t in ax.texts] == [f"{p:.2f}" for p in probs[0]]
    sure = plots.plot_probabilities(np.array([0.001, 0.995, 0.004]))
    assert [t.get_text() for t in sure.axes[0].texts] == ["0.99"], "no row of 0.00 labels"
    assert "dog" in ax.get_title()
    colours = [bar.get_facecolor() for bar in ax.patches]
    assert colours[1] != colours[0] and colours[0] == colours[2] == colours[3], "the most likely class stands out"


@pytest.mark.parametrize("probs, labels, message", [
    (np.array([2.0, -1.0, 0.5]), None, "apply softmax first"),
    (np.full((2, 3), 1 / 3), None, "pick one row"),
    (np.full(3, 1 / 3), ["a", "b"], "2 names but probs has 3"),
])
def test_plot_probabilities_rejects_bad_input(probs, labels, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_probabilities(probs, labels=labels)


# --- functions -------------------------------------------------------------------------------

def test_plot_function_and_derivative_plots_both_and_composes_on_one_axes():
    fig, ax = plt.subplots()
    z = np.linspace(-4, 4, 50)
    plots.plot_function_and_derivative(ml.sigmoid, ml.sigmoid_prime, z=z, ax=ax)
    plots.plot_function_and_derivative(ml.tanh, ml.tanh_prime, z=z, names=("tanh(z)", "tanh'(z)"), ax=ax,
                                       title="sigmoid and tanh")
    assert_titled_and_labelled(ax)
    assert ax.get_title() == "sigmoid and tanh"
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(lines) == 4
    assert len(ax.get_lines()) == 6, "the zero lines are drawn once per axes, not once per call"
    for line, expected in zip(lines, (ml.sigmoid(z), ml.sigmoid_prime(z), np.tanh(z), ml.tanh_prime(z))):
        np.testing.assert_allclose(line.get_ydata(), expected)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sigma(z)", "sigma'(z)", "tanh(z)", "tanh'(z)"]


def test_plot_function_and_derivative_rejects_bad_input():
    with pytest.raises(ValueError, match="same shape as z"):
        plots.plot_function_and_derivative(ml.sigmoid, lambda z: 0.25)
    with pytest.raises(ValueError, match="two strings"):
        plots.plot_function_and_derivative(ml.sigmoid, ml.sigmoid_prime, names="sigma")
    with pytest.raises(ValueError, match="1-D array"):
        plots.plot_function_and_derivative(ml.sigmoid, ml.sigmoid_prime, z=np.zeros((3, 3)))


def test_a_learners_unfinished_function_is_not_hidden():
    def sigmoid(z):
        raise NotImplementedError("sigmoid: use np.exp")

    with pytest.raises(NotImplementedError, match="sigmoid"):
        plots.plot_function_and_derivative(sigmoid, ml.sigmoid_prime)


# --- network ---------------------------------------------------------------------------------

def test_plot_network_labels_every_weight_and_bias():
    v = xor_network()
    fig = plots.plot_network([v["W1"], v["W2"]], [v["b1"], v["b2"]], input_names=["a", "b"],
                             output_names=["xor"])
    ax = fig.axes[0]
    assert ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    for w in np.concatenate([v["W1"].ravel(), v["W2"].ravel()]):
        assert fmt_number(w) in texts, w
    for b in np.concatenate([v["b1"], v["b2"]]):
        assert f"b {fmt_number(b)}" in texts, b
    assert {"a", "b", "xor"} <= set(texts)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 2 * 2 + 2 * 1
    assert not overlapping_texts(fig)


def test_plot_network_four_units_per_layer_stays_readable():
    rng = np.random.default_rng(5)
    sizes = [4, 4, 3, 2]
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    biases = [rng.normal(size=b) for b in sizes[1:]]
    fig = plots.plot_network(weights, biases)
    assert not overlapping_texts(fig)
    assert fig.axes[0].get_title()


@pytest.mark.parametrize("weights, biases, kwargs, message", [
    ([np.ones((2, 3)), np.ones((2, 1))], [np.ones(3), np.ones(1)], {}, "first dimension must be 3"),
    ([np.ones((2, 3))], [np.ones(2)], {}, r"biases\[0\] must have shape \(3,\)"),
    ([np.ones((2, 3))], [], {}, "one array per weight matrix"),
    ([np.ones(3)], [np.ones(3)], {}, "must be 2-D"),
    ([np.ones((2, 1))], [np.ones(1)], {"input_names": ["x"]}, "input_names must be a list of 2"),
    ([np.ones((20, 2))], [np.ones(2)], {}, "too large to draw"),
])
def test_plot_network_rejects_bad_input(weights, biases, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_network(weights, biases, **kwargs)


# --- gears -----------------------------------------------------------------------------------

def test_plot_gears_shows_the_values_and_gradients_passed_in():
    v = xor_network()
    stages, side = gear_inputs(v)
    fig = plots.plot_gears(stages, side=side)
    ax = fig.axes[0]
    assert ax.get_title()
    text = all_text(fig)
    assert fmt_array(v["C"]) in text and "dC/dC =\n1.00" in text
    for name in ("W1", "b1", "W2", "b2"):  # 4 entries or fewer: shown in full
        assert f"{name} =\n{fmt_array(v[name])}" in text
        assert f"dC/d{name} =\n{fmt_array(v['d' + name])}" in text
        assert fmt_number(v["d" + name].ravel()[0]) in text
    for name in ("Z2", "A2"):  # (4, 1): four entries, shown in full
        assert f"dC/d{name} =\n{fmt_array(v['d' + name])}" in text
    for name in ("X", "Z1", "A1"):  # (4, 2): shape and largest magnitude
        assert f"dC/d{name} =\nshape {v[name].shape}\n|.|max {fmt_number(np.abs(v['d' + name]).max())}" in text
    assert "dZ1/dW1 =\nX^T" in text
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("forward" in entry for entry in legend) and any("gradient" in entry for entry in legend)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    forward = [a for a in arrows if matplotlib.colors.same_color(a.get_edgecolor(), FORWARD)]
    backward = [a for a in arrows if matplotlib.colors.same_color(a.get_edgecolor(), BACKWARD)]
    assert len(forward) == len(backward) == (len(stages) - 1) + len(side)
    assert not overlapping_texts(fig)


def test_plot_gears_one_example_keeps_every_label_apart_and_one_format_per_array():
    """Chapter 3's figure: one example, so every (1, 2) array is shown in full next to its neighbours."""
    v = xor_network()
    one = {k: (a[1:2] if isinstance(a, np.ndarray) and a.shape[:1] == (4,) else a) for k, a in v.items()}
    one["dX"] = np.array([[3.6e-3, 0.0137]])     # a tiny entry beside an ordinary one
    stages, side = gear_inputs(one)
    for stage, local in zip(stages[1:], ("dZ1/dX = W1^T", "dA1/dZ1 = sigma'(Z1)", "dZ2/dA1 = W2^T",
                                         "dA2/dZ2 = sigma'(Z2)", "dC/dA2 = A2 - Y")):
        stage["local"] = local
    fig = plots.plot_gears(stages, side=side)
    assert not overlapping_texts(fig)
    assert "dC/dX =\n[[3.6e-03 1.4e-02]]" in all_text(fig)


def test_plot_gears_arrows_point_forward_left_to_right_and_gradients_back():
    stages = [dict(name="x", value=0.5, grad=-0.21), dict(name="C", value=0.125, grad=1.0)]
    fig = plots.plot_gears(stages, title="one link")
    ax = fig.axes[0]
    assert ax.get_title() == "one link"
    (forward,), (backward,) = ([a for a in ax.patches if isinstance(a, FancyArrowPatch)
                                and matplotlib.colors.same_color(a.get_edgecolor(), c)] for c in (FORWARD, BACKWARD))
    (f_start, _), (f_end, _) = forward._posA_posB  # start and end points as passed to FancyArrowPatch
    (b_start, _), (b_end, _) = backward._posA_posB
    assert f_start < f_end and b_start > b_end
    assert "x =\n0.50" in all_text(fig) and "dC/dx =\n-0.21" in all_text(fig)


def test_plot_gears_is_deterministic():
    stages, side = gear_inputs(xor_network())
    first = png_bytes(plots.plot_gears(stages, side=side))
    assert png_bytes(plots.plot_gears(stages, side=side)) == first


def _stages():
    return [dict(name="Z", value=np.ones((2, 2)), grad=np.ones((2, 2))), dict(name="C", value=0.3, grad=1.0)]


@pytest.mark.parametrize("stages, side, message", [
    ([dict(name="Z", value=np.ones((2, 2)), grad=np.ones((2, 1))), dict(name="C", value=0.3, grad=1.0)], None,
     r"dC/dZ must have the shape of Z"),
    (_stages()[:1], None, "at least 2"),
    ([_stages()[0], dict(name="C", value=np.ones(3), grad=np.ones(3))], None, "must be a single number"),
    ([_stages()[0], dict(name="C", value=0.3, grad=0.5)], None, "dC/dC must be 1"),
    ([_stages()[0], dict(name="C", value=0.3)], None, r"missing \['grad'\]"),
    (_stages(), [dict(name="W", attach="Q", value=1.0, grad=1.0)], "not a stage"),
    (_stages(), [dict(name="Z", attach="Z", value=1.0, grad=1.0)], "must be unique"),
    (_stages(), [dict(name=f"W{i}", attach="Z", value=1.0, grad=1.0) for i in range(3)], "at most 2 side gears"),
    ([_stages()[0], dict(name="C", value=None, grad=1.0)], None, "value=None"),
])
def test_plot_gears_rejects_bad_input(stages, side, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_gears(stages, side=side)


# --- contract shared by every function -------------------------------------------------------

def test_every_function_returns_a_pyplot_figure_and_never_shows_it(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("plots must not call plt.show(); the notebook does")

    monkeypatch.setattr(plt, "show", refuse)
    v = xor_network()
    stages, side = gear_inputs(v)
    figures = [
        plots.plot_history(fit_history()),
        plots.plot_histories({"SGD": fit_history()}),
        plots.plot_digits(np.zeros((2, 784)), [3, 4]),
        plots.plot_confusion_matrix([0, 1], [1, 1], n_classes=2),
        plots.plot_decision_boundary(lambda g: g[:, 0], v["X"], v["y"], resolution=10),
        plots.plot_function_and_derivative(ml.relu, ml.relu_prime, names=("relu(z)", "relu'(z)")),
        plots.plot_network([v["W1"], v["W2"]], [v["b1"], v["b2"]]),
        plots.plot_gears(stages, side=side),
        plots.plot_weight_images(np.zeros((784, 3))),
        plots.plot_weight_histograms({"W": np.arange(10.0)}),
        plots.plot_probabilities([0.25, 0.75]),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        assert fig.number in plt.get_fignums(), "created through pyplot so the inline backend shows it"
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        assert any(t.strip() for t in titles)


def test_non_axes_argument_is_refused():
    with pytest.raises(ValueError, match="matplotlib Axes"):
        plots.plot_probabilities([0.5, 0.5], ax="left")
