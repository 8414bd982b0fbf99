"""Layers: each has ``forward(x)`` and ``backward(dout)``; ``params`` and ``grads`` share keys.

Conventions (the same in every chapter): batch first, ``Y = X @ W + b``, ``W`` of shape
``(n_in, n_out)``. ``backward`` returns ``dx`` (the shape of the forward input; None from
``Linear.backward(dout, need_dx=False)``, which skips it), overwrites ``grads`` in place (so an
optimizer may keep references to them), never updates weights and never modifies ``dout``.
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._validate import as_batch


# --- the functional forms the chapters ask learners to write ---------------------------------

def linear_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Y = X W + b.  X: (N, n_in), W: (n_in, n_out), b: (n_out,) -> Y: (N, n_out)."""
    return X @ W + b


def linear_backward(dY: np.ndarray, X: np.ndarray, W: np.ndarray):
    """dX = dY W^T, dW = X^T dY, db = sum_n dY[n].  Returns (dX, dW, db) shaped like X, W, b."""
    return dY @ W.T, X.T @ dY, dY.sum(axis=0)


def dropout_forward(X: np.ndarray, p: float, rng: np.random.Generator):
    """Inverted dropout: mask[i] = 1/(1-p) with probability 1-p, else 0; out = X * mask.

    X: any shape; p: drop probability in [0, 1); rng: a NumPy Generator.
    Returns (out, mask), both shaped like X. The expected value of out equals X.
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p is the probability of dropping a unit and must be in [0, 1), got {p}.")
    keep = rng.random(X.shape, dtype=X.dtype if X.dtype in (np.float32, np.float64) else np.float64) >= p
    mask = keep.astype(X.dtype) * X.dtype.type(1.0 / (1.0 - p))
    return X * mask, mask


def dropout_backward(dout: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """dX = dout * mask (the same units are dropped and scaled).  dout, mask: shaped like X -> dX: the same."""
    return dout * mask


# --- layers -----------------------------------------------------------------------------------

class Layer:
    """Base class: no parameters, train mode by default."""

    params: dict
    grads: dict

    def __init__(self):
        self.params, self.grads = {}, {}
        self.training = True

    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """out = layer(x).  x: (N, n_in) -> out: (N, n_out); remembers what backward needs."""
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """dx from dout: (N, n_out) -> dx: (N, n_in); fills ``grads`` (same keys as ``params``)."""
        raise NotImplementedError

    def _check_dout(self, dout, out_shape):
        if not isinstance(dout, np.ndarray) or dout.shape != out_shape:
            got = dout.shape if isinstance(dout, np.ndarray) else type(dout).__name__
            raise ValueError(
                f"{self!r}.backward: dout must have the shape of the forward output {out_shape}, got {got}. "
                f"Call forward on this batch first, and pass the gradient of the layer above."
            )

    def __repr__(self):
        return type(self).__name__ + "()"


INITS = ("he", "xavier", "normal")


class Linear(Layer):
    """Y = X W + b.  W: (n_in, n_out), b: (n_out,).

    init: "he" (std sqrt(2/n_in), for ReLU), "xavier" (std sqrt(2/(n_in+n_out)), for
    sigmoid/tanh), "normal" (std 0.01), or a float standard deviation.
    rng: a NumPy Generator or an int seed. dtype: float32 (training) or float64 (checks).
    """

    def __init__(self, n_in: int, n_out: int, rng=None, init="xavier", dtype=np.float32):
        super().__init__()
        if int(n_in) != n_in or int(n_out) != n_out or n_in < 1 or n_out < 1:
            raise ValueError(f"Linear: n_in and n_out must be positive integers, got {n_in} and {n_out}.")
        self.n_in, self.n_out, self.dtype = int(n_in), int(n_out), np.dtype(dtype)
        rng = np.random.default_rng(rng)
        if isinstance(init, str):
            if init not in INITS:
                raise ValueError(f"Linear: init must be one of {INITS} or a float std, got {init!r}.")
            std = {"he": np.sqrt(2.0 / n_in), "xavier": np.sqrt(2.0 / (n_in + n_out)), "normal": 0.01}[init]
        else:
            std = float(init)
        W = rng.standard_normal((self.n_in, self.n_out), dtype=self.dtype)
        W *= self.dtype.type(std)
        self.params = {"W": W, "b": np.zeros(self.n_out, dtype=self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._x = None

    def forward(self, x):
        """Y = X W + b.  x: (N, n_in) -> Y: (N, n_out)."""
        x = as_batch(repr(self), x, self.n_in, self.dtype)
        self._x = x
        out = x @ self.params["W"]
        out += self.params["b"]
        return out

    def backward(self, dout, need_dx: bool = True):
        """dX = dout W^T, dW = X^T dout, db = sum_n dout[n].  dout: (N, n_out) -> dX: (N, n_in), or None.

        Fills grads["W"] (n_in, n_out) and grads["b"] (n_out,). need_dx=False skips dX and returns None:
        the first layer's input gradient is never used in training, and it costs as much as the forward
        product.
        """
        if self._x is None:
            raise RuntimeError(f"{self!r}.backward called before forward.")
        self._check_dout(dout, (self._x.shape[0], self.n_out))
        np.matmul(self._x.T, dout, out=self.grads["W"])
        np.sum(dout, axis=0, out=self.grads["b"])
        return dout @ self.params["W"].T if need_dx else None

    def __repr__(self):
        return f"Linear({self.n_in} -> {self.n_out})"


class _Elementwise(Layer):
    """A parameter-free layer applying f elementwise; backward multiplies by f'."""

    _x = None

    def forward(self, x):
        """A = f(x), elementwise.  x: (N, ...) -> A: the same shape."""
        x = as_batch(repr(self), x)
        self._x = x
        self._out = self._f(x)
        return self._out

    def backward(self, dout):
        """dx = dout * f'(x).  dout: shaped like x -> dx: the same shape."""
        if self._x is None:
            raise RuntimeError(f"{self!r}.backward called before forward.")
        self._check_dout(dout, self._x.shape)
        return dout * self._local_grad()


