"""Grading returned notebooks: snapshot them, restore check cells, execute under nbval in a
sandboxed kernel, judge in a process that never runs learner code, and write per-learner and
class reports.

Entry point: ``python -m checks.grade`` (see ``checks/grade.py`` and the README, "For instructors").
"""
