"""The one place where exceptions become a message and an exit code (as pip's base_command does).

Exit codes are part of the interface (dtrack/errors.py): 1 general, 2 usage, 3 reference, 4 data,
5 git, 6 busy, 70 internal, 130 interrupted. A user error is one line `dtrack: error: ...` on
stderr; a usage error adds one line saying where the help is; nothing prints a traceback unless
DTRACK_DEBUG asks for it.
"""
from __future__ import annotations

import sys
from typing import Callable

import typer

from dtrack.cli import usage_text
from dtrack.errors import DtrackError
from dtrack.i18n import t

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
# typer >= 0.28 vendors click; take click's exception types from wherever typer gets them.
click_exceptions = sys.modules[typer.BadParameter.__module__]
_ABORT = tuple({typer.Abort, getattr(click_exceptions, "Abort", typer.Abort)})


def run(call: Callable[[], object], debug: bool = False) -> int:
    """Run `call` (the command line, parsed and invoked without click's own error handling) and
    return its exit code; with `debug` (DTRACK_DEBUG) an unexpected error shows its traceback."""
    try:
        code = call()
        return code if isinstance(code, int) else 0
    except DtrackError as e:
        _report(e.message, e.hint)
        return e.exit_code
    except click_exceptions.UsageError as e:
        _report(usage_text.message(e), None)
        _hint_line(t("Try '{command} --help'.", command=_command_path(e)))
        return e.exit_code
    except click_exceptions.ClickException as e:
        _report(e.format_message(), None)
        return e.exit_code
    except _ABORT:
        _hint_line(t("Aborted!"))
        return 1
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OSError as e:
        if debug:
            raise
        where = f"{e.filename}: " if e.filename else ""
        _report(t("{where}{error}", where=where, error=e.strerror or e), None)
        return 1
    except Exception as e:  # noqa: BLE001 - the last line of defence against tracebacks
        if debug:
            raise
        _report(t("internal error ({kind}: {error})", kind=type(e).__name__, error=e),
                t("Run again with DTRACK_DEBUG=1 to see the traceback, and report it."))
        return EXIT_INTERNAL


def _command_path(e) -> str:
    ctx = getattr(e, "ctx", None)
    return ctx.command_path if ctx is not None else "dtrack"


def _report(message: str, hint: str | None) -> None:
    """render.error shows control characters visibly: click echoes the user's words ("No such command ...")."""
    from dtrack.output import render
    render.error(message, hint, render.console(stderr=True))


def _hint_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
