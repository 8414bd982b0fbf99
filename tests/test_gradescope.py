"""The Gradescope autograder bundle, run exactly as Gradescope runs it, in a temporary root.

The bundle is built for a two-chapter mini course (``01_mini`` is the assignment, ``02_other``
another chapter), unpacked into ``<root>/source``, set up with ``setup.sh python seed`` against
this environment (the ``system`` and ``mnist`` steps need the network), and ``run_autograder``
runs once per upload. Every ``results.json`` is validated against a JSON schema written from
Gradescope's autograder specification (the fields and values it documents for results.json).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from checks.gradescope import build, upload
from checks.learner_copies import release
from test_grading import chapter, with_body

ROOT = Path(__file__).resolve().parent.parent
#: The build option the bundles here use: the default, so every upload here is graded in the sandbox.
SANDBOX = "required"
SEED = "20261202"
TIME_LIMIT = 300
SHORT_TIME_LIMIT = 40

_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
#: results.json as Gradescope's autograder specification documents it (no other fields).
RESULTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "integer", "minimum": 0},
        "output": {"type": "string"},
        "output_format": _FORMAT,
        "test_output_format": _FORMAT,
        "test_name_format": _FORMAT,
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "score": {"type": "number"},
                "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "name": {"type": "string"},
                "name_format": _FORMAT,
                "number": {"type": "string"},
                "output": {"type": "string"},
                "output_format": _FORMAT,
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": _VISIBILITY,
                "extra_data": {"type": "object"},
            },
        }},
    },
}


def other_chapter():
    """A second chapter of the mini course, with an exercise of its own."""
    return new_notebook(cells=[
        new_markdown_cell("# Another chapter"),
        new_code_cell("import numpy as np\nfrom checks import check_softmax"),
        new_code_cell("def softmax(Z):\n    ### BEGIN SOLUTION\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
                      "    return E / E.sum(axis=1, keepdims=True)\n    ### END SOLUTION",
                      metadata={"mlp_lab": {"exercise": "softmax", "kind": "solution", "hint": "rows"}}),
        new_code_cell("check_softmax(softmax)", metadata={"mlp_lab": {"exercise": "softmax", "kind": "check",
                                                                        "points": 4}}),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def parse_crash():
    """A notebook whose cell metadata is not what any notebook of the course has: the grader crashes."""
    nb = chapter()
    nb.cells[2].metadata["mlp_lab"] = "sigmoid"
    return nb


def write(nb, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def uploads():
    """Upload name -> function filling a submission folder."""
    def one(nb, name="01_mini.ipynb"):
        return lambda folder: write(nb, folder / name)

    def macos_zip(folder):
        write(chapter(), folder / "hw" / "homework.ipynb")    # nested, named after nothing: matched by content
        write(release(chapter()), folder / "hw" / ".ipynb_checkpoints" / "homework-checkpoint.ipynb")
        (folder / "__MACOSX" / "hw").mkdir(parents=True)
        (folder / "__MACOSX" / "hw" / "._homework.ipynb").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
        (folder / "hw" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    def junk(folder):
        (folder / "report.pdf").write_bytes(b"%PDF-1.4 not a notebook")
        (folder / "notes.txt").write_text("my answers are in my head")

    return {
        "solution": one(chapter()),
        "untouched": one(release(chapter())),
        "wrong_function": one(with_body("linear_forward", "def linear_forward(X, W, b):\n    return 2 * (X @ W + b)")),
        "macos_zip": macos_zip,
        "wrong_chapter": one(other_chapter(), "02_other.ipynb"),
        "empty": lambda folder: None,
        "junk": junk,
        "parse_crash": one(parse_crash()),
    }


def make_bundle(tmp: Path, name: str, time_limit: int) -> Path:
    released = tmp / "released"
    if not released.exists():
        write(release(chapter()), released / "01_mini.ipynb")
        write(release(other_chapter()), released / "02_other.ipynb")
        (tmp / "seed").write_text(SEED + "\n")
    out = tmp / f"{name}.zip"
    build.main(["01", "--seed-file", str(tmp / "seed"), "--released", str(released), "--out", str(out),
                "--time-limit", str(time_limit), "--sandbox", SANDBOX, "--cell-timeout", "120",
                "--memory-mb", "3000"])
    return out


def unpack(bundle: Path, root: Path, setup_steps=("python", "seed")) -> dict:
    """Unpack as Gradescope does (zip in source/, run_autograder copied to the root); run setup steps."""
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():   # zipfile drops permissions; Gradescope keeps them
            os.chmod(root / "source" / info.filename, info.external_attr >> 16 & 0o777)
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    env = {**os.environ, "MLP_LAB_AUTOGRADER_ROOT": str(root), "MLP_LAB_PYTHON": sys.executable}
    if setup_steps:
        subprocess.run(["bash", str(root / "source" / "setup.sh"), *setup_steps], env=env, check=True,
                       capture_output=True, timeout=120)
    return env


def run_autograder(root: Path, env: dict) -> dict:
    proc = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=900)
    results = root / "results" / "results.json"
    assert results.exists(), proc.stdout + proc.stderr
    data = json.loads(results.read_text())
    jsonschema.validate(data, RESULTS_SCHEMA)
    return {"results": data, "log": proc.stdout + proc.stderr, "root": root}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each upload graded once by its own unpacked bundle, two at a time."""
    tmp = tmp_path_factory.mktemp("gradescope")
    bundle = make_bundle(tmp, "autograder", TIME_LIMIT)
    short = make_bundle(tmp, "short", SHORT_TIME_LIMIT)
    cases = {name: (bundle, fill) for name, fill in uploads().items()}
    cases["past_time_limit"] = (short, lambda folder: write(with_body("sigmoid", "def sigmoid(z):\n    while True:\n"
                                                                                  "        pass"),
                                                            folder / "01_mini.ipynb"))

    def one(item):
        name, (zip_path, fill) = item
        root = tmp / name
        env = unpack(zip_path, root)
        fill(root / "submission")
        return name, run_autograder(root, env)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, cases.items()))


