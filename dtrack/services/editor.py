"""Open the user's editor ($VISUAL, $EDITOR; Notepad on Windows, vi elsewhere) on a file, at a line
when the editor has a way to say so, and loop until what was saved validates.

The user edits a copy in a temporary folder, never the store's file: a crash, a closed terminal or
an invalid save leaves the real file as it was.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from dtrack.errors import DataError, DtrackError, UsageError
from dtrack.i18n import t

_PLUS_LINE = {"vi", "vim", "nvim", "gvim", "view", "nano", "pico", "emacs", "emacsclient", "micro", "kak", "joe",
              "jed", "mcedit", "ne", "mg", "gedit", "kate", "geany"}
_CODE = {"code", "code-insiders", "codium", "cursor"}
_COLON_LINE = {"subl", "sublime_text", "zed"}
HEADER = "# dtrack: "


def command(path: Path, line: int | None, environ=os.environ) -> list[str]:
    raw = environ.get("VISUAL") or environ.get("EDITOR") or ("notepad" if os.name == "nt" else "vi")
    argv = [a.strip('"') for a in shlex.split(raw, posix=os.name != "nt")]
    if not argv:
        raise UsageError(t("$EDITOR is empty"), hint=t("Set EDITOR to your editor, e.g. EDITOR=nano."))
    name = Path(argv[0]).name.lower().removesuffix(".exe").removesuffix(".cmd")
    if line and name in _PLUS_LINE:
        return [*argv, f"+{line}", str(path)]
    if name in _CODE:
        wait = [] if {"-w", "--wait"} & set(argv) else ["--wait"]
        return [*argv, *wait, "-g", f"{path}:{line or 1}"]
    if name in _COLON_LINE:
        wait = [] if {"-w", "--wait"} & set(argv) else ["--wait"]
        return [*argv, *wait, f"{path}:{line or 1}"]
    if line and name == "notepad++":
        return [*argv, f"-n{line}", str(path)]
    return [*argv, str(path)]


def run(path: Path, line: int | None) -> None:
    argv = command(path, line)
    try:
        code = subprocess.call(argv)
    except FileNotFoundError:
        raise UsageError(t("editor '{editor}' not found", editor=argv[0]),
                         hint=t("Set EDITOR to an editor you have, e.g. EDITOR=nano.")) from None
    if code != 0:
        raise UsageError(t("the editor exited with code {code}; nothing was written", code=code))


def _strip_header(text: str) -> str:
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].startswith(HEADER):
        i += 1
    return "".join(lines[i:])


def edit_until_valid(initial: bytes, name: str, check: Callable[[bytes], None], *, line: int | None = None,
                     report: Callable[[str], None] = lambda s: print(s, file=sys.stderr)) -> bytes | None:
    """Let the user edit `initial` (as a file called `name`) until `check` accepts it.

    Returns the accepted bytes, or None when the file was saved unchanged. After a rejected save
    the editor re-opens with the error in comment lines at the top (removed again afterwards);
    saving that unchanged gives up, with nothing written.
    """
    from dtrack.store import files as store_mod
    from dtrack.store.yamledit import Doc
    doc = Doc.decode(initial)
    given = initial
    with tempfile.TemporaryDirectory(prefix="dtrack-edit-") as folder:
        path = Path(folder) / name
        error = None
        while True:
            path.write_bytes(given)
            run(path, line)
            saved = path.read_bytes()
            if saved == given and error is None:
                return None if saved == initial else saved
            if saved == given:
                raise DataError(t("{error}; nothing was written", error=error))
            try:
                # The store's own reading rules first: an editor that saved in the Windows code page, or
                # a file past the size dtrack reads, was exit 70 and the clerk's edit lost with the copy.
                store_mod.decode(saved)
            except store_mod._Unreadable as e:
                error, text = (f"{name}:{e.line}: {e.message}" if e.line else f"{name}: {e.message}"), None
            else:
                text = Doc.decode(saved)
                stripped = _strip_header(text.text)
                body = Doc(stripped, text.bom, text.newline).encode()
                try:
                    check(body)
                    return body
                except DtrackError as e:
                    error = e.message
            report(t("dtrack: error: {error} (the editor opens again; save it unchanged to give up)", error=error))
            if text is None:            # not text dtrack reads: the clerk's bytes, as saved, below the error
                given, line = _header(error, doc.newline).encode("utf-8") + saved, None
            else:
                given = Doc(_header(error, doc.newline) + stripped, text.bom, text.newline).encode()
                line = None if line is None else line + 2


def _header(error: str, newline: str) -> str:
    """The comment lines that tell, at the top of the re-opened file, why the save was refused."""
    return "".join(f"{HEADER}{x}{newline}" for x in (
        t("error: {error}", error=error),
        t("Fix it and save, or save unchanged to give up. These lines are removed."),))
