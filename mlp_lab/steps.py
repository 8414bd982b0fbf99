"""Optimizer steps as plain functions: one parameter, its gradient and a state dict, updated in place.

The update rules are torch.optim's (SGD with momentum and dampening 0, RMSprop, Adam), so
``n`` calls here equal ``n`` steps of ``mlp_lab.optim``'s classes or of torch. The caller keeps
one ``state`` dict per parameter (start with ``{}``) and passes it back at every step; the
hyper-parameters are arguments, so a schedule may change ``lr`` from one step to the next.
"""

from __future__ import annotations

import numpy as np


def sgd_momentum_step(param: np.ndarray, grad: np.ndarray, state: dict, lr: float, momentum: float = 0.9) -> None:
    """buf = grad at the first step, then buf = momentum buf + grad;  param -= lr buf.

    param, grad: arrays of one shape (param changes in place); state: {} at first, then {"buf": array}.
    """
    if "buf" not in state:
        state["buf"] = grad.copy()
    else:
        state["buf"] *= momentum
        state["buf"] += grad
    param -= lr * state["buf"]


def rmsprop_step(param: np.ndarray, grad: np.ndarray, state: dict, lr: float, alpha: float = 0.99,
                 eps: float = 1e-8) -> None:
    """v = alpha v + (1 - alpha) grad^2 (v starts at 0);  param -= lr grad / (sqrt(v) + eps).

    param, grad: arrays of one shape (param changes in place); state: {} at first, then {"square_avg": array}.
    """
    if "square_avg" not in state:
        state["square_avg"] = np.zeros_like(param)
    v = state["square_avg"]
    v *= alpha
    v += (1 - alpha) * grad * grad
    param -= lr * grad / (np.sqrt(v) + eps)


def adam_step(param: np.ndarray, grad: np.ndarray, state: dict, lr: float, beta1: float = 0.9,
              beta2: float = 0.999, eps: float = 1e-8) -> None:
    """t += 1;  m = b1 m + (1 - b1) grad;  v = b2 v + (1 - b2) grad^2  (m, v start at 0);
    param -= lr m_hat / (sqrt(v_hat) + eps)  with  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).

    param, grad: arrays of one shape (param changes in place); state: {} at first, then {"t", "m", "v"}.
    """
    if "t" not in state:
        state["t"], state["m"], state["v"] = 0, np.zeros_like(param), np.zeros_like(param)
    state["t"] += 1
    t, m, v = state["t"], state["m"], state["v"]
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param -= lr * m_hat / (np.sqrt(v_hat) + eps)


class StepOptimizer:
    """An optimizer object made of a step function: ``step()`` calls ``step_fn(param, grad, state, lr, **hyper)``
    for every ``(name, param, grad)`` of ``params`` (e.g. ``model.parameters()``), one state dict per name.

    ``lr`` is an attribute, so a schedule may change it between steps.
    """

    def __init__(self, params, step_fn, lr: float, **hyper):
        self.params = list(params)
        if not self.params:
            raise ValueError("StepOptimizer: got no parameters. Pass model.parameters().")
        if not callable(step_fn):
            raise ValueError(f"StepOptimizer: step_fn must be a function such as adam_step, got {type(step_fn).__name__}.")
        self.step_fn, self.lr, self.hyper = step_fn, float(lr), dict(hyper)
        self.state = {name: {} for name, _, _ in self.params}

    def step(self) -> None:
        """Update every parameter in place from the gradient its array holds now."""
        for name, param, grad in self.params:
            self.step_fn(param, grad, self.state[name], self.lr, **self.hyper)
