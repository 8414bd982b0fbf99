"""Feedback a learner opens in a browser: ``OUT/html/<learner>.html``, one page per learner.

A page holds the learner's score table, each exercise's verdict and message, then every notebook
of theirs that was graded, as the grader ran it (``OUT/<learner>/feedback/<chapter>.ipynb``, with
the grader's notes under each check cell), rendered by nbconvert's ``HTMLExporter``. The pages
are made from those feedback notebooks on disk at every ``write_reports`` (a page whose content
is unchanged is not rendered again), so a resumed run and ``mlp-lab grade merge`` write the same
pages as one run over the whole class.

Maths works offline: MathJax 2.7 comes from the ``jupyter-server-mathjax`` package (Apache-2.0;
its licence is copied with it), and the parts the pages use (TeX input, HTML-CSS output and its
STIX-Web fonts) are copied once into ``OUT/html/mathjax/``; every page loads it by a relative
URL, so the ``html`` folder works from disk, zipped and sent, with no network.

Learner notebooks are hostile input: markdown cells and HTML outputs pass through a sanitiser
(nh3, an allow-list of tags), outputs of any other rich type (JavaScript, widgets, Mermaid,
...) are replaced by a note, cell metadata and ids are dropped, and the page's Content Security
Policy runs only its own two scripts and the MathJax files and lets nothing reach the network.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import nbformat

#: MathJax's combined configuration for TeX input and HTML-CSS output, and its Safe extension
#: (no javascript: links or styles from learners' TeX).
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
#: What the pages load from the MathJax copy (paths inside the package's ``static`` folder).
#: Left out: the SVG output and its fonts, the localisations and the accessibility explorer
#: with its speech maps (about 9 MB the pages never ask for).
MATHJAX_PARTS = ("LICENSE", "MathJax.js", "config", "jax/input/TeX", "jax/element/mml",
                 "jax/output/HTML-CSS", "fonts/HTML-CSS/STIX-Web/woff", "extensions")
MATHJAX_SKIPPED = ("extensions/a11y/mathjax-sre.js", "extensions/a11y/mathmaps",
                   "extensions/a11y/wgxpath.install.js")
MATHJAX_NOTICE = """\
MathJax 2.7, copied by mlp-lab from the Python package jupyter-server-mathjax (Project Jupyter),
which ships it as static files. MathJax is licensed under the Apache License 2.0: see LICENSE in
this folder. Only the parts the feedback pages use are copied (TeX input, HTML-CSS output, the
STIX-Web fonts and the extensions).
"""

#: Output types shown as they are; HTML and Markdown ones are sanitised, the rest are text or
#: images nbconvert escapes or embeds as ``data:`` URLs.
SHOWN_OUTPUTS = {"text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg",
                 "image/svg+xml"}
ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
                "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
                "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
                "tr", "ul"}
ALLOWED_ATTRIBUTES = {"*": {"class"}, "a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
                      "td": {"style"}, "th": {"style"}}

PAGE_STYLE = """
.mlp-lab-summary { padding: 8px 24px 24px 24px; font-family: var(--jp-content-font-family); }
.mlp-lab-summary table { border-collapse: collapse; margin: 8px 0 16px 0; }
.mlp-lab-summary th, .mlp-lab-summary td { border: 1px solid #bbb; padding: 3px 10px; text-align: left; }
.mlp-lab-summary .passed { color: #1a7f37; }
.mlp-lab-summary .failed { color: #b42318; }
.mlp-lab-summary pre { background: #f6f6f6; padding: 8px; white-space: pre-wrap; }
.mlp-lab-chapter { border-top: 3px solid #888; margin-top: 24px; padding: 0 24px; }
"""
MATHJAX_SETUP = """window.MathJax = {
  tex2jax: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
            processEscapes: true, processEnvironments: true},
  TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
               linebreaks: {automatic: true}},
  displayAlign: "center", messageStyle: "none", showMathMenu: false
};"""
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<meta http-equiv="Content-Security-Policy" content="{{ resources.mlp_lab.csp }}">
<meta name="mlp-lab-made-from" content="{{ resources.mlp_lab.digest }}">
<style type="text/css">{{ resources.mlp_lab.style }}</style>
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script>{{ resources.mlp_lab.mathjax_setup }}</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
{%- block body_header -%}
{{ super() }}
{{ resources.mlp_lab.summary }}
{%- endblock body_header -%}
"""


def mathjax_source() -> Path:
    """The MathJax folder inside the installed ``jupyter-server-mathjax`` package."""
    spec = importlib.util.find_spec("jupyter_server_mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the HTML feedback needs the package jupyter-server-mathjax (pip install -r "
                           "requirements.txt, or pip install mlp-lab)")
    return Path(spec.submodule_search_locations[0]) / "static"


def bundle_mathjax(html_dir: Path) -> Path:
    """Copy MathJax's parts the pages use into ``html_dir/mathjax`` (unless there already), with its
    licence and a notice saying where it comes from; return that folder."""
    source, target = mathjax_source(), Path(html_dir) / "mathjax"
    notice = target / "NOTICE-mlp-lab.txt"
    if notice.is_file() and (target / "MathJax.js").read_bytes() == (source / "MathJax.js").read_bytes():
        return target
    skipped = {source / p for p in MATHJAX_SKIPPED}
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True,
                            ignore=lambda folder, names: [n for n in names if Path(folder) / n in skipped])
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / part, target / part)
    notice.write_text(MATHJAX_NOTICE, encoding="utf-8")   # last: marks a complete copy
    return target


def sanitiser():
    """The cleaner for learner HTML (nh3, the bindings of the Rust sanitiser ammonia): an allow-list
    of tags and attributes (others are dropped, with the content of ``<script>`` and ``<style>``);
    links and images only to http(s), mailto, data and relative URLs."""
    import nh3   # here, not at the top: every `mlp-lab grade --help` would pay for it
    return functools.partial(nh3.clean, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                             url_schemes={"http", "https", "mailto", "data"},
                             filter_style_properties={"text-align"}, strip_comments=True)


def neutralised(nb: nbformat.NotebookNode, number: int) -> list:
    """The cells of a feedback notebook, safe to render: no metadata, ids ``ch<number>-<i>``, and
    every output of a type not in SHOWN_OUTPUTS replaced by a note naming the type."""
    cells = []
    for i, cell in enumerate(nb.cells):
        clean = nbformat.from_dict({"cell_type": cell.cell_type, "id": f"ch{number}-{i}", "metadata": {},
                                    "source": cell.source})
        if cell.cell_type == "code":
            clean.execution_count = cell.get("execution_count")
            clean.outputs = [_shown(out) for out in cell.get("outputs", [])]
        elif cell.cell_type == "markdown" and cell.get("attachments"):
            clean.attachments = cell.attachments
        cells.append(clean)
    return cells


def _shown(output: dict) -> nbformat.NotebookNode:
    """``output`` with only the data types that the page may show (a note instead of the others)."""
    output = nbformat.from_dict(dict(output))
    if output.get("output_type") not in ("display_data", "execute_result"):
        return output
    data = {k: v for k, v in output.get("data", {}).items() if k in SHOWN_OUTPUTS}
    dropped = sorted(set(output.get("data", {})) - set(data))
    if not data:
        data = {"text/plain": f"[an output of type {', '.join(dropped)}: not shown in this page]"}
    output.data = data
    output.metadata = {}
    return output


def summary_html(summary: dict) -> str:
    """The head of a learner's page: score, one row per exercise, then each exercise's message
    (all text escaped; MathJax leaves this part alone)."""
    e = html.escape
    rows, messages = [], []
    for exercise, r in summary["exercises"].items():
        verdict = "passed" if r["passed"] else r["mistake"]
        css = "passed" if r["passed"] else "failed"
        rows.append(f"<tr><td>{e(r['chapter'])}</td><td><code>{e(exercise)}</code></td>"
                    f"<td>{r['points']}/{r['max_points']}</td><td class=\"{css}\">{'✔' if r['passed'] else '✘'} "
                    f"{e(verdict)}</td></tr>")
        messages.append(f"<h3 class=\"{css}\">{e(r['chapter'])} / <code>{e(exercise)}</code>: {e(verdict)}</h3>"
                        f"<pre>{e(r['feedback'])}</pre>")
    notes = [n for nb in summary["notebooks"] for n in [*nb.get("events", []), nb.get("error")] if n]
    parts = [f"<section class=\"mlp-lab-summary tex2jax_ignore\">",
             f"<h1>Feedback for {e(summary['learner'])}</h1>",
             f"<p><strong>Score: {summary['total']} / {summary['max']}</strong></p>",
             "<table><thead><tr><th>chapter</th><th>exercise</th><th>points</th><th>verdict</th></tr></thead>",
             f"<tbody>{''.join(rows)}</tbody></table>"]
    if notes:
        parts += ["<h2>What the grader did with your notebooks</h2>", "<ul>"]
        parts += [f"<li>{e(n)}</li>" for n in notes] + ["</ul>"]
    parts += ["<h2>Each exercise</h2>", *messages,
              "<p>Below: each notebook as the grader ran it, with its notes under each check cell.</p>",
              "</section>"]
    return "\n".join(parts)


def content_security_policy(*scripts: str) -> str:
    """Only these inline scripts (by hash) and script files beside the page; no network at all."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in scripts)
    return ("default-src 'none'; "
            f"script-src 'self' file: {hashes}; "
            "style-src 'self' file: 'unsafe-inline'; font-src 'self' file: data:; img-src 'self' file: data:; "
            "base-uri 'none'; form-action 'none'")


def exporter():
    """nbconvert's ``HTMLExporter`` (JupyterLab's look), with our template, sanitiser and MathJax URL."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter   # 0.4 s to import: only when pages are written
    exp = HTMLExporter(template_name="lab", template_file="mlp_lab_feedback.html.j2", sanitize_html=True,
                       exclude_anchor_links=True, extra_loaders=[DictLoader({"mlp_lab_feedback.html.j2": TEMPLATE})],
                       mathjax_url=f"mathjax/MathJax.js?config={MATHJAX_CONFIG}")
    exp.register_filter("clean_html", sanitiser())
    return exp


