"""Start-up time: importing the project and asking a command for --help must stay quick.

Every command, pytest run and graded notebook pays these imports first. Each is timed in a fresh
subprocess by the CPU time it uses (user + system: unlike wall-clock time, it barely moves when
other programs load the machine) and compared with ``import numpy`` timed in the same rounds (a
ratio, never an absolute time); each figure is the smallest of a few rounds, taken in turn.
The bound is generous: the regression it guards against (jsonschema's format checker building a
Lark grammar at import, see requirements.txt) made ``import nbformat`` 15 to 28 times numpy's.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys

BASELINE = ("-c", "import numpy")
COMMANDS = {
    "import checks": ("-c", "import checks"),
    "import nbformat": ("-c", "import nbformat"),
    "checks.notebook_file (nbformat as the project uses it)": ("-c", "import checks.notebook_file"),
    "mlp-lab --help": ("-m", "checks.cli", "--help"),
    "mlp-lab check --help": ("-m", "checks.cli", "check", "--help"),
    "python -m checks.mine --help": ("-m", "checks.mine", "--help"),
    "python -m checks.release --help": ("-m", "checks.release", "--help"),
    "python -m checks.grade --help": ("-m", "checks.grade", "--help"),
    "python -m checks.execute --help": ("-m", "checks.execute", "--help"),
    "python -m checks.gradescope.build --help": ("-m", "checks.gradescope.build", "--help"),
}
ROUNDS = 3
MAX_RATIO = 8.0  # CPU seconds for the command / CPU seconds for `python -c "import numpy"`


def _seconds(args: tuple[str, ...]) -> float:
    """CPU seconds (user + system) that ``python *args`` takes, BLAS pinned to one thread."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *args], check=True, capture_output=True,
                   env=dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_imports_and_help_cost_about_as_much_as_numpy():
    best = {name: float("inf") for name in ["import numpy", *COMMANDS]}
    for _ in range(ROUNDS):
        for name, args in [("import numpy", BASELINE), *COMMANDS.items()]:
            best[name] = min(best[name], _seconds(args))
    numpy_s = best.pop("import numpy")
    slow = {name: s for name, s in best.items() if s > MAX_RATIO * numpy_s}
    table = "\n".join(f"  {name}: {s:.2f} s = {s / numpy_s:.1f} x numpy" for name, s in best.items())
    print(table)  # shown with -s, or when the assertion fails
    assert not slow, (
        f"start-up got slow (more than {MAX_RATIO} x `import numpy`, which took {numpy_s:.2f} s of CPU):\n{table}\n"
        "`python -X importtime -c 'import nbformat'` (or -m <command> --help) shows which import is to blame."
    )

