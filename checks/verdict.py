"""Turning one evaluation into a verdict: the ordered tests and the messages a person reads.

Order for every case: callable -> raised -> type/arity -> shape -> dtype -> finite ->
overflow warnings -> input mutated -> values (sign, scale, axis, known slips) -> wrong_value.
Every helper either returns the usable value or raises ``CheckFailure``. The ``check_*`` helpers
raise through ``reject``, so a failure of a stage that is being waived (``checks.stages``) lets the
judge go on to its next check; the helpers that return a value always raise.
"""

from __future__ import annotations

import numpy as np

from .calling import Opaque, Outcome
from .failure import CheckFailure
from .mistakes import describe
from .stages import reject, stage_of

RTOL = 1e-7
ATOL_REL = 1e-9       # absolute slack, relative to the largest expected magnitude (rounding of formulas)
LOOSE = 1e-6          # how close a wrong answer must be to a known slip to be named after it


def fmt(x, n: int = 6) -> str:
    """A short printout of an array or number for messages."""
    if isinstance(x, (np.ndarray, np.generic, float, int)) and not isinstance(x, bool):
        a = np.asarray(x)
        if a.ndim == 0:
            return f"{a.item():.6g}" if a.dtype.kind in "fc" else str(a.item())
        flat = a.reshape(-1)
        body = ", ".join(f"{v:.4g}" if a.dtype.kind in "fc" else str(v) for v in flat[:n])
        return f"[{body}{', ...' if flat.size > n else ''}] (shape {a.shape})"
    if isinstance(x, Opaque):
        return f"a {x.type}: {x.repr}"
    return f"a {type(x).__name__}"


def shapes_text(**arrays) -> str:
    """'X (5, 3), W (3, 4)' for the arrays given (non-arrays shown as their value)."""
    parts = []
    for k, v in arrays.items():
        parts.append(f"{k} {tuple(v.shape)}" if isinstance(v, np.ndarray) else f"{k} = {v!r}")
    return ", ".join(parts)


def fail(exercise: str, mistake: str, summary: str, *, tested: str = "", problem: str = "",
         hint: str = "", details: dict | None = None, layout: bool = False, extreme: bool = False) -> CheckFailure:
    """Build the CheckFailure a person reads: summary, what was tested, what went wrong, mistake, hint.

    layout / extreme: the failure is about an output's shape / about values on extreme input; both
    decide its stage (``checks.stages.stage_of``), never the message.
    """
    lines = [f"✘ {exercise}: {summary}"]
    if tested:
        lines.append(f"What was tested: {tested}")
    if problem:
        lines.append(f"What came out wrong: {problem}")
    lines.append(f"Likely mistake ({mistake}): {describe(mistake)}.")
    if hint:
        lines.append(f"Hint: {hint}")
    return CheckFailure(exercise, mistake, "\n".join(lines), details, stage_of(mistake, layout, extreme))


# --- the function itself ---------------------------------------------------------------------

def outcome_value(ex: str, out: Outcome, tested: str, who: str | None = None):
    """The returned value, or CheckFailure for not_implemented / wrong_type / exception."""
    who = who or ex
    err = out.error
    if err is None:
        return out.value
    kind, msg, where = err.get("type", ""), err.get("message", ""), err.get("where", "")
    if kind == "NotImplementedError":
        return _raise(fail(ex, "not_implemented", f"{who} is not implemented yet", tested=tested,
                           problem=f"{who} raised NotImplementedError{': ' + msg if msg else ''}",
                           hint=f"replace the `raise NotImplementedError(...)` line in {who} with your code"))
    if kind in ("OverflowError", "FloatingPointError"):
        return _raise(fail(ex, "overflow", f"{who} overflowed ({kind})", tested=tested,
                           problem=f"{kind}: {msg}" + (f" (at {where})" if where else ""),
                           hint="math.exp and friends overflow on large inputs: use NumPy on whole arrays and a "
                                "formula that only exponentiates numbers <= 0"))
    if kind in ("NotCallable", "MissingFunction"):
        return _raise(fail(ex, "wrong_type", f"{who} is not a function", problem=msg,
                           hint=f"pass the function itself, e.g. check_{ex}({who}), without calling it"))
    printed = f" It printed: {out.stdout.strip()[:200]!r}." if out.stdout.strip() else ""
    return _raise(fail(ex, "exception", f"{who} raised {kind}", tested=tested,
                       problem=f"{kind}: {msg}" + (f" (at {where})" if where else "") + "." + printed,
                       hint="read the error message and the line it points at; print the shapes of "
                            "your intermediate arrays (batch first: X (N, n_in), W (n_in, n_out))",
                       details={"error_type": kind}))


