"""Lint for solution notebooks: the conventions that keep nbval deterministic and the course consistent.

What a solution notebook must satisfy beyond its cell structure (``checks.course_cells``): a check
cell per checked exercise, each one ``check_<name>(...)`` call storing its one passed line; the
seeded first cell that installs the package; figure cells that call ``plt.show()``; cells run once
each, top to bottom, storing no error unless tagged ``raises-exception``
(``learner_copies.RUN_ALL_TAG``). ``tests/test_notebook_lint.py`` runs it over every chapter.
"""

from __future__ import annotations

import ast
import re

from nbformat import NotebookNode

from checks.course_cells import cell_problems, course_meta
from checks.learner_copies import RUN_ALL_TAG
from checks.locations import install_cell_lines

_SETUP = {
    "seed": (re.compile(r"np\.random\.default_rng\(\s*0\s*\)"), "rng = np.random.default_rng(0)"),
    "print options": (re.compile(r"np\.set_printoptions\((?=[^)]*precision\s*=\s*4)(?=[^)]*suppress\s*=\s*True)"),
                      "np.set_printoptions(precision=4, suppress=True)"),
    "inline backend": (re.compile(r"^\s*%matplotlib\s+inline\s*$", re.M), "%matplotlib inline"),
    "figure metadata": (re.compile(r"%config\s+InlineBackend\.print_figure_kwargs\s*=.*['\"]Software['\"]\s*:\s*None"),
                        "%config InlineBackend.print_figure_kwargs = {'metadata': {'Software': None}}"),
}


def _calls_check(source: str, name: str) -> bool:
    """Whether ``source`` is exactly one call of ``check_<name>(...)`` (comments allowed)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    if len(body) != 1 or not isinstance(body[0], ast.Expr) or not isinstance(body[0].value, ast.Call):
        return False
    func = body[0].value.func
    called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return called == f"check_{name}"


def _short(items: list) -> str:
    return str(items) if len(items) <= 8 else f"{str(items[:8])[:-1]}, ... ({len(items)} cells)]"


def lint(nb: NotebookNode, executed: bool = True) -> list[str]:
    """Problems with a solution notebook (empty list if none); ``executed``: outputs must be stored."""
    exercises, checks, problems = cell_problems(nb)
    for name, cell in exercises.items():
        checked = course_meta(cell).get("checked", True)
        if not isinstance(checked, bool):
            problems.append(f"exercise {name!r}: 'checked' must be true or false, got {checked!r}")
        elif checked and name not in checks:
            problems.append(f"exercise {name!r}: has no check cell (kind 'check'); add one, or set "
                            "\"checked\": false in its mlp_lab metadata and show in the next cell that it works")
        elif not checked and name in checks:
            problems.append(f"exercise {name!r}: marked \"checked\": false but has a check cell")
    for name, cell in checks.items():
        if not _calls_check(cell.source, name):
            problems.append(f"exercise {name!r}: check cell source must be one call, check_{name}(...)")
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code:
        return problems + ["notebook has no code cells"]
    for what, (pattern, example) in _SETUP.items():
        if not pattern.search(code[0].source):
            problems.append(f"first code cell does not set the {what}: add `{example}`")
    install = "\n".join(install_cell_lines())
    if not code[0].source.startswith(install):
        problems.append("first code cell must start by installing the package where it is missing, "
                        f"exactly as checks/locations.py says (INSTALL_SOURCE):\n{install}")
    for i, cell in enumerate(code):
        if any("image/png" in o.get("data", {}) for o in cell.outputs):
            if not any(line.strip() == "plt.show()" for line in cell.source.splitlines()):
                problems.append(f"code cell {i}: draws a figure, so it must call plt.show()")
        reprs = [o.data.get("text/plain", "") for o in cell.outputs if o.output_type == "execute_result"]
        if any(r.lstrip("[").startswith(("<matplotlib", "Text(")) for r in reprs):
            problems.append(f"code cell {i}: shows a matplotlib object's repr; end the plot with plt.show()")
    if executed:
        counts = [c.execution_count for c in code]
        if counts != list(range(1, len(code) + 1)):
            problems.append("code cells were not run once each, top to bottom, in a fresh kernel "
                            f"(execution counts {_short(counts)}); restart the kernel, run all, save")
        for i, cell in enumerate(code):
            if any(o.output_type == "error" for o in cell.outputs) and RUN_ALL_TAG not in cell.metadata.get("tags", []):
                problems.append(f"code cell {i}: stored output is an error; fix the cell and re-run")
        for name, cell in checks.items():
            stdout = all(o.output_type == "stream" and o.name == "stdout" for o in cell.outputs)
            text = "".join(o.get("text", "") for o in cell.outputs)
            if not cell.outputs or not stdout or len(text.strip().splitlines()) != 1:
                problems.append(f"exercise {name!r}: check cell should store exactly its one passed line")
    return problems
