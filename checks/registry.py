"""The registry of exercises: name -> ``Exercise`` (its judge and its signature for messages).

Each exercise lives in ``checks/exercises/<name>.py`` and registers its judge there::

    @register("tanh_prime", "tanh_prime(z) -> 1 - tanh(z)**2, shaped like z")
    def judge(call, rng): ...

``checks.exercises`` imports every such module, so a new file is all it takes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

PASS_LINE = "✔ {name}: all checks passed"


@dataclass(frozen=True)
class Exercise:
    """One exercise: its judge ``judge(call, rng)`` and the signature text its messages quote."""

    name: str
    judge: Callable
    signature: str

    @property
    def default_seed(self) -> int:
        """The fixed seed of self-study runs (stable across machines and Python versions)."""
        return zlib.crc32(self.name.encode())


EXERCISES: dict[str, Exercise] = {}


def register(name: str, signature: str):
    """Decorator adding ``judge(call, rng)`` to ``EXERCISES`` under ``name``."""
    def wrap(judge):
        if name in EXERCISES and EXERCISES[name].judge is not judge:
            raise ValueError(f"exercise {name!r} is registered twice")
        EXERCISES[name] = Exercise(name, judge, signature)
        return judge
    return wrap
