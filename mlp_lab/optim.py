"""Optimizers: each owns its state (keyed by parameter name) and updates parameters in place.

The update rules are the ones torch.optim documents (SGD with momentum/Nesterov, RMSprop,
Adam), for the same hyper-parameters, so a step here equals a step there.
Create one with ``model.parameters()``; call ``step()`` after ``model.backward(...)``.
Work happens in place with preallocated scratch arrays, in the parameters' own dtype. A model's
parameters and gradients each fill one flat buffer (see ``Sequential``); the optimizer then keeps
its state in flat buffers too and updates everything with one operation per line of its rule.
"""

from __future__ import annotations

import math

import numpy as np

from .flat import joined, split


class Optimizer:
    """Holds ``(name, param, grad)`` triples; subclasses implement ``_update(p, g, s)``, where ``s``
    maps each name in ``state_keys`` to an array shaped like ``p``.

    ``state[name]`` holds each parameter's own state arrays. When the parameters fill one flat
    buffer and so do the gradients, these are views into flat state buffers and ``_update`` runs
    once per step on the flat buffers; otherwise it runs once per parameter.
    """

    def __init__(self, params, lr: float, state_keys: tuple[str, ...] = ("tmp",)):
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
        names = [name for name, _, _ in self.params]
        flat_p, flat_g = joined([p for _, p, _ in self.params]), joined([g for _, _, g in self.params])
        if flat_p is not None and flat_g is not None:
            flat_state = {key: np.zeros_like(flat_p) for key in state_keys}
            pieces = {key: split(buf, [p.shape for _, p, _ in self.params]) for key, buf in flat_state.items()}
            self.state = {name: {key: pieces[key][i] for key in state_keys} for i, name in enumerate(names)}
            self._groups = [(flat_p, flat_g, flat_state)]
        else:
            self.state = {name: {key: np.zeros_like(p) for key in state_keys} for name, p, _ in self.params}
            self._groups = [(p, g, self.state[name]) for name, p, g in self.params]

    def step(self) -> None:
        """Apply one update to every parameter, using the gradients backward left in place."""
        self.t += 1
        for p, g, s in self._groups:
            self._update(p, g, s)

    def _update(self, p, g, s):  # pragma: no cover - abstract
        """Update ``p`` in place from ``g`` at step ``self.t``; ``s`` holds its state arrays by key.

        p, g: arrays of one shape (one parameter, or the flat buffer of all of them);
        s: {key in state_keys: array shaped like p}, updated in place too.
        """
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * g;  with momentum mu: buf = mu buf + g (buf = g at the first step), and the step
    uses buf, or g + mu buf with Nesterov (as torch.optim.SGD with dampening 0)."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        if nesterov and momentum <= 0:
            raise ValueError("SGD: Nesterov momentum needs momentum > 0.")
        super().__init__(params, lr, ("tmp", "buf") if momentum else ("tmp",))
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _update(self, p, g, s):
        step, tmp = g, s["tmp"]
        if self.momentum:
            buf = s["buf"]
            if self.t == 1:
                buf[...] = g
            else:
                buf *= self.momentum
                buf += g
            step = buf
            if self.nesterov:
                np.multiply(buf, self.momentum, out=tmp)
                tmp += g
                step = tmp
        np.multiply(step, self.lr, out=tmp)
        p -= tmp


class RMSProp(Optimizer):
    """v = alpha v + (1 - alpha) g^2;  p -= lr g / (sqrt(v) + eps)  (torch.optim.RMSprop).

    momentum mu: buf = mu buf + g / (sqrt(v) + eps); p -= lr buf.
    centered: divide by sqrt(v - gbar^2) with gbar = alpha gbar + (1 - alpha) g.
    """

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0.0, centered: bool = False):
        state_keys = ("tmp", "v") + (("gbar",) if centered else ()) + (("buf",) if momentum else ())
        super().__init__(params, lr, state_keys)
        self.alpha, self.eps, self.momentum, self.centered = float(alpha), float(eps), float(momentum), centered

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
    two scalars computed once per step. Ten in-place array operations per step, each over all
    of a model's parameters at once (one flat buffer), and no temporary arrays.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        b1, b2 = (float(b) for b in betas)
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"Adam: betas must lie in [0, 1), got {tuple(betas)}.")
        super().__init__(params, lr, ("tmp", "M", "V"))
        self.b1, self.b2, self.eps = b1, b2, float(eps)

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

