"""Registration of the task-level merge driver (store/mergefile.py) in a clone: the attribute in the
store folder's .gitattributes, committed so that every clone has it, and the driver command in the
repository's config, which git never copies between clones (so each clone runs `dtrack setup-merge`,
or `dtrack init`, once)."""
from __future__ import annotations

import sys
from pathlib import Path

from dtrack.store import gitops

DRIVER = "dtrack"
ATTRIBUTES = """\
# dtrack: directive files are merged task by task ('dtrack merge-file'), so that two clerks who change
# different fields of one task never get a conflict. Each clone registers the driver: dtrack setup-merge
*.yaml merge=dtrack
*.yml merge=dtrack
"""


def driver_command(python: str | None = None) -> str:
    python = python or Path(sys.executable).as_posix()
    # git runs it with sh (git-bash on Windows). If this Python or dtrack is gone (reinstalled elsewhere),
    # git's own line merge runs instead: a driver that fails without writing would leave ours alone, and
    # theirs would be lost without a conflict marker. Exit 1 is the driver's "conflict", kept as it is.
    return (f'"{python}" -m dtrack merge-file %O %A %B %P || {{ [ $? -eq 1 ] && exit 1; '
            f'git merge-file -L ours -L base -L theirs %A %O %B; }}')


def attributes_needed(current: bytes | None) -> bytes | None:
    """The store's .gitattributes with the driver's lines, or None when it already names the driver."""
    if current is not None and f"merge={DRIVER}".encode() in current:
        return None
    if not current:
        return ATTRIBUTES.encode("utf-8")
    newline = b"\r\n" if b"\r\n" in current else b"\n"
    body = current if current.endswith((b"\n", b"\r")) else current + newline
    return body + ATTRIBUTES.encode("utf-8").replace(b"\n", newline)


def configure(repo: Path) -> bool:
    """Set the driver in the repository's config; whether it changed."""
    want = driver_command()
    try:
        have = gitops.run(repo, "config", "--local", "--get", f"merge.{DRIVER}.driver").strip()
    except Exception:       # noqa: BLE001 - git config --get exits 1 when the key is unset
        have = ""
    if have == want:
        return False
    gitops.run(repo, "config", "--local", f"merge.{DRIVER}.name", "dtrack: merge directive files task by task")
    gitops.run(repo, "config", "--local", f"merge.{DRIVER}.driver", want)
    return True