def scores(run) -> dict:
    return {t["name"].split(" / ")[1]: t["score"] for t in run["results"]["tests"]}


def tags(run) -> dict:
    return {t["name"].split(" / ")[1]: t.get("tags", []) for t in run["results"]["tests"]}


def test_solution_gets_full_marks(runs):
    res = runs["solution"]["results"]
    assert scores(runs["solution"]) == {"sigmoid": 2.0, "linear_forward": 3.0}
    assert res["score"] == 5.0 and all(t["status"] == "passed" for t in res["tests"])
    assert res["output_format"] == "md" and "`01_mini.ipynb` was graded as 01_mini" in res["output"]
    assert 0 < res["execution_time"] <= TIME_LIMIT


def test_untouched_copy_gets_zero(runs):
    assert scores(runs["untouched"]) == {"sigmoid": 0.0, "linear_forward": 0.0}
    assert tags(runs["untouched"]) == {"sigmoid": ["not_implemented"], "linear_forward": ["not_implemented"]}


def test_one_wrong_function_costs_only_that_exercise(runs):
    assert scores(runs["wrong_function"]) == {"sigmoid": 2.0, "linear_forward": 0.0}
    wrong = next(t for t in runs["wrong_function"]["results"]["tests"] if t["name"].endswith("linear_forward"))
    assert wrong["tags"] == ["scale"] and wrong["status"] == "failed" and "```" in wrong["output"]


def test_nested_zip_with_macosx_folder_is_graded(runs):
    res = runs["macos_zip"]["results"]
    assert res["score"] == 5.0
    assert "`hw/homework.ipynb` was graded as 01_mini" in res["output"]
    assert "MACOSX" not in res["output"] and "checkpoint" not in res["output"]
    assert "Ignored 1 hidden file(s)" in res["output"]   # .DS_Store


def test_notebook_of_another_chapter_earns_nothing(runs):
    res = runs["wrong_chapter"]["results"]
    assert res["score"] == 0.0 and set(scores(runs["wrong_chapter"])) == {"sigmoid", "linear_forward"}
    assert "`02_other.ipynb` is chapter 02_other, which this assignment does not cover" in res["output"]
    assert all(t["tags"] == ["missing"] and "upload `01_mini.ipynb`" in t["output"] for t in res["tests"])


