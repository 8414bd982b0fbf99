"""End-to-end tests of ``python -m checks.grade`` on a two-exercise mini course.

Each hostile submission is a real notebook executed in a real, sandboxed kernel; they are graded
together in parallel (-j 2), so one learner's crash, loop or attack must not touch another's
grade. Every attack on the sandbox (``sandbox_attacks``) is followed in the same batch by a
learner with wrong answers, who must still get zero, and one with right answers, who must still
get full marks; after the batch no process of theirs is left, no file outside the output folder
has changed, and the submissions are byte-identical.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from checks.learner_copies import release
from support import early_judge_pids

ROOT = Path(__file__).resolve().parent.parent

SETUP = """\
import numpy as np
import mlp_lab as ml
from checks import check_linear_forward, check_sigmoid
rng = np.random.default_rng(0)"""

GOOD = {
    "sigmoid": "def sigmoid(z):\n    ### BEGIN SOLUTION\n    return 0.5 * (1 + np.tanh(0.5 * z))\n    ### END SOLUTION",
    "linear_forward": "def linear_forward(X, W, b):\n    ### BEGIN SOLUTION\n    return X @ W + b\n    ### END SOLUTION",
}


def chapter(bodies=GOOD, extra_cells=()):
    cells = [new_markdown_cell("# Mini chapter"), new_code_cell(SETUP), *extra_cells]
    for name, points in (("sigmoid", 2), ("linear_forward", 3)):
        cells.append(new_code_cell(bodies[name], metadata={"mlp_lab": {
            "exercise": name, "kind": "solution", "hint": "see the text above"}}))
        cells.append(new_code_cell(f"check_{name}({name})", metadata={"mlp_lab": {
            "exercise": name, "kind": "check", "points": points}}))
    cells.append(new_code_cell("print('the end')"))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


def with_body(name, body):
    bodies = dict(GOOD)
    bodies[name] = body
    return chapter(bodies)


def check_cell(nb, name):
    return next(c for c in nb.cells if c.metadata.get("mlp_lab", {}) == {
        "exercise": name, "kind": "check", "points": {"sigmoid": 2, "linear_forward": 3}[name]})


def hostile_submissions():
    subs = {}
    subs["solution"] = chapter()
    subs["untouched"] = release(chapter())
    subs["wrong_linear"] = with_body("linear_forward", "def linear_forward(X, W, b):\n    return 2 * (X @ W + b)")

    nb = with_body("sigmoid", "def sigmoid(z):\n    return 1 / (1 + np.exp(z))")
    check_cell(nb, "sigmoid").source = "pass  # trust me"
    subs["edited_check"] = nb

    nb = chapter()
    nb.cells.remove(check_cell(nb, "linear_forward"))
    subs["deleted_check"] = nb

    nb = chapter()
    dup = copy.deepcopy(check_cell(nb, "sigmoid"))
    dup.id = "duplicate-check"
    nb.cells.append(dup)
    subs["duplicated_check"] = nb

    patch = new_code_cell(
        "import checks\n"
        "fake = lambda *a, **k: print('✔ sigmoid: all checks passed')\n"
        "checks.check_sigmoid = fake\ncheck_sigmoid = fake\n"
        "import checks.runner\nchecks.runner.run_check = lambda *a, **k: None")
    subs["patched_checks"] = chapter({**GOOD, "sigmoid": "def sigmoid(z):\n    return z"}, [patch])

    patch = new_code_cell(
        "np.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
        "np.array_equal = lambda *a, **k: True\nimport builtins\nbuiltins.abs = lambda x: 0\n"
        "builtins.all = lambda it: True\nbuiltins.any = lambda it: False")
    subs["patched_numpy"] = chapter({**GOOD, "sigmoid": "def sigmoid(z):\n    return np.exp(z)"}, [patch])

    subs["infinite_loop"] = with_body("sigmoid", "def sigmoid(z):\n    while True:\n        pass")
    subs["os_exit"] = with_body("sigmoid", "def sigmoid(z):\n    import os\n    os._exit(3)")
    subs["memory_bomb"] = with_body("sigmoid", "def sigmoid(z):\n    hog = []\n    while True:\n"
                                               "        hog.append(np.ones(10**8))")
    crash = new_code_cell("import ctypes\nctypes.string_at(0)  # segfault: the kernel dies")
    subs["kernel_crash"] = chapter(GOOD, [crash])
    subs["syntax_error"] = with_body("linear_forward", "def linear_forward(X, W, b)\n    return X @ W + b")
    return subs


MARK = "MLPLAB_PWNED"   # in the name of every file an attack plants and of every process it leaves
SEED = "731950264"     # the grading seed: must never show up in anything a learner sees
BATCH_SECONDS = 1500   # bound on the batch's wall time (measured: 695 s with 2 cores shared by 5 test runs)
WRONG = {"sigmoid": "def sigmoid(z):\n    return z",
         "linear_forward": "def linear_forward(X, W, b):\n    return 2 * (X @ W + b)"}

# What a successful attack would plant: code that makes the judge pass everything.
FORGE_JUDGE = """
try:
    import checks.runner
    checks.runner.judge_exercise = lambda *a, **k: 'forged'
