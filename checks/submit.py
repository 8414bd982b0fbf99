"""Hand in your work: ``mlp-lab submit [DIR | NOTEBOOK...] [-o ZIP]`` (or ``python -m checks.submit``).

1. Finds your chapters: the notebooks directly in DIR (default: this folder; ``solutions/`` and
   other sub-folders are not looked in), or the notebooks you name. Each is matched to its chapter
   by its ``NN_`` prefix, else by the exercise cells inside it.
2. Runs each in a fresh kernel, as ``mlp-lab check`` does, with its check cells as released (the
   grader restores them too), and prints per chapter and exercise what passes and its points.
3. Warns about what would cost you points or surprise you (see ``state_warnings`` for the rules):
   check cells edited, deleted or duplicated; chapters missing; a notebook saved without ever
   being run, not saved right after one run top to bottom, or whose saved check results differ
   from the fresh run (changed since it was last run). Edits in a Jupyter tab that you have not
   saved are not in the file: no tool can see them, so save (Ctrl-S) before you submit.
4. Writes the zip to upload (default ``mlp-lab-submission.zip``; an existing file is kept unless
   ``--force``): every notebook byte for byte as you saved it, named after its chapter, and a
   manifest of their SHA-256 (``checks/submission_zip.py``). Your notebooks are only read.

Exit status: 0 when the zip is written (warnings or not), 2 when nothing was written (no notebooks,
a file that is not a notebook or cannot be read, the zip already exists).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from checks import mine
from checks.course_cells import course_meta
from checks.grading.prepare import load_chapters, match_chapter, restore_checks
from checks.locations import chapters_dir
from checks.notebook_file import NotebookError, dumps_notebook, reads_notebook
from checks.submission_zip import MANIFEST, zip_bytes

DEFAULT_ZIP = Path("mlp-lab-submission.zip")


class SubmitError(Exception):
    """Nothing can be handed in; the message says why and what to do."""


def find_notebooks(paths: list[Path], chapters: dict) -> tuple[dict, list[str]]:
    """``({chapter name: (path, bytes, notebook)}, warnings)`` for the notebooks at ``paths``.

    A folder gives the notebooks directly in it; one that matches no chapter is left out with a
    warning, as is a second one for a chapter when the first is named exactly after it.
    A named file must be a readable notebook of the course; anything unreadable is an error."""
    found, warnings = {}, []
    for path in paths:
        if path.is_dir():
            candidates, named = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith(".")), False
        elif path.is_file() and path.suffix == ".ipynb":
            candidates, named = [path], True
        elif path.exists():
            raise SubmitError(f"{path} is not a notebook (.ipynb); name your chapter notebooks, "
                              "e.g. 02_sigmoid.ipynb, or the folder holding them")
        else:
            raise SubmitError(f"{path} does not exist")
        if not candidates:
            raise SubmitError(f"no notebooks (.ipynb) in {path}: run mlp-lab submit in the folder holding "
                              "your chapters (e.g. mlp-lab-course), or name the notebooks")
        for candidate in candidates:
            data = candidate.read_bytes()
            try:
                nb = reads_notebook(data.decode("utf-8"), str(candidate))
            except UnicodeDecodeError:
                raise SubmitError(f"{candidate}: not a text file, so not a notebook; re-save it from Jupyter") from None
            except NotebookError as exc:
                raise SubmitError(f"{exc} (nothing was written)") from None
            edited = [i for i, cell in enumerate(nb.cells) if not isinstance(course_meta(cell) or {}, dict)]
            if edited:
                raise SubmitError(f"{candidate}: the mlp_lab metadata of cell(s) {edited} was edited (it must be "
                                  "a dict, as released); copy those cells from a fresh copy of the chapter")
            chapter = match_chapter(candidate, chapters, nb)
            if chapter is None:
                message = (f"{candidate} is not a chapter of the course (no chapter's NN_ prefix, no "
                           "exercise cell of one)")
                if named:
                    raise SubmitError(message)
                warnings.append(f"{message}: left out of the zip")
                continue
            _add(found, warnings, chapter.name, (candidate, data, nb))
    return found, warnings


def _add(found: dict, warnings: list, chapter: str, entry: tuple) -> None:
    """Keep ``entry`` for ``chapter``; with two, keep the one named ``<chapter>.ipynb``, else refuse."""
    if chapter not in found:
        found[chapter] = entry
        return
    pair = [found[chapter], entry]
    exact = [e for e in pair if e[0].stem == chapter]
    if len(exact) != 1:
        raise SubmitError(f"two notebooks for chapter {chapter}: {pair[0][0]} and {pair[1][0]}; move the one "
                          "you do not hand in out of the folder, or name the notebooks to submit")
    kept, left_out = exact[0], pair[1] if exact[0] is pair[0] else pair[0]
    found[chapter] = kept
    warnings.append(f"{left_out[0]} is a second notebook for {chapter}: left out of the zip ({kept[0]} is in it)")


def state_warnings(nb, name: str) -> list[str]:
    """What the saved notebook ``nb`` shows about how it was run (a file on disk tells no more).

    - never run: no exercise or check cell has an execution count or an output (as released);
    - not run top to bottom: the execution counts of the non-empty code cells, top to bottom, are
      not 1, 2, 3, ... (cells run out of order, again, or not at all, or the kernel was not fresh).
    Jupyter stores no time of a cell's run by default, so an edit after the last run shows only as
    a difference from the fresh run (``changed_since_run``)."""
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    course = [c for c in code if course_meta(c)]
    if not any(c.execution_count or c.outputs for c in course):
        return [f"{name} was never run since it was released: none of its exercise or check cells has an "
                "output. Open it, Restart Kernel and Run All, then save, so that what you hand in shows "
                "what your code does."]
    counts = [c.execution_count for c in code]
    if counts != list(range(1, len(code) + 1)):
        shown = counts if len(counts) <= 12 else counts[:12] + ["..."]
        return [f"{name} was not saved right after one run top to bottom (execution counts {shown}): its "
                "saved outputs may not be what your code does now. Restart Kernel and Run All, then save."]
    return []


def saved_verdict(cell) -> str:
    """'passed', 'failed' or 'not run': what the check cell's saved outputs show."""
    if any(o.output_type == "error" for o in cell.outputs):
        return "failed"
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return "passed" if "all checks passed" in text else "not run"