def learner_page(summary: dict, notebooks: dict, exp=None, digest: str = "") -> str:
    """The page of one learner: ``summary`` is their grade.json, ``notebooks`` chapter -> feedback
    notebook (in the order to show them), ``digest`` what it is made from (``made_from``). A
    notebook nbconvert cannot render leaves the page with the score table and a note saying so."""
    cells = []
    for number, (chapter, nb) in enumerate(notebooks.items()):
        cells.append(nbformat.v4.new_markdown_cell(f"<div class=\"mlp-lab-chapter\"></div>\n\n"
                                                   f"*Your notebook for {chapter}, as graded*",
                                                   id=f"ch{number}-head"))
        cells += neutralised(nb, number)
    exp = exp or exporter()
    try:
        return _page(exp, summary, cells, digest)
    except Exception as exc:   # a malformed notebook must not cost the class its reports
        note = (f"Your notebooks could not be shown in this page ({type(exc).__name__}: {exc}); "
                "ask your instructor for the feedback notebooks (feedback/*.ipynb).")
        return _page(exp, summary, [nbformat.v4.new_markdown_cell(html.escape(note)[:2000], id="not-rendered")], digest)


def _page(exp, summary: dict, cells: list, digest: str) -> str:
    """nbconvert's page of ``cells`` (Python), headed by the learner's summary."""
    page = nbformat.v4.new_notebook(cells=cells, metadata={"language_info": {"name": "python",
                                                                             "pygments_lexer": "ipython3"}})
    resources = {"metadata": {"name": f"Feedback: {summary['learner']}"},
                 "mlp_lab": {"summary": summary_html(summary), "style": PAGE_STYLE, "mathjax_setup": MATHJAX_SETUP,
                             "csp": content_security_policy(MATHJAX_SETUP), "digest": digest}}
    body, _ = exp.from_notebook_node(page, resources=resources)
    return body


