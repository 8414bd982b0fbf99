"""MNIST digits in a grid, with true and predicted labels."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from ._common import WRONG, array, class_labels, grid_shape, panel_count


def _as_square_images(where: str, images) -> np.ndarray:
    images = array(where, "images", images, ndim=(2, 3))
    if images.ndim == 3:
        if images.shape[1] != images.shape[2]:
            raise ValueError(f"{where}: images must be (N, 784) or (N, 28, 28), got shape {images.shape}.")
        return images
    side = math.isqrt(images.shape[1])
    if side * side != images.shape[1]:
        raise ValueError(f"{where}: each row of images must be a flattened square picture, e.g. (N, 784) "
                         f"for 28x28; got shape {images.shape}.")
    return images.reshape(len(images), side, side)


def plot_digits(images, labels, predictions=None, n: int = 16, title: str | None = None, probabilities=None):
    """A grid of the first n digits with their true label; the prediction in red when it is wrong.

    images: (N, 784) or (N, 28, 28); labels: (N,) ints; predictions: (N,) ints or None;
    probabilities: (N, K) class probabilities or None (shows the confidence of the prediction, and
    gives the predictions as ``probabilities.argmax(1)`` when predictions is None).
    """
    where = "plot_digits"
    images = _as_square_images(where, images)
    N = len(images)
    labels = class_labels(where, "labels", labels, N)
    if probabilities is not None:
        probabilities = array(where, "probabilities", probabilities, ndim=2)
        if probabilities.shape[0] != N:
            raise ValueError(f"{where}: probabilities has {probabilities.shape[0]} rows but there are {N} images.")
        if predictions is None:
            predictions = probabilities.argmax(axis=1)
    if predictions is not None:
        predictions = class_labels(where, "predictions", predictions, N)
    if probabilities is not None and predictions.max(initial=0) >= probabilities.shape[1]:
        raise ValueError(f"{where}: predictions go up to {predictions.max()} but probabilities has only "
                         f"{probabilities.shape[1]} columns.")
    count = panel_count(where, n, N, "digits")
    rows, cols = grid_shape(count)
    fig, axes = plt.subplots(rows, cols, figsize=(1.25 * cols + 0.2, 1.45 * rows + 0.5),
                             layout="constrained", squeeze=False)
    vmax = 255.0 if images[:count].max(initial=0) > 1.0 else 1.0
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= count:
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0.0, vmax=vmax, interpolation="nearest")
        text, color = f"label {labels[i]}", "black"
        if predictions is not None:
            text = f"true {labels[i]}\npred {predictions[i]}"
            if probabilities is not None:
                text += f" ({probabilities[i, predictions[i]]:.0%})"
            if predictions[i] != labels[i]:
                color = WRONG
        ax.set_title(text, fontsize=9, color=color)
    if title is None:
        title = "Digits" if predictions is None else "Digits: true and predicted labels (red = wrong)"
    fig.suptitle(title)
    return fig
