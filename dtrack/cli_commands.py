"""Registers the command modules of each area on the app (imported at the end of cli.py).

One line per area keeps merges trivial: list/show/done/reopen are in cli.py itself.
"""
from . import cli_supervise  # noqa: F401  check, schema, report, log, remind
from . import cli_lifecycle  # noqa: F401  init, add, add-task, edit, extend, cancel
from . import cli_export  # noqa: F401  dtrack export-ics
from . import cli_import  # noqa: F401  import
