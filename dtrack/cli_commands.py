"""Registers the command modules of each area on the app (imported at the end of cli.py).

One line per area keeps merges trivial: list/show/done/reopen are in cli.py itself.
"""
from . import cli_import  # noqa: F401  (dtrack import)
