"""The store lock: one dtrack process at a time changes a store.

Every command that writes a store file or commits takes this lock around its whole
read-modify-write-commit section (`transaction.open` does, and every writing command goes
through it), so two terminals or a script
marking tasks of the same directive never lose an update.

The lock is an OS lock on a file in the store's cache folder (`.git/dtrack/lock` in a git
repository, outside git's view): `fcntl.flock` on Linux and macOS, `msvcrt.locking` on
Windows. The OS drops it when the process ends, however it ends (even SIGKILL or a power
cut), so there is never a stale dtrack lock to clean up by hand.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from dtrack.errors import BusyError
from dtrack.i18n import t

LOCK_NAME = "lock"
DEFAULT_TIMEOUT = 10.0          # seconds; the CLI passes DTRACK_LOCK_TIMEOUT (config.lock_seconds) instead
_POLL = 0.05

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path(root: Path) -> Path:
    from dtrack.store.files import cache_dir
    return cache_dir(root) / LOCK_NAME


_local = threading.local()      # the locks this thread holds: re-entrant per thread, not per process


def _held() -> set:
    if not hasattr(_local, "held"):
        _local.held = set()
    return _local.held


@contextmanager
def store_lock(root: Path, timeout: float | None = None) -> Iterator[Path]:
    """Hold the store's lock for the block; BusyError (exit 6) after `timeout` seconds of waiting.

    Re-entrant within one process (a use-case may call another), so nested blocks do not deadlock.
    """
    path = lock_path(root)
    if path in _held():
        yield path
        return
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise BusyError(
                    t("another dtrack is changing this store (waited {seconds} s for {path})",
                      seconds=f"{timeout:g}", path=path),
                    hint=t("Run the command again when it has finished, or wait longer with "
                           "DTRACK_LOCK_TIMEOUT=60."))
            time.sleep(_POLL)
        _held().add(path)
        try:
            # Who holds it, for a person looking at the folder; the OS lock is what counts.
            # Fixed width and no truncation: Windows refuses to shrink a file under a byte lock.
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid():<12}\n".encode("ascii"))
            yield path
        finally:
            _held().discard(path)
            _unlock(fd)
    finally:
        os.close(fd)
