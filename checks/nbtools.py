"""Notebook tooling: read/write notebooks, find exercise and check cells, release, lint.

Cells are found by their ``mlp_lab`` cell metadata, never by position:
``{"mlp_lab": {"exercise": name, "kind": "solution", "hint": one_line}}`` marks an exercise cell
(solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``) and
``{"mlp_lab": {"exercise": name, "kind": "check", "points": int}}`` marks its check cell.
An exercise that cannot be judged on arrays alone carries ``"checked": false`` and has no check cell.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
import warnings
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from checks.locations import install_cell_lines

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
KINDS = ("solution", "check")
RUN_ALL_TAG = "raises-exception"   # on learner check cells: Run All goes on past a failing check
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class NotebookError(ValueError):
    """A notebook that the course tools cannot use, with what is wrong and how to fix it."""


# ----------------------------------------------------------------------------- reading, writing

def read_notebook(path: str | Path) -> NotebookNode:
    """Read a version-4 notebook from ``path``; refuse cells without ids (nbformat would invent random ones)."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such notebook file")
    text = path.read_text(encoding="utf-8")
    return reads_notebook(text, str(path))


def reads_notebook(text: str, where: str = "<notebook>") -> NotebookNode:
    """Parse notebook JSON ``text``; ``where`` names it in error messages."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{where}: not valid notebook JSON ({exc}); re-save it from Jupyter") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        raise NotebookError(f"{where}: expected an nbformat 4 notebook; re-save it from a current Jupyter")
    if raw.get("nbformat_minor", 0) >= 5:
        for i, cell in enumerate(raw.get("cells", [])):
            if "id" not in cell:
                raise NotebookError(f"{where}: cell {i} has no 'id'; re-save the notebook from Jupyter "
                                    "(or run nbformat's normalize) so ids are stable")
    captured: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT, capture_validation_error=captured)
    if "ValidationError" in captured:
        first = str(captured["ValidationError"]).splitlines()[0]
        raise NotebookError(f"{where}: invalid notebook ({first}); re-save it from Jupyter")
    return nb


def dumps_notebook(nb: NotebookNode) -> str:
    """The exact text Jupyter writes for ``nb``: sorted keys, indent 1, trailing newline."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb: NotebookNode, path: str | Path) -> bool:
    """Write ``nb`` to ``path`` only if its text changes; return whether the file was written."""
    path = Path(path)
    text = dumps_notebook(nb)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


# ----------------------------------------------------------------------------- finding cells

def course_meta(cell: NotebookNode) -> dict | None:
    """The cell's ``mlp_lab`` metadata dict, or None for an ordinary cell."""
    return cell.get("metadata", {}).get("mlp_lab")


