"""Start-up time: importing the project and asking a command for --help must stay quick.

Every command, pytest run and graded notebook pays these imports first. Times are measured in
fresh subprocesses and compared with ``import numpy`` measured in the same rounds (a ratio, so a
loaded machine slows both alike); each figure is the fastest of a few rounds, taken in turn.
The bound is generous: the regression it guards against (jsonschema's format checker building a
Lark grammar at import, see requirements.txt) made ``import nbformat`` 15 to 28 times numpy's.
"""

from __future__ import annotations

import subprocess
import sys
import time

BASELINE = ("-c", "import numpy")
COMMANDS = {
    "import checks": ("-c", "import checks"),
    "import nbformat": ("-c", "import nbformat"),
    "checks.nbtools (nbformat as the project uses it)": ("-c", "import checks.nbtools"),
    "python -m checks.mine --help": ("-m", "checks.mine", "--help"),
    "python -m checks.release --help": ("-m", "checks.release", "--help"),
    "python -m checks.grade --help": ("-m", "checks.grade", "--help"),
    "python -m checks.execute --help": ("-m", "checks.execute", "--help"),
}
ROUNDS = 3
MAX_RATIO = 6.0  # seconds for the command / seconds for `python -c "import numpy"`


def _seconds(args: tuple[str, ...]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True)
    return time.perf_counter() - start


def test_imports_and_help_cost_about_as_much_as_numpy():
    best = {name: float("inf") for name in ["import numpy", *COMMANDS]}
    for _ in range(ROUNDS):
        for name, args in [("import numpy", BASELINE), *COMMANDS.items()]:
            best[name] = min(best[name], _seconds(args))
    numpy_s = best.pop("import numpy")
    slow = {name: s for name, s in best.items() if s > MAX_RATIO * numpy_s}
    table = "\n".join(f"  {name}: {s:.2f} s = {s / numpy_s:.1f} x numpy" for name, s in best.items())
    assert not slow, (
        f"start-up got slow (more than {MAX_RATIO} x `import numpy`, which took {numpy_s:.2f} s):\n{table}\n"
        "`python -X importtime -c 'import nbformat'` (or -m <command> --help) shows which import is to blame."
    )