def _raise(exc):
    raise exc


def as_tuple(ex: str, value, names: tuple, tested: str, who: str | None = None) -> tuple:
    """``value`` as a tuple of len(names) (a list of that length is accepted too)."""
    who = who or ex
    want = f"a tuple ({', '.join(names)})"
    if isinstance(value, (tuple, list)) and len(value) == len(names):
        return tuple(value)
    if isinstance(value, (tuple, list)):
        got = f"a {type(value).__name__} of length {len(value)}"
    elif value is None:
        got = "None (is a `return` missing?)"
    else:
        got = fmt(value)
    raise fail(ex, "wrong_type", f"{who} must return {want}", tested=tested,
               problem=f"it returned {got}", hint=f"end with `return {', '.join(names)}`")


def as_array(ex: str, name: str, value, tested: str) -> np.ndarray:
    """``value`` if it is an ndarray, else CheckFailure(wrong_type)."""
    if isinstance(value, np.ndarray):
        return value
    if value is None:
        got, hint = "None (is a `return` missing?)", f"return {name} at the end of the function"
    elif isinstance(value, (list, tuple)):
        got, hint = f"a Python {type(value).__name__}", "use NumPy operations on whole arrays (np.exp, @, ...) " \
                                                          "instead of building a list; or wrap it with np.array"
    else:
        got, hint = fmt(value), "work on the whole array with NumPy operations, not on single numbers"
    raise fail(ex, "wrong_type", f"{name} must be a NumPy array", tested=tested,
               problem=f"{name} is {got}", hint=hint)


def as_scalar(ex: str, name: str, value, tested: str, batch: int | None = None, per_entry=None) -> float:
    """A float64-valued scalar (Python float, np.float64 or 0-d/size-1 float64 array).

    batch: N, so that one value per example is named not_summed_over_batch; per_entry: a shape
    (e.g. that of W) for which the same holds when the terms were not added up.
    """
    if isinstance(value, bool) or value is None or isinstance(value, (Opaque, list, tuple)):
        raise fail(ex, "wrong_type", f"{name} must be a number", tested=tested,
                   problem=f"{name} is {fmt(value) if value is not None else 'None'}",
                   hint=f"return {name} as a float, e.g. float(np.mean(...))")
    arr = np.asarray(value)
    if arr.size != 1:
        if batch is not None and arr.shape in ((batch,), (batch, 1)):
            raise fail(ex, "not_summed_over_batch", f"{name} must be one number, not one per example",
                       tested=tested, problem=f"{name} has shape {arr.shape}: one value per example",
                       hint="average the per-example values over the batch", layout=True)
        if per_entry is not None and arr.shape == tuple(per_entry):
            raise fail(ex, "not_summed_over_batch", f"{name} must be one number, not one per entry",
                       tested=tested, problem=f"{name} has shape {arr.shape}, one value per entry",
                       hint="add up the terms of all entries", layout=True)
        raise fail(ex, "wrong_shape", f"{name} must be one number", tested=tested,
                   problem=f"{name} has shape {arr.shape}", hint="add up (or average) all the terms")
    if arr.dtype.kind != "f" or (arr.dtype != np.float64 and not isinstance(value, float)):
        raise fail(ex, "wrong_dtype", f"{name} must be a float64 number", tested=tested,
                   problem=f"{name} has dtype {arr.dtype}",
                   hint="for float64 input, keep the arithmetic in float64 (no astype(np.float32), no int())")
    return float(arr.reshape(()))


