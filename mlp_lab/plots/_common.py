"""Helpers shared by the figures: axes creation, input checks, compact number formatting."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

# Two colours used the same way in every figure: forward values and gradients.
FORWARD = "#1f5fa8"
BACKWARD = "#d9480f"
WRONG = "#c92a2a"


def new_axes(ax, figsize: tuple[float, float]):
    """Return ``(fig, ax)``: the given axes and its figure, or a new figure with one axes."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
        raise ValueError(f"ax must be a matplotlib Axes (e.g. from plt.subplots()) or None, got {type(ax).__name__}.")
    return ax.figure, ax


def array(where: str, name: str, x, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``x`` as a finite-or-nan numeric array, checking its number of dimensions."""
    if x is None:
        raise ValueError(f"{where}: {name} is None; pass a NumPy array.")
    try:
        a = np.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{where}: {name} could not be turned into an array ({err}).") from None
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValueError(f"{where}: {name} must be numeric, got dtype {a.dtype}.")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{where}: {name} must be {want}, got shape {a.shape}.")
    return a


def class_labels(where: str, name: str, y, n: int | None = None) -> np.ndarray:
    """Return integer class labels of shape ``(n,)``; accept (n, 1) columns and one-hot (n, K) rows."""
    y = array(where, name, y, ndim=(1, 2))
    if y.ndim == 2:
        if y.shape[1] == 1:
            y = y[:, 0]
        else:
            raise ValueError(
                f"{where}: {name} must be class indices of shape (N,), got shape {y.shape}. "
                f"If it is one-hot encoded, pass {name}.argmax(axis=1)."
            )
    if n is not None and len(y) != n:
        raise ValueError(f"{where}: {name} has {len(y)} entries but there are {n} examples; they must match.")
    if not np.issubdtype(y.dtype, np.integer):
        if y.size and not np.all(y == np.round(y)):
            raise ValueError(f"{where}: {name} must hold whole-number class indices, got non-integer values.")
        y = y.astype(np.int64)
    return y


def history_dict(where: str, history) -> Mapping:
    """Check that ``history`` looks like the dict returned by ``mlp_lab.fit``."""
    if not isinstance(history, Mapping):
        raise ValueError(f"{where}: history must be the dict returned by mlp_lab.fit, got {type(history).__name__}.")
    return history


def series(where: str, history: Mapping, key: str, run: str = "history") -> np.ndarray:
    """Return ``history[key]`` as a float array, with a clear error when missing."""
    if key not in history:
        raise ValueError(f"{where}: {run} has no key {key!r}; available keys: {sorted(history)}.")
    values = array(where, f"{run}[{key!r}]", history[key], ndim=1).astype(float)
    return values


def _fits_decimals(v: float) -> bool:
    return v == 0 or 0.005 <= abs(v) < 1e4 or not np.isfinite(v)


def fmt_number(v: float, scientific: bool | None = None) -> str:
    """A number in at most about six characters: 2 decimals, or scientific when tiny or huge
    (``scientific`` forces one or the other, so that the entries of one array share a format)."""
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    if scientific is None:
        scientific = not _fits_decimals(v)
    if not scientific:
        text = f"{v:.2f}"
        return "0.00" if text == "-0.00" else text
    return f"{v:.1e}"


def fmt_array(value, max_size: int = 4) -> str:
    """Scalars as ``0.31``; arrays with at most ``max_size`` entries in full (one row per line, all
    entries in the same format);
    larger arrays as ``shape (4, 2)`` and ``|.|max 0.31`` on two lines."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return fmt_number(a)
    if a.size <= max_size and a.ndim <= 2:
        scientific = not all(_fits_decimals(v) for v in a.ravel())   # one format for every entry
        texts = [fmt_number(v, scientific) for v in a.ravel()]
        width = max(len(t) for t in texts) if texts else 0
        cells = np.array([t.rjust(width) for t in texts], dtype=object).reshape(a.shape)
        if a.ndim == 1:
            return "[" + " ".join(cells) + "]"
        return "[" + "\n ".join("[" + " ".join(row) + "]" for row in cells) + "]"
    biggest = fmt_number(np.max(np.abs(a))) if a.size else "-"
    return f"shape {tuple(a.shape)}\n|.|max {biggest}"


def grid_shape(n: int, max_cols: int = 8) -> tuple[int, int]:
    """(rows, cols) for n panels, at most max_cols per row."""
    cols = min(n, max_cols)
    return math.ceil(n / cols), cols


def panel_count(where: str, n, available: int, what: str) -> int:
    """min(n, available) after checking that n is a positive integer."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{where}: n is the number of {what} to show and must be a positive integer, got {n!r}.")
    return int(min(n, available))
