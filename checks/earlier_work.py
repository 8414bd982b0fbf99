"""The learner's own functions of earlier chapters, read from their saved notebooks (chapter 08).

``EarlierWork(folder)`` finds ``def <name>(...)`` in a chapter notebook of that folder (the saved
file, read as JSON and parsed with ``ast``), defines only that function (no other cell of the
notebook runs), and runs the exercise's check on it quietly. A function that passes is used; one
that is missing, not implemented yet or failing its check is replaced by ``mlp_lab``'s reference,
and ``report()`` says plainly which parts were the learner's and which were not, and why. Under the
grader (``MLP_LAB_GRADER`` set) no other notebook is read: a graded chapter stands on its own.

Safety: defining a function runs nothing of its body; decorators and default values that are not
plain constants would run code at definition, so such a definition is not used (the report says
so), and annotations are dropped. The functions are defined in one shared namespace holding
``np``, ``ml`` and each other, so the learner's ``train_epoch`` that calls
``ml.softmax_cross_entropy`` calls the learner's own ``softmax_cross_entropy`` when it was loaded.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

import mlp_lab

from .exercises import CHECKS
from .failure import CheckFailure
from .runner import GRADER_ENV


@dataclass(frozen=True)
class Origin:
    """Where one function of the capstone came from: ``theirs`` and a sentence saying why."""

    name: str
    theirs: bool
    why: str


class _OwnFirst:
    """``ml`` as the loaded functions see it: the learner's function of a name if loaded, else mlp_lab's."""

    def __init__(self, own: dict):
        self._own = own

    def __getattr__(self, name: str):
        return self._own[name] if name in self._own else getattr(mlp_lab, name)


def _constant(node: ast.AST) -> bool:
    """A default value that evaluates to a plain number, string, None, or a tuple of them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _constant(node.operand)
    return isinstance(node, ast.Tuple) and all(_constant(e) for e in node.elts)


def _strip_annotations(fn: ast.FunctionDef) -> None:
    args = fn.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]:
        arg.annotation = None
    fn.returns = None


def last_definition(cells, name: str) -> ast.FunctionDef | None:
    """The last top-level ``def name`` among a notebook's code ``cells`` (as Run All would leave it),
    or None; cells that are not plain Python (IPython magics) are skipped. Parses only, runs nothing."""
    found = None
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else str(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):   # not Python, a NUL byte, or nested
            continue                                                     # too deep for the parser (MemoryError)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                found = node
    return found


def find_definition(notebook: Path, name: str) -> ast.FunctionDef:
    """The last top-level ``def name`` among the notebook's code cells (``last_definition``).

    Raises LookupError saying why none can be used: no such file, no such def, or a def whose
    decorators or defaults would run code."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except FileNotFoundError:
        raise LookupError(f"there is no {notebook.name} in {notebook.parent}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LookupError(f"{notebook.name} could not be read as a notebook ({type(exc).__name__})") from None
    found = last_definition(cells if isinstance(cells, list) else [], name)
    if found is None:
        raise LookupError(f"{notebook.name} has no `def {name}(...)`")
    defaults = found.args.defaults + [d for d in found.args.kw_defaults if d is not None]
    if found.decorator_list or not all(_constant(d) for d in defaults):
        raise LookupError(f"`def {name}` in {notebook.name} has a decorator or a default value that is not a "
                          f"plain constant, which would run code when it is defined")
    _strip_annotations(found)
    return found


class EarlierWork:
    """The learner's functions, each checked, with ``mlp_lab``'s reference where theirs cannot be used.

    folder: where the learner's notebooks are (the folder of the running notebook, ``"."``, in Jupyter).
    """

    def __init__(self, folder="."):
        self.folder = Path(folder)
        self.origins: list[Origin] = []
        self.own: dict = {}
        self.namespace: dict = {"np": np, "ml": _OwnFirst(self.own)}

    def load(self, name: str, source, reference: Callable) -> Callable:
        """The learner's ``name`` if it passes its check, else ``reference``; remembered for ``report``.

        source: a notebook file name in ``folder`` (e.g. "07_optimizers.ipynb"), or the function itself
        (one written in the running notebook)."""
        if os.environ.get(GRADER_ENV):
            return self._use_reference(name, reference, "reference: a graded chapter stands on its own, so the "
                                                        "grader does not read your other notebooks")
        try:
            fn, where = self._define(name, source)
        except LookupError as missing:
            return self._use_reference(name, reference, f"reference: {missing}")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                CHECKS[f"check_{name}"](fn)
        except CheckFailure as failure:
            if failure.mistake == "not_implemented":
                why = "not implemented yet"
            elif failure.details.get("error_type") == "NameError":
                why = ("yours uses a name defined elsewhere in its notebook, and only its def is read here: "
                       "move what it needs inside the function")
            else:
                why = f"yours fails its check ({failure.mistake}), run check_{name} there to see why"
            self.namespace.pop(name, None)
            return self._use_reference(name, reference, f"reference: {why} ({where})")
        self.own[name] = self.namespace[name] = fn
        self._record(Origin(name, True, f"yours ({where}), passes its check"))
        return fn

    def unchecked(self, name: str, fn: Callable, reference: Callable) -> Callable:
        """``fn``, or ``reference`` while ``fn`` raises NotImplementedError, without running a check (for a
        function whose check is costly and has a check cell of its own); whichever ran is remembered."""
        def run(*args, **kwargs):
            try:
                result, origin = fn(*args, **kwargs), Origin(name, True, "yours (this notebook)")
            except NotImplementedError:
                result, origin = reference(*args, **kwargs), Origin(name, False, "reference: not implemented yet "
                                                                                  "(this notebook)")
            self._record(origin)
            return result
        return run

    def _define(self, name: str, source) -> tuple[Callable, str]:
        if callable(source):     # or_reference's wrapper would pass with the reference: judge what it wraps
            return (source.__wrapped__ if hasattr(source, "__wrapped_reference__") else source), "this notebook"
        node = find_definition(self.folder / source, name)
        code = compile(ast.fix_missing_locations(ast.Module(body=[node], type_ignores=[])), str(source), "exec")
        exec(code, self.namespace)                   # defines the function; runs none of its body
        return self.namespace[name], str(source)

    def _use_reference(self, name: str, reference: Callable, why: str) -> Callable:
        self._record(Origin(name, False, why))
        return reference

    def _record(self, origin: Origin) -> None:
        """Remember where ``origin.name`` came from, replacing what a previous run of the cell said."""
        self.origins = [o for o in self.origins if o.name != origin.name] + [origin]

    def report(self) -> str:
        """A table: each function, and whether it was the learner's (and from where) or the reference."""
        width = max((len(o.name) for o in self.origins), default=8)
        lines = [f"{o.name:<{width}}  {o.why}" for o in self.origins]
        mine = sum(o.theirs for o in self.origins)
        lines.append(f"{mine} of {len(self.origins)} parts of this network are your own code.")
        return "\n".join(lines)