def check_not_a_total(ex: str, name: str, value, total: float, shape: tuple, tested: str) -> None:
    """``wrong_axis`` when ``value`` is one number equal to ``total``: a sum over every axis where a sum over
    the batch axis (giving ``shape``) was meant. Call it before ``as_array`` on that output."""
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool) and close(float(value), total):
        raise fail(ex, "wrong_axis", f"{name} is one number: the sum ran over every axis", tested=tested,
                   problem=f"{name} = {float(value):.6g}, the sum of all entries; expected one value per unit, "
                           f"shape {tuple(shape)}",
                   hint="sum over the examples only: axis=0", details={"output": name}, layout=True)


def check_log_eps(ex: str, name: str, got: float, expected: float, tested: str) -> None:
    """``overflow`` (an unstable formula) when a loss is a little too small, by at most 0.1%: the mark of
    an eps or a clip inside a log. Call it before ``check_values`` on a cross-entropy loss."""
    if not close(got, expected) and 0.0 < expected - got <= 1e-3 * max(1.0, abs(expected)):
        reject(fail(ex, "overflow", f"{name} is slightly too small: an eps or a clip inside the log?", tested=tested,
                    problem=f"{name}: got {got:.10g}, expected {expected:.10g}",
                    hint="log(P + eps) and log(clip(P, eps, 1)) change the loss; compute log P from the logits "
                         "with the stable form instead (log-sum-exp), which never takes log(0)",
                    details={"output": name}))


# --- arrays ------------------------------------------------------------------------------------

def check_form(ex: str, name: str, got: np.ndarray, shape: tuple, tested: str, *, batch: int | None = None,
               extreme: bool = False, dtype=np.float64) -> None:
    """Shape (transposed? not summed? wrong axis?), dtype, finite values."""
    shape = tuple(shape)
    if got.shape != shape:
        problem = f"{name} has shape {got.shape}, expected {shape}"
        if len(shape) == 2 and got.shape == shape[::-1]:
            raise fail(ex, "transposed", f"{name} has the transposed shape", tested=tested, problem=problem,
                       hint="batch first: rows are examples. Write the shapes of each factor next to your "
                            "formula and make the inner dimensions meet", details={"output": name}, layout=True)
        if batch is not None and got.shape == (batch,) + shape:
            raise fail(ex, "not_summed_over_batch", f"{name} is not summed over the batch", tested=tested,
                       problem=problem + f": one row per example (N = {batch})",
                       hint=f"{name} must add up the contributions of all N examples", details={"output": name},
                       layout=True)
        if batch is not None and len(shape) == 1 and got.shape == (batch,) and batch != shape[0]:
            raise fail(ex, "wrong_axis", f"{name} was summed over the wrong axis", tested=tested,
                       problem=problem + ": one value per example instead of one per unit",
                       hint="think about which axis indexes the examples (axis 0)", details={"output": name},
                       layout=True)
        if got.size == int(np.prod(shape)):
            raise fail(ex, "wrong_shape", f"{name} has shape {got.shape} instead of {shape}", tested=tested,
                       problem=problem, hint="the numbers may be right but the layout is not: check keepdims "
                                             "and reshape calls", details={"output": name})
        raise fail(ex, "wrong_shape", f"{name} has shape {got.shape} instead of {shape}", tested=tested,
                   problem=problem, hint=f"{name} must have shape {shape}", details={"output": name})
    if got.dtype != dtype:
        raise fail(ex, "wrong_dtype", f"{name} has dtype {got.dtype} instead of {np.dtype(dtype)}", tested=tested,
                   problem=f"{name} has dtype {got.dtype} for float64 input",
                   hint="keep float64 input in float64: no astype(np.float32), no integer or boolean results, "
                        "no int() or np.round", details={"output": name})
    bad = ~np.isfinite(got)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        mistake = "overflow" if extreme else "nan_or_inf"
        reject(fail(ex, mistake, f"{name} contains nan or inf" + (" on extreme input" if extreme else ""),
                    tested=tested, problem=f"{int(bad.sum())} entr{'y' if bad.sum() == 1 else 'ies'} of {name} "
                                           f"are not finite, the first at index {first}: {got[first]}",
                    hint=("a stable formula never exponentiates a large positive number; rewrite it so "
                          "exp() only sees values <= 0") if extreme else
                         "look for a division by zero, log(0) or exp of a large number",
                    details={"output": name}))


