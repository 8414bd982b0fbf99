"""The learners' HTML feedback pages (``OUT/html/<learner>.html``, ``checks/grading/html_feedback.py``).

Unit tests render pages from made-up feedback notebooks: the score table and the messages are
there and escaped, a learner's notebook cannot put a script, an event handler, a frame or a
``javascript:`` link into the page, the MathJax copy is complete and loaded by a relative URL.
End to end, a class of two is graded for real (chapter 2's solution, and its learner copy with
hostile cells added) and the pages are opened from disk in headless Chromium with every non-file
request aborted: the maths is typeset, no raw ``$`` is left, no request tried to leave the machine,
and none of the hostile cells ran. Grading again (everything reused) rebuilds the pages from the
kept feedback notebooks, byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from checks.grading import html_feedback
from checks.learner_copies import learner_path
from test_browser import CHROMIUM, CHROMIUM_ARGS, _browser_or_skip

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "chapters" / "solutions" / "02_sigmoid.ipynb"
#: What every attack below would do if it ran: leave a mark the browser test looks for.
PWN = "window.PWNED = true; document.title = 'PWNED'"
HOSTILE_MARKDOWN = (f"Notes with maths $a^2 + b^2$ and an attack: <script>{PWN}</script>\n\n"
                    f"<img src=\"x\" onerror=\"{PWN}\"> <a href=\"javascript:{PWN}\">click</a>\n\n"
                    "<iframe src=\"https://example.org/\"></iframe> ![tracker](https://example.org/t.png)\n\n"
                    f"<svg onload=\"{PWN}\"></svg> <style>body {{ display: none }}</style>")
HOSTILE_HTML = f'<b>bold</b><script>{PWN}</script><img src=x onerror="{PWN}">'
HOSTILE_CODE = f"""\
from IPython.display import HTML, Javascript, display
display(HTML({HOSTILE_HTML!r}))
display(Javascript({PWN!r}))
display({{'text/vnd.mermaid': {HOSTILE_HTML!r}}}, raw=True)
print({f'<script>{PWN}</script>'!r})"""


def hostile_cells() -> list:
    """A markdown cell and a code cell a learner can add to any chapter, each full of attacks."""
    return [new_markdown_cell(HOSTILE_MARKDOWN, metadata={"tags": ['x" onmouseover="' + PWN]}),
            new_code_cell(HOSTILE_CODE)]


def executed_hostile_cells() -> list:
    """``hostile_cells`` with the outputs their code cell gives in a kernel (for the unit tests)."""
    markdown, code = hostile_cells()
    code.outputs = [
        new_output("display_data", data={"text/html": HOSTILE_HTML, "text/plain": "<HTML>"}),
        new_output("display_data", data={"application/javascript": PWN, "text/plain": "<Javascript>"}),
        new_output("display_data", data={"text/vnd.mermaid": HOSTILE_HTML}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "1"}}),
        new_output("stream", name="stdout", text=f"<script>{PWN}</script>\n"),
    ]
    return [markdown, code]


SUMMARY = {
    "learner": "ann", "total": 2, "max": 5,
    "exercises": {
        "sigmoid": {"chapter": "01_mini", "points": 2, "max_points": 2, "passed": True, "mistake": None,
                    "feedback": "sigmoid: all checks passed."},
        "linear_forward": {"chapter": "01_mini", "points": 0, "max_points": 3, "passed": False,
                           "mistake": "wrong_value",
                           "feedback": "✘ linear_forward: wrong values\n  yours: <script>alert(1)</script>\n  right: 1.0"},
    },
    "notebooks": [{"file": "ann/01_mini.ipynb", "chapter": "01_mini", "events": ["restored <b>1</b> check cell"],
                   "error": None}],
}


def render(tmp_path, cells) -> tuple:
    """Write one feedback notebook of ``cells`` for SUMMARY's learner, render the pages; return
    (html folder, the page's text)."""
    feedback = tmp_path / "ann" / "feedback"
    feedback.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(feedback / "01_mini.ipynb"))
    pages = html_feedback.render_pages(tmp_path, [SUMMARY])
    assert list(pages) == [tmp_path / "html" / "ann.html"]
    return tmp_path / "html", pages[tmp_path / "html" / "ann.html"]


def parsed(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def test_page_has_the_score_table_and_every_message(tmp_path):
    page = parsed(render(tmp_path, [new_markdown_cell("# Mini chapter\n\nThe sigmoid $\\sigma(z)$.")])[1])
    summary = page.select_one("section.mlp-lab-summary")
    assert "tex2jax_ignore" in summary["class"], "MathJax must not typeset the grader's text"
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in summary.select("table tbody tr")]
    assert rows == [["01_mini", "sigmoid", "2/2", "✔ passed"], ["01_mini", "linear_forward", "0/3", "✘ wrong_value"]]
    assert "Score: 2 / 5" in summary.get_text()
    messages = [pre.get_text() for pre in summary.select("pre")]
    assert messages == [r["feedback"] for r in SUMMARY["exercises"].values()], "multi-line, unicode, verbatim"
    assert "restored <b>1</b> check cell" in summary.get_text(), "the grader's notes, as text"
    assert page.select_one(".jp-MarkdownCell h1").get_text(strip=True) == "Mini chapter"


