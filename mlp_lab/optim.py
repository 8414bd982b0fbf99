"""Optimizers: each owns its state (keyed by parameter name) and updates parameters in place.

The update rules are the ones torch.optim documents (SGD with momentum/Nesterov, RMSprop,
Adam), for the same hyper-parameters, so a step here equals a step there.
Create one with ``model.parameters()``; call ``step()`` after ``model.backward(...)``.
Work happens in place with preallocated scratch arrays, in the parameters' own dtype.
"""

from __future__ import annotations

import math

import numpy as np


class Optimizer:
    """Holds ``(name, param, grad)`` triples; subclasses implement ``_update(p, g, state)``, which updates
    the parameter p in place from its gradient g (both of one shape) and its own state dict."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got no parameters. Pass model.parameters().")
        for item in self.params:
            if not (isinstance(item, tuple) and len(item) == 3 and isinstance(item[1], np.ndarray)):
                raise ValueError(
                    f"{type(self).__name__}: expected (name, param, grad) triples such as model.parameters() "
                    f"yields, got {type(item).__name__}."
                )
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: the learning rate must be > 0, got {lr}.")
        self.lr = float(lr)
        self.t = 0
        self.state = {name: {"tmp": np.empty_like(p)} for name, p, _ in self.params}

    def step(self) -> None:
        """Apply one update to every parameter, using the gradients backward left in place."""
        self.t += 1
        for name, p, g in self.params:
            self._update(p, g, self.state[name])

    def _update(self, p, g, s):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * g;  with momentum mu: buf = mu buf + g (buf = g at the first step), and the step
    uses buf, or g + mu buf with Nesterov (as torch.optim.SGD with dampening 0)."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr)
        if nesterov and momentum <= 0:
            raise ValueError("SGD: Nesterov momentum needs momentum > 0.")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _update(self, p, g, s):
        if not self.momentum:
            np.multiply(g, self.lr, out=s["tmp"])
            p -= s["tmp"]
            return
        if "buf" not in s:
            s["buf"] = g.copy()
        else:
            s["buf"] *= self.momentum
            s["buf"] += g
        if self.nesterov:
            np.multiply(s["buf"], self.momentum, out=s["tmp"])
            s["tmp"] += g
        else:
            s["tmp"][...] = s["buf"]
        s["tmp"] *= self.lr
        p -= s["tmp"]


class RMSProp(Optimizer):
    """v = alpha v + (1 - alpha) g^2;  p -= lr g / (sqrt(v) + eps)  (torch.optim.RMSprop).

    momentum mu: buf = mu buf + g / (sqrt(v) + eps); p -= lr buf.
    centered: divide by sqrt(v - gbar^2) with gbar = alpha gbar + (1 - alpha) g.
    """

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0.0, centered: bool = False):
        super().__init__(params, lr)
        self.alpha, self.eps, self.momentum, self.centered = float(alpha), float(eps), float(momentum), centered
        for s, (_, p, _) in zip(self.state.values(), self.params):
            s["v"] = np.zeros_like(p)
            if centered:
                s["gbar"] = np.zeros_like(p)
            if momentum:
                s["buf"] = np.zeros_like(p)

    def _update(self, p, g, s):
        a, tmp = self.alpha, s["tmp"]
        s["v"] *= a
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - a
        s["v"] += tmp
        if self.centered:
            s["gbar"] *= a
            np.multiply(g, 1.0 - a, out=tmp)
            s["gbar"] += tmp
            np.multiply(s["gbar"], s["gbar"], out=tmp)
            np.subtract(s["v"], tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(s["v"], out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        if self.momentum:
            s["buf"] *= self.momentum
            s["buf"] += tmp
            np.multiply(s["buf"], self.lr, out=tmp)
        else:
            tmp *= self.lr
        p -= tmp


class Adam(Optimizer):
    """m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)   (torch.optim.Adam).

    For speed the state keeps the sums without their (1 - b) factors, M = m / (1 - b1) and
    V = v / (1 - b2), so each moment costs one multiply and one add; the factors move into
    two scalars computed once per step. Ten in-place array operations per parameter.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        self.b1, self.b2 = (float(b) for b in betas)
        if not (0.0 <= self.b1 < 1.0 and 0.0 <= self.b2 < 1.0):
            raise ValueError(f"Adam: betas must lie in [0, 1), got {tuple(betas)}.")
        self.eps = float(eps)
        for s, (_, p, _) in zip(self.state.values(), self.params):
            s["M"], s["V"] = np.zeros_like(p), np.zeros_like(p)

    def step(self) -> None:
        # Scalars shared by every parameter at this step t, from the formula above with
        # m = (1 - b1) M and v = (1 - b2) V:  p -= step_size * M / (sqrt(V) + eps_V).
        t = self.t + 1
        c = math.sqrt((1.0 - self.b2) / (1.0 - self.b2 ** t))  # sqrt(v / (1 - b2^t)) = c sqrt(V)
        self._eps_V = self.eps / c
        self._step_size = self.lr * (1.0 - self.b1) / ((1.0 - self.b1 ** t) * c)
        super().step()

    def _update(self, p, g, s):
        M, V, tmp = s["M"], s["V"], s["tmp"]
        M *= self.b1                 # M = b1 M + g
        M += g
        np.multiply(g, g, out=tmp)   # V = b2 V + g^2
        V *= self.b2
        V += tmp
        np.sqrt(V, out=tmp)          # tmp = step_size * M / (sqrt(V) + eps_V)
        tmp += self._eps_V
        np.divide(M, tmp, out=tmp)
        tmp *= self._step_size
        p -= tmp