class Sigmoid(_Elementwise):
    """A = sigma(Z); dZ = dA * A (1 - A)."""

    def _f(self, x):
        return act.sigmoid(x)

    def _local_grad(self):
        return self._out * (1.0 - self._out)


class Tanh(_Elementwise):
    """A = tanh(Z); dZ = dA * (1 - A^2)."""

    def _f(self, x):
        return np.tanh(x)

    def _local_grad(self):
        return 1.0 - self._out * self._out


class ReLU(_Elementwise):
    """A = max(Z, 0); dZ = dA where Z > 0, else 0."""

    def _f(self, x):
        # Against an array of zeros rather than the scalar 0: NumPy's SIMD loop for maximum needs two
        # arrays, and with the scalar this is 3x slower (it is in every step of training).
        return np.maximum(x, np.zeros_like(x))

    def _local_grad(self):
        return self._x > 0  # a boolean mask: dout * mask keeps dout's dtype (and is 6x faster than np.where)


class Dropout(Layer):
    """Inverted dropout with drop probability p; the identity in eval mode.

    rng: a NumPy Generator or int seed, used for the masks (so runs are reproducible).
    """

    def __init__(self, p: float, rng=None):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p is the probability of dropping a unit and must be in [0, 1), got {p}.")
        self.p = float(p)
        self.rng = np.random.default_rng(rng)
        self._mask = None

    def forward(self, x):
        """x * mask in train mode, x itself in eval mode.  x: (N, ...) -> out: the same shape."""
        x = as_batch(repr(self), x)
        if not self.training or self.p == 0.0:
            self._mask = None
            return x
        out, self._mask = dropout_forward(x, self.p, self.rng)
        return out

    def backward(self, dout):
        """dx = dout * mask (a copy of dout in eval mode).  dout: shaped like x -> dx: the same shape."""
        if self._mask is None:
            return dout.copy()
        self._check_dout(dout, self._mask.shape)
        return dropout_backward(dout, self._mask)

    def __repr__(self):
        return f"Dropout(p={self.p})"


ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}