def changed_since_run(nb, verdicts: dict, name: str) -> list[str]:
    """Check cells whose saved result (passed / failed) differs from the fresh run's."""
    changed = []
    for cell in nb.cells:
        meta = course_meta(cell) or {}
        exercise = meta.get("exercise")
        if meta.get("kind") != "check" or exercise not in verdicts:
            continue
        saved, fresh = saved_verdict(cell), verdicts[exercise]
        if saved != "not run" and (saved == "passed") != (fresh == "passed"):
            changed.append(f"{exercise} (saved: {saved}, now: {fresh})")
    if not changed:
        return []
    return [f"{name}: the saved check results differ from a fresh run for {', '.join(changed)}: the notebook "
            "changed after it was last run, or depends on the order its cells were run in. The grader runs "
            "it fresh; Restart Kernel and Run All, then save."]


def run_chapters(found: dict, chapters: dict, timeout: float) -> tuple[dict, list[str]]:
    """Run each chapter's notebook, check cells restored, in a fresh kernel; ``({chapter: {exercise:
    (verdict, reason)}}, check-cell warnings)``. The copies run in a scratch folder, side by side."""
    verdicts, warnings = {}, []
    scratch = Path(tempfile.mkdtemp(prefix="mlp_lab_submit_"))
    try:
        copies = {}
        for name, (path, _, nb) in found.items():
            prepared, events = restore_checks(nb, chapters[name])
            warnings += [f"{path.name}: {event} The grader restores check cells too, so an edit there "
                         "counts for nothing." for event in events]
            copies[name] = scratch / f"{name}.ipynb"
            copies[name].write_text(dumps_notebook(prepared), encoding="utf-8")
        status, records, output = mine.run(list(copies.values()), timeout, verbose=False)
        if not records:
            raise SubmitError(f"pytest could not run the notebooks (exit status {status}):\n{output}")
        for name, copy in copies.items():
            mine_records = {r["meta"].get("exercise"): r for r in records
                            if r["path"] == str(copy.resolve()) and r["meta"].get("kind") == "check"}
            verdicts[name] = {exercise: mine.verdict(mine_records.get(exercise)) for exercise in chapters[name].checks}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return verdicts, warnings