def test_messages_are_escaped_not_markup(tmp_path):
    _, text = render(tmp_path, [])
    page = parsed(text)
    assert "yours: &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert not page.select("section.mlp-lab-summary script, section.mlp-lab-summary b")


def test_learner_notebooks_cannot_put_script_into_the_page(tmp_path):
    page = parsed(render(tmp_path, [new_markdown_cell("# Mini chapter"), *executed_hostile_cells()])[1])
    scripts = page.select("script")
    assert [s.get("src") for s in scripts] == [None, f"mathjax/MathJax.js?config={html_feedback.MATHJAX_CONFIG}"]
    assert scripts[0].string == html_feedback.MATHJAX_SETUP, "the only inline script is the page's own"
    handlers = [(el.name, a) for el in page.find_all(True) for a in el.attrs if a.lower().startswith("on")]
    assert handlers == []
    assert not page.select("iframe, object, embed, svg, form, base, link[href^=http], style[onload]")
    assert all(not a["href"].lower().startswith("javascript") for a in page.select("a[href]"))
    assert not page.select("main style"), "no learner style sheet (it could hide or fake the page)"
    body = page.select_one("main").get_text()
    assert f"<script>{PWN}</script>" in body, "a learner's script is shown as text"
    for kind in ("text/vnd.mermaid", "application/vnd.jupyter.widget-view+json"):
        assert f"[an output of type {kind}: not shown in this page]" in body
    assert "<Javascript>" in body, "JavaScript falls back to its plain text, as in Jupyter"
    assert page.select_one("[data-mime-type='text/html'] b").get_text() == "bold", "harmless HTML stays"


