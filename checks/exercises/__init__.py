"""One module per exercise, named exactly as the notebooks' cell metadata names the exercise.

``checks/exercises/<name>.py`` holds the exercise's cases, its judge (registered under ``<name>``)
and ``check_<name>``, the function a notebook calls. Every module here is imported by discovery;
``CHECKS`` maps ``"check_<name>"`` to that function.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..registry import EXERCISES


def _discover() -> dict:
    checks = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        check = getattr(module, f"check_{info.name}", None)
        if not callable(check) or info.name not in EXERCISES:
            raise ImportError(f"checks/exercises/{info.name}.py must register a judge under {info.name!r} "
                              f"and define check_{info.name}")
        checks[f"check_{info.name}"] = check
    return checks


CHECKS: dict = _discover()
