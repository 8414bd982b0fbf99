"""Solution blocks and the stubs that replace them in a learner copy.

An exercise cell holds its solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the
markers nbgrader uses); the release puts ``raise NotImplementedError("<exercise>: <hint>")`` there.
"""

from __future__ import annotations

import json
import textwrap

from checks.notebook_file import NotebookError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
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


def stub_solutions(source: str, name: str, hint: str) -> str:
    """``source`` with every BEGIN..END SOLUTION block (inclusive) replaced by the stub line.

    Raises NotebookError, naming the line, when the markers are unbalanced.
    """
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
