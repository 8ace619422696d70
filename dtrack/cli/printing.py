"""How commands print: JSON made safe for a terminal, and the one line a changing command ends with."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from dtrack.i18n import t


def print_json(data) -> None:
    from dtrack.output.jsonout import dumps
    print_json_text(dumps(data))


def print_json_text(dumped: str) -> None:
    """JSON text as jsonout.dumps writes it, made safe for a terminal."""
    from dtrack.domain.text import json_safe
    sys.stdout.write(json_safe(dumped) + "\n")


def write_utf8(data: bytes) -> None:
    """UTF-8 text to standard output without decoding it first (main() makes stdout UTF-8)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None or (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") != "utf8":
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


def report_result(result, out_console=None, show_files: bool = False) -> None:
    """What a changing command did, in one line a change (its commit subject), and what it skipped.
    Without `out_console`, standard output."""
    for line in result.skipped:
        _message(line, out_console, "yellow")
    if result.warnings:
        from dtrack.output import render
        for line in result.warnings:
            render.message(t("warning: {message}", message=line), render.console(stderr=True), style="yellow")
    if result.changed:
        report_change(result.summary or ", ".join(result.changed), result.commit,
                      result.files if show_files else (), out_console)


def report_change(summary: str, commit: str | None, files=(), out_console=None) -> None:
    """The one line every changing command ends with: what it did, and its commit (or that there is none)."""
    if files:
        from dtrack.output.render import display_path
        summary = f"{summary} ({', '.join(display_path(p, Path.cwd()) for p in files)})"
    if commit:
        _message(t("{summary} — committed {commit}", summary=summary, commit=commit[:7]), out_console, "green")
    else:
        _message(t("{summary} — written, not committed", summary=summary), out_console, "green")


def _message(line: str, out_console, style: str) -> None:
    """render.message, or the same bytes without importing rich (~30 ms of a `done`) when standard output
    is not a terminal and nothing forces colours: rich then prints the text as it is (soft wrap)."""
    if out_console is None:
        if not stdout_is_terminal():
            from dtrack.domain.text import safe_display
            sys.stdout.write(safe_display(line) + "\n")
            return
        from dtrack.output import render
        out_console = render.console()
    from dtrack.output import render
    render.message(line, out_console, style=style)


def stdout_is_terminal() -> bool:
    """As rich decides it (TTY_COMPATIBLE, FORCE_COLOR, then isatty), without importing rich."""
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in ("0", "1"):
        return forced == "1"
    if os.environ.get("FORCE_COLOR") is not None:
        return os.environ["FORCE_COLOR"] != ""
    return _isatty(sys.stdout)


def table_or(given: str | None, as_json: bool, allowed: tuple[str, ...]) -> str:
    """The --format a listing command prints in: --json is json; without --format, a table on a
    terminal and tab-separated records (output/porcelain.py) for a pipe or a file."""
    from dtrack.errors import UsageError
    if as_json:
        if given not in (None, "json"):
            raise UsageError(t("--json and --format {value} ask for two formats; give one", value=given))
        return "json"
    if given is None:
        return "table" if stdout_is_terminal() else "tsv"
    if given not in allowed:
        raise UsageError(t("--format must be one of {allowed}", allowed=", ".join(allowed)))
    return given


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
