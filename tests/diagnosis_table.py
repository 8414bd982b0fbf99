"""How well the checks name mistakes, over the project's own lists of attempts (tests/test_exercise_*.py).

Every WRONG and RIGHT attempt of every exercise is judged at 10 seeds. Per exercise the table shows how
many wrong attempts there are, how many are caught at every seed with the same category each time
(stable), how many of those end as the generic ``wrong_value``, and how many right attempts fail at
any seed (false alarms). Run it with ``python tests/diagnosis_table.py``; ``test_diagnosis_depth`` in
tests/test_course_ties.py asserts the targets.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field

from checks import EXERCISES
from support import judged

SEEDS = tuple(range(10))


@dataclass
class Row:
    exercise: str
    wrong: int = 0
    caught: int = 0                      # failed at every seed
    stable: int = 0                      # the same category at every seed
    generic: int = 0                     # stable as wrong_value
    right: int = 0
    false_alarms: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)   # (label, {category at each seed}, expected)
    categories: Counter = field(default_factory=Counter)


def measure(name: str, seeds=None) -> Row:
    """Judge every attempt of ``tests/test_exercise_<name>.py`` at ``seeds``: by default the module's own
    ``SEEDS`` when it has them (a check too costly for 10, such as the capstone's training), else 10."""
    module = importlib.import_module(f"test_exercise_{name}")
    seeds = seeds or getattr(module, "SEEDS", SEEDS)
    row = Row(name)
    for attempt in module.WRONG:
        seen = [judged(name, attempt, seed) for seed in seeds]
        row.wrong += 1
        row.caught += "pass" not in seen
        if len(set(seen)) == 1 and seen[0] != "pass":
            row.stable += 1
            row.generic += seen[0] == "wrong_value"
            row.categories[seen[0]] += 1
        if set(seen) != {attempt.verdict}:
            row.unexpected.append((attempt.label, sorted(set(seen)), attempt.verdict))
    for attempt in module.RIGHT:
        row.right += 1
        if any(judged(name, attempt, seed) != "pass" for seed in seeds):
            row.false_alarms.append(attempt.label)
    return row


def table(rows: list) -> str:
    """The rows as a Markdown table, with a total line."""
    lines = ["| exercise | wrong | caught at all 10 seeds | same category at all seeds | wrong_value | "
             "right | false alarms |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r.exercise} | {r.wrong} | {r.caught} | {r.stable} | {r.generic} | {r.right} | "
                     f"{len(r.false_alarms)} |")
    total = Row("total", *(sum(getattr(r, k) for r in rows) for k in ("wrong", "caught", "stable", "generic", "right")))
    share = total.generic / max(total.stable, 1)
    lines.append(f"| **total** | {total.wrong} | {total.caught} | {total.stable} | {total.generic} "
                 f"({share:.1%}) | {total.right} | {sum(len(r.false_alarms) for r in rows)} |")
    return "\n".join(lines)


def main() -> None:
    rows = [measure(name) for name in sorted(EXERCISES)]
    print(table(rows))
    print()
    counts = sum((r.categories for r in rows), Counter())
    print("categories named (stable wrong attempts):", ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    for r in rows:
        for label, seen, expected in r.unexpected:
            print(f"UNEXPECTED {r.exercise} / {label}: {seen}, listed as {expected}")
        for label in r.false_alarms:
            print(f"FALSE ALARM {r.exercise} / {label}")


if __name__ == "__main__":
    main()
