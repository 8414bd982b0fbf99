"""Numerical gradient checking, usable on any function of yours.

For ``y = f(x)`` and an upstream gradient ``dout`` (the shape of ``y``), the gradient of
``L = sum(f(x) * dout)`` with respect to ``x`` is estimated by centred differences

    dL/dx[i] ~ sum((f(x + h e_i) - f(x - h e_i)) * dout) / (2 h)

in float64 and compared with your analytic gradient by the relative error
``|a - n| / max(eps, |a| + |n|)``. A correct gradient lands near 1e-9; 1e-7 is the pass line.

Example::

    from checks.gradcheck import gradient_check
    x = rng.standard_normal((4, 3))
    report = gradient_check(my_tanh, x, lambda dout: dout * my_tanh_prime(x))
    print(report)            # passed, max relative error, where, kinks skipped
    assert report.passed

Kinks (ReLU at 0, |x| at 0) are detected (the left and right one-sided slopes disagree) and
left out of the verdict. Float32 input is refused: its rounding swamps the finite difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS64 = float(np.finfo(np.float64).eps)
FLOAT32_MESSAGE = ("use float64: float32 rounding swamps the finite difference "
                   "(convert with x.astype(np.float64))")


def relative_error(a, n, eps: float = 1e-12) -> np.ndarray:
    """|a - n| / max(eps, |a| + |n|), elementwise.  a, n: same shape -> same shape."""
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    return np.abs(a - n) / np.maximum(eps, np.abs(a) + np.abs(n))


def require_float64(name: str, x) -> np.ndarray:
    """Return ``x`` if it is a float64 array; raise TypeError saying what to do otherwise."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a float64 NumPy array, got {type(x).__name__}; "
                        f"build it with np.asarray(..., dtype=np.float64)")
    if x.dtype in (np.float32, np.float16):
        raise TypeError(f"{name} has dtype {x.dtype}: {FLOAT32_MESSAGE}")
    if x.dtype != np.float64:
        raise TypeError(f"{name} has dtype {x.dtype}: gradient checks need float64 "
                        f"(convert with x.astype(np.float64))")
    return x


def sample_indices(size: int, max_elements: int | None, rng: np.random.Generator | None = None) -> np.ndarray:
    """Flat indices to check: all of them, or ``max_elements`` sampled without replacement (sorted)."""
    if max_elements is None or size <= max_elements:
        return np.arange(size)
    rng = rng if rng is not None else np.random.default_rng(0)
    return np.sort(rng.choice(size, size=max_elements, replace=False))


def random_upstream(shape, rng: np.random.Generator) -> np.ndarray:
    """A random upstream gradient: entries of magnitude 0.5..1.5 with random signs (never all ones)."""
    signs = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return signs * rng.uniform(0.5, 1.5, size=shape)


def perturb(x: np.ndarray, i: int, delta: float) -> np.ndarray:
    """A copy of ``x`` with flat entry ``i`` moved by ``delta``."""
    y = x.copy()
    y.flat[i] += delta
    return y


@dataclass
class Differences:
    """Centred, right and left one-sided estimates at the sampled indices, plus the rounding floor."""

    idx: np.ndarray
    centred: np.ndarray
    right: np.ndarray
    left: np.ndarray
    noise: float


def differences(f0, f_plus, f_minus, dout, h: float, idx) -> Differences:
    """Combine evaluations f(x), f(x + h e_i), f(x - h e_i) (lists over i) into estimates."""
    dout = np.asarray(dout, dtype=np.float64)
    f0 = np.asarray(f0, dtype=np.float64)
    centred, right, left = [], [], []
    for fp, fm in zip(f_plus, f_minus):
        fp, fm = np.asarray(fp, dtype=np.float64), np.asarray(fm, dtype=np.float64)
        centred.append(np.sum((fp - fm) * dout) / (2 * h))
        right.append(np.sum((fp - f0) * dout) / h)
        left.append(np.sum((f0 - fm) * dout) / h)
    # Rounding in f(x +- h) is about eps * |f|; divided by h it is the noise floor of the estimate.
    noise = 10.0 * EPS64 * float(np.sum(np.abs(f0 * dout))) / h
    return Differences(np.asarray(idx), np.array(centred), np.array(right), np.array(left), noise)


def numerical_gradient(f, x: np.ndarray, dout, h: float = 1e-6, idx=None) -> np.ndarray:
    """d sum(f(x) * dout) / dx by centred differences.  x: float64 array; dout: shape of f(x).

    Returns an array shaped like ``x``; with ``idx`` (flat indices) only those entries, as 1-D.
    """
    x = require_float64("x", x)
    chosen = np.arange(x.size) if idx is None else np.asarray(idx)
    dout = np.asarray(dout, dtype=np.float64)
    grads = np.array([np.sum((np.asarray(f(perturb(x, i, h)), dtype=np.float64)
                              - np.asarray(f(perturb(x, i, -h)), dtype=np.float64)) * dout) / (2 * h)
                      for i in chosen])
    return grads.reshape(x.shape) if idx is None else grads


@dataclass
class GradientReport:
    """The verdict of a gradient check; ``passed`` is the flag, ``str(report)`` the explanation."""

    passed: bool
    max_error: float
    where: tuple
    analytic: float
    numeric: float
    checked: int
    kinks: int
    tol: float

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        text = (f"gradient check {verdict}: max relative error {self.max_error:.2e} (tolerance {self.tol:.0e}) "
                f"over {self.checked} element(s)")
        if self.where:
            text += f"; worst at index {self.where}: analytic {self.analytic:.6g}, numerical {self.numeric:.6g}"
        if self.passed and self.max_error > self.tol:
            text += " (differences at the level of floating-point rounding noise count as equal)"
        if self.kinks:
            text += f"; {self.kinks} element(s) at a kink skipped"
        return text