def check_warnings(ex: str, out: Outcome, tested: str, extreme: bool) -> None:
    """Numeric RuntimeWarnings: overflow always; invalid/divide only on the extreme-input cases."""
    bad = [w for w in out.warnings if "overflow" in w]
    if extreme:
        bad += [w for w in out.warnings if "invalid value" in w or "divide by zero" in w]
    if bad:
        reject(fail(ex, "overflow", "NumPy warned about overflow" + (" on extreme input" if extreme else ""),
                    tested=tested, problem=f"the warning was {bad[0]!r} (even if the final values look fine, an "
                                           f"intermediate result overflowed)",
                    hint="rewrite the formula so exp() is only applied to numbers <= 0 (for example, branch on "
                         "the sign, or subtract a maximum first); np.where evaluates both branches"))


def check_mutation(ex: str, out: Outcome, originals: dict, tested: str, who: str | None = None) -> None:
    """Every argument must come back unchanged. originals: name -> the array that was passed (in order)."""
    for (name, before), after in zip(originals.items(), out.args_after):
        if isinstance(before, np.ndarray):
            same = isinstance(after, np.ndarray) and after.shape == before.shape and \
                np.array_equal(after, before, equal_nan=True)
            if not same:
                reject(fail(ex, "mutates_input", f"{who or ex} changed its input {name}", tested=tested,
                            problem=f"after the call, {name} was {fmt(after)} instead of {fmt(before)}",
                            hint="don't write into an input (no `x -= ...`, `x *= ...`, `x[...] = ...`, out=x); "
                                 "compute a new array or work on a .copy()", details={"argument": name}))
                return


def _close(got, expected, mask=None, rtol=RTOL, atol_rel=ATOL_REL) -> np.ndarray:
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    ok = np.abs(got - expected) <= rtol * np.abs(expected) + atol_rel * max(scale, 1e-300)
    return ok | mask if mask is not None else ok


def close(got, expected, mask=None, rtol=RTOL, atol_rel=ATOL_REL) -> bool:
    """Whether got matches expected (entries where ``mask`` is True are ignored)."""
    with np.errstate(all="ignore"):
        return bool(np.all(_close(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64),
                                  mask, rtol, atol_rel)))


def check_values(ex: str, name: str, got, expected, tested: str, *, alternatives=(), factors=None,
                 ignore=None, hint: str = "", scalar: bool = False, extreme: bool = False) -> None:
    """Compare values; on mismatch name the likely slip: a known alternative, transpose, sign, scale.

    extreme: the case has extreme inputs (|z| ~ 1e3); values that are wrong only there come from an
    unstable formula (e.g. clipping, or adding a small eps inside a log), reported as ``overflow``.
    """
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if not close(g, e, ignore):
        reject(_values_failure(ex, name, g, e, tested, alternatives, factors, ignore, hint, scalar, extreme))


