"""Where the course lives: its notebooks (in a source checkout or an installed wheel) and its source.

``chapters_dir()`` is the one place that answers "where are the chapters?": the repository's
``chapters/`` in a checkout (and an editable install), ``checks/chapters/`` inside an installed
wheel (``pyproject.toml`` maps the one onto the other). ``INSTALL_SOURCE`` is the one place that says
where the package is published: the first code cell of every chapter installs it from there when
``mlp_lab`` is missing (Colab, or a Jupyter without the course); a test keeps the chapters in step.
"""

from __future__ import annotations

from pathlib import Path

# What `pip install` is given in a kernel without the course. To publish elsewhere, change this line,
# then the same text in each chapters/solutions/*.ipynb first cell (tests/test_notebook_hygiene.py
# names any chapter that disagrees), and run `mlp-lab release`.
INSTALL_SOURCE = "mlp-lab @ git+https://github.com/mlp-lab/mlp-lab"


def install_cell_lines() -> list[str]:
    """The lines that open every chapter's first code cell: install the package when it is missing."""
    return ["import importlib.util",
            "",
            'if importlib.util.find_spec("mlp_lab") is None:   # Colab, or a Jupyter without the course',
            '    print("Installing the course package mlp-lab (once per session) ...")',
            f'    %pip install --quiet "{INSTALL_SOURCE}"']

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def chapters_dir() -> Path:
    """Folder with the learner notebooks ``NN_slug.ipynb`` and ``solutions/NN_slug.ipynb``."""
    installed = PACKAGE / "chapters"
    return installed if installed.is_dir() else CHECKOUT / "chapters"


def source_checkout() -> Path | None:
    """The repository root when running from a source checkout (where releases are written), else None."""
    is_checkout = (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "chapters" / "solutions").is_dir()
    return CHECKOUT if is_checkout else None


def package_version() -> str:
    """The installed mlp-lab's version, as manifests and grading records note it."""
    from importlib import metadata

    try:
        return metadata.version("mlp-lab")
    except metadata.PackageNotFoundError:
        return "not installed"
