"""Judges started ahead of their notebooks (checks/grading/early_judge.py): how many are started,
and that none outlives the grader or leaves its folder behind. The judges' work itself (grading
through them, the seed kept from learner code) is tested end to end in test_grading.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from checks.grading.early_judge import EarlyJudge, EarlyJudges
from support import early_judge_pids

if not sys.platform.startswith("linux"):
    pytest.skip("the grader runs on Linux only (bubblewrap)", allow_module_level=True)


def _alive(judge: EarlyJudge) -> bool:
    return judge.proc.poll() is None


def _gone(judge: EarlyJudge) -> bool:
    return judge.proc.poll() is not None and not judge.run.exists()


def test_each_take_starts_the_next_judge_until_every_notebook_has_one():
    judges = EarlyJudges(3)
    try:
        assert len(judges._waiting) == 1                 # the first starts at once
        first = judges.take()
        second_waiting = judges._waiting[0]
        assert _alive(first) and _alive(second_waiting)   # the next one imports while the first is used
        second = judges.take()
        assert second is second_waiting
        third = judges.take()
        assert judges._waiting == []                     # three notebooks, three judges: none to spare
        extra = judges.take()                            # a re-run after a crash starts its own
        assert _alive(extra) and judges._waiting == []
    finally:
        judges.close()
    for judge in (first, second, third, extra):
        judge.discard()
        assert _gone(judge)


def test_as_many_judges_start_at_once_as_there_are_jobs_but_never_more_than_notebooks():
    with EarlyJudges(5, jobs=3) as judges:
        assert len(judges._waiting) == 3
        first = judges._waiting[0]
        assert judges.take() is first                    # the one that has had the longest to start
        assert len(judges._waiting) == 3
        taken = first
    taken.discard()
    with EarlyJudges(2, jobs=4) as judges:
        assert len(judges._waiting) == 2


def test_a_judge_never_taken_is_stopped_and_its_folder_removed():
    with EarlyJudges(5) as judges:
        taken = judges.take()
        waiting = judges._waiting[0]
        assert waiting.run.is_dir()
    assert _gone(waiting)
    taken.discard()
    assert _gone(taken)


def test_a_waiting_judge_exits_by_itself_when_the_grader_goes_away():
    judge = EarlyJudge()
    try:
        judge.proc.stdin.close()          # as when the grader dies: its end of the pipe closes
        assert judge.proc.wait(timeout=60) == 0
        assert judge.proc.stdout.read() == b""   # it ran nothing
    finally:
        judge.discard()
    assert _gone(judge)


def test_a_judge_runs_pytest_with_the_command_line_and_seed_it_is_sent(tmp_path):
    judge = EarlyJudge()
    try:
        test = judge.judge / "test_seed.py"
        test.write_text("import os\n\ndef test_seed():\n"
                        "    with os.fdopen(int(os.environ['MLP_LAB_GRADING_SEED_FD'])) as pipe:\n"
                        "        assert pipe.read() == '1234'\n")
        start = time.monotonic()
        out, timed_out = judge.run_pytest([str(test), "-q", "-p", "no:cacheprovider", "--rootdir",
                                           str(judge.judge)], 1234, timeout=120)
        assert not timed_out, out
        assert b"1 passed" in out, out.decode()
        assert judge.proc.returncode == 0
        assert time.monotonic() - start < 120
    finally:
        judge.discard()
    assert _gone(judge)


def test_a_judge_that_died_while_it_waited_gives_a_failed_run_not_a_crash():
    judge = EarlyJudge()
    try:
        judge.proc.kill()
        judge.proc.wait(timeout=60)
        out, timed_out = judge.run_pytest(["--version"], 1234, timeout=60)   # the seed pipe has no reader
        assert not timed_out and judge.proc.returncode != 0
    finally:
        judge.discard()
    assert _gone(judge)


def test_the_judge_starts_with_a_clean_environment(monkeypatch):
    monkeypatch.setenv("MLP_LAB_SECRET_OF_THE_GRADER", "x")
    judge = EarlyJudge()
    try:
        with open(f"/proc/{judge.proc.pid}/environ", "rb") as f:
            names = {item.split(b"=", 1)[0].decode() for item in f.read().split(b"\0") if item}
        assert "MLP_LAB_SECRET_OF_THE_GRADER" not in names
        assert {"HOME", "JUPYTER_PATH", "MLP_LAB_GRADING_SEED_FD", "PYTEST_DISABLE_PLUGIN_AUTOLOAD"} <= names
        assert os.stat(judge.run).st_mode & 0o077 == 0      # private to the grader
    finally:
        judge.discard()
    assert _gone(judge)


def test_no_judge_outlives_a_grading_command_that_refuses(tmp_path):
    """A grader that stops before grading (here: no notebook matches the course) leaves no judge."""
    learner = tmp_path / "class" / "ann"
    learner.mkdir(parents=True)
    (learner / "notes.ipynb").write_text('{"cells": [ not json')
    before = early_judge_pids()
    proc = subprocess.run([sys.executable, "-m", "checks.grade", str(tmp_path / "class"), "--out",
                           str(tmp_path / "out"), "--unsafe-no-sandbox"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert early_judge_pids() - before == set()