def test_page_policy_allows_only_its_own_script_and_no_network(tmp_path):
    page = parsed(render(tmp_path, [])[1])
    policy = page.select_one("meta[http-equiv=Content-Security-Policy]")["content"]
    rules = dict(rule.strip().split(" ", 1) for rule in policy.split(";"))
    digest = base64.b64encode(hashlib.sha256(page.select("script")[0].string.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in rules["script-src"].split()
    assert "'unsafe-inline'" not in rules["script-src"] and "http:" not in policy and "https:" not in policy
    assert rules["default-src"] == "'none'"


def test_mathjax_is_copied_once_and_loaded_by_a_relative_url(tmp_path):
    html_dir, text = render(tmp_path, [])
    url = parsed(text).select("script")[1]["src"]
    assert not re.match(r"^[a-z]+:|^/", url), f"{url} must be relative to the page"
    mathjax = html_dir / url.split("?")[0]
    needed = ["MathJax.js", "config/TeX-AMS-MML_HTMLorMML-full.js", "config/Safe.js", "extensions/Safe.js",
              "jax/output/HTML-CSS/fonts/STIX-Web/fontdata.js", "fonts/HTML-CSS/STIX-Web/woff/STIXMathJax_Main-Regular.woff"]
    assert all((mathjax.parent / p).is_file() for p in needed)
    assert "Apache License" in (mathjax.parent / "LICENSE").read_text() and (mathjax.parent / "NOTICE-mlp-lab.txt").is_file()
    assert not (mathjax.parent / "jax" / "output" / "SVG").exists() and not (mathjax.parent / "localization").exists()
    size = sum(p.stat().st_size for p in mathjax.parent.rglob("*") if p.is_file())
    assert size < 4_000_000, f"the MathJax copy is {size} bytes"
    stamp = (mathjax.parent / "MathJax.js").stat().st_mtime_ns
    html_feedback.render_pages(tmp_path, [SUMMARY])
    assert (mathjax.parent / "MathJax.js").stat().st_mtime_ns == stamp, "copied once, not at every write"


def test_a_page_is_rendered_again_only_when_what_it_shows_changed(tmp_path):
    html_dir, text = render(tmp_path, [new_markdown_cell("# Mini chapter")])
    (html_dir / "ann.html").write_text(text, encoding="utf-8")
    assert html_feedback.render_pages(tmp_path, [SUMMARY]) == {}, "unchanged: not rendered again"
    feedback = tmp_path / "ann" / "feedback" / "01_mini.ipynb"
    nb = nbformat.read(str(feedback), as_version=4)
    nb.cells[0].id = "another-id"   # what the grader's random cell ids do from run to run
    nbformat.write(nb, str(feedback))
    assert html_feedback.render_pages(tmp_path, [SUMMARY]) == {}, "cell ids are not shown"
    changed = {**SUMMARY, "total": 5}
    assert list(html_feedback.render_pages(tmp_path, [changed])) == [html_dir / "ann.html"]
    nb.cells[0].source = "# Mini chapter, edited"
    nbformat.write(nb, str(feedback))
    assert list(html_feedback.render_pages(tmp_path, [SUMMARY])) == [html_dir / "ann.html"]


def test_missing_mathjax_package_is_named_and_the_pages_still_written(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(html_feedback.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match="jupyter-server-mathjax"):
        html_feedback.bundle_mathjax(tmp_path)
    html_dir, text = render(tmp_path, [new_markdown_cell("# Mini chapter")])
    assert "Mini chapter" in text and not (html_dir / "mathjax").exists()
    assert "needs the package jupyter-server-mathjax" in capsys.readouterr().err


# ---- end to end: a real grading run, the pages opened in Chromium without network ----

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("html_feedback")
    (root / "class" / "ann").mkdir(parents=True)
    (root / "class" / "mal").mkdir(parents=True)
    shutil.copy(SOLUTION, root / "class" / "ann" / SOLUTION.name)
    hostile = nbformat.read(str(learner_path(SOLUTION)), as_version=4)
    hostile.cells += hostile_cells()
    nbformat.write(hostile, str(root / "class" / "mal" / SOLUTION.name))
    out = root / "out"
    cmd = [sys.executable, "-m", "checks.grade", str(root / "class"), "--out", str(out), "-j", "2", "--seed", "808"]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    pages = {p.name: p.read_bytes() for p in (out / "html").glob("*.html")}
    shutil.rmtree(out / "html")
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stdout + again.stderr
    return {"out": out, "pages": pages, "again": again.stdout, "cmd": cmd}


def test_grading_again_rebuilds_the_same_pages_from_the_kept_feedback(graded):
    assert "reused 2 learner(s)" in graded["again"]
    assert graded["pages"] == {p.name: p.read_bytes() for p in (graded["out"] / "html").glob("*.html")}
    assert set(graded["pages"]) == {"ann.html", "mal.html"}


def test_no_html_writes_no_pages_and_removes_earlier_ones(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    cmd = [*graded["cmd"][:graded["cmd"].index("--out") + 1], str(out), *graded["cmd"][graded["cmd"].index("--out") + 2:]]
    run = subprocess.run([*cmd, "--no-html"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "reused 2 learner(s)" in run.stdout
    assert not (out / "html").exists() and (out / "ann" / "grade.json").is_file()


def test_hostile_outputs_of_a_real_run_reach_the_page_neutralised(graded):
    page = parsed(graded["pages"]["mal.html"].decode())
    assert page.select_one("[data-mime-type='text/html'] b").get_text() == "bold", "the hostile cell ran"
    body = page.select_one("main").get_text()
    assert "[an output of type text/vnd.mermaid: not shown in this page]" in body and "Javascript object>" in body
    assert f"<script>{PWN}</script>" in body
    assert len(page.select("script")) == 2 and not page.select("main style, iframe, svg")


def open_offline(page_file: Path, shot: Path) -> dict:
    """Open ``page_file`` in headless Chromium with every non-file request aborted; wait for MathJax;
    return what the page showed and asked for, and save a screenshot."""
    sync_playwright = _browser_or_skip()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 1400})
        files, aborted = [], []

        def route(r):
            if r.request.url.startswith("file:"):
                files.append(r.request.url)
                r.continue_()
            else:
                aborted.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue"
                               " && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running"
                               " && document.querySelectorAll('.MathJax').length > 0", timeout=120_000)
        page.evaluate("() => document.querySelector('.jp-MarkdownCell .MathJax').scrollIntoView()")
        page.screenshot(path=str(shot))
        print(f"screenshot: {shot}")
        seen = {
            "maths": page.locator(".jp-MarkdownCell .MathJax").count(),
            "errors": page.locator(".MathJax_Error, .merror, .MathJax .noError").count(),
            "markdown": page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").all_inner_texts(),
            "pwned": page.evaluate("() => [window.PWNED === true, document.title]"),
            "files": files, "aborted": aborted,
        }
        browser.close()
    return seen


@pytest.mark.parametrize("learner", ["ann", "mal"])
def test_page_opened_offline_shows_typeset_maths_and_runs_no_learner_code(graded, learner, tmp_path):
    html_dir = graded["out"] / "html"
    seen = open_offline(html_dir / f"{learner}.html", tmp_path / f"{learner}.png")
    assert seen["aborted"] == [], "the page asked for something off this machine"
    assert all(url.startswith(html_dir.as_uri() + "/") for url in seen["files"]), "only the html folder is read"
    assert any("/mathjax/fonts/HTML-CSS/STIX-Web/woff/" in url for url in seen["files"]), "MathJax's web font"
    assert seen["maths"] > (40 if learner == "ann" else 1) and seen["errors"] == 0
    raw = [text[:120] for text in seen["markdown"] if "$" in text]
    assert raw == [], "TeX left untypeset"
    assert seen["pwned"] == [False, f"Feedback: {learner}"]
