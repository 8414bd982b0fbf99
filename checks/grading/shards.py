"""Which learners one shard grades: ``--shard I/N`` keeps the learners whose name hashes to ``I``.

``I`` is 0-based (0 to N-1), as Kubernetes' ``JOB_COMPLETION_INDEX`` is and as a Slurm array
declared ``--array=0-(N-1)`` is. A learner's shard depends only on their folder name (SHA-256 of
it, modulo N), never on their position in the class: adding or removing a learner moves nobody
else, so a shard's earlier outputs stay reusable (see ``record.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0 <= index < count)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, learner: str) -> bool:
        """True if ``learner`` (their folder name in the reports) is graded by this shard."""
        return shard_index(learner, self.count) == self.index


def shard_index(learner: str, count: int) -> int:
    """The 0-based shard of ``learner`` among ``count`` shards: SHA-256 of the name, modulo ``count``."""
    digest = hashlib.sha256(learner.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def parse_shard(text: str) -> Shard:
    """``"I/N"`` -> Shard(I, N); an ``argparse`` type, so a bad value is reported as a usage error."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected I/N with whole numbers, shard I of N counted from 0 (e.g. 0/4 ... 3/4), got {text!r}")
    index, count = int(match[1]), int(match[2])
    if count < 1:
        raise argparse.ArgumentTypeError(f"the number of shards N must be at least 1, got {text!r}")
    if index >= count:
        raise argparse.ArgumentTypeError(
            f"the shard index I counts from 0 and must be below N={count} (0 to {count - 1}), got {text!r}; "
            f"with a Slurm array, declare it --array=0-{count - 1}")
    return Shard(index, count)


def select(learners: dict, shard: Shard | None) -> dict:
    """The part of ``learners`` (name -> notebooks) that ``shard`` grades; all of them without a shard."""
    if shard is None:
        return dict(learners)
    return {name: submitted for name, submitted in learners.items() if shard.holds(name)}
