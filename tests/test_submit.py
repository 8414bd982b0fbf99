"""``mlp-lab submit`` end to end, and the zip it writes graded by ``mlp-lab grade`` and the Gradescope bundle.

The mini course of ``test_grading`` (``01_mini``: sigmoid 2 points, linear_forward 3) and
``test_gradescope`` (``02_other``: softmax 4 points). A learner's notebooks are executed with
nbclient first, as Jupyter would leave them; ``submit`` runs in a subprocess through ``mlp-lab``'s
own command line. Hostile zips (zip-slip, an absolute path, a symbolic link, a bomb, duplicate
names) are graded beside the learner's zip, in the sandbox, and must be refused with a message
while nothing appears outside the grader's scratch folder.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import subprocess
import sys
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_markdown_cell, new_notebook

from checks import submission_zip, submit
from checks.grading.prepare import load_chapters
from checks.learner_copies import release
from test_gradescope import make_bundle, other_chapter, parse_crash, run_autograder, unpack, write
from test_grading import chapter, check_cell

ROOT = Path(__file__).resolve().parent.parent
SEED = "424242"
MARK = "MLPLAB_ESCAPED"   # in every path a hostile zip tries to write to
WRONG_SOFTMAX = "def softmax(Z):\n    return np.exp(Z)"


def executed(nb, folder: Path):
    """``nb`` as Jupyter leaves it after Restart Kernel and Run All (a failing check shows its error)."""
    nb = copy.deepcopy(nb)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def other_with(body: str):
    nb = other_chapter()
    nb.cells[2].source = body
    return nb


def run_submit(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "checks.cli", "submit", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hostile_zip(path: Path, entries) -> None:
    """A zip of ``(name, data, mode)`` entries written as given: no name is cleaned up."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # zipfile warns about duplicate names; that is the point
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data, mode in entries:
                info = zipfile.ZipInfo(name)
                info.external_attr = mode << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The released mini course (what submit compares with) and its solutions (what grade scores with)."""
    root = tmp_path_factory.mktemp("submit")
    write(release(chapter()), root / "released" / "01_mini.ipynb")
    write(release(other_chapter()), root / "released" / "02_other.ipynb")
    write(chapter(), root / "solutions" / "01_mini.ipynb")
    write(other_chapter(), root / "solutions" / "02_other.ipynb")
    return root


@pytest.fixture(scope="module")
def submitted(course):
    """Ann ran both chapters (01 right, 02 wrong), saved, and submits her folder with a stray notebook."""
    ann = course / "ann"
    ann.mkdir()
    write(executed(chapter(), ann), ann / "01_mini.ipynb")
    write(executed(other_with(WRONG_SOFTMAX), ann), ann / "02_other.ipynb")
    write(new_notebook(cells=[new_markdown_cell("my notes")]), ann / "scratch.ipynb")
    originals = {p: p.read_bytes() for p in ann.iterdir()}
    out = course / "out" / "mlp-lab-submission.zip"
    proc = run_submit(ann, "-o", out, "--released", course / "released", cwd=course)
    return {"proc": proc, "zip": out, "ann": ann, "originals": originals}


def test_submit_reports_points_and_writes_the_notebooks_as_saved(submitted):
    proc, out, ann = submitted["proc"], submitted["zip"], submitted["ann"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "01_mini" in proc.stdout and "5 / 5 points" in proc.stdout
    assert "02_other" in proc.stdout and "0 / 4 points" in proc.stdout and "softmax" in proc.stdout
    assert "total: 5 of 9 points" in proc.stdout
    assert "1 warning(s)" in proc.stdout and "scratch.ipynb is not a chapter of the course" in proc.stdout
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["01_mini.ipynb", "02_other.ipynb", submission_zip.MANIFEST]
        for name in ("01_mini.ipynb", "02_other.ipynb"):
            assert zf.read(name) == (ann / name).read_bytes()     # byte for byte as saved
        manifest = json.loads(zf.read(submission_zip.MANIFEST))
    assert manifest["format"] == 1 and manifest["tool"] == "mlp-lab submit" and manifest["created"].endswith("Z")
    assert {f["name"]: (f["sha256"], f["size"], f["chapter"]) for f in manifest["files"]} == {
        name: (sha(ann / name), (ann / name).stat().st_size, name[:-6]) for name in ("01_mini.ipynb", "02_other.ipynb")}
    assert {p: p.read_bytes() for p in ann.iterdir()} == submitted["originals"]   # nothing of hers changed


def test_submit_never_overwrites_a_zip_without_force(submitted, course):
    before = submitted["zip"].read_bytes()
    proc = run_submit(submitted["ann"], "-o", submitted["zip"], "--released", course / "released", cwd=course)
    assert proc.returncode == 2 and "already exists; pass --force" in proc.stderr
    assert submitted["zip"].read_bytes() == before


@pytest.fixture(scope="module")
def graded(course, submitted):
    """One class, graded in the sandbox: Ann's zip in her folder, the same zip directly in the class
    folder, her notebooks as files, and the hostile zips."""
    klass, out = course / "class", course / "grades"
    (klass / "ann_zip").mkdir(parents=True)
    (klass / "ann_zip" / "mlp-lab-submission.zip").write_bytes(submitted["zip"].read_bytes())
    (klass / "carol.zip").write_bytes(submitted["zip"].read_bytes())
    (klass / "ann_notebooks").mkdir()
    for name in ("01_mini.ipynb", "02_other.ipynb"):
        (klass / "ann_notebooks" / name).write_bytes((submitted["ann"] / name).read_bytes())
    solution = nbformat.writes(chapter()).encode()
    regular, link = stat.S_IFREG | 0o644, stat.S_IFLNK | 0o777
    hostile_zip(klass / "slip.zip", [(f"../../{MARK}_slip/01_mini.ipynb", solution, regular)])
    hostile_zip(klass / "absolute.zip", [(f"{course}/{MARK}_abs.ipynb", solution, regular)])
    hostile_zip(klass / "link.zip", [("01_mini.ipynb", b"/etc/passwd", link)])
    hostile_zip(klass / "bomb.zip", [("01_mini.ipynb", b" " * (submission_zip.MAX_MEMBER_BYTES + 1), regular)])
    hostile_zip(klass / "twice.zip", [("01_mini.ipynb", solution, regular), ("01_mini.ipynb", solution, regular)])
    (klass / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    cmd = [sys.executable, "-m", "checks.cli", "grade", str(klass), "--out", str(out), "-j", "2",
           "--solutions", str(course / "solutions"), "--cell-timeout", "60", "--memory-mb", "3000"]
    env = {**os.environ, "MLP_LAB_GRADING_SEED": SEED, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/grade.json")}


def points(grade: dict) -> dict:
    return {name: ex["points"] for name, ex in grade["exercises"].items()}


def test_the_zip_is_graded_to_the_same_points_as_the_notebooks(graded, submitted):
    expected = {"sigmoid": 2, "linear_forward": 3, "softmax": 0}
    assert points(graded["ann_notebooks"]) == expected
    assert points(graded["ann_zip"]) == expected == points(graded["carol"])   # in a folder, or in the class folder
    hashes = {Path(nb["file"]).name: nb["sha256"] for nb in graded["ann_zip"]["notebooks"]}
    assert hashes == {name: sha(submitted["ann"] / name) for name in ("01_mini.ipynb", "02_other.ipynb")}
    assert all(not nb["events"] and not nb["error"] for nb in graded["ann_zip"]["notebooks"])   # manifest matches


@pytest.mark.parametrize("learner, message", [
    ("slip", "its path leaves the zip's folder (`..`)"),
    ("absolute", "it has an absolute path"),
    ("link", "it is a symbolic link"),
    ("bomb", "it would unpack to more than 64 MiB"),
    ("twice", "2 entries of the zip have this name"),
    ("broken", "broken.zip is not a readable zip file"),
])
def test_hostile_zips_are_refused_with_a_message(graded, learner, message):
    grade = graded[learner]
    errors = " ".join(nb["error"] or "" for nb in grade["notebooks"])
    assert message in errors and "was not graded" in errors
    assert grade["total"] == 0


def test_nothing_from_a_zip_is_written_outside_scratch(graded, course):
    escaped = [p for root in (course.parent, Path("/tmp"), ROOT) for p in root.glob(f"**/{MARK}*")]
    assert escaped == []


def test_submit_warns_about_edited_and_deleted_check_cells_and_a_stale_notebook(course):
    folder = course / "warned"
    folder.mkdir()
    nb = chapter()
    check_cell(nb, "sigmoid").source = "pass  # trust me"
    nb.cells.remove(check_cell(nb, "linear_forward"))
    write(executed(nb, folder), folder / "01_mini.ipynb")
    stale = executed(other_chapter(), folder)      # the check passed when it was run ...
    stale.cells[2].source = WRONG_SOFTMAX          # ... then the function was edited and saved, not re-run
    write(stale, folder / "02_other.ipynb")
    proc = run_submit(folder, "--released", course / "released", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 warning(s)" in proc.stdout
    assert "The check cell for 'sigmoid' had been edited" in proc.stdout
    assert "The check cell for 'linear_forward' was missing" in proc.stdout
    assert "differ from a fresh run for softmax (saved: passed, now: failed)" in proc.stdout
    assert "5 / 5 points" in proc.stdout           # run with the released check cells, as the grader runs it


def test_submit_warns_about_a_never_run_notebook_and_a_missing_chapter(course):
    folder = course / "lazy"
    folder.mkdir()
    write(release(chapter()), folder / "01_mini.ipynb")
    proc = run_submit("--released", course / "released", "-o", "hand-in.zip", cwd=folder)   # DIR: this folder
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "01_mini.ipynb was never run since it was released" in proc.stdout
    assert "chapters missing: 02_other" in proc.stdout
    assert "not implemented" in proc.stdout and "0 / 5 points" in proc.stdout
    assert (folder / "hand-in.zip").is_file()


def test_not_run_top_to_bottom_is_named_with_its_counts():
    nb = chapter()
    for count, cell in zip((1, 2, 4, 3, 5), [c for c in nb.cells if c.cell_type == "code"]):
        cell.execution_count = count
    warning = submit.state_warnings(nb, "01_mini.ipynb")
    assert len(warning) == 1 and "not saved right after one run top to bottom" in warning[0]
    assert "[1, 2, 4, 3, 5, None]" in warning[0]


def test_bad_input_gets_a_clear_message_and_no_zip(course, tmp_path, capsys):
    released = ["--released", str(course / "released")]
    (tmp_path / "empty").mkdir()
    (tmp_path / "answers.txt").write_text("42")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "01_mini.ipynb").write_text('{"cells": [ not json')
    write(new_notebook(), tmp_path / "notes.ipynb")
    write(parse_crash(), tmp_path / "meddled" / "01_mini.ipynb")
    out = ["-o", str(tmp_path / "out.zip")]
    cases = {
        "empty": ([tmp_path / "empty", *out], "no notebooks (.ipynb) in"),
        "text": ([tmp_path / "answers.txt", *out], "answers.txt is not a notebook (.ipynb)"),
        "corrupt": ([tmp_path / "broken", *out], "not valid notebook JSON"),
        "not a chapter": ([tmp_path / "notes.ipynb", *out], "notes.ipynb is not a chapter of the course"),
        "missing": ([tmp_path / "nowhere", *out], "nowhere does not exist"),
        "edited metadata": ([tmp_path / "meddled", *out], "the mlp_lab metadata of cell(s) [2] was edited"),
        "not a zip": ([tmp_path / "empty", "-o", tmp_path / "x.txt"], "the output must be a .zip file"),
        "no chapter 09": ([tmp_path / "empty", *out, "--chapters", "09"], "'09' is not a chapter of the course"),
    }
    for label, (args, message) in cases.items():
        status = submit.main([*map(str, args), *released])
        err = capsys.readouterr().err
        assert status == 2 and message in err, (label, err)
    assert not list(tmp_path.glob("*.zip"))


def test_read_zip_checks_the_manifest_and_caps_the_total(monkeypatch, tmp_path):
    files = [{"name": "01_mini.ipynb", "chapter": "01_mini", "source": "01_mini.ipynb", "data": b"{}"}]
    (tmp_path / "made.zip").write_bytes(submission_zip.zip_bytes(files))
    with zipfile.ZipFile(tmp_path / "made.zip") as made:
        entries = [(i.filename, made.read(i), stat.S_IFREG | 0o644) for i in made.infolist()]

    def read(extra=(), notebook=None):
        hostile_zip(tmp_path / "x.zip", [(n, notebook if notebook and n.endswith(".ipynb") else d, m)
                                         for n, d, m in entries] + list(extra))
        return submission_zip.read_zip((tmp_path / "x.zip").read_bytes(), "hand-in.zip")

    clean = read()
    assert [m.name for m in clean.members] == ["01_mini.ipynb"] and not clean.notes and not clean.members[0].notes
    changed = read(notebook=b'{"cells": []}')
    assert "its SHA-256 differs from the manifest's" in changed.members[0].notes[0]
    added = read(extra=[("02_other.ipynb", b"{}", stat.S_IFREG | 0o644), ("__MACOSX/._x", b"", stat.S_IFREG),
                        ("..\\evil.ipynb", b"{}", stat.S_IFREG | 0o644), ("readme.txt", b"hi", stat.S_IFREG)])
    assert len(added.members) == 3                     # __MACOSX skipped
    assert "added after mlp-lab submit made the zip" in added.members[1].notes[0]
    assert "leaves the zip's folder" in added.members[2].refused
    assert any("`readme.txt` in hand-in.zip is not a Jupyter notebook" in n for n in added.notes)
    monkeypatch.setattr(submission_zip, "MAX_TOTAL_BYTES", 3)
    capped = read(extra=[("02_other.ipynb", b"{}", stat.S_IFREG | 0o644)])
    assert capped.members[0].data == b"{}" and "more than 0 MiB (a zip bomb?)" in capped.members[1].refused


def uploads(zip_path: Path) -> dict:
    """Gradescope upload name -> function filling its submission folder from the submitted zip."""
    def contents(folder: Path):
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(folder)   # the test's own zip: trusted here, as Gradescope unpacks an upload

    def tampered(folder: Path):
        contents(folder)
        nb = nbformat.read(str(folder / "01_mini.ipynb"), as_version=4)
        nb.cells.append(new_markdown_cell("added after submitting"))
        nbformat.write(nb, str(folder / "01_mini.ipynb"))

    def slip(folder: Path):
        hostile_zip(folder / "sneaky.zip", [(f"../{MARK}_gradescope.ipynb", zip_path.read_bytes(), stat.S_IFREG | 0o644)])

    return {"zip": lambda folder: (folder / zip_path.name).write_bytes(zip_path.read_bytes()),
            "contents": contents, "tampered": tampered, "slip": slip}


def test_gradescope_grades_the_zip_or_its_contents(course, submitted, tmp_path):
    bundle = make_bundle(tmp_path, "autograder", 300)

    def one(item):
        name, fill = item
        root = tmp_path / name
        env = unpack(bundle, root)
        fill(root / "submission")
        return name, run_autograder(root, env)["results"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(pool.map(one, uploads(submitted["zip"]).items()))
    for name in ("zip", "contents", "tampered"):
        assert runs[name]["score"] == 5.0, (name, runs[name]["output"])
    assert "`mlp-lab-submission.zip/01_mini.ipynb` was graded as 01_mini" in runs["zip"]["output"]
    assert "`01_mini.ipynb` was graded as 01_mini" in runs["contents"]["output"]
    assert "02_other, which this assignment does not cover" in runs["zip"]["output"]
    assert "SHA-256 differs" not in runs["contents"]["output"]
    assert "`01_mini.ipynb` is not the file mlp-lab submit packed" in runs["tampered"]["output"]
    assert runs["slip"]["score"] == 0.0 and "its path leaves the zip's folder" in runs["slip"]["output"]
    assert not list(tmp_path.glob(f"**/{MARK}*"))


def test_a_second_notebook_for_a_chapter_is_left_out_only_when_the_choice_is_clear(course, tmp_path):
    chapters = load_chapters(course / "released")
    for name in ("01_mini.ipynb", "01_mini-Copy1.ipynb", "02_other-Copy1.ipynb", "02_other-Copy2.ipynb"):
        write(chapter() if name.startswith("01") else other_chapter(), tmp_path / name)
    found, warned = submit.find_notebooks([tmp_path / "01_mini-Copy1.ipynb", tmp_path / "01_mini.ipynb"], chapters)
    assert found["01_mini"][0] == tmp_path / "01_mini.ipynb"
    assert warned == [f"{tmp_path / '01_mini-Copy1.ipynb'} is a second notebook for 01_mini: left out of the zip "
                      f"({tmp_path / '01_mini.ipynb'} is in it)"]
    with pytest.raises(submit.SubmitError, match="two notebooks for chapter 02_other"):
        submit.find_notebooks([tmp_path], chapters)
