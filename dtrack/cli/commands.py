"""Registers the command modules of each area on the app (imported at the end of cli.py).

One line per area keeps merges trivial: list/show/done/reopen are in cli.py itself.
"""
from dtrack.cli import supervise as cli_supervise  # noqa: F401  check, schema, report, log, remind
from dtrack.cli import lifecycle as cli_lifecycle  # noqa: F401  init, add, add-task, edit, extend, cancel
from dtrack.cli import export as cli_export  # noqa: F401  dtrack export-ics
from dtrack.cli import importing as cli_import  # noqa: F401  import
