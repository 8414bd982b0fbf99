"""What a classifier outputs: a confusion matrix, a 2-D decision boundary, one softmax output."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm, to_rgba

from ._common import array, class_labels, new_axes

_MARKERS = ("o", "s", "^", "D", "v", "P")
# One strong colour per class (colour-blind-safe order), used for its points and, tinted, its region.
CLASS_COLOURS = ("#1f5fa8", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285")


def plot_confusion_matrix(y_true, y_pred, n_classes: int = 10, title: str | None = None, ax=None,
                          normalize: bool = False):
    """M[i, j] = number of examples of true class i predicted as class j, annotated in each cell.

    y_true, y_pred: (N,) ints in 0..n_classes-1. normalize: divide each row by its total, so the
    diagonal shows the recall of each class.
    """
    where = "plot_confusion_matrix"
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"{where}: n_classes must be an integer >= 2, got {n_classes!r}.")
    y_true = class_labels(where, "y_true", y_true)
    y_pred = class_labels(where, "y_pred", y_pred, len(y_true))
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"{where}: {name} must lie in 0..{n_classes - 1} for n_classes={n_classes}, "
                             f"got values from {y.min()} to {y.max()}.")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        shown = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    else:
        shown = counts
    size = max(3.6, 0.5 * n_classes + 1.2)
    fig, ax = new_axes(ax, (size + 0.3, size + 0.2))
    top = shown.max() if shown.max() > 0 else 1
    ax.imshow(shown, cmap="Blues", vmin=0, vmax=top)
    fontsize = 9 if n_classes <= 10 else max(5, 9 - (n_classes - 10) // 3)
    for i in range(n_classes):
        for j in range(n_classes):
            value = shown[i, j]
            text = f"{value:.2f}" if normalize else str(value)
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                    color="white" if value > 0.55 * top else "black")
    ticks = np.arange(n_classes)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    if title is None:
        accuracy = np.trace(counts) / max(counts.sum(), 1)
        title = f"Confusion matrix{' (rows normalised)' if normalize else ''}: accuracy {accuracy:.1%}"
    ax.set_title(title)
    return fig


def _grid_values(predict_fn, grid: np.ndarray) -> np.ndarray:
    """predict_fn on the grid: (M,) values, or (M, K) per-class columns kept as they are."""
    where = "plot_decision_boundary"
    out = np.asarray(predict_fn(grid))
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.shape != (len(grid),) and not (out.ndim == 2 and out.shape[0] == len(grid)):
        raise ValueError(f"{where}: predict_fn must map a grid of shape {grid.shape} to {len(grid)} values "
                         f"(shape ({len(grid)},) or ({len(grid)}, 1)), or to one column per class, "
                         f"got shape {out.shape}.")
    if not np.issubdtype(out.dtype, np.number) and out.dtype != bool:
        raise ValueError(f"{where}: predict_fn must return numbers, got dtype {out.dtype}.")
    return out.astype(float)


def _class_regions(ax, xx, yy, values: np.ndarray) -> None:
    """Each class's region in a light tint of its colour, its edge a thin black line.

    values: (R, R, K) per-class scores or probabilities, drawn with smooth edges (class k wins where
    its margin over the best other class is positive), or (R, R) class labels (edges follow the grid).
    """
    ids = range(values.shape[-1]) if values.ndim == 3 else np.unique(values[np.isfinite(values)]).astype(int)
    for k in ids:
        tint = to_rgba(_class_colour(k), 0.28)
        if values.ndim == 3:
            others = np.delete(values, k, axis=-1).max(axis=-1)
            margin = values[..., k] - others
        else:
            margin = np.where(values == k, 1.0, -1.0)
        if margin.max() > 0:
            ax.contourf(xx, yy, margin, levels=[0.0, margin.max() + 1.0], colors=[tint])
            if margin.min() < 0:
                ax.contour(xx, yy, margin, levels=[0.0], colors="black", linewidths=1.0)


def _class_colour(k: int) -> str:
    return CLASS_COLOURS[int(k) % len(CLASS_COLOURS)]


def plot_decision_boundary(predict_fn, X, y, title: str | None = None, ax=None, resolution: int = 200,
                           padding: float = 0.5, colorbar: bool = True, value_label: str | None = None):
    """Filled contour of predict_fn over the plane, with the data points coloured by class.

    predict_fn: (M, 2) -> (M,) probabilities of class 1 or scores (a colour scale, the 0.5 or 0 line
    in black), (M,) class labels, or (M, K) one column per class (each class's region in its own
    colour, the colour of its points). X: (N, 2) points; y: (N,) class labels. The grid spans the
    data plus ``padding`` on each side. colorbar: draw the colour scale (False when several panels
    share one); value_label: its label (default "probability of class 1" or "score").
    """
    where = "plot_decision_boundary"
    if not callable(predict_fn):
        raise ValueError(f"{where}: predict_fn must be a function grid (M, 2) -> (M,), "
                         f"got {type(predict_fn).__name__}.")
    X = array(where, "X", X, ndim=2)
    if X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"{where}: X must hold 2-D points, shape (N, 2), got {X.shape}.")
    y = class_labels(where, "y", y, len(X))
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or not 2 <= resolution <= 2000:
        raise ValueError(f"{where}: resolution must be an integer in 2..2000, got {resolution!r}.")
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(X.dtype if X.dtype.kind == "f" else float)
    values = _grid_values(predict_fn, grid)
    values = values.reshape(xx.shape + values.shape[1:])

    fig, ax = new_axes(ax, (5.4, 4.4))
    classes = np.unique(y)
    finite = values[np.isfinite(values)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    is_labels = values.ndim == 3 or bool(finite.size and np.all(finite == np.round(finite))
                                         and len(np.unique(finite)) <= 10)
    if is_labels:
        _class_regions(ax, xx, yy, values)
        colours = [_class_colour(label) for label in classes]
    else:
        probability = vmin >= 0.0 and vmax <= 1.0
        if probability:
            filled = ax.contourf(xx, yy, values, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
            boundary = 0.5
        else:
            centre = 0.0 if vmin < 0 < vmax else (vmin + vmax) / 2
            if vmin == vmax:
                vmin, vmax = vmin - 1, vmax + 1
            filled = ax.contourf(xx, yy, values, levels=15, cmap="RdBu_r", alpha=0.6,
                                 norm=TwoSlopeNorm(centre, vmin, vmax))
            boundary = 0.0
        if finite.size and finite.min() < boundary < finite.max():
            ax.contour(xx, yy, values, levels=[boundary], colors="black", linewidths=1.5)
        if colorbar:
            label = value_label or ("probability of class 1" if probability else "score")
            bar = fig.colorbar(filled, ax=ax, label=label)
            if probability:   # the ends of the scale are the two classes of the legend
                bar.set_ticks([0.0, 0.5, 1.0], labels=["0: class 0", "0.5", "1: class 1"])
        cmap = plt.get_cmap("RdBu_r")   # points in the colour their class has on the scale
        colours = [cmap(0.1 if len(classes) == 1 else 0.1 + 0.8 * k / (len(classes) - 1))
                   for k in range(len(classes))]

    for k, label in enumerate(classes):
        mask = y == label
        ax.scatter(X[mask, 0], X[mask, 1], s=60 if len(X) <= 50 else 18, color=colours[k],
                   marker=_MARKERS[k % len(_MARKERS)], edgecolor="black", linewidth=0.8, label=f"class {label}",
                   zorder=3)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.legend(loc="upper right", framealpha=0.9, fontsize=9)
    ax.set_title(title or "Decision boundary")
    return fig


def plot_probabilities(probs, labels=None, title: str | None = None, ax=None):
    """Bar chart of one softmax output p_k, the most likely class highlighted, bars of 0.005 or more labelled.

    probs: (K,) or (1, K), non-negative and summing to 1. labels: K class names (default 0..K-1).
    """
    where = "plot_probabilities"
    probs = array(where, "probs", probs, ndim=(1, 2)).astype(float)
    if probs.ndim == 2:
        if probs.shape[0] != 1:
            raise ValueError(f"{where}: probs must be one distribution of shape (K,) or (1, K), got {probs.shape}; "
                             f"pick one row, e.g. probs[0].")
        probs = probs[0]
    if probs.size < 2:
        raise ValueError(f"{where}: probs must have at least 2 classes, got shape {probs.shape}.")
    if not np.all(np.isfinite(probs)) or probs.min() < 0 or abs(probs.sum() - 1.0) > 1e-3:
        raise ValueError(f"{where}: probs must be non-negative and sum to 1 (got sum {probs.sum():.4g}, "
                         f"min {probs.min():.4g}). If these are raw scores (logits), apply softmax first.")
    K = probs.size
    names = [str(k) for k in range(K)] if labels is None else [str(name) for name in labels]
    if len(names) != K:
        raise ValueError(f"{where}: labels has {len(names)} names but probs has {K} classes.")
    fig, ax = new_axes(ax, (max(4.0, 0.5 * K + 1.5), 3.4))
    best = int(probs.argmax())
    colors = ["#9bb5d6"] * K
    colors[best] = "#1f5fa8"
    positions = np.arange(K)
    ax.bar(positions, probs, color=colors, edgecolor="#1f3a5f", linewidth=0.6)
    if K <= 20:
        for k, p in enumerate(probs):
            if p >= 0.005:   # a bar that rounds to 0.00 carries no label: rows of "0.00" are clutter
                ax.text(k, p + 0.02, f"{p:.2f}", ha="center", va="bottom", fontsize=8 if K <= 12 else 6.5)
    ax.set_xticks(positions, names)
    ax.set_ylim(0, 1.12)
    ax.set_xlabel("class")
    ax.set_ylabel("probability")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title or f"Softmax output: most likely class {names[best]} ({probs[best]:.0%})")
    return fig