def _values_failure(ex, name, g, e, tested, alternatives, factors, ignore, hint, scalar, extreme) -> CheckFailure:
    """The CheckFailure for values ``g`` that differ from the expected ``e`` (see ``check_values``)."""
    keep = np.ones(e.shape, bool) if ignore is None else ~ignore
    worst = _worst(g, e, keep)
    where = "" if scalar else f" at index {worst}"
    problem = (f"{name}: got {fmt(g)}, expected {fmt(e)}" if scalar else
               f"{name}{where}: got {g[worst]:.6g}, expected {e[worst]:.6g} "
               f"({int((~_close(g, e) & keep).sum())} of {int(keep.sum())} entries differ)")
    details = {"output": name}
    for mistake, alt, why in alternatives:
        alt = np.asarray(alt, dtype=np.float64)
        if alt.shape == e.shape and close(g, alt, ignore, rtol=LOOSE, atol_rel=LOOSE):
            return fail(ex, mistake, f"{name} is wrong: {why}", tested=tested, problem=problem,
                        hint=hint, details=details, extreme=extreme)
    if e.ndim == 2 and e.shape[0] == e.shape[1] and close(g, e.T, None, LOOSE, LOOSE):
        return fail(ex, "transposed", f"{name} holds the transpose of the expected values", tested=tested,
                    problem=problem, hint=hint or "check the order of the factors and which one is transposed",
                    details=details, extreme=extreme)
    if close(g, -e, ignore, LOOSE, LOOSE):
        return fail(ex, "sign", f"{name} has the wrong sign", tested=tested, problem=problem,
                    hint=hint or "follow the signs through the formula once more, term by term", details=details,
                    extreme=extreme)
    c = _scale(g[keep], e[keep])
    named = ""
    for value, text in (factors or {}).items():
        if c is not None and abs(c - value) <= 1e-6 * abs(value):
            named = f" ({text})"
            break
    if c is not None and (e.size > 1 or named):
        return fail(ex, "scale", f"{name} is off by a constant factor: {factor_text(c)}{named}", tested=tested,
                    problem=problem, hint=hint or "compare each constant factor in your formula with the maths",
                    details={"output": name, "factor": c}, extreme=extreme)
    if extreme:
        return fail(ex, "overflow", f"{name} is wrong on extreme input", tested=tested, problem=problem,
                    hint="the formula is right on ordinary inputs but breaks down on large ones (clipping, an eps "
                         "inside a log, or exp of a large number); use a numerically stable form", details=details,
                    extreme=extreme)
    summary = f"{name} has a wrong value" if scalar or e.ndim == 0 else f"{name} has wrong values"
    return fail(ex, "wrong_value", summary + _direction(g, e, keep, scalar or e.ndim == 0), tested=tested,
               problem=problem, hint=hint, details=details, extreme=extreme)


def factor_text(c: float) -> str:
    """'3 times too large' or '3 times too small' (never '0.333 times too large')."""
    return f"{c:.4g} times too large" if c > 1 else f"{1.0 / c:.4g} times too small"


def _direction(g, e, keep, one: bool) -> str:
    """' (too large wherever they differ)' when every differing entry errs the same way, else ''."""
    with np.errstate(all="ignore"):
        differ = ~_close(g, e) & keep
        if not differ.any() or not np.all(np.isfinite(g[differ])):
            return ""
        where = "" if one else " wherever they differ"
        if np.all(g[differ] > e[differ]):
            return f" (too large{where})"
        if np.all(g[differ] < e[differ]):
            return f" (too small{where})"
    return ""


def check_branches(ex: str, name: str, got, expected, tested: str, z: np.ndarray, hint: str = "") -> None:
    """Name ``missing_branch`` when ``got`` is right for every z >= 0 and wrong for some z < 0 (or the
    other way round). Call it on ordinary inputs only, before ``check_values``."""
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if close(g, e):
        return
    for right, wrong in (("z >= 0", "z < 0"), ("z < 0", "z >= 0")):
        part = (z >= 0) if right == "z >= 0" else (z < 0)
        if part.any() and (~part).any() and close(g, e, ~part) and not close(g, e, part):
            worst = _worst(g, e, ~part)
            reject(fail(ex, "missing_branch", f"{name} is right for {right} but wrong for {wrong}", tested=tested,
                         problem=f"{name} at index {worst}, where z = {z[worst]:.4g}: got {g[worst]:.6g}, expected "
                                 f"{e[worst]:.6g}", hint=hint or f"write the formula for {wrong} too",
                         details={"output": name}))
            return


def _worst(g, e, keep):
    with np.errstate(all="ignore"):
        diff = np.where(keep, np.abs(g - e), -1.0)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), e.shape)) if e.ndim else ()


def _scale(g, e):
    """c if g ~= c * e for one constant c far from 1 (least squares, small residual), else None."""
    ee = float(np.dot(e.ravel(), e.ravel()))
    if ee == 0.0 or g.size == 0:
        return None
    c = float(np.dot(g.ravel(), e.ravel())) / ee
    if c == 0.0 or abs(c - 1.0) < 1e-6 or c < 0:
        return None
    resid = np.linalg.norm(g - c * e)
    return c if resid <= 1e-6 * np.linalg.norm(g) else None