def judge_differences(analytic_at_idx, diffs: Differences, shape, tol: float = 1e-7) -> GradientReport:
    """Compare analytic values at ``diffs.idx`` with the estimates; kinks are left out of the verdict."""
    a = np.asarray(analytic_at_idx, dtype=np.float64)
    n = diffs.centred
    typical = float(np.median(np.abs(n))) if n.size else 0.0
    jump = np.abs(diffs.right - diffs.left)
    kink = jump > 1e-3 * np.maximum(np.maximum(np.abs(diffs.right), np.abs(diffs.left)), typical) + 100 * diffs.noise
    err = relative_error(a, n)
    err = np.where(np.isfinite(err), err, np.inf)
    ok = (err <= tol) | (np.abs(a - n) <= diffs.noise)      # below rounding noise: indistinguishable
    considered = ~kink
    if not considered.any():
        return GradientReport(True, 0.0, (), 0.0, 0.0, 0, int(kink.sum()), tol)
    pool = considered & ~ok if (considered & ~ok).any() else considered
    worst = int(np.argmax(np.where(pool, err, -1.0)))
    where = tuple(int(k) for k in np.unravel_index(int(diffs.idx[worst]), shape))
    max_error = float(err[worst])
    return GradientReport(bool(np.all(ok[considered])), max_error, where, float(a[worst]), float(n[worst]),
                          int(considered.sum()), int(kink.sum()), tol)


def gradient_check(f, x: np.ndarray, grad, dout=None, rng: np.random.Generator | None = None,
                   max_elements: int | None = 50, h: float = 1e-6, tol: float = 1e-7) -> GradientReport:
    """Check ``grad`` = d sum(f(x) * dout) / dx at up to ``max_elements`` sampled entries.

    f: x -> array (any shape) or a scalar loss; x: float64 array.
    grad: an array shaped like x computed with this ``dout``, or a function ``dout -> gradient``.
    dout: the upstream gradient (shape of f(x)); if None a random one is drawn (for a scalar f,
    an array ``grad`` is taken to be for dout = 1).
    """
    x = require_float64("x", x)
    rng = rng if rng is not None else np.random.default_rng(0)
    f0 = np.asarray(f(x))
    if f0.dtype.kind == "f" and f0.dtype != np.float64:
        raise TypeError(f"f(x) returned dtype {f0.dtype}: {FLOAT32_MESSAGE}")
    if dout is None:
        if callable(grad):
            dout = random_upstream(f0.shape, rng)
        elif f0.ndim == 0:
            dout = 1.0
        else:
            raise ValueError("gradient_check: grad is an array, so pass the dout it was computed with "
                             "(or pass grad as a function of dout and let the check draw a random dout)")
    dout = np.asarray(dout, dtype=np.float64)
    if dout.shape != f0.shape:
        raise ValueError(f"gradient_check: dout has shape {dout.shape} but f(x) has shape {f0.shape}")
    analytic = np.asarray(grad(dout) if callable(grad) else grad)
    if analytic.shape != x.shape:
        raise ValueError(f"gradient_check: the analytic gradient has shape {analytic.shape}, "
                         f"but it must have the shape of x, {x.shape}")
    idx = sample_indices(x.size, max_elements, rng)
    plus = [f(perturb(x, i, h)) for i in idx]
    minus = [f(perturb(x, i, -h)) for i in idx]
    diffs = differences(f0, plus, minus, dout, h, idx)
    return judge_differences(analytic.reshape(-1)[idx], diffs, x.shape, tol)


def differences_via(call, role: str, args: tuple, argnum: int, dout, idx, h: float = 1e-6, output=None):
    """Like ``differences`` but evaluating ``role`` through a caller in one ``call.many`` round trip.

    Perturbs ``args[argnum]``; ``output`` picks one element of a returned tuple (None: the value).
    Returns ``(Differences, None)`` or ``(None, (outcome, reason))`` if an evaluation was unusable.
    """
    x = args[argnum]
    arglists = [args]
    for delta in (h, -h):
        for i in idx:
            changed = list(args)
            changed[argnum] = perturb(x, int(i), delta)
            arglists.append(tuple(changed))
    outcomes = call.many(role, arglists)
    values = []
    for out in outcomes:
        if out.error is not None:
            return None, (out, f"raised {out.error.get('type')}: {out.error.get('message')}")
        v = out.value
        if output is not None:
            if not isinstance(v, (tuple, list)) or len(v) <= output:
                return None, (out, "did not return the expected tuple")
            v = v[output]
        if not isinstance(v, (np.ndarray, np.generic, float, int)) or isinstance(v, bool):
            return None, (out, f"returned a {type(v).__name__}")
        v = np.asarray(v, dtype=np.float64)
        if not np.all(np.isfinite(v)):
            return None, (out, "returned nan or inf")
        values.append(v)
    shapes = {v.shape for v in values}
    if len(shapes) != 1 or np.asarray(dout).shape != values[0].shape:
        return None, (outcomes[0], "returned outputs of changing or unexpected shape")
    k = len(idx)
    return differences(values[0], values[1:1 + k], values[1 + k:], dout, h, idx), None
