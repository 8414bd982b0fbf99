"""A learner's "Restart Kernel and Run All" in a real browser: headless Chromium drives JupyterLab.

On a learner copy with nothing solved, and with one exercise solved, the test clicks Kernel >
Restart Kernel and Run All Cells, then asserts, on the page and in the saved file, that the last
cell ran, every figure of the chapter is there, and each failing check shows its message alone.

Needs Debian's ``chromium`` (``/usr/bin/chromium``; ``.ci/run`` installs it) and Playwright's
Python package (``requirements.txt``). Without a browser the test is skipped with the reason,
except under CI (``CI`` set), where it fails instead.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from checks.course_cells import course_meta
from checks.learner_copies import learner_path
from checks.notebook_file import read_notebook, write_notebook

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SOLUTION = ROOT / "chapters" / "solutions" / "03_backprop_as_gears.ipynb"
SOLVED = "linear_backward"          # the exercise solved in the second run
RUN_ALL = "Restart Kernel and Run All Cells…"


def _browser_or_skip():
    """Playwright's sync API, or a skip naming what is missing (a failure under CI)."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (Debian: apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("the playwright package (pip install -r requirements.txt)")
    if not missing:
        return sync_playwright
    reason = "no browser for the JupyterLab test: missing " + " and ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI must run this test)")
    print(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_course(folder: Path, home: Path):
    """Start the course as a learner does, ``mlp-lab course DIR``, at localhost; return (process,
    base URL, token). The command copies the chapters into ``folder``, keeping the files already
    there, and opens JupyterLab on it. Settings live in ``home``: notebooks render every cell (no
    windowing), so the page holds all outputs, and no news pop-up covers them.
    """
    port, token = _free_port(), secrets.token_hex(16)
    for plugin, value in {"notebook-extension/tracker": '{"windowingMode": "none"}',
                          "apputils-extension/notification": '{"fetchNews": "false", "checkForUpdates": false}'}.items():
        settings = home / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(value, encoding="utf-8")
    env = dict(os.environ, HOME=str(home), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("MPLBACKEND", None)        # the notebook's own %matplotlib inline decides
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "mlp-lab"), "course", str(folder), "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}"],
        env=env, stdout=subprocess.DEVNULL, stderr=(home / "server.log").open("w"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited at start:\n{(home / 'server.log').read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            return server, url, token
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"JupyterLab did not answer within 120 s:\n{(home / 'server.log').read_text()[-3000:]}")


def solve(path: Path, exercise: str) -> None:
    """Write the solution of ``exercise`` into the learner copy at ``path``."""
    def exercise_cell(nb):
        return next(c for c in nb.cells if course_meta(c) and course_meta(c)["kind"] == "solution"
                    and course_meta(c)["exercise"] == exercise)

    nb = read_notebook(path)
    exercise_cell(nb).source = exercise_cell(read_notebook(SOLUTION)).source
    write_notebook(nb, path)


def run_all_in_browser(page, url: str, token: str, name: str, shot: Path) -> None:
    """Open ``name``, Restart Kernel and Run All through the menu, wait for the last cell, save."""
    page.goto(f"{url}/lab/tree/{name}?token={token}")
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=120_000)
    page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Kernel$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=RUN_ALL).click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt")
    last = prompts.nth(prompts.count() - 1).element_handle()
    # The stored outputs already show "[21]:"; wait for the queued "[*]:", then for its new number.
    page.wait_for_function("(el) => el.textContent.trim() === '[*]:'", arg=last, timeout=60_000)
    page.wait_for_function("(el) => /^\\[\\d+\\]:$/.test(el.textContent.trim())", arg=last, timeout=300_000)
    page.keyboard.press("Control+s")
    page.locator(".jp-mod-dirty").wait_for(state="detached", timeout=30_000)


@pytest.mark.parametrize("solved", [None, SOLVED], ids=["nothing-solved", "one-solved"])
def test_restart_and_run_all_in_jupyterlab_keeps_every_figure(solved, tmp_path):
    sync_playwright = _browser_or_skip()
    folder = tmp_path / "course"
    folder.mkdir()
    name = SOLUTION.name
    shutil.copy(learner_path(SOLUTION), folder / name)
    if solved:
        solve(folder / name, solved)
    solution = read_notebook(SOLUTION)
    checks = [course_meta(c)["exercise"] for c in solution.cells if (course_meta(c) or {}).get("kind") == "check"]
    figures = sum("image/png" in o.get("data", {}) for c in solution.cells if c.cell_type == "code"
                  for o in c.outputs)

    server, url, token = serve_course(folder, tmp_path / "home")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            shot = tmp_path / f"run_all_{solved or 'nothing'}.png"
            run_all_in_browser(page, url, token, name, shot)
            cells = page.locator(".jp-Notebook .jp-CodeCell")
            shown_errors = {}
            for i in range(cells.count()):
                error = cells.nth(i).locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
                if error.count():
                    shown_errors[i] = error.first.inner_text()
            images = page.locator(".jp-Notebook .jp-OutputArea-output img").count()
            first_error = cells.nth(min(shown_errors)) if shown_errors else cells.last
            first_error.scroll_into_view_if_needed()
            page.screenshot(path=str(shot))
            print(f"screenshot: {shot}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    saved = read_notebook(folder / name)
    code = [c for c in saved.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "Run All stopped before the last cell"
    assert images == figures, f"{images} figures on the page, the chapter draws {figures}"
    assert sum("image/png" in o.get("data", {}) for c in code for o in c.outputs) == figures
    failing = {i: course_meta(c)["exercise"] for i, c in enumerate(code)
               if (course_meta(c) or {}).get("kind") == "check" and course_meta(c)["exercise"] != solved}
    assert len(failing) == len(checks) - bool(solved)
    assert set(shown_errors) == set(failing), "only the failing checks show an error"
    for i, exercise in failing.items():
        (error,) = [o for o in code[i].outputs if o.output_type == "error"]
        assert shown_errors[i].strip() == error["evalue"].strip(), "the message alone, no frames above it"
        assert shown_errors[i].startswith(f"✘ {exercise}: ") and "not implemented yet" in shown_errors[i]
