"""A function of one variable next to its derivative (chapter 2: sigmoid, tanh, ReLU)."""

from __future__ import annotations

import numpy as np

from ._common import new_axes


def _evaluate(where: str, name: str, fn, z: np.ndarray) -> np.ndarray:
    if not callable(fn):
        raise ValueError(f"{where}: {name} must be a function of z, got {type(fn).__name__}.")
    out = np.asarray(fn(z))
    if out.shape != z.shape:
        raise ValueError(f"{where}: {name}(z) must return an array of the same shape as z {z.shape}, "
                         f"got {out.shape}. Write it elementwise with NumPy operations.")
    return out.astype(float)


def plot_function_and_derivative(f, df, z=None, names=("sigma(z)", "sigma'(z)"), title: str | None = None,
                                 ax=None):
    """f(z) (solid) and f'(z) (dashed) against z; call again on the same ax to compare functions.

    f, df: elementwise functions (M,) -> (M,). z: (M,) points, default 401 points in [-6, 6].
    names: the legend entries for f and df.
    """
    where = "plot_function_and_derivative"
    z = np.linspace(-6.0, 6.0, 401) if z is None else np.asarray(z, dtype=float)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"{where}: z must be a 1-D array of at least 2 points, got shape {z.shape}.")
    if isinstance(names, str) or len(names) != 2:
        raise ValueError(f"{where}: names must be two strings (function, derivative), got {names!r}.")
    values, slopes = _evaluate(where, "f", f, z), _evaluate(where, "df", df, z)
    fig, ax = new_axes(ax, (6.0, 3.8))
    line, = ax.plot(z, values, linewidth=2, label=names[0])
    ax.plot(z, slopes, linewidth=2, linestyle="--", color=line.get_color(), label=names[1])
    if not any(other.get_gid() == "axes-through-origin" for other in ax.get_lines()):  # once per axes
        ax.axhline(0, color="0.6", linewidth=0.8, zorder=0, gid="axes-through-origin")
        ax.axvline(0, color="0.6", linewidth=0.8, zorder=0, gid="axes-through-origin")
    ax.set_xlabel("z")
    ax.set_ylabel("value")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title or f"{names[0]} and its derivative {names[1]}")
    return fig