except Exception:
    pass
"""
FORGE_CONFTEST = """
import pytest
@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    from checks.grading import plugin
    for ex in ('sigmoid', 'linear_forward'):
        plugin._judge.verdicts[ex] = {'exercise': ex, 'passed': True, 'line': 'forged'}
"""

PLANT = """
import glob, os, pathlib, sys
MARK = 'MLPLAB_PWNED'
def plant(path, text):
    try:
        os.makedirs(os.path.dirname(str(path)) or '.', exist_ok=True)
        with open(path, 'a') as f:
            f.write(text)
        print('wrote', path)
    except OSError as exc:
        print('refused', path, exc.strerror)
"""

ATTACKS = {
    # test-configuration files in the work folder and every parent
    "config_files": PLANT + """
here = pathlib.Path.cwd()
for folder in [here, *here.parents, pathlib.Path('/tmp')]:
    for name, text in [('conftest.py', FORGE_CONFTEST), ('pytest.ini', '[pytest]\\naddopts = -p conftest\\n'),
                       ('pyproject.toml', '[tool.pytest.ini_options]\\naddopts = "-p conftest"\\n'),
                       ('tox.ini', '[pytest]\\n'), ('setup.cfg', '[tool:pytest]\\n'), (MARK + '_config', 'x')]:
        plant(folder / name, text)
""",
    # interpreter start-up files and .pth files in the environment
    "startup_files": PLANT + """
import site, sysconfig
folders = {sysconfig.get_paths()['purelib'], sysconfig.get_paths()['stdlib'], site.getusersitepackages(),
           *site.getsitepackages(), sys.base_prefix + '/lib'}
for folder in folders:
    plant(folder + '/sitecustomize.py', FORGE_JUDGE)
    plant(folder + '/usercustomize.py', FORGE_JUDGE)
    plant(folder + '/' + MARK + '.pth', 'import os\\n')
""",
    # IPython start-up files in the home folder (the grader's, if the kernel could see it)
    "ipython_startup": PLANT + """
for home in {os.path.expanduser('~'), '/root', os.environ.get('HOME', '/')}:
    plant(home + '/.ipython/profile_default/startup/00-' + MARK + '.py', FORGE_JUDGE)
    plant(home + '/.ipython/profile_default/ipython_config.py', FORGE_JUDGE)
""",
    # the checker's own source, found through checks.__file__
    "edit_checks": PLANT + """
import checks
package = pathlib.Path(checks.__file__).parent
plant(package / 'runner.py', '\\ndef judge_exercise(*a, **k):\\n    return "forged"\\n')
plant(package / 'grading' / 'plugin.py', '\\n# ' + MARK + '\\n')
plant(package / '__pycache__' / (MARK + '.pyc'), 'x')
plant(package.parent / (MARK + '_repo'), 'x')
""",
    # a forged verdict record, then kill the judge so that the record is believed
    "forge_record": PLANT + """
