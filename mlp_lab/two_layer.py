"""The network of chapters 01 and 03, written out by hand: one hidden layer, sigmoid after both layers.

Z1 = X W1 + b1, A1 = sigma(Z1), Z2 = A1 W2 + b2, A2 = sigma(Z2); trained with the squared error
L = (1/N) sum_n 1/2 ||A2[n] - Y[n]||^2. Built from the package's own gears.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid, sigmoid_backward
from .layers import linear_backward, linear_forward
from .losses import mse


def forward_pass(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """A2 = sigma(sigma(X W1 + b1) W2 + b2).

    X: (N, n_in), W1: (n_in, n_hidden), b1: (n_hidden,), W2: (n_hidden, n_out), b2: (n_out,).
    Returns A2: (N, n_out).
    """
    return sigmoid(linear_forward(sigmoid(linear_forward(X, W1, b1)), W2, b2))


def network_gradients(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
                      b2: np.ndarray) -> tuple:
    """L and (dW1, db1, dW2, db2) by backpropagation through the gears, output layer first.

    X: (N, n_in), Y: (N, n_out), W1: (n_in, n_hidden), b1: (n_hidden,), W2: (n_hidden, n_out), b2: (n_out,).
    Returns (L, dW1, db1, dW2, db2): L a float, each gradient shaped like its parameter.
    """
    Z1 = linear_forward(X, W1, b1)
    A1 = sigmoid(Z1)
    Z2 = linear_forward(A1, W2, b2)
    A2 = sigmoid(Z2)
    L, dA2 = mse(A2, Y)
    dZ2 = sigmoid_backward(dA2, Z2)
    dA1, dW2, db2 = linear_backward(dZ2, A1, W2)
    dZ1 = sigmoid_backward(dA1, Z1)
    _, dW1, db1 = linear_backward(dZ1, X, W1)
    return L, dW1, db1, dW2, db2
