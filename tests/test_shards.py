"""Sharded, merged and resumed grading, end to end through the real grader and its sandbox.

A class of seven learners (two right, two with one wrong function, one untouched learner copy, two
with nothing gradable) is graded once in one run and once in three shards (``--shard I/3``) that are
then merged; the merge must give the same gradebook and the same per-learner grades, byte for byte.
The names are chosen so that shard 1 holds only the two learners with nothing gradable: that shard
sees no chapter at all, so its learners' reports only become right in the merge. Grading again
into the same folder must grade nobody, and changing one submission must regrade only that learner.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from checks.grading import record
from checks.grading.shards import Shard, parse_shard, select, shard_index
from checks.learner_copies import release
from test_grading import chapter, with_body

ROOT = Path(__file__).resolve().parent.parent
SEED = "55501"
WRONG_SIGMOID = "def sigmoid(z):\n    return z"
WRONG_LINEAR = "def linear_forward(X, W, b):\n    return 2 * (X @ W + b)"
#: learner -> (their notebook, or None for an empty folder; the shard of 3 their name hashes to)
CLASS = {
    "cy": (chapter(), 0),
    "fay": (with_body("sigmoid", WRONG_SIGMOID), 0),
    "hal": (None, 1),                                                     # handed in nothing
    "jo": (new_notebook(cells=[new_markdown_cell("my notes")]), 1),       # a notebook of no chapter
    "ada": (chapter(), 2),
    "bob": (with_body("linear_forward", WRONG_LINEAR), 2),
    "dee": (release(chapter()), 2),                                       # the untouched learner copy
}
TOTALS = {"cy": 5, "fay": 3, "hal": 0, "jo": 0, "ada": 5, "bob": 2, "dee": 0}
COMPARED = ("gradebook.csv", "summary.json", "summary.md")


def grade(class_dir: Path, out: Path, solutions: Path, *extra: str, seed: str = SEED) -> str:
    """Run the grader as an instructor would; return what it printed."""
    cmd = [sys.executable, "-m", "checks.grade", str(class_dir), "--out", str(out), "-j", "2",
           "--solutions", str(solutions), "--cell-timeout", "60", *extra]
    env = {**os.environ, "MLP_LAB_GRADING_SEED": seed}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def without_cell_ids(path: Path) -> dict:
    """A feedback notebook's content, but for the random ids of the cells the grader adds."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        cell.pop("id")
    return nb