def report(found: dict, chapters: dict, verdicts: dict) -> list[str]:
    """Lines of the table: per chapter its points, then per exercise its points and verdict."""
    lines, earned_all, points_all = [], 0, 0
    for name, (path, _, _) in found.items():
        chapter = chapters[name]
        earned = sum(chapter.points[ex] for ex, (what, _) in verdicts[name].items() if what == "passed")
        earned_all, points_all = earned_all + earned, points_all + chapter.max_points
        lines.append(f"{name}  ({path})  {earned} / {chapter.max_points} points")
        width = max((len(ex) for ex in chapter.checks), default=0)
        for exercise, (what, why) in verdicts[name].items():
            reason = f": {why}" if why and what != "not implemented" else ""
            lines.append(f"  {exercise:<{width}}  {chapter.points[exercise]:>2}  {what}{reason}")
    lines.append(f"total: {earned_all} of {points_all} points on the public cases (the grader uses secret "
                 "cases, so only right code is sure to keep them)")
    return lines


def write_zip(found: dict, out: Path, force: bool) -> list[str]:
    """Write the zip of the notebooks as read at the start; warn about any changed on disk since."""
    files = [{"name": f"{name}.ipynb", "chapter": name, "source": str(path), "data": data}
             for name, (path, data, _) in found.items()]
    changed = [f"{path} changed on disk while mlp-lab submit ran; the zip holds the version that was "
               "checked: run mlp-lab submit again (with --force) to hand in the new one"
               for _, (path, data, _) in found.items() if not path.is_file() or path.read_bytes() != data]
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".mlp-lab-submission-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(zip_bytes(files))
        if force:
            os.replace(tmp, out)
        else:
            os.link(tmp, out)   # fails if ``out`` appeared meanwhile: never overwritten without --force
    except FileExistsError:
        raise SubmitError(f"{out} already exists; pass --force to replace it, or -o another name") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return changed


def parse_args(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mlp-lab submit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="DIR | NOTEBOOK",
                        help="the folder holding your chapters (default: this folder), or notebooks")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_ZIP,
                        help=f"the zip to write (default: {DEFAULT_ZIP})")
    parser.add_argument("--force", action="store_true", help="replace the zip if it exists")
    parser.add_argument("--chapters", nargs="+", metavar="NN",
                        help="the chapters your assignment covers, by number or name (default: all); "
                             "only these are reported missing")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per cell (default 300)")
    parser.add_argument("--released", type=Path, default=chapters_dir(),
                        help="the released chapters whose check cells count (default: the installed course)")
    return parser.parse_args(argv)


def expected_chapters(wanted: list[str] | None, chapters: dict) -> list[str]:
    """The chapter names ``wanted`` names (numbers or names), or all chapters; SubmitError if unknown."""
    if not wanted:
        return list(chapters)
    names = []
    for item in wanted:
        match = [name for name in chapters if name == item or name.split("_")[0] == item.zfill(2)]
        if not match:
            raise SubmitError(f"--chapters: {item!r} is not a chapter of the course ({', '.join(chapters)})")
        names += match
    return names


def submit(args: argparse.Namespace) -> int:
    if args.output.suffix != ".zip":
        raise SubmitError(f"{args.output}: the output must be a .zip file (e.g. {DEFAULT_ZIP})")
    if args.output.exists() and not args.force:
        raise SubmitError(f"{args.output} already exists; pass --force to replace it, or -o another name")
    chapters = load_chapters(args.released)
    expected = expected_chapters(args.chapters, chapters)
    found, warnings = find_notebooks(args.paths, chapters)
    found = dict(sorted(found.items()))
    print(f"mlp-lab submit: running {len(found)} notebook(s), each in a fresh kernel ...", flush=True)
    verdicts, check_warnings = run_chapters(found, chapters, args.timeout)
    print("\n".join(report(found, chapters, verdicts)) + "\n")
    warnings += check_warnings
    for name, (path, _, nb) in found.items():
        warnings += state_warnings(nb, path.name)
        warnings += changed_since_run(nb, {ex: what for ex, (what, _) in verdicts[name].items()}, path.name)
    missing = [name for name in expected if name not in found]
    if missing:
        warnings.append(f"chapters missing: {', '.join(missing)} (their exercises score zero if your assignment "
                        "covers them; --chapters names the ones it does)")
    warnings += write_zip(found, args.output, args.force)
    if warnings:
        print(f"{len(warnings)} warning(s):")
        print("\n".join(f"  - {w}" for w in warnings) + "\n")
    print(f"wrote {args.output}: {len(found)} notebook(s), as you saved them, and {MANIFEST}. Upload this file.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: 0 when the zip is written, 2 when nothing was."""
    args = parse_args(argv)
    try:
        return submit(args)
    except SubmitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