import json, signal
forged = json.dumps({'cells': [], 'verdicts': {ex: {'exercise': ex, 'passed': True, 'line': 'forged'}
                                             for ex in ('sigmoid', 'linear_forward')}})
for path in ['record.json', *glob.glob('/tmp/mlp*/**/record.json', recursive=True)]:
    plant(path, forged)
for pid in [os.getppid(), *(int(p) for p in os.listdir('/proc') if p.isdigit())]:
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
            print('killed', pid)
        except OSError as exc:
            print('could not kill', pid, exc.strerror)
""",
    # a detached process that outlives the notebook, answers other judges, rewrites the outputs
    "detached_process": PLANT + """
import subprocess
IMPOSTOR = '''
import glob, os, sys, time
import numpy as np
from checks.grading import evaluator
mine, out = os.environ.get(evaluator.ENV), sys.argv[2]
right = lambda z: 0.5 * (1 + np.tanh(0.5 * z))
end = time.time() + 300
while time.time() < end:
    for path in set(glob.glob('/tmp/**/*.sock', recursive=True) + glob.glob('/run/*/*.sock')) - {mine}:
        try:
            os.environ[evaluator.ENV] = path
            evaluator.serve('sigmoid', {'sigmoid': right})
        except BaseException:
            pass
    for path in glob.glob(out + '/**/*.json', recursive=True) + glob.glob(out + '/*.csv'):
        try:
            open(path, 'a').write(sys.argv[1])
        except OSError:
            pass
    time.sleep(0.2)
'''
subprocess.Popen([sys.executable, '-c', IMPOSTOR, MARK + '_impostor', OUT], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print('impostor started')
""",
    # overwrite other learners' submissions (with a right notebook), plant files in their output
    "overwrite_others": PLANT + """
for path in glob.glob(CLASS + '/*/*.ipynb') + glob.glob('/tmp/mlpg-submissions-*/**/*.ipynb', recursive=True):
    if 'overwrite_others' not in path:
        try:
            open(path, 'w').write(RIGHT)
            print('overwrote', path)
        except OSError as exc:
            print('refused', path, exc.strerror)
plant(CLASS + '/overwrite_others_wrong/' + MARK + '.ipynb', RIGHT)
plant(OUT + '/overwrite_others_wrong/grade.json', '{}')
plant(OUT + '/' + MARK + '_out', 'x')
""",
    # a 5 GiB file
    "fill_disk": PLANT + """
written = {}
for folder in ['/tmp', os.getcwd(), os.path.expanduser('~')]:
    written[folder] = 0
    try:
        with open(os.path.join(folder, MARK + '_big'), 'wb') as f:
            chunk = bytes(1 << 20)
            for _ in range(5 * 1024):
                f.write(chunk)
                written[folder] += 1
    except OSError as exc:
        print('stopped:', exc.strerror)
    try:
        os.remove(os.path.join(folder, MARK + '_big'))
    except OSError:
        pass
print('largest file MiB:', max(written.values()))
""",
    # 200 child processes
    "many_processes": """
import subprocess
children = []
try:
    for _ in range(200):
        children.append(subprocess.Popen(['sleep', '120']))
except OSError as exc:
    print('stopped:', exc.strerror)
print('children started:', len(children))
for child in children:
    child.kill()
    child.wait()
""",
    # a dot every half second, forever, deaf to interrupts
    "print_forever": """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    print('.', end='', flush=True)
    time.sleep(0.5)
""",
    # a small compressed reply that would expand to 512 MiB inside the judge
    "reply_bomb": """
import io, json, struct, zipfile
from checks.grading import protocol
def bomb(nbytes=512 * 2**20):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as archive:
        with archive.open('a0.npy', 'w', force_zip64=True) as f:
            header = io.BytesIO()
            np.lib.format.write_array_header_1_0(header, {'descr': '<f8', 'fortran_order': False,
                                                          'shape': (nbytes // 8,)})
            f.write(header.getvalue())
            for _ in range(nbytes >> 20):
                f.write(bytes(1 << 20))
    return buf.getvalue()
BOMB, send, sent = bomb(), protocol.send, []
def bombing_send(sock, msg):
    if isinstance(msg, dict) and msg.get('type') == 'outcomes' and not sent:
        sent.append(1)
        head = json.dumps({'type': 'outcomes', 'outcomes': [{'__array__': 'a0'}]}).encode()
        sock.sendall(struct.pack('!Q', len(head)) + head + struct.pack('!Q', len(BOMB)) + BOMB)
    else:
        send(sock, msg)
protocol.send = bombing_send
print('compressed bomb bytes:', len(BOMB))
""",
    # the grading seed: environment, every visible command line and environment, the seed file
    "read_seed": """
import glob, os
print('environment:', dict(os.environ))
for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
    for what in ('cmdline', 'environ'):
        try:
            print(pid, what, open(f'/proc/{pid}/{what}', 'rb').read().replace(bytes(1), b' '))
        except OSError as exc:
            print(pid, what, 'refused', exc.strerror)
for path in [OUT + '/.grading-seed', *glob.glob('/tmp/**/.grading-seed', recursive=True)]:
    try:
        print(path, open(path).read())
    except OSError as exc:
        print(path, 'refused', exc.strerror)
""",
}


def sandbox_attacks(class_dir: Path, out: Path) -> dict:
    """One learner per attack class of issue 8, each with a wrong sigmoid and a right linear_forward.

    The attacks know the absolute paths of the submissions and of the output folder (the worst
    case: a learner who guessed them)."""
    context = (f"CLASS, OUT = {str(class_dir)!r}, {str(out)!r}\nRIGHT = {nbformat.writes(chapter())!r}\n"
               f"FORGE_JUDGE, FORGE_CONFTEST = {FORGE_JUDGE!r}, {FORGE_CONFTEST!r}\n")
    return {name: chapter({**GOOD, "sigmoid": WRONG["sigmoid"]}, [new_code_cell(context + code)])
            for name, code in ATTACKS.items()}


def _fingerprint(roots, skip: Path) -> dict:
    """path -> (size, mtime) of every file under ``roots``, except under ``skip``, ``.git``, and the
    base Python's ``__pycache__`` (other programs on this machine may compile into it)."""
    seen = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if Path(folder, d) != skip and d != ".git"
                       and not (d == "__pycache__" and folder.startswith(sys.base_prefix))]
            for name in files:
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                except FileNotFoundError:
                    continue
                seen[path] = (info.st_size, info.st_mtime_ns)
    return seen


def _leftover_processes() -> list:
    """Processes of the sandboxes' unprivileged users, judges started ahead by this environment's
    graders, or processes carrying the attacks' mark, once the grader has exited. A kernel-uid
    process still inside a live sandbox (a ``bwrap`` among its ancestors) belongs to another grader
    running on this machine: ours end with their sandboxes (``--die-with-parent``), so a leftover of
    this batch is one outside any sandbox, or one running this environment's Python."""
    from checks.grading.notebook_run import KernelUids

    left = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        kernel_uid = KernelUids.FIRST <= uid < KernelUids.FIRST + KernelUids.COUNT
        ours = sys.prefix.encode() in cmdline or not _inside_a_live_sandbox(int(entry.name))
        if (kernel_uid and ours) or MARK.encode() in cmdline:
            left.append((int(entry.name), uid, cmdline[:200]))
    return left + [(pid, 0, b"early judge") for pid in early_judge_pids()]


def _inside_a_live_sandbox(pid: int) -> bool:
    """Whether a ``bwrap`` process is among ``pid``'s ancestors."""
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])   # the parent's pid (after the command's name)
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "bwrap":
                return True
        except OSError:
            return False
    return False


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    solutions = root / "solutions"
    solutions.mkdir()
    nbformat.write(chapter(), str(solutions / "01_mini.ipynb"))
    class_dir = root / "class"
    out = root / "out"
    learners = hostile_submissions()
    for name, nb in sandbox_attacks(class_dir, out).items():
        learners[name] = nb
        learners[f"{name}_wrong"] = chapter(WRONG)    # graded just after (and beside) the attack
        learners[f"{name}_zright"] = chapter()
    learners["ann lee"], learners["ann_lee"] = chapter(), chapter(WRONG)   # names that sanitise alike
    learners["summary.json"], learners["html"] = chapter(), chapter()   # named like the class's reports
    originals = {}
    for learner, nb in learners.items():
        (class_dir / learner).mkdir(parents=True)
        path = class_dir / learner / "01_mini.ipynb"
        nbformat.write(nb, str(path))
        originals[path] = path.read_bytes()
    (class_dir / "invalid_json").mkdir()
    bad = class_dir / "invalid_json" / "01_mini.ipynb"
    bad.write_text('{"cells": [ this is not json')
    originals[bad] = bad.read_bytes()
    for name, target in (("symlink_other", "../solution/01_mini.ipynb"), ("symlink_system", "/etc/passwd")):
        (class_dir / name).mkdir()
        (class_dir / name / "01_mini.ipynb").symlink_to(target)
    cmd = [sys.executable, "-m", "checks.grade", str(class_dir), "--out", str(out), "-j", "2",
           "--solutions", str(solutions), "--cell-timeout", "15", "--memory-mb", "3000", "--disk-mb", "64"]
    env = {**os.environ, "MLP_LAB_GRADING_SEED": SEED, "PYTHONDONTWRITEBYTECODE": "1"}
    # Not the whole home folder: other programs' kernels write their history and runtime files there.
    watched = [ROOT, sys.prefix, sys.base_prefix, root, os.path.expanduser("~/.ipython/profile_default/startup")]
    before = _fingerprint(watched, skip=out)
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BATCH_SECONDS)
    seconds = time.monotonic() - start
    left = _leftover_processes()
    after = _fingerprint(watched, skip=out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    grades = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/grade.json")}
    return {"out": out, "grades": grades, "originals": originals, "stdout": proc.stdout, "cmd": cmd,
            "env": env, "seconds": seconds, "left": left, "before": before, "after": after}


def points(graded, learner):
    ex = graded["grades"][learner]["exercises"]
    return ex["sigmoid"]["points"], ex["linear_forward"]["points"]


def mistake(graded, learner, exercise):
    return graded["grades"][learner]["exercises"][exercise]["mistake"]


def events(graded, learner):
    return " ".join(e for nb in graded["grades"][learner]["notebooks"] for e in nb["events"])


def test_solution_gets_full_marks(graded):
    assert points(graded, "solution") == (2, 3)
    assert graded["grades"]["solution"]["total"] == 5 == graded["grades"]["solution"]["max"]


def test_untouched_copy_gets_zero_not_implemented(graded):
    assert points(graded, "untouched") == (0, 0)
    assert mistake(graded, "untouched", "sigmoid") == "not_implemented"
    assert mistake(graded, "untouched", "linear_forward") == "not_implemented"


def test_one_wrong_function_costs_only_that_exercise(graded):
    assert points(graded, "wrong_linear") == (2, 0)
    assert mistake(graded, "wrong_linear", "linear_forward") == "scale"


def test_edited_check_cell_is_restored(graded):
    assert points(graded, "edited_check") == (0, 3)
    assert mistake(graded, "edited_check", "sigmoid") not in ("not_run", None)
    assert "restored" in events(graded, "edited_check")


def test_deleted_check_cell_is_re_added(graded):
    assert points(graded, "deleted_check") == (2, 3)
    assert "re-added" in events(graded, "deleted_check")


def test_duplicated_check_cell_is_ignored(graded):
    assert points(graded, "duplicated_check") == (2, 3)
    assert "duplicate" in events(graded, "duplicated_check")


def test_patching_checks_in_the_kernel_cannot_forge_a_pass(graded):
    assert points(graded, "patched_checks") == (0, 3)


def test_patching_numpy_and_builtins_cannot_forge_a_pass(graded):
    assert points(graded, "patched_numpy")[0] == 0
    assert mistake(graded, "patched_numpy", "sigmoid") not in ("not_run", None)


def test_infinite_loop_costs_only_its_exercise(graded):
    assert points(graded, "infinite_loop") == (0, 3)


def test_os_exit_costs_only_its_exercise(graded):
    assert points(graded, "os_exit") == (0, 3)
    assert "kernel died" in events(graded, "os_exit")


def test_memory_bomb_costs_only_its_exercise(graded):
    assert points(graded, "memory_bomb") == (0, 3)


def test_kernel_crash_outside_exercises_costs_nothing(graded):
    assert points(graded, "kernel_crash") == (2, 3)
    assert "kernel died" in events(graded, "kernel_crash")


def test_syntax_error_costs_only_its_exercise(graded):
    assert points(graded, "syntax_error") == (2, 0)


def test_invalid_json_gets_a_report(graded):
    g = graded["grades"]["invalid_json"]
    assert g["total"] == 0
    assert "not valid notebook JSON" in g["notebooks"][0]["error"]


def test_submitted_files_are_never_modified(graded):
    for path, data in graded["originals"].items():
        assert path.read_bytes() == data, path


def test_gradebook_csv(graded):
    rows = list(csv.DictReader(open(graded["out"] / "gradebook.csv")))
    assert [r["learner"] for r in rows] == sorted(graded["grades"])
    assert rows[0].keys() >= {"sigmoid", "linear_forward", "total", "max"}
    by = {r["learner"]: r for r in rows}
    assert by["solution"]["total"] == "5" and by["wrong_linear"]["linear_forward"] == "0"


def test_gradescope_results_have_the_documented_fields(graded):
    for learner in graded["grades"]:
        res = json.loads((graded["out"] / learner / "results.json").read_text())
        assert isinstance(res["score"], float) and isinstance(res["execution_time"], int)
        assert res["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
        assert {t["name"].split(" / ")[1] for t in res["tests"]} == {"sigmoid", "linear_forward"}
        for t in res["tests"]:
            assert set(t) <= {"score", "max_score", "status", "name", "name_format", "number", "output",
                              "output_format", "tags", "visibility", "extra_data"}
            assert t["status"] in ("passed", "failed") and 0 <= t["score"] <= t["max_score"]
        assert res["score"] == sum(t["score"] for t in res["tests"])


def test_feedback_notebook_shows_verdicts(graded):
    nb = nbformat.read(str(graded["out"] / "wrong_linear" / "feedback" / "01_mini.ipynb"), as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Score: 2 / 5" in text and "scale" in text


def test_class_summary_names_common_mistakes(graded):
    summary = json.loads((graded["out"] / "summary.json").read_text())
    assert summary["exercises"]["sigmoid"]["mistakes"].get("not_implemented", 0) >= 1
    assert "what to re-teach" in (graded["out"] / "summary.md").read_text()


def test_regrading_gives_the_same_grades(graded, tmp_path):
    cmd = list(graded["cmd"])
    cmd[cmd.index("--out") + 1] = str(tmp_path / "again")
    subset = tmp_path / "subset"
    for learner in ("solution", "wrong_linear", "patched_numpy"):
        (subset / learner).mkdir(parents=True)
        src = next(p for p in graded["originals"] if p.parent.name == learner)
        (subset / learner / src.name).write_bytes(src.read_bytes())
    cmd[3] = str(subset)
    subprocess.run(cmd, cwd=ROOT, env=graded["env"], check=True, capture_output=True, timeout=600)
    for learner in ("solution", "wrong_linear", "patched_numpy"):
        again = json.loads((tmp_path / "again" / learner / "grade.json").read_text())
        first = graded["grades"][learner]
        assert {k: (v["points"], v["mistake"]) for k, v in again["exercises"].items()} == \
               {k: (v["points"], v["mistake"]) for k, v in first["exercises"].items()}


def printed(graded, learner) -> str:
    """Everything the learner's code printed during grading, as their feedback notebook shows it."""
    nb = nbformat.read(str(graded["out"] / learner / "feedback" / "01_mini.ipynb"), as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_forges_nothing_and_spares_the_next_learners(graded, attack):
    assert points(graded, attack)[0] == 0, graded["grades"][attack]
    assert graded["grades"][f"{attack}_wrong"]["total"] == 0, graded["grades"][f"{attack}_wrong"]
    assert graded["grades"][f"{attack}_zright"]["total"] == 5, graded["grades"][f"{attack}_zright"]


@pytest.mark.parametrize("attack", sorted(set(ATTACKS) - {"forge_record", "print_forever"}))
def test_attack_costs_only_the_wrong_exercise(graded, attack):
    assert points(graded, attack) == (0, 3), graded["grades"][attack]


def test_attacks_could_write_only_inside_their_sandbox(graded):
    private = ("/tmp/", "/home/learner/", "record.json")   # the sandbox's own fresh folders
    for attack in ("config_files", "startup_files", "ipython_startup", "edit_checks", "overwrite_others",
                   "forge_record"):
        lines = printed(graded, attack).splitlines()
        assert any(line.startswith(("wrote", "refused", "could not")) for line in lines), attack  # it ran
        wrote = [line for line in lines if line.startswith(("wrote ", "overwrote ", "killed "))]
        assert all(line.split(" ", 1)[1].startswith(private) for line in wrote), (attack, wrote)
    for attack in ("config_files", "startup_files", "ipython_startup", "edit_checks"):
        refused = [line for line in printed(graded, attack).splitlines() if line.startswith("refused ")]
        assert refused, attack   # read-only, or not the kernel's user's to write


def test_no_file_outside_the_output_folder_changed(graded):
    before, after = graded["before"], graded["after"]
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert not changed, changed[:20]
    planted = [p for folder in ("/tmp", "/", os.path.expanduser("~")) for p in os.listdir(folder) if MARK in p]
    assert not planted


def test_no_process_outlives_the_batch(graded):
    assert graded["left"] == []


def test_detached_process_did_not_touch_the_outputs(graded):
    assert "impostor started" in printed(graded, "detached_process")
    for path in graded["out"].rglob("*"):
        if path.is_file():
            assert f"{MARK}_impostor".encode() not in path.read_bytes(), path


def test_disk_is_limited(graded):
    shown = printed(graded, "fill_disk")
    assert int(shown.split("largest file MiB: ")[1].split()[0]) <= 64, shown


def test_processes_are_limited(graded):
    shown = printed(graded, "many_processes")
    assert int(shown.split("children started: ")[1].split()[0]) < 64 and "stopped:" in shown, shown


def test_a_cell_that_prints_forever_is_stopped(graded):
    assert points(graded, "print_forever") == (0, 3)
    assert "ran longer than" in events(graded, "print_forever")


def test_reply_bomb_is_refused_by_its_decoded_size(graded):
    feedback = graded["grades"]["reply_bomb"]["exercises"]["sigmoid"]["feedback"]
    assert "once decoded; refused" in feedback, feedback


def test_the_seed_is_never_visible_to_learner_code(graded):
    assert "environment:" in printed(graded, "read_seed")   # the attack ran and showed what it saw
    for learner in graded["grades"]:
        folder = graded["out"] / learner
        for path in folder.rglob("*"):
            if path.is_file():
                assert SEED not in path.read_text(errors="replace"), path


def test_symlinked_submissions_are_refused_with_a_note(graded):
    for learner in ("symlink_other", "symlink_system"):
        g = graded["grades"][learner]
        assert g["total"] == 0
        assert "symbolic link" in g["notebooks"][0]["error"]
        results = (graded["out"] / learner / "results.json").read_text()
        assert "root:" not in results and "symbolic link" in results


def test_folder_names_that_sanitise_alike_stay_apart(graded):
    names = {n for n in graded["grades"] if n.startswith("ann_lee")}
    assert len(names) == 2 and "ann_lee" in names
    assert graded["grades"]["ann_lee"]["total"] == 0
    (other,) = names - {"ann_lee"}
    assert graded["grades"][other]["total"] == 5


def test_learners_named_like_the_class_reports_get_folders_of_their_own(graded):
    for name in ("summary.json", "html"):
        (folder,) = [n for n in graded["grades"] if n.startswith(f"{name}-")]
        assert graded["grades"][folder]["total"] == 5
    assert json.loads((graded["out"] / "summary.json").read_text())["exercises"]
    assert (graded["out"] / "html" / "mathjax").is_dir()


def test_every_report_has_the_submission_hash(graded):
    import hashlib

    by_file = {str(p): hashlib.sha256(data).hexdigest() for p, data in graded["originals"].items()}
    for g in graded["grades"].values():
        for nb in g["notebooks"]:
            if nb["file"] in by_file:
                assert nb["sha256"] == by_file[nb["file"]]


def test_the_batch_finishes_within_its_bound(graded):
    print(f"hostile batch of {len(graded['grades'])} learners graded in {graded['seconds']:.0f} s")
    assert graded["seconds"] < BATCH_SECONDS


def test_snapshot_refuses_links_and_keeps_names_apart(tmp_path):
    from checks.grading.submissions import find_learners, snapshot

    class_dir, elsewhere = tmp_path / "class", tmp_path / "elsewhere"
    for folder in (class_dir / "bo b", class_dir / "bo_b", elsewhere):
        folder.mkdir(parents=True)
    for folder in (class_dir / "bo b", class_dir / "bo_b", elsewhere):
        nbformat.write(chapter(), str(folder / "01_mini.ipynb"))
    (class_dir / "linked_folder").symlink_to(elsewhere)
    (class_dir / "linked_file").mkdir()
    (class_dir / "linked_file" / "01_mini.ipynb").symlink_to(elsewhere / "01_mini.ipynb")
    learners = find_learners([class_dir])
    snapshot(learners, tmp_path / "copies")
    assert sorted(learners) == ["bo_b", "bo_b-" + __import__("hashlib").sha256(b"bo b").hexdigest()[:6],
                                "linked_file", "linked_folder"]
    for name in ("linked_file", "linked_folder"):
        (sub,) = learners[name]
        assert sub.copy is None and "symbolic link" in sub.refused
    (sub,) = learners["bo_b"]
    assert sub.copy.read_bytes() == (class_dir / "bo_b" / "01_mini.ipynb").read_bytes()
    assert sub.sha256 == __import__("hashlib").sha256(sub.copy.read_bytes()).hexdigest()


def test_grader_refuses_without_a_sandbox_and_names_the_flag(tmp_path):
    nbformat.write(chapter(), str(tmp_path / "01_mini.ipynb"))
    cmd = [sys.executable, "-m", "checks.grade", str(tmp_path / "01_mini.ipynb"), "--out", str(tmp_path / "out"),
           "--solutions", str(tmp_path), "--seed", "1"]
    env = {**os.environ, "PATH": str(tmp_path / "no-bwrap-here")}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "bubblewrap" in proc.stderr and "--unsafe-no-sandbox" in proc.stderr
    assert not (tmp_path / "out" / "01_mini" / "grade.json").exists()

    unsafe = subprocess.run(cmd + ["--unsafe-no-sandbox"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert "WARNING" in unsafe.stderr
    assert json.loads((tmp_path / "out" / "01_mini" / "grade.json").read_text())["total"] == 5