def merge(*args) -> tuple:
    """``mlp-lab grade merge ARGS``: (exit status, what it printed on stderr)."""
    proc = subprocess.run([sys.executable, "-m", "checks.cli", "grade", "merge", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stderr


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    solutions = root / "solutions"
    solutions.mkdir()
    nbformat.write(chapter(), str(solutions / "01_mini.ipynb"))
    class_dir = root / "class"
    for learner, (nb, _) in CLASS.items():
        (class_dir / learner).mkdir(parents=True)
        if nb is not None:
            name = "notes.ipynb" if learner == "jo" else "01_mini.ipynb"
            nbformat.write(nb, str(class_dir / learner / name))
    printed = {"single": grade(class_dir, root / "single", solutions)}
    for i in range(3):
        printed[i] = grade(class_dir, root / f"shard{i}", solutions, "--shard", f"{i}/3")
    assert merge(*(root / f"shard{i}" for i in range(3)), "--out", root / "merged") == (0, "")
    return {"root": root, "class": class_dir, "solutions": solutions, "printed": printed}


def test_the_names_fall_in_the_shards_this_test_was_written_for():
    assert {learner: shard_index(learner, 3) for learner in CLASS} == {k: v[1] for k, v in CLASS.items()}


def test_every_learner_is_graded_in_exactly_one_shard(graded):
    records = [json.loads((graded["root"] / f"shard{i}" / record.NAME).read_text()) for i in range(3)]
    for i, rec in enumerate(records):
        assert rec["shard"] == f"{i}/3" and rec["class"] == sorted(CLASS)
        assert sorted(rec["learners"]) == sorted(k for k, v in CLASS.items() if v[1] == i)
        assert f"shard {i}/3: {len(rec['learners'])} of the 7 learner(s)" in graded["printed"][i]
    assert records[1]["chapters"] == []   # nobody in shard 1 handed in a chapter
    assert sorted(learner for rec in records for learner in rec["learners"]) == sorted(CLASS)


def test_one_run_gives_the_expected_grades(graded):
    for learner, total in TOTALS.items():
        g = json.loads((graded["root"] / "single" / learner / "grade.json").read_text())
        assert (g["total"], g["max"]) == (total, 5), learner
    missing = json.loads((graded["root"] / "single" / "hal" / "grade.json").read_text())["exercises"]
    assert {r["mistake"] for r in missing.values()} == {"missing"}


def test_merged_shards_equal_one_run_byte_for_byte(graded):
    single, merged = graded["root"] / "single", graded["root"] / "merged"
    for name in COMPARED:
        assert (merged / name).read_bytes() == (single / name).read_bytes(), name
    for learner in CLASS:
        assert (merged / learner / "grade.json").read_bytes() == (single / learner / "grade.json").read_bytes()
        ours, theirs = (json.loads((folder / learner / "results.json").read_text()) for folder in (merged, single))
        ours.pop("execution_time"), theirs.pop("execution_time")   # wall-clock of the run that graded them
        assert ours == theirs, learner
        shipped = {p.name: without_cell_ids(p) for p in (merged / learner / "feedback").iterdir()}
        assert shipped == {p.name: without_cell_ids(p) for p in (single / learner / "feedback").iterdir()}, learner
        page = Path("html") / f"{learner}.html"   # rebuilt from the feedback notebooks, equal too
        assert (merged / page).read_bytes() == (single / page).read_bytes(), learner
    # a shard's own reports of shard 1 list no exercise: the merge, not the shard, makes them right
    alone = json.loads((graded["root"] / "shard1" / "hal" / "grade.json").read_text())
    assert alone["exercises"] == {} and alone["max"] == 0


def test_merge_keeps_the_execution_time_each_shard_measured(graded):
    for i in range(3):
        shard = graded["root"] / f"shard{i}"
        for learner in json.loads((shard / record.NAME).read_text())["learners"]:
            took = json.loads((shard / learner / "results.json").read_text())["execution_time"]
            merged = json.loads((graded["root"] / "merged" / learner / "results.json").read_text())
            assert merged["execution_time"] == took


def test_merge_refuses_shards_that_do_not_fit(graded):
    root = graded["root"]
    shards = [root / f"shard{i}" for i in range(3)]
    status, err = merge(shards[0], shards[1], shards[1], shards[2], "--out", root / "twice")
    assert status == 2 and "more than one shard" in err and "hal" in err
    status, err = merge(shards[0], shards[2], "--out", root / "partial")
    assert status == 2 and "graded in none of the shards" in err and "0/3, 2/3" in err
    status, err = merge(shards[0], graded["class"], "--out", root / "junk")
    assert status == 2 and "no grading record" in err
    # shard 1 again, with another seed (it runs no kernel: nobody there handed in a chapter)
    grade(graded["class"], root / "other_seed", graded["solutions"], "--shard", "1/3", seed="12345")
    status, err = merge(shards[0], root / "other_seed", shards[2], "--out", root / "mixed")
    assert status == 2 and "different grading settings" in err and "seed_sha256" in err
    incomplete = root / "incomplete"
    shutil.copytree(shards[1], incomplete)
    (incomplete / "hal" / "grade.json").unlink()
    status, err = merge(shards[0], incomplete, shards[2], "--out", root / "half")
    assert status == 2 and "hal lacks its grade.json" in err
    assert not any((root / name).exists() for name in ("twice", "partial", "junk", "mixed", "half"))


def test_grading_again_reuses_the_unchanged_and_regrades_the_changed(graded):
    out = graded["root"] / "single"
    feedback = {p: p.stat().st_mtime_ns for p in out.glob("*/feedback/*.ipynb")}
    reports = {p: p.stat().st_mtime_ns for p in out.glob("*/*.json")}
    gradebook = (out / "gradebook.csv").read_bytes()
    assert len(feedback) == 5

    printed = grade(graded["class"], out, graded["solutions"])
    assert "reused 7 learner(s)" in printed and "grading 0 notebook(s) from 0 learner(s)" in printed
    assert {p: p.stat().st_mtime_ns for p in feedback} == feedback     # no notebook ran again
    assert {p: p.stat().st_mtime_ns for p in reports} == reports       # nor was any report rewritten
    assert (out / "gradebook.csv").read_bytes() == gradebook

    nbformat.write(chapter(), str(graded["class"] / "fay" / "01_mini.ipynb"))   # fay fixes her sigmoid
    printed = grade(graded["class"], out, graded["solutions"])
    assert "reused 6 learner(s)" in printed and "grading 1 notebook(s) from 1 learner(s)" in printed
    changed = sorted(p.parent.parent.name for p, t in feedback.items() if p.stat().st_mtime_ns != t)
    assert changed == ["fay"]
    assert json.loads((out / "fay" / "grade.json").read_text())["total"] == 5
    assert "fay,2,3,5,5" in (out / "gradebook.csv").read_text()


def test_reuse_needs_the_same_settings(graded):
    out = graded["root"] / "shard0"
    rec = record.load(out)
    learner, entry = next(iter(rec["learners"].items()))
    assert record.reuse(rec, rec["settings"], learner, entry["submission"], out) is not None
    for key, value in (("seed_sha256", "0" * 64), ("version", "9.9"), ("code_sha256", "1" * 64)):
        assert record.reuse(rec, {**rec["settings"], key: value}, learner, entry["submission"], out) is None, key
    other_limits = {**rec["settings"], "limits": {**rec["settings"]["limits"], "cell_timeout": 61}}
    assert record.reuse(rec, other_limits, learner, entry["submission"], out) is None
    assert record.reuse(rec, rec["settings"], learner, "another digest", out) is None


def test_shards_are_stable_when_learners_come_and_go():
    names = [f"learner{n:04d}" for n in range(3000)]
    before = {name: shard_index(name, 4) for name in names}
    assert {name: shard_index(name, 4) for name in names[:1000] + ["newcomer"]} == \
           {**{name: before[name] for name in names[:1000]}, "newcomer": shard_index("newcomer", 4)}
    sizes = [list(before.values()).count(i) for i in range(4)]
    assert all(650 < size < 850 for size in sizes), sizes   # 750 each, give or take
    learners = {name: [] for name in names}
    parts = [select(learners, Shard(i, 4)) for i in range(4)]
    assert sorted(name for part in parts for name in part) == sorted(names)


@pytest.mark.parametrize("text, words", [("3/2", "below N=2"), ("2/2", "below N=2"), ("x/4", "expected I/N"),
                                         ("0/0", "at least 1"), ("1", "expected I/N")])
def test_bad_shards_are_refused_with_the_rule(text, words, tmp_path):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError, match=words):
        parse_shard(text)
    proc = subprocess.run([sys.executable, "-m", "checks.grade", str(tmp_path), "--out", str(tmp_path / "o"),
                           "--shard", text], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--shard" in proc.stderr and words in proc.stderr
    assert not (tmp_path / "o").exists()


def test_good_shards_parse():
    assert parse_shard("0/1") == Shard(0, 1) and parse_shard(" 7 / 8 ") == Shard(7, 8)
    assert str(parse_shard("2/5")) == "2/5"


def cluster_section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme[readme.index("### Classes beyond one machine"):readme.index("### What grading guarantees")]


def command(text: str, **variables) -> list:
    """A shell command line of the README, its variables replaced, split into words."""
    for name, value in variables.items():
        text = text.replace(f"${name}", str(value))
    return shlex.split(text.replace("\\\n", " "))


def test_readme_kubernetes_job_runs_the_image_s_grader_on_its_shard():
    import yaml

    from checks.grade import parse_args

    blocks = re.findall(r"```yaml\n(.*?)```", cluster_section(), re.S)
    docs = {d["metadata"]["name"]: d for block in blocks for d in yaml.safe_load_all(block)}
    job, merge_job = docs["mlp-lab-grade"], docs["mlp-lab-merge"]
    assert job["spec"]["completionMode"] == "Indexed"
    n = job["spec"]["completions"]
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (.*)$", (ROOT / "Dockerfile").read_text(), re.M)[1])
    (grader,) = job["spec"]["template"]["spec"]["containers"]
    assert grader["command"] == ["sh", "-c"]
    words = command(grader["args"][0], JOB_COMPLETION_INDEX=n - 1)
    assert words[:4] == ["exec", *entrypoint[:3]]                      # the image's own grader
    args = parse_args(words[4:])
    assert args.shard == Shard(n - 1, n) and str(args.solutions) == entrypoint[entrypoint.index("--solutions") + 1]
    mounts = {m["mountPath"]: m for m in grader["volumeMounts"]}
    assert mounts[args.submissions[0]].get("readOnly") and not mounts["/class/grades"].get("readOnly")
    assert args.out.parent == Path("/class/grades") and args.seed_file.parent == Path("/seed")
    (merger,) = merge_job["spec"]["template"]["spec"]["containers"]
    words = command(merger["args"][0])
    assert words[:4] == ["exec", entrypoint[0], "-m", "checks.merge"]
    assert words[4:] == [f"{str(args.out)[:-len(str(n - 1))]}*", "--out", "/class/grades/all"]


def test_readme_slurm_array_grades_shards_0_to_n_minus_1():
    from checks.grade import parse_args

    script = next(b for b in re.findall(r"```bash\n(.*?)```", cluster_section(), re.S) if "#SBATCH --array" in b)
    last = int(re.search(r"#SBATCH --array=0-(\d+)", script)[1])
    exec_line = script[script.index("exec "):]
    words = command(exec_line, SLURM_ARRAY_TASK_ID=last, SLURM_ARRAY_TASK_COUNT=last + 1, COURSE="/c",
                    CLASS="/k", HOME="/h")
    assert words[:3] == ["exec", "/c/.venv/bin/mlp-lab", "grade"]
    args = parse_args(words[3:])
    assert args.shard == Shard(last, last + 1) and args.out == Path(f"/k/grades/shard-{last}")
