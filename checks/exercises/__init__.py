"""One module per exercise: its cases, its judge (registered) and the ``check_<exercise>`` a notebook calls.

``checks/__init__.py`` imports every module here and exports its ``check_*`` functions.
"""
