"""The ``mlp-lab`` command: ``course`` copies without overwriting and starts JupyterLab; the rest delegate."""

from __future__ import annotations

import os

import pytest

from checks import cli
from checks.locations import chapters_dir

LEARNER = sorted(p.name for p in chapters_dir().glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted(p.name for p in chapters_dir().glob("solutions/[0-9][0-9]_*.ipynb"))


def test_course_copy_only_copies_learner_notebooks_and_solutions(tmp_path, capsys):
    target = tmp_path / "course"
    assert cli.main(["course", str(target), "--copy-only"]) == 0
    assert sorted(p.name for p in target.glob("*.ipynb")) == LEARNER and len(LEARNER) >= 6
    assert sorted(p.name for p in target.glob("solutions/*.ipynb")) == SOLUTIONS
    first = LEARNER[0]
    assert (target / first).read_bytes() == (chapters_dir() / first).read_bytes()
    out = capsys.readouterr().out
    assert f"copied {len(LEARNER) + len(SOLUTIONS)} notebook(s), kept 0" in out


def test_course_never_overwrites_a_learners_file(tmp_path, capsys):
    target = tmp_path / "course"
    target.mkdir()
    mine = target / LEARNER[0]
    mine.write_text("my own work", encoding="utf-8")
    assert cli.main(["course", str(target), "--copy-only"]) == 0
    assert mine.read_text(encoding="utf-8") == "my own work"
    assert "kept 1 already there" in capsys.readouterr().out
    assert cli.main(["course", str(target), "--copy-only"]) == 0   # again: nothing new, nothing replaced
    assert mine.read_text(encoding="utf-8") == "my own work"
    assert "copied 0 notebook(s)" in capsys.readouterr().out


def test_course_refuses_a_file_as_its_folder(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    assert cli.main(["course", str(tmp_path / "notes.txt"), "--copy-only"]) == 2
    assert "is a file; give a folder" in capsys.readouterr().err


def test_course_starts_jupyterlab_in_the_folder_with_the_options_given(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(cli.os, "execv", lambda exe, argv: started.append(argv))
    cli.main(["course", str(tmp_path / "c"), "--no-browser", "--port=8890"])
    (argv,) = started
    assert argv[1:3] == ["-m", "jupyterlab"] and argv[-1] == str(tmp_path / "c")
    assert "--no-browser" in argv and "--port=8890" in argv
    assert ("--allow-root" in argv) == (os.geteuid() == 0)


@pytest.mark.parametrize("command, usage, option", [
    ("check", "usage: mlp-lab check", "--strict"),
    ("submit", "usage: mlp-lab submit", "--force"),
    ("grade", "checks.grade", "--out"),
    ("release", "usage: mlp-lab release", "--check"),
    ("execute", "usage: mlp-lab execute", "notebooks"),
])
def test_other_commands_hand_their_arguments_to_their_module(command, usage, option, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0 and usage in out and option in out


def test_without_a_command_the_usage_lists_every_command(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main([])
    assert stop.value.code == 2
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("course", "check", "submit", "grade", "release", "execute"))


def test_release_from_elsewhere_says_where_to_point_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["release", "--root", str(tmp_path)]) == 2
    assert "pass --root" in capsys.readouterr().err

