"""A small fully connected network drawn as circles and arrows, with its weights and biases."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from ._common import array, fmt_number, new_axes

MAX_UNITS = 8
RADIUS = 0.5
POSITIVE, NEGATIVE = "#1f5fa8", "#c2410c"


def _validate(where: str, weights, biases, input_names, output_names):
    if not isinstance(weights, (list, tuple)) or not weights:
        raise ValueError(f"{where}: weights must be a non-empty list of (n_in, n_out) arrays, "
                         f"got {type(weights).__name__}.")
    Ws = [array(where, f"weights[{l}]", W, ndim=2).astype(float) for l, W in enumerate(weights)]
    for l in range(1, len(Ws)):
        if Ws[l].shape[0] != Ws[l - 1].shape[1]:
            raise ValueError(f"{where}: weights[{l - 1}] has shape {Ws[l - 1].shape} so layer {l} has "
                             f"{Ws[l - 1].shape[1]} units, but weights[{l}] has shape {Ws[l].shape}; its first "
                             f"dimension must be {Ws[l - 1].shape[1]} (batch-first layout, W is (n_in, n_out)).")
    if not isinstance(biases, (list, tuple)) or len(biases) != len(Ws):
        raise ValueError(f"{where}: biases must be a list with one array per weight matrix ({len(Ws)}), "
                         f"got {len(biases) if isinstance(biases, (list, tuple)) else type(biases).__name__}.")
    bs = []
    for l, (W, b) in enumerate(zip(Ws, biases)):
        b = array(where, f"biases[{l}]", b, ndim=(1, 2)).astype(float)
        if b.size != W.shape[1] or (b.ndim == 2 and b.shape[0] != 1):
            raise ValueError(f"{where}: biases[{l}] must have shape ({W.shape[1]},) to match weights[{l}] "
                             f"{W.shape}, got {b.shape}.")
        bs.append(b.ravel())
    sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
    if max(sizes) > MAX_UNITS:
        raise ValueError(f"{where}: layer sizes {sizes} are too large to draw readably (at most {MAX_UNITS} "
                         f"units per layer); use plot_weight_images for large layers.")
    for label, names, size in (("input_names", input_names, sizes[0]), ("output_names", output_names, sizes[-1])):
        if names is not None and (isinstance(names, str) or len(names) != size):
            raise ValueError(f"{where}: {label} must be a list of {size} names, got {names!r}.")
    return Ws, bs, sizes


def _unit_names(sizes, input_names, output_names) -> list[list[str]]:
    n_hidden = len(sizes) - 2
    names = [list(input_names) if input_names else [f"$x_{i + 1}$" for i in range(sizes[0])]]
    for l in range(1, len(sizes) - 1):
        names.append([f"$h_{j + 1}$" if n_hidden == 1 else f"$h^{{({l})}}_{j + 1}$" for j in range(sizes[l])])
    default_out = [r"$\hat{y}$"] if sizes[-1] == 1 else [rf"$\hat{{y}}_{k + 1}$" for k in range(sizes[-1])]
    names.append(list(output_names) if output_names else default_out)
    return names


def plot_network(weights: list, biases: list, title: str | None = None, input_names=None, output_names=None,
                 ax=None):
    """Draw a small MLP: units as circles (with bias b), connections as arrows labelled with W[i, j].

    weights: list of (n_in, n_out) arrays, W[i, j] connects unit i to unit j of the next layer;
    biases: list of (n_out,) arrays. input_names / output_names: one label per input / output unit.
    Arrow colour gives the sign of the weight (blue +, orange -), width its magnitude.
    """
    where = "plot_network"
    Ws, bs, sizes = _validate(where, weights, biases, input_names, output_names)
    names = _unit_names(sizes, input_names, output_names)
    widest = max(sizes)
    step_x, step_y = 3.2 + 0.9 * (widest - 2), 1.6
    xs = [l * step_x for l in range(len(sizes))]
    ys = [[((n - 1) / 2 - i) * step_y for i in range(n)] for n in sizes]
    half_height = (widest - 1) / 2 * step_y + RADIUS
    scale = min(0.72, 10.0 / (xs[-1] + 2.0))  # inches per data unit, at most 11 inches wide
    fig, ax = new_axes(ax, (1.0 + scale * (xs[-1] + 2.0), 1.2 + scale * (2 * half_height + 1.0)))
    largest = max(float(np.max(np.abs(W))) for W in Ws) or 1.0

    for l, W in enumerate(Ws):
        n_in, n_out = W.shape
        for i in range(n_in):
            # Labels of one source sit at the same fraction of the way; sources use different
            # fractions so that labels of crossing arrows do not meet.
            t = 0.4 if n_in == 1 else 0.25 + 0.4 * i / (n_in - 1)
            for j in range(n_out):
                (x0, y0), (x1, y1) = (xs[l], ys[l][i]), (xs[l + 1], ys[l + 1][j])
                d = np.hypot(x1 - x0, y1 - y0)
                ux, uy = (x1 - x0) / d, (y1 - y0) / d
                w = W[i, j]
                color = POSITIVE if w >= 0 else NEGATIVE
                ax.add_patch(FancyArrowPatch((x0 + RADIUS * ux, y0 + RADIUS * uy),
                                             (x1 - RADIUS * ux, y1 - RADIUS * uy), arrowstyle="-|>",
                                             mutation_scale=12, color=color, shrinkA=0, shrinkB=2,
                                             linewidth=0.8 + 2.4 * abs(w) / largest, alpha=0.85, zorder=1))
                # t is measured along the visible part of the arrow, between the two circles
                at = RADIUS + t * (d - 2 * RADIUS)
                ax.text(x0 + at * ux, y0 + at * uy, fmt_number(w), ha="center", va="center",
                        rotation=np.degrees(np.arctan2(uy, ux)), rotation_mode="anchor",
                        transform_rotates_text=True,
                        fontsize=9 if widest <= 3 else 8.5, color=color, zorder=3,
                        bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9))

    for l, n in enumerate(sizes):
        for i in range(n):
            x, y = xs[l], ys[l][i]
            face = "#eef2f7" if l == 0 else "#fdf6e3"
            ax.add_patch(Circle((x, y), RADIUS, facecolor=face, edgecolor="#333333", linewidth=1.3, zorder=2))
            if l == 0:
                ax.text(x, y, names[l][i], ha="center", va="center", fontsize=12, zorder=3)
            else:
                ax.text(x, y + 0.14, names[l][i], ha="center", va="center", fontsize=11, zorder=3)
                ax.text(x, y - 0.22, f"b {fmt_number(bs[l - 1][i])}", ha="center", va="center", fontsize=8,
                        color="#333333", zorder=3)
        header = "input" if l == 0 else "output" if l == len(sizes) - 1 else (
            "hidden" if len(sizes) == 3 else f"hidden {l}")
        ax.text(xs[l], half_height + 0.35, header, ha="center", va="bottom", fontsize=10, color="#555555")

    ax.set_xlim(-1.0, xs[-1] + 1.0)
    ax.set_ylim(-half_height - 0.3, half_height + 0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    shape = "-".join(str(n) for n in sizes)
    ax.set_title(title or f"A {shape} network: arrows carry weights W[i, j], units show biases b")
    return fig