def test_empty_upload_says_so(runs):
    res = runs["empty"]["results"]
    assert res["score"] == 0.0 and "Your upload is empty" in res["output"]
    assert scores(runs["empty"]) == {"sigmoid": 0.0, "linear_forward": 0.0}


def test_junk_upload_names_each_file(runs):
    res = runs["junk"]["results"]
    assert res["score"] == 0.0 and "Nothing in your upload could be graded" in res["output"]
    assert "`report.pdf` is not a Jupyter notebook" in res["output"] and "`notes.txt`" in res["output"]


def test_grader_crash_still_gives_results(runs):
    res = runs["parse_crash"]["results"]
    assert res["score"] == 0.0 and len(res["tests"]) == 2
    assert all(t["tags"] == ["grader_failed"] and "could not grade it" in t["output"] for t in res["tests"])


def test_submission_past_the_time_limit_is_stopped_with_results(runs):
    res = runs["past_time_limit"]["results"]
    assert scores(runs["past_time_limit"]) == {"sigmoid": 0.0, "linear_forward": 0.0}
    assert all(t["tags"] == ["time_limit"] for t in res["tests"])
    assert "time limit of 40 s" in res["tests"][0]["output"]
    assert res["execution_time"] <= SHORT_TIME_LIMIT


def test_seed_leaves_the_source_folder_and_never_reaches_the_output(runs):
    for run in runs.values():
        assert not (run["root"] / "source" / "grading-seed").exists()
        assert (run["root"] / "grading-seed").read_text().strip() == SEED
        assert stat.S_IMODE((run["root"] / "grading-seed").stat().st_mode) == 0o600
        assert SEED not in json.dumps(run["results"]) and SEED not in run["log"]


def test_without_setup_run_autograder_still_writes_results(tmp_path):
    bundle = make_bundle(tmp_path, "autograder", TIME_LIMIT)
    env = unpack(bundle, tmp_path / "root", setup_steps=())
    run = run_autograder(tmp_path / "root", env)
    assert run["results"]["score"] == 0.0 and "setup.sh did not finish" in run["results"]["output"]


def test_bundle_layout(tmp_path):
    bundle = make_bundle(tmp_path, "autograder", TIME_LIMIT)
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        modes = {i.filename: i.external_attr >> 16 & 0o777 for i in zf.infolist()}
        config = json.loads(zf.read("assignment.json"))
        assert zf.read("setup.sh") == (ROOT / "checks" / "gradescope" / "setup.sh").read_bytes()
        assert zf.read("requirements.txt") == (ROOT / "requirements.txt").read_bytes()
        assert zf.read("grading-seed").decode().strip() == SEED
    assert {"setup.sh", "run_autograder", "checks/grade.py", "mlp_lab/__init__.py",
            "chapters/01_mini.ipynb", "chapters/02_other.ipynb"} <= names
    assert not any("solutions" in n or "__pycache__" in n for n in names)
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755 and modes["grading-seed"] == 0o600
    assert config["chapters"] == ["01_mini"] and config["visibility"] == "visible"
    assert config["course"] == {"01_mini": {"sigmoid": 2, "linear_forward": 3}, "02_other": {"softmax": 4}}
    assert SEED not in json.dumps(config)
    again = make_bundle(tmp_path, "again", TIME_LIMIT)
    assert again.read_bytes() == bundle.read_bytes()   # the same inputs give the same zip


def test_build_refuses_bad_input_clearly(tmp_path):
    make_bundle(tmp_path, "autograder", TIME_LIMIT)
    (tmp_path / "bad-seed").write_text("my secret\n")
    base = ["--released", str(tmp_path / "released"), "--out", str(tmp_path / "x.zip")]
    with pytest.raises(SystemExit, match="must hold one integer"):
        build.main(["01", "--seed-file", str(tmp_path / "bad-seed"), *base])
    with pytest.raises(SystemExit, match="cannot read the seed file"):
        build.main(["01", "--seed-file", str(tmp_path / "missing"), *base])
    with pytest.raises(SystemExit, match="no chapter '07'; the course has: 01_mini, 02_other"):
        build.main(["07", "--seed-file", str(tmp_path / "seed"), *base])
    assert not (tmp_path / "x.zip").exists()