def _problems(nb: NotebookNode, solutions: bool = True) -> tuple[dict, dict, list[str]]:
    """Index exercise and check cells by name; also list every structural problem found.

    ``solutions=False`` reads a learner copy: exercise cells need no solution markers.
    """
    exercises: dict[str, NotebookNode] = {}
    checks: dict[str, NotebookNode] = {}
    problems: list[str] = []
    for i, cell in enumerate(nb.cells):
        meta = course_meta(cell)
        has_markers = cell.cell_type == "code" and any(
            line.strip() in (BEGIN, END) for line in cell.source.splitlines())
        if meta is None:
            if has_markers:
                problems.append(f"cell {i} has solution markers but no mlp_lab metadata: mark it as an "
                                "exercise cell or the solution would be released to learners")
            continue
        if not isinstance(meta, dict):
            problems.append(f"cell {i}: mlp_lab metadata must be a dict, got {type(meta).__name__}")
            continue
        name, kind = meta.get("exercise"), meta.get("kind")
        label = f"exercise {name!r} (cell {i})"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            problems.append(f"cell {i}: mlp_lab 'exercise' must be a snake_case name, got {name!r}")
            continue
        if kind not in KINDS:
            problems.append(f"{label}: mlp_lab 'kind' must be one of {KINDS}, got {kind!r}")
            continue
        if cell.cell_type != "code":
            problems.append(f"{label}: a {kind} cell must be a code cell, not {cell.cell_type}")
            continue
        table = exercises if kind == "solution" else checks
        if name in table:
            problems.append(f"{label}: duplicate {kind} cell for this exercise; keys must be unique")
            continue
        table[name] = cell
        if kind == "solution":
            hint = meta.get("hint")
            if not isinstance(hint, str) or not hint.strip() or "\n" in hint:
                problems.append(f"{label}: needs a one-line, non-empty 'hint' in its mlp_lab metadata")
            if not has_markers and solutions:
                problems.append(f"{label}: exercise cell has no '{BEGIN}' / '{END}' block")
            else:
                try:
                    _stub(cell.source, name, hint if isinstance(hint, str) else "")
                except NotebookError as exc:
                    problems.append(f"{label}: {exc}")
        else:
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, int) or points < 1:
                problems.append(f"{label}: check cell needs integer 'points' >= 1, got {points!r}")
            if has_markers:
                problems.append(f"{label}: check cell must not contain solution markers")
    for name in checks:
        if name not in exercises:
            problems.append(f"exercise {name!r}: check cell has no matching exercise cell")
    return exercises, checks, problems


def find_cells(nb: NotebookNode, where: str = "<notebook>", solutions: bool = True) -> tuple[dict, dict]:
    """``(exercises, checks)``: dicts exercise name -> cell; NotebookError listing every problem.

    ``solutions=False`` for a learner copy (its exercise cells hold stubs, not marked solutions).
    """
    exercises, checks, problems = _problems(nb, solutions)
    if problems:
        raise NotebookError(f"{where}:\n  " + "\n  ".join(problems))
    return exercises, checks


# ----------------------------------------------------------------------------- release

STUB_WIDTH = 88   # longest stub line, indentation included, so the hint stays on screen in an editor


def stub_line(name: str, hint: str, indent: str = "") -> str:
    """The statement that replaces a solution block: ``raise NotImplementedError("<name>: <hint>")``.

    Lines start with ``indent``; a message too long for ``STUB_WIDTH`` is split at spaces into
    adjacent string literals, one per line, which Python joins back into the same message.
    """
    message = f"{name}: {hint}"
    one_line = f"{indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})"
    if len(one_line) <= STUB_WIDTH:
        return one_line
    inner = indent + "    "
    pieces = textwrap.wrap(message, STUB_WIDTH - len(inner) - 3, break_long_words=False,
                           break_on_hyphens=False, drop_whitespace=False)
    literals = [f"{inner}{json.dumps(piece, ensure_ascii=False)}" for piece in pieces]
    return f"{indent}raise NotImplementedError(\n" + "\n".join(literals) + ")"


def _stub(source: str, name: str, hint: str) -> str:
    """``source`` with every BEGIN..END SOLUTION block (inclusive) replaced by the stub line."""
    out: list[str] = []
    begin_line = None
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if begin_line is not None:
                raise NotebookError(f"'{BEGIN}' on line {number} before the block opened on line "
                                    f"{begin_line} was closed; add the missing '{END}'")
            begin_line = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(stub_line(name, hint, indent))
        elif marker == END:
            if begin_line is None:
                raise NotebookError(f"'{END}' on line {number} without a '{BEGIN}' before it")
            begin_line = None
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        raise NotebookError(f"'{BEGIN}' on line {begin_line} is never closed; add '{END}'")
    return "\n".join(out)


