"""Chapter 08's capstone recipe: a 784-256-128-10 ReLU network trained on MNIST images as they come.

``train_network`` is the reference of the graded capstone exercise: it is handed uint8 images (in any
fixed order of their 784 pixels) and returns the trained parameters, which the judge scores itself.
"""

from __future__ import annotations

import numpy as np

from .model import MLP
from .optim import Adam
from .train import evaluate, fit

SIZES = (784, 256, 128, 10)
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def train_network(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator, epochs: int = 3,
                  lr: float = 2e-3, decay: float = 0.5, batch_size: int = 128, n_val: int = 5000):
    """Adam (lr halved after each epoch) on all but ``n_val`` images, the rest held out for validation.

    images: (N, 784) uint8 pixels; labels: (N,) int64 digits; rng: a Generator (initial weights, the
    validation split, the order of the batches). Returns (params, history): params maps W1 (784, 256),
    b1 (256,), W2 (256, 128), b2 (128,), W3 (128, 10), b3 (10,) to float32 arrays; history holds
    per-epoch lists "loss" (training), "acc" (on n_val training images), "val_loss" and "val_acc".
    """
    X = images.astype(np.float32)
    X /= 255
    order = rng.permutation(len(X))
    X_train, y_train, X_val, y_val = X[order[n_val:]], labels[order[n_val:]], X[order[:n_val]], labels[order[:n_val]]
    model = MLP(list(SIZES), activation="relu", rng=rng)
    optimizer = Adam(model.parameters(), lr=lr)
    history = {"loss": [], "acc": [], "val_loss": [], "val_acc": []}
    for _ in range(epochs):
        epoch = fit(model, X_train, y_train, optimizer, epochs=1, batch_size=batch_size, rng=rng, verbose=False)
        optimizer.lr *= decay
        val_loss, val_acc = evaluate(model, X_val, y_val)
        history["loss"] += epoch["loss"]
        history["acc"].append(float(evaluate(model, X_train[:n_val], y_train[:n_val])[1]))
        history["val_loss"].append(float(val_loss))
        history["val_acc"].append(float(val_acc))
    arrays = [p for _, p, _ in model.parameters()]
    return dict(zip(PARAMETER_NAMES, arrays)), history
