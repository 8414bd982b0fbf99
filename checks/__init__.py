"""checks: verdicts on a learner's functions, with the likely mistake named.

In a notebook: ``check_sigmoid(sigmoid)`` prints ``✔ sigmoid: all checks passed`` or raises
``CheckFailure`` (an AssertionError) whose ``.mistake`` is one of ``MISTAKES``.
Every exercise lives in ``checks/exercises/<exercise>.py``; its ``check_<exercise>`` is found there
by discovery and exported here. ``checks.gradcheck`` is a gradient checker for any function of yours.
"""

from .calling import LocalCaller, Outcome, RngSpec
from .exercises import CHECKS
from .failure import CheckFailure
from .fallback import or_reference
from .gradcheck import gradient_check, numerical_gradient, relative_error
from .mistakes import MISTAKES
from .registry import EXERCISES, Exercise, register
from .runner import judge_exercise, run_check

globals().update(CHECKS)

__all__ = [
    "CheckFailure", "EXERCISES", "Exercise", "LocalCaller", "MISTAKES", "Outcome", "RngSpec", "gradient_check",
    "judge_exercise", "numerical_gradient", "or_reference", "register", "relative_error", "run_check",
    *sorted(CHECKS),
]
