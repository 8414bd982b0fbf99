"""Learning curves: one run (train vs validation) and several runs compared."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter, PercentFormatter

from ._common import history_dict, new_axes, series

_AXIS_NAMES = {"loss": "loss", "acc": "accuracy", "seconds": "seconds per epoch"}


def _axis_name(key: str) -> str:
    base = key[4:] if key.startswith("val_") else key
    name = _AXIS_NAMES.get(base, base.replace("_", " "))
    return ("validation " + name) if key.startswith("val_") else name


def _style_axes(ax, key: str, x_label: str, log_scale: bool = False) -> None:
    ax.set_xlabel(x_label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if log_scale:   # ticks at 1, 2, 5 times powers of ten, written plainly; no labelled minor ticks
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    if key.removeprefix("val_") == "acc":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)


def plot_history(history: dict, keys=("loss", "acc"), title: str | None = None, x_label: str = "epoch"):
    """Train vs validation curves of one run, one panel per key, x = epoch (1-based).

    history: the dict from ``mlp_lab.fit`` (lists ``loss``, ``acc``, ``val_loss``, ``val_acc``,
    ``seconds``; the ``val_*`` lists may be empty). keys: e.g. ``("loss", "acc")`` or ``"loss"``.
    x_label: what one entry is, e.g. "step" for a history recorded once per full-batch step.
    """
    where = "plot_history"
    history = history_dict(where, history)
    keys = (keys,) if isinstance(keys, str) else tuple(keys)
    if not keys:
        raise ValueError(f"{where}: keys is empty; pass e.g. keys=('loss', 'acc').")
    fig, axes = plt.subplots(1, len(keys), figsize=(min(4.8 * len(keys), 12), 3.6), layout="constrained",
                             squeeze=False)
    for ax, key in zip(axes[0], keys):
        train = series(where, history, key)
        if train.size == 0:
            raise ValueError(f"{where}: history[{key!r}] is empty; train for at least one epoch first.")
        epochs = np.arange(1, train.size + 1)
        marker = "o" if train.size <= 30 else None
        ax.plot(epochs, train, marker=marker, ms=4, label="train")
        val_key = "val_" + key
        if history.get(val_key) is not None and len(history[val_key]):
            val = series(where, history, val_key)
            if val.size != train.size:
                raise ValueError(f"{where}: history[{val_key!r}] has {val.size} entries but history[{key!r}] "
                                 f"has {train.size}; they must cover the same epochs.")
            ax.plot(epochs, val, marker=marker, ms=4, linestyle="--", label="validation")
        _style_axes(ax, key, x_label)
        ax.set_ylabel(_axis_name(key))
        ax.set_title(_axis_name(key).capitalize())
        ax.legend()
    fig.suptitle(title or "Training history")
    return fig


def plot_histories(histories: dict[str, dict], key: str = "loss", title: str | None = None, ax=None,
                   x_label: str = "epoch", log_scale: bool = False):
    """Several runs compared on one axes (e.g. SGD / momentum / RMSProp / Adam), legend by name.

    histories: ``{name: history}`` with each history from ``mlp_lab.fit``. key: the list to plot,
    e.g. ``"loss"``, ``"val_acc"`` or ``"seconds"``; x = epoch (1-based), or what ``x_label`` names.
    log_scale: a logarithmic y axis labelled at 1, 2 and 5 times powers of ten.
    """
    where = "plot_histories"
    if not isinstance(histories, dict) or not histories:
        raise ValueError(f"{where}: histories must be a non-empty dict {{name: history from mlp_lab.fit}}, "
                         f"got {histories!r:.60}.")
    fig, ax = new_axes(ax, (6.4, 4.0))
    for name, history in histories.items():
        values = series(where, history_dict(where, history), key, run=f"histories[{name!r}]")
        if values.size == 0:
            hint = " Pass X_val and y_val to fit to record validation curves." if key.startswith("val_") else ""
            raise ValueError(f"{where}: histories[{name!r}][{key!r}] is empty.{hint}")
        epochs = np.arange(1, values.size + 1)
        ax.plot(epochs, values, marker="o" if values.size <= 30 else None, ms=3.5, label=str(name))
    _style_axes(ax, key, x_label, log_scale)
    ax.set_ylabel(_axis_name(key))
    ax.set_title(title or f"{_axis_name(key).capitalize()} by {x_label}")
    ax.legend(title="run")
    return fig
