"""Optimizer paths on a 2-D loss surface: contour lines of the loss and each optimizer's iterates."""

from __future__ import annotations

import numpy as np

from ._common import array, new_axes


def plot_optimizer_paths(loss_fn, paths: dict, xlim: tuple, ylim: tuple, title: str | None = None, ax=None,
                         resolution: int = 200, levels: int = 25):
    """Contours of ``loss_fn`` over a grid and, on top, one path per optimizer, from start (circle) to end (cross).

    loss_fn: maps two arrays (x, y) of one shape to the loss at those points (elementwise).
    paths: ``{name: (T, 2) array of (x, y) iterates}``, the first row the common start.
    xlim, ylim: (low, high) of the window drawn.
    """
    where = "plot_optimizer_paths"
    if not isinstance(paths, dict) or not paths:
        raise ValueError(f"{where}: paths must be a non-empty dict {{name: (T, 2) array of iterates}}, got {paths!r:.60}.")
    checked = {}
    for name, path in paths.items():
        p = array(where, f"paths[{name!r}]", path, ndim=2)
        if p.shape[1] != 2 or len(p) < 1:
            raise ValueError(f"{where}: paths[{name!r}] must have shape (T, 2), one (x, y) row per step; got {p.shape}.")
        checked[name] = p
    for name, lim in (("xlim", xlim), ("ylim", ylim)):
        if len(lim) != 2 or not lim[0] < lim[1]:
            raise ValueError(f"{where}: {name} must be (low, high) with low < high, got {lim!r}.")
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    gx, gy = np.meshgrid(xs, ys)
    surface = np.asarray(loss_fn(gx, gy), dtype=np.float64)
    if surface.shape != gx.shape:
        raise ValueError(f"{where}: loss_fn(x, y) must return one loss per point, shape {gx.shape}; got {surface.shape}.")
    fig, ax = new_axes(ax, (7.0, 5.0))
    low = float(np.min(surface))
    # Log-spaced levels above the minimum show both the narrow valley and the wide slopes.
    spread = np.geomspace(1e-3, 1.0, levels) * (float(np.max(surface)) - low)
    ax.contour(gx, gy, surface, levels=low + spread, colors="0.65", linewidths=0.7)
    for name, p in checked.items():
        line, = ax.plot(p[:, 0], p[:, 1], marker=".", ms=3, lw=1.3, label=f"{name} ({len(p) - 1} steps)")
        ax.plot(p[-1, 0], p[-1, 1], marker="x", ms=8, mew=2, color=line.get_color())
    first = next(iter(checked.values()))[0]
    ax.plot(first[0], first[1], marker="o", ms=8, mfc="none", color="black", label="start")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("parameter $w_1$")
    ax.set_ylabel("parameter $w_2$")
    ax.set_title(title or "Optimizer paths on the loss surface")
    ax.legend(loc="best", fontsize=8)
    return fig
