"""Gradescope autograder bundles: ``build`` writes autograder.zip, ``run`` is what it runs per submission."""


def main(argv=None) -> int:
    """The builder's command line, ``python -m checks.gradescope.build`` (see ``build.py``)."""
    from .build import main as build_main
    return build_main(argv)
