"""Run All goes on past a failing check, yet every tool still sees the check fail.

The release tags each check cell of a learner copy ``raises-exception`` (``learner_copies.RUN_ALL_TAG``):
JupyterLab (and nbclient) then carry on to the next cell when the check raises, so the
``or_reference`` cells below it run and every figure is drawn. nbval reads the same tag as "an error here is fine",
which would let a failing check pass; this pytest plugin (``-p checks.run_all``, also loaded by
the repository's ``conftest.py``) takes that allowance back for check cells only.
"""

from __future__ import annotations

from checks.course_cells import course_meta


def pytest_itemcollected(item) -> None:
    """An nbval cell item for a check cell must fail when its check raises, whatever its tags say."""
    cell = getattr(item, "cell", None)
    options = getattr(item, "options", None)
    if cell is not None and options is not None and (course_meta(cell) or {}).get("kind") == "check":
        options["check_exception"] = False