def release(nb: NotebookNode, where: str = "<notebook>") -> NotebookNode:
    """Learner copy of solution notebook ``nb`` (left unmodified): solutions stubbed, their outputs cleared.

    Check cells get the ``raises-exception`` tag, so "Run All" carries on past a failing check
    (``checks.run_all`` keeps nbval judging them).
    """
    exercises, checks = find_cells(nb, where)
    learner = copy.deepcopy(nb)
    for cell in learner.cells:
        meta = course_meta(cell)
        if meta is None:
            continue
        if meta["kind"] == "solution":
            cell.source = _stub(cell.source, meta["exercise"], meta["hint"])
        elif RUN_ALL_TAG not in cell.metadata.get("tags", []):
            cell.metadata["tags"] = list(cell.metadata.get("tags", [])) + [RUN_ALL_TAG]
        cell.outputs = []
        cell.execution_count = None
    return learner


def learner_path(solution: str | Path) -> Path:
    """``chapters/solutions/NN_slug.ipynb`` -> ``chapters/NN_slug.ipynb``."""
    solution = Path(solution)
    return solution.parent.parent / solution.name


def solution_paths(root: str | Path) -> list[Path]:
    """Every solution notebook under ``root/chapters/solutions``, sorted by name."""
    return sorted((Path(root) / "chapters" / "solutions").glob("*.ipynb"))


def _fresh_releases(root: Path) -> dict[Path, str]:
    """Learner path -> text of a fresh release, for every solution notebook (all validated first)."""
    fresh, errors = {}, []
    for src in solution_paths(root):
        try:
            fresh[learner_path(src)] = dumps_notebook(release(read_notebook(src), _rel(src, root)))
        except NotebookError as exc:
            errors.append(str(exc))
    if errors:
        raise NotebookError("\n".join(errors))
    return fresh


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def release_all(root: str | Path) -> list[Path]:
    """Write every learner copy under ``root/chapters`` from its solution; return the files written."""
    root = Path(root)
    written = []
    for dst, text in _fresh_releases(root).items():
        if not (dst.is_file() and dst.read_text(encoding="utf-8") == text):
            dst.write_text(text, encoding="utf-8", newline="\n")
            written.append(dst)
    return written


def orphans(root: str | Path) -> list[Path]:
    """Learner copies under ``root/chapters`` with no solution notebook behind them."""
    root = Path(root)
    return sorted(p for p in (root / "chapters").glob("*.ipynb")
                  if not (root / "chapters" / "solutions" / p.name).is_file())


def drift(root: str | Path) -> list[str]:
    """One line per learner copy that is missing, differs from a fresh release, or has no solution."""
    root = Path(root)
    lines = []
    for dst, text in _fresh_releases(root).items():
        if not dst.is_file():
            lines.append(f"{_rel(dst, root)}: missing (no learner copy for this solution)")
        elif dst.read_text(encoding="utf-8") != text:
            lines.append(f"{_rel(dst, root)}: differs from a fresh release of its solution")
    for path in orphans(root):
        lines.append(f"{_rel(path, root)}: has no solution in chapters/solutions/ "
                     "(delete it, or add its solution)")
    return lines


# ----------------------------------------------------------------------------- verdicts

def is_not_implemented(ename: str, evalue: str) -> bool:
    """Whether an error raised by a check cell means "not implemented yet" rather than "wrong"."""
    return ename == "NotImplementedError" or bool(re.search(r"not[ _]implemented", evalue or "", re.I))


# ----------------------------------------------------------------------------- lint

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
    exercises, checks, problems = _problems(nb)
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
        tags_ok = ("raises-exception",)
        for i, cell in enumerate(code):
            tags = cell.metadata.get("tags", [])
            if any(o.output_type == "error" for o in cell.outputs) and not set(tags) & set(tags_ok):
                problems.append(f"code cell {i}: stored output is an error; fix the cell and re-run")
        for name, cell in checks.items():
            stdout = all(o.output_type == "stream" and o.name == "stdout" for o in cell.outputs)
            text = "".join(o.get("text", "") for o in cell.outputs)
            if not cell.outputs or not stdout or len(text.strip().splitlines()) != 1:
                problems.append(f"exercise {name!r}: check cell should store exactly its one passed line")
    return problems
