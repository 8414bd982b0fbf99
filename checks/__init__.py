"""checks: verdicts on a learner's functions, with the likely mistake named.

In a notebook: ``check_sigmoid(sigmoid)`` prints ``✔ sigmoid: all checks passed`` or raises
``CheckFailure`` (an AssertionError) whose ``.mistake`` is one of ``MISTAKES``.
``checks.gradcheck`` is a gradient checker for any function of yours.
Modules named ``checks/extras_*.py`` (chapter extras) and every module of ``checks/exercises/``
(one per exercise) are imported here and their ``check_*`` functions exported with the rest.
"""

import importlib as _importlib
import pkgutil as _pkgutil

from . import judges_activations, judges_dropout, judges_linear, judges_penalty, judges_softmax  # noqa: F401 (register)
from .calling import LocalCaller, Outcome, RngSpec
from .failure import CheckFailure
from .fallback import or_reference
from .gradcheck import gradient_check, numerical_gradient, relative_error
from .mistakes import MISTAKES
from .public import (check_dropout_backward, check_dropout_forward, check_l1_penalty, check_l2_penalty,
                     check_linear_backward, check_linear_forward, check_sigmoid, check_sigmoid_backward,
                     check_sigmoid_prime, check_softmax, check_softmax_cross_entropy)
from .registry import EXERCISES, Exercise, register
from .runner import judge_exercise, run_check

__all__ = [
    "CheckFailure", "EXERCISES", "Exercise", "LocalCaller", "MISTAKES", "Outcome", "RngSpec",
    "check_dropout_backward", "check_dropout_forward", "check_l1_penalty", "check_l2_penalty",
    "check_linear_backward", "check_linear_forward", "check_sigmoid", "check_sigmoid_backward",
    "check_sigmoid_prime", "check_softmax", "check_softmax_cross_entropy", "gradient_check",
    "judge_exercise", "numerical_gradient", "or_reference", "register", "relative_error", "run_check",
]

_modules = [f"{__name__}.{i.name}" for i in _pkgutil.iter_modules(__path__) if i.name.startswith("extras_")]
_modules += [f"{__name__}.exercises.{i.name}" for i in _pkgutil.iter_modules([f"{__path__[0]}/exercises"])]
for _module_name in _modules:
    _module = _importlib.import_module(_module_name)
    for _name in dir(_module):
        if _name.startswith("check_") and callable(getattr(_module, _name)):
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
