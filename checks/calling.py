"""Calling the learner's functions: ``Outcome``, ``RngSpec`` and the in-process ``LocalCaller``.

A judge never touches the learner's functions. It asks a *caller* for evaluations:
``call(role, *args) -> Outcome`` and ``call.many(role, [args, ...]) -> [Outcome, ...]``, where
``role`` is ``"impl"`` (the function under test) or the name of the learner's own forward
function (``"sigmoid"``, ``"linear_forward"``, ...). ``LocalCaller`` runs them in this process;
the grader's remote caller runs them in the learner's kernel and ships each ``Outcome`` back
as JSON plus arrays (``to_dict`` / ``from_dict``; never pickle). Values cross as NumPy arrays and
scalars, numbers, None, and tuples, lists and string-keyed dicts of them (an optimizer's state);
anything else arrives as an ``Opaque`` description.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import time
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

_CHECKS_DIR = os.path.dirname(os.path.abspath(__file__))
_NUMERIC_KINDS = "biufc"
MAX_ITEMS = 64          # longer lists/tuples are recorded as opaque
MAX_DEPTH = 4
MAX_STDOUT = 4000
MAX_WARNINGS = 20


@dataclass(frozen=True)
class RngSpec:
    """Stands for ``np.random.default_rng(seed)``: the caller builds the Generator just before calling."""

    seed: int

    def make(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)


@dataclass(frozen=True)
class Opaque:
    """A returned object the checks cannot use as data (a string, a dict, a model, ...)."""

    type: str
    repr: str


@dataclass
class Outcome:
    """What one call did: its value or error, warnings, printed text, the args afterwards, its time.

    error: None or ``{"type": ..., "message": ..., "where": ...}``.
    """

    value: object = None
    error: dict | None = None
    warnings: list = field(default_factory=list)
    stdout: str = ""
    args_after: tuple = ()
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """``{"data": JSON-able dict, "arrays": {key: ndarray}}``; arrays go in an ``.npz``."""
        arrays: dict = {}
        data = {
            "value": encode_value(self.value, arrays),
            "error": None if self.error is None else {k: str(self.error.get(k, "")) for k in ("type", "message", "where")},
            "warnings": [str(w) for w in self.warnings][:MAX_WARNINGS],
            "stdout": str(self.stdout)[:MAX_STDOUT],
            "args_after": encode_value(tuple(self.args_after), arrays),
            "seconds": float(self.seconds),
        }
        return {"data": data, "arrays": arrays}

    @classmethod
    def from_dict(cls, d: dict) -> "Outcome":
        """Inverse of ``to_dict``. Malformed input (e.g. from a tampered kernel) raises ValueError."""
        if not isinstance(d, dict) or not isinstance(d.get("data"), dict) or not isinstance(d.get("arrays", {}), dict):
            raise ValueError("Outcome.from_dict: expected {'data': {...}, 'arrays': {...}}")
        data, arrays = d["data"], d.get("arrays", {})
        error = data.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise ValueError("Outcome.from_dict: 'error' must be None or a dict")
            error = {k: str(error.get(k, "")) for k in ("type", "message", "where")}
        after = decode_value(data.get("args_after", {"t": "tuple", "items": []}), arrays)
        if not isinstance(after, tuple):
            raise ValueError("Outcome.from_dict: 'args_after' must decode to a tuple")
        warns = data.get("warnings", [])
        if not isinstance(warns, list):
            raise ValueError("Outcome.from_dict: 'warnings' must be a list")
        try:
            seconds = float(data.get("seconds", 0.0))
        except (TypeError, ValueError):
            raise ValueError("Outcome.from_dict: 'seconds' must be a number") from None
        return cls(value=decode_value(data.get("value", {"t": "none"}), arrays), error=error,
                   warnings=[str(w) for w in warns][:MAX_WARNINGS], stdout=str(data.get("stdout", ""))[:MAX_STDOUT],
                   args_after=after, seconds=seconds)


# --- values <-> tagged JSON + arrays -------------------------------------------------------------

def canonical(value, depth: int = 0):
    """A detached copy of ``value`` in the forms a remote caller can transmit (else ``Opaque``)."""
    if value is None or type(value) in (bool, int, float):
        return value
    if isinstance(value, (RngSpec, Opaque)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind in _NUMERIC_KINDS:
            return np.array(value, copy=True, subok=False)
        return _opaque(value, f"ndarray(dtype={value.dtype})")
    if isinstance(value, np.generic):
        return value if value.dtype.kind in _NUMERIC_KINDS else _opaque(value)
    if isinstance(value, (tuple, list)) and type(value) in (tuple, list):
        if len(value) > MAX_ITEMS or depth >= MAX_DEPTH:
            return _opaque(value)
        items = [canonical(v, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if type(value) is dict and all(type(k) is str for k in value):
        # e.g. an optimizer's state: {"t": 3, "m": array, "v": array}
        if len(value) > MAX_ITEMS or depth >= MAX_DEPTH:
            return _opaque(value)
        return {k: canonical(v, depth + 1) for k, v in value.items()}
    return _opaque(value)


def _opaque(value, type_name: str | None = None) -> Opaque:
    try:
        text = repr(value)
    except Exception:  # a learner object whose repr itself fails
        text = "<unprintable>"
    if len(text) > 120:
        text = text[:117] + "..."
    return Opaque(type_name or type(value).__name__, text)


def encode_value(value, arrays: dict) -> dict:
    """Tagged JSON for ``value`` (after ``canonical``); arrays are stored in ``arrays`` under new keys."""
    value = canonical(value)
    return _encode(value, arrays)


def _encode(v, arrays):
    if v is None:
        return {"t": "none"}
    if type(v) is bool:
        return {"t": "bool", "v": v}
    if type(v) is int:
        return {"t": "int", "v": str(v)}
    if type(v) is float:
        return {"t": "float", "v": repr(v)}
    if isinstance(v, RngSpec):
        return {"t": "rng", "seed": int(v.seed)}
    if isinstance(v, Opaque):
        return {"t": "opaque", "type": v.type, "repr": v.repr}
    if isinstance(v, (np.ndarray, np.generic)):
        key = f"a{len(arrays)}"
        arrays[key] = np.asarray(v)
        return {"t": "array" if isinstance(v, np.ndarray) else "scalar", "k": key}
    if isinstance(v, (tuple, list)):
        return {"t": "tuple" if isinstance(v, tuple) else "list", "items": [_encode(x, arrays) for x in v]}
    if isinstance(v, dict):
        return {"t": "dict", "keys": list(v), "items": [_encode(x, arrays) for x in v.values()]}
    raise ValueError(f"cannot encode a {type(v).__name__}")  # unreachable after canonical()


def decode_value(tagged, arrays: dict, depth: int = 0):
    """Inverse of ``encode_value``; unknown tags or missing arrays raise ValueError."""
    if not isinstance(tagged, dict) or depth > MAX_DEPTH + 1:
        raise ValueError("decode_value: malformed value")
    t = tagged.get("t")
    try:
        if t == "none":
            return None
        if t == "bool":
            return bool(tagged["v"])
        if t == "int":
            return int(tagged["v"])
        if t == "float":
            return float(tagged["v"])
        if t == "rng":
            return RngSpec(int(tagged["seed"]))
        if t == "opaque":
            return Opaque(str(tagged["type"]), str(tagged["repr"]))
        if t in ("array", "scalar"):
            arr = arrays[tagged["k"]]
            if not isinstance(arr, np.ndarray) or arr.dtype.kind not in _NUMERIC_KINDS:
                raise ValueError("decode_value: array of unsupported type")
            return arr if t == "array" else arr[()]
        if t in ("tuple", "list"):
            items = [decode_value(x, arrays, depth + 1) for x in tagged["items"]]
            return tuple(items) if t == "tuple" else items
        if t == "dict":
            keys, items = tagged["keys"], tagged["items"]
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys) or len(keys) != len(items):
                raise ValueError("decode_value: malformed dict")
            return {k: decode_value(x, arrays, depth + 1) for k, x in zip(keys, items)}
    except (KeyError, TypeError) as exc:
        raise ValueError(f"decode_value: malformed value ({exc})") from None
    raise ValueError(f"decode_value: unknown tag {t!r}")


# --- running a learner function -----------------------------------------------------------------

def _prepare(arg):
    """Deep copy of one argument; an ``RngSpec`` becomes a fresh Generator."""
    if isinstance(arg, RngSpec):
        return arg.make()
    if isinstance(arg, np.ndarray):
        return arg.copy()
    return copy.deepcopy(arg)


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if not os.path.abspath(f.filename).startswith(_CHECKS_DIR)]
    learner = [f for f in mine if "site-packages" not in f.filename and "/lib/python" not in f.filename]
    frame = (learner or mine or frames or [None])[-1]
    if frame is None:
        return ""
    text = f"line {frame.lineno}" + (f": {frame.line.strip()}" if frame.line else "")
    return text if learner else f"{text} (inside {os.path.basename(frame.filename)})"


def run_function(fn, args: tuple) -> Outcome:
    """Call ``fn(*copies of args)`` capturing value, error, warnings, stdout and the args afterwards."""
    call_args = tuple(_prepare(a) for a in args)
    out = io.StringIO()
    value, error = None, None
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Underflow (exp(-1000) -> 0) is harmless and expected in stable formulas: not reported.
        with np.errstate(all="warn", under="ignore"), contextlib.redirect_stdout(out):
            try:
                value = fn(*call_args)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything
                error = {"type": type(exc).__name__, "message": _safe_str(exc), "where": _where(exc)}
    seconds = time.perf_counter() - start
    warns = [f"{w.category.__name__}: {w.message}" for w in caught][:MAX_WARNINGS]
    after = tuple(a if isinstance(a, RngSpec) else canonical(c) for a, c in zip(args, call_args))
    return Outcome(value=canonical(value) if error is None else None, error=error, warnings=warns,
                   stdout=out.getvalue()[:MAX_STDOUT], args_after=after, seconds=seconds)


def _safe_str(exc) -> str:
    try:
        text = str(exc)
    except Exception:
        text = "<message could not be printed>"
    return text[:500]


class LocalCaller:
    """Evaluate the learner's functions in this process: ``LocalCaller({"impl": f, "sigmoid": g})``."""

    def __init__(self, functions: dict):
        self.functions = dict(functions)

    def has(self, role: str) -> bool:
        return self.functions.get(role) is not None

    def __call__(self, role: str, *args) -> Outcome:
        return self.call(role, *args)

    def call(self, role: str, *args) -> Outcome:
        fn = self.functions.get(role)
        if fn is None:
            return Outcome(error={"type": "MissingFunction", "message": f"no function was given for {role!r}",
                                  "where": ""}, args_after=tuple(args))
        if not callable(fn):
            return Outcome(error={"type": "NotCallable", "where": "",
                                  "message": f"got a {type(fn).__name__} where a function was expected"},
                           args_after=tuple(args))
        return run_function(fn, args)

    def many(self, role: str, arglists) -> list:
        return [self.call(role, *args) for args in arglists]
