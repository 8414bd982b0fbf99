"""Looking at learned weights: first-layer weights as images, weight distributions as histograms."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._common import array, grid_shape, new_axes, panel_count


def plot_weight_images(W, n: int = 16, shape: tuple[int, int] = (28, 28), title: str | None = None,
                       units=None, per_unit: bool = False):
    """Columns of a first-layer weight matrix, each shown as an image.

    W: (784, n_hidden) (batch-first layout, column j feeds hidden unit j); shape: the picture size.
    units: which columns to show (default the first n). Diverging colours centred at 0, red positive,
    blue negative, on one shared scale, or with ``per_unit`` each tile on its own symmetric scale
    (so weak units show their pattern too; the colour bar then reads in fractions of each tile's max).
    """
    where = "plot_weight_images"
    W = array(where, "W", W, ndim=2)
    size = int(np.prod(shape))
    if W.shape[0] != size:
        hint = " It looks transposed: pass W.T." if W.shape[1] == size else ""
        raise ValueError(f"{where}: W must have shape ({size}, n_hidden) for pictures of shape {tuple(shape)}, "
                         f"got {W.shape}.{hint}")
    if units is None:
        units = np.arange(panel_count(where, n, W.shape[1], "hidden units"))
    units = array(where, "units", units, ndim=1)
    if units.size == 0 or units.dtype.kind not in "iu" or units.min() < 0 or units.max() >= W.shape[1]:
        raise ValueError(f"{where}: units must be column indices in 0..{W.shape[1] - 1}, got {units!r:.80}.")
    count = units.size
    rows, cols = grid_shape(count)
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols + 1.0, 1.3 * rows + 0.5),
                             layout="constrained", squeeze=False)
    shown = W[:, units]
    limits = np.abs(shown).max(axis=0) if per_unit else np.full(count, np.abs(shown).max())
    limits[limits == 0] = 1.0
    image = None
    for j, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if j >= count:
            continue
        tile = shown[:, j].reshape(shape) / (limits[j] if per_unit else 1.0)
        limit = 1.0 if per_unit else limits[j]
        image = ax.imshow(tile, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(f"unit {units[j]}", fontsize=9)
    label = "weight / largest |weight| of its tile" if per_unit else "weight"
    fig.colorbar(image, ax=axes, shrink=0.8, label=label)
    fig.suptitle(title or "First-layer weights as images (red +, blue -)")
    return fig


def plot_weight_histograms(weight_sets: dict, title: str | None = None, ax=None, bins: int = 50):
    """Overlaid histograms of weight values, one per set, on shared bins (e.g. none vs L2 vs L1).

    weight_sets: ``{name: array}``, arrays of any shape (flattened); the legend gives mean |w|.
    """
    where = "plot_weight_histograms"
    if not isinstance(weight_sets, dict) or not weight_sets:
        raise ValueError(f"{where}: weight_sets must be a non-empty dict {{name: weight array}}, "
                         f"got {type(weight_sets).__name__}.")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"{where}: bins must be a positive integer, got {bins!r}.")
    flat = {}
    for name, weights in weight_sets.items():
        values = array(where, f"weight_sets[{name!r}]", weights).astype(float).ravel()
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ValueError(f"{where}: weight_sets[{name!r}] must be a non-empty array of finite numbers.")
        flat[name] = values
    edges = np.histogram_bin_edges(np.concatenate(list(flat.values())), bins=bins)
    fig, ax = new_axes(ax, (6.4, 4.0))
    for name, values in flat.items():
        label = f"{name} (mean |w| {np.mean(np.abs(values)):.3g})"
        _, _, patches = ax.hist(values, bins=edges, histtype="stepfilled", alpha=0.3, label=label)
        ax.hist(values, bins=edges, histtype="step", linewidth=1.3, color=patches[0].get_facecolor()[:3])
    ax.set_xlabel("weight value")
    ax.set_ylabel("count")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title or "Distribution of weights")
    return fig
