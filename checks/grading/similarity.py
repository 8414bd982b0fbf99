"""Similar submissions: per exercise, learners whose functions are the same up to names and layout.

Each learner's function for an exercise is the last top-level ``def <exercise>`` of their notebook
(``earlier_work.last_definition``, read from the grader's snapshot with ``ast``: parsed, never run).
Its *fingerprint* is the SHA-256 of its syntax tree after normalising away what a copier changes
without changing the code: the docstring and other bare strings, comments and formatting (gone in
the tree), annotations and decorators, and the names of its arguments and local variables, renamed
``v0, v1, ...`` in order of first appearance. Names it reads from outside (``np``, ``ml``, ``len``)
and attribute names are kept, so two bodies match only if they compute the same thing the same way.

Not compared: a body that still raises NotImplementedError (the released stub, or a stub partly
filled in), and a body of fewer than ``MIN_NODES`` syntax-tree nodes (``return X @ W + b`` has one
way to be written: equality there says nothing). The reference is ``mlp_lab``'s own function of
the exercise's name, read from the package's source files the same way.

The report lists, per exercise, groups of two or more learners with the same fingerprint, and the
learners whose fingerprint equals the reference's: a list for the instructor to look at, never a
penalty (a shared study group or a well-known idiom also gives equal code).
"""

from __future__ import annotations

import ast
import copy
import functools
import hashlib
import importlib.util
from collections import defaultdict
from pathlib import Path

from ..earlier_work import last_definition

MIN_NODES = 20          # statements and expressions in the body, not counting load/store markers
NOTE = ("A list to look at, never a penalty: equal code can also come from a study group, a hint "
        "or an idiom everyone uses.")


class _Canonical(ast.NodeTransformer):
    """Renames the function's own names (arguments, locals, nested defs) v0, v1, ... in order of
    first appearance; drops bare string statements, annotations and decorators."""

    def __init__(self, local: set):
        self.local, self.names = local, {}

    def _rename(self, name: str) -> str:
        if name not in self.local:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._rename(node.id)
        return node

    def visit_arg(self, node):
        node.arg, node.annotation = self._rename(node.arg), None
        return node

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None
        return self.generic_visit(node)

    def _visit_def(self, node):
        node.name, node.decorator_list = self._rename(node.name), []
        if hasattr(node, "returns"):
            node.returns = None
        return self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_def

    def visit_ExceptHandler(self, node):
        node.name = node.name and self._rename(node.name)
        return self.generic_visit(node)

    def visit_alias(self, node):
        node.asname = self._rename(node.asname or node.name.split(".")[0])
        return node


def _bound_names(fn: ast.FunctionDef) -> set:
    """Every name the function binds: arguments (its own and nested ones), assigned names, nested
    defs and classes, exception and import names."""
    bound = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not fn:
            bound.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.split(".")[0])
    return bound


def _is_stub(fn: ast.FunctionDef) -> bool:
    """True if the function raises NotImplementedError anywhere, or has no statement besides strings."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
                return True
    return all(isinstance(statement, ast.Pass) or
               isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
               for statement in fn.body)


def _size(fn: ast.FunctionDef) -> int:
    """Syntax-tree nodes of the normalised body, load/store/del markers left out."""
    return sum(1 for statement in fn.body for node in ast.walk(statement)
               if not isinstance(node, ast.expr_context))


def fingerprint(fn: ast.FunctionDef) -> dict | None:
    """``{"sha256": ..., "nodes": ...}`` of a function's normalised syntax tree; None for a stub or a
    body too small to compare."""
    if _is_stub(fn):
        return None
    tree = _Canonical(_bound_names(fn)).visit(copy.deepcopy(fn))
    tree.name = "f"
    nodes = _size(tree)
    if nodes < MIN_NODES:
        return None
    digest = hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()
    return {"sha256": digest, "nodes": nodes}


def notebook_fingerprints(nb, exercises) -> dict:
    """Exercise -> fingerprint of the learner's function in notebook ``nb`` (those with one)."""
    found = {}
    for exercise in exercises:
        fn = last_definition(nb.get("cells", []), exercise)
        try:
            print_ = fingerprint(fn) if fn is not None else None
        except RecursionError:   # nested too deep to normalise: not compared (learner code must not stop grading)
            print_ = None
        if print_ is not None:
            found[exercise] = print_
    return found


@functools.lru_cache(maxsize=None)
def reference_fingerprints(names: frozenset) -> dict:
    """Function name -> fingerprint of the top-level functions of ``mlp_lab``'s source files that
    are called one of ``names`` (the exercises: only those are compared, and normalising all
    ninety-odd functions took a third of a second of every grading run)."""
    root = Path(importlib.util.find_spec("mlp_lab").origin).parent
    found = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name in names and node.name not in found:
                found[node.name] = fingerprint(node)
    return found


def similarity_report(fingerprints: dict, exercises: list) -> tuple:
    """``(data for summary.json, Markdown for summary.md)`` from learner -> {exercise: fingerprint}.

    Per exercise of ``exercises`` (in course order): groups of learners with one fingerprint (largest
    bodies first), and the learners whose function is the reference's."""
    references = reference_fingerprints(frozenset(exercises))
    data = {"note": NOTE, "min_nodes": MIN_NODES, "exercises": {}}
    for exercise in exercises:
        by_print = defaultdict(list)
        for learner, prints in sorted(fingerprints.items()):
            if exercise in prints:
                by_print[prints[exercise]["sha256"]].append(learner)
        nodes = {p[exercise]["sha256"]: p[exercise]["nodes"] for p in fingerprints.values() if exercise in p}
        groups = sorted(({"learners": group, "nodes": nodes[digest]} for digest, group in by_print.items()
                         if len(group) > 1), key=lambda g: (-g["nodes"], g["learners"]))
        reference = references.get(exercise)
        same_as_reference = by_print.get(reference["sha256"], []) if reference else []
        if groups or same_as_reference:
            data["exercises"][exercise] = {"same_code": groups, "same_as_reference": same_as_reference}
    return data, _markdown(data)


def _markdown(data: dict) -> str:
    lines = ["## Similar submissions (to look at, never a penalty)", "",
             f"Functions equal up to names, comments, docstrings and layout (bodies of at least "
             f"{data['min_nodes']} syntax-tree nodes; stubs left out). {data['note']}", ""]
    if not data["exercises"]:
        return "\n".join(lines + ["None found.", ""])
    lines += ["| exercise | learners with the same code | same as mlp_lab's reference |", "| --- | --- | --- |"]
    for exercise, found in data["exercises"].items():
        groups = "; ".join(f"{', '.join(g['learners'])} ({g['nodes']} nodes)" for g in found["same_code"]) or "-"
        lines.append(f"| `{exercise}` | {groups} | {', '.join(found['same_as_reference']) or '-'} |")
    return "\n".join(lines) + "\n"