def render_pages(out: Path, summaries: list) -> dict:
    """Copy MathJax into ``OUT/html/mathjax`` and return ``{OUT/html/<learner>.html: page}`` for every
    summary (grade.json) whose page is missing or out of date, each page made from the learner's
    notebooks in ``OUT/<learner>/feedback``. A page records a digest of what it is made from, so a
    resumed run or a merge renders again only the pages whose content changed."""
    html_dir = Path(out) / "html"
    try:
        bundle_mathjax(html_dir)
    except RuntimeError as exc:   # the grades matter more than the typesetting: write the pages anyway
        print(f"grade: {exc}; the HTML pages show their maths as TeX source", file=sys.stderr)
    exp, pages = None, {}
    for summary in summaries:
        folder = Path(out) / summary["learner"] / "feedback"
        order = list(dict.fromkeys(r["chapter"] for r in summary["exercises"].values()))
        files = sorted(folder.glob("*.ipynb"), key=lambda p: (order.index(p.stem) if p.stem in order else len(order), p.stem))
        notebooks = {p.stem: nbformat.read(str(p), as_version=4) for p in files}
        digest = made_from(summary, notebooks)
        path = html_dir / f"{summary['learner']}.html"
        if path.is_file() and digest in path.read_text(encoding="utf-8", errors="replace"):
            continue
        exp = exp or exporter()
        pages[path] = learner_page(summary, notebooks, exp, digest)
    return pages


def made_from(summary: dict, notebooks: dict) -> str:
    """SHA-256 of what a page shows (the summary, the notebooks' cells as neutralised) and of this
    module, which says how."""
    shown = [[chapter, neutralised(nb, number)] for number, (chapter, nb) in enumerate(notebooks.items())]
    digest = hashlib.sha256(json.dumps([summary, shown], sort_keys=True, default=str).encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()
