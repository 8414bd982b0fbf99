"""plots.plot_optimizer_paths: titled, labelled, one line per path, and clear errors on bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlp_lab import plots  # noqa: E402


def bowl(w1, w2):
    return w1 ** 2 + 3 * w2 ** 2


def test_paths_are_drawn_with_legend_and_labels():
    paths = {"a": np.array([[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]]), "b": np.array([[1.0, 1.0], [0.0, 0.5]])}
    fig = plots.plot_optimizer_paths(bowl, paths, (-1.5, 1.5), (-1.2, 1.2), title="two paths")
    ax = fig.axes[0]
    assert ax.get_title() == "two paths" and "w_1" in ax.get_xlabel() and "w_2" in ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["a (2 steps)", "b (1 steps)", "start"]
    drawn = [line for line in ax.lines if len(line.get_xdata()) == 3]
    np.testing.assert_allclose(drawn[0].get_xydata(), paths["a"])
    plt.close(fig)


@pytest.mark.parametrize("paths, xlim, loss, message", [
    ({}, (-1, 1), bowl, "non-empty dict"),
    ({"a": np.zeros((3, 3))}, (-1, 1), bowl, r"shape \(T, 2\)"),
    ({"a": np.zeros((3, 2))}, (1, -1), bowl, "low < high"),
    ({"a": np.zeros((3, 2))}, (-1, 1), lambda w1, w2: 0.0, "one loss per point"),
])
def test_bad_input_is_refused_with_a_clear_message(paths, xlim, loss, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_optimizer_paths(loss, paths, xlim, (-1, 1))
