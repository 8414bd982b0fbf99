"""Assemble one submission's Gradescope ``results.json`` from the grader's per-chapter results.

Every exercise of every chapter the assignment covers is one test, always present: graded by
the grader, or zero points with the reason (no notebook, the grader failed, the time ran out).
The top-level ``output`` (Markdown) says what was graded and what was not, by file name.
"""

from __future__ import annotations


def zero_tests(chapter: str, exercises: dict, why: str, tag: str) -> list:
    """Tests worth zero for each exercise of ``chapter`` (``exercises``: name -> points)."""
    return [{"name": f"{chapter} / {ex}", "score": 0.0, "max_score": float(points), "status": "failed",
             "output": why, "output_format": "md", "tags": [tag]}
            for ex, points in exercises.items()]


def assemble(tests: list, notes: list, visibility: str) -> dict:
    """The whole ``results.json``: tests numbered in order, the score their sum, notes on top."""
    for number, test in enumerate(tests, start=1):
        test["number"] = str(number)
        test["visibility"] = visibility
    score = sum(t["score"] for t in tests)
    maximum = sum(t["max_score"] for t in tests)
    lines = [f"**Score: {score:g} / {maximum:g}**", "", *[f"- {note}" for note in notes]]
    return {"score": score, "output": "\n".join(lines).rstrip() + "\n", "output_format": "md",
            "visibility": visibility, "stdout_visibility": "hidden", "tests": tests}


def failure(why: str) -> dict:
    """Results for a submission that could not be graded at all (``why`` is shown to the learner)."""
    return {"score": 0.0, "output": why, "output_format": "md", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": []}
