"""The registry of exercises: name -> ``Exercise`` (judge, roles, signature for messages).

Chapter extras register their own exercises the same way::

    @register("tanh_prime", "tanh_prime(z) -> 1 - tanh(z)**2", optional=("tanh",))
    def judge_tanh_prime(call, rng): ...
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Callable

PASS_LINE = "✔ {name}: all checks passed"


@dataclass(frozen=True)
class Exercise:
    """One exercise: its judge ``judge(call, rng)``, the learner roles it uses and its signature text."""

    name: str
    judge: Callable
    signature: str
    required: tuple = ("impl",)
    optional: tuple = field(default_factory=tuple)

    @property
    def default_seed(self) -> int:
        """The fixed seed of self-study runs (stable across machines and Python versions)."""
        return zlib.crc32(self.name.encode())


EXERCISES: dict[str, Exercise] = {}


def register(name: str, signature: str, optional: tuple = ()):
    """Decorator adding ``judge(call, rng)`` to ``EXERCISES`` under ``name``."""
    def wrap(judge):
        if name in EXERCISES and EXERCISES[name].judge is not judge:
            raise ValueError(f"exercise {name!r} is registered twice")
        EXERCISES[name] = Exercise(name, judge, signature, ("impl",), tuple(optional))
        return judge
    return wrap