def test_seed_prompt_is_not_echoed(tmp_path, monkeypatch, capsys):
    make_bundle(tmp_path, "autograder", TIME_LIMIT)
    prompts = []
    monkeypatch.setattr(build.getpass, "getpass", lambda prompt: prompts.append(prompt) or "4242\n")
    build.main(["01_mini", "--released", str(tmp_path / "released"), "--out", str(tmp_path / "p.zip"),
                "--visibility", "after_due_date"])
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        assert zf.read("grading-seed") == b"4242\n"
        assert json.loads(zf.read("assignment.json"))["visibility"] == "after_due_date"
    assert len(prompts) == 1 and "4242" not in capsys.readouterr().out


def test_dockerfile_runs_the_bundles_setup_script_with_the_same_pins():
    docker = (ROOT / "Dockerfile").read_text()
    instructions = [ln.strip() for ln in re.sub(r"\\\n", " ", docker).splitlines()
                    if ln.strip() and not ln.lstrip().startswith("#")]
    copies = [ln.split()[1:] for ln in instructions if ln.startswith("COPY")]
    assert ["checks/gradescope/setup.sh", "./setup.sh"] in copies        # the bundle's setup.sh, byte for byte
    assert any(ln.startswith("RUN bash setup.sh system python mnist") for ln in instructions)
    assert ["requirements.txt", "pyproject.toml", "./"] in copies
    assert "pip install" not in docker                                   # no pins of its own: requirements.txt only
    assert "pip install --quiet -r requirements.txt" in (ROOT / "checks" / "gradescope" / "setup.sh").read_text()
    pins = [ln for ln in (ROOT / "requirements.txt").read_text().splitlines() if ln and not ln.startswith(("#", "-e"))]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", p) for p in pins)
    base = next(ln for ln in instructions if ln.startswith("FROM")).split()[1]
    assert re.fullmatch(r"ubuntu:\d\d\.\d\d", base)                       # a fixed release, never "latest"
    user = [ln.split()[1] for ln in instructions if ln.startswith("USER")]
    assert user and user[-1] not in ("root", "0")
    assert re.search(r'ENTRYPOINT \[".*python", "-m", "checks\.grade"', docker)


def test_setup_script_is_executable_and_knows_its_steps(tmp_path):
    script = ROOT / "checks" / "gradescope" / "setup.sh"
    assert script.stat().st_mode & stat.S_IXUSR
    proc = subprocess.run(["bash", str(script), "nonsense"], capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown step 'nonsense'" in proc.stderr


def test_upload_sorting_without_grading(tmp_path):
    """Which file is graded as which chapter, and why the others are not (no grader involved)."""
    course = {"01_mini": {"sigmoid": 2, "linear_forward": 3}, "02_other": {"softmax": 4}}
    write(chapter(), tmp_path / "up" / "01_mini.ipynb")
    write(chapter(), tmp_path / "up" / "old" / "01_mini_copy.ipynb")
    write(other_chapter(), tmp_path / "up" / "mine.ipynb")                 # chapter 02 by its exercises
    write(new_notebook(), tmp_path / "up" / "scratch.ipynb")
    (tmp_path / "up" / "broken.ipynb").write_text("{not json")
    (tmp_path / "outside.ipynb").write_text("{}")
    (tmp_path / "up" / "link.ipynb").symlink_to(tmp_path / "outside.ipynb")
    found = upload.scan(tmp_path / "up", course, ["01_mini"], tmp_path / "scratch")
    assert found.notebooks == {"01_mini": tmp_path / "up" / "01_mini.ipynb"}
    notes = "\n".join(found.notes)
    assert "`old/01_mini_copy.ipynb` is a second notebook for 01_mini; `01_mini.ipynb` was graded" in notes
    assert "`mine.ipynb` is chapter 02_other, which this assignment does not cover" in notes
    assert "`scratch.ipynb` matches no chapter" in notes and "`broken.ipynb` matches no chapter" in notes
    assert "`link.ipynb` is a symbolic link" in notes
