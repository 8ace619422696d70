"""The one way dtrack changes a store: every writing command (done, reopen, extend, cancel, add,
add-task, edit, import, init, and any later one) runs inside a transaction.

    with transaction.open(store.root, commit=True) as tx:
        raw = tx.read(path)                     # the bytes the change starts from, read under the lock
        tx.write(path, new, before=raw)         # before=None: a new file, which must not exist yet
        result.commit = tx.finish(Message("done 1502#2 ...", "done", ["1502-UBND-KGVX#2"], [note]))

`open` takes the store lock (lock.py: another dtrack waits, then stops with exit 6 having written
nothing); when it commits into git it also refuses, before anything is written, a git lock in the way
and an unfinished merge, rebase, cherry-pick or revert, and finishes an interrupted earlier change
(journal.py). `finish`, still under the lock, checks that every file holds the bytes the command read
(else nothing is written), records the journal, writes every file atomically (all or none) and makes
ONE commit of exactly those files, its message built by commitmsg.py. With commit=False the lock,
the checks of the files and the all-or-none write stay; there is no journal and no commit.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from dtrack.errors import BusyError, DataError, DtrackError, UsageError
from dtrack.i18n import t
from dtrack.store import files as store_mod
from dtrack.store import gitops, journal, lock
from dtrack.store.commitmsg import Message

__all__ = ["Message", "Transaction", "open"]


@dataclass
class _Write:
    path: Path
    before: bytes | None       # what the command read (None: the file is new)
    after: bytes
    commit: bytes | None       # what to commit when it differs from `after` (ops._committed_version)


class Transaction:
    def __init__(self, root: Path, repo: Path | None):
        self.root = root
        self.repo = repo                    # None: no commit (--no-commit, or a store outside git)
        self.warnings: list[str] = []
        self._writes: dict[Path, _Write] = {}
        self._head: tuple[str | None, dict[str, bytes | None]] | None = None

    def read(self, path: Path, shown: str | None = None) -> bytes:
        """The file's bytes, as the loader would accept them (DataError naming `shown`:line otherwise)."""
        try:
            raw = store_mod.read_bytes(path)
            store_mod.decode(raw)
        except store_mod._Unreadable as e:
            raise DataError(t("{path}:{line}: {message}", path=shown or path, line=e.line, message=e.message)) from None
        return raw

    def committed(self, paths: Iterable[Path]) -> dict[Path, bytes | None]:
        """Each file as HEAD has it (None: not committed); {} paths without a commit to make. One git process."""
        if self.repo is None:
            return {}
        paths = list(paths)
        rels = [gitops.repo_path(self.repo, p) for p in paths]
        self._head = gitops.committed(self.repo, rels)
        return {p: self._head[1][rel] for p, rel in zip(paths, rels)}

    def write(self, path: Path, data: bytes, *, before: bytes | None, commit: bytes | None = None) -> None:
        """Stage `path` to hold `data`; `before` is what the command read (None: the file must not exist)."""
        if len(data) > store_mod.MAX_FILE_BYTES:
            # The loader refuses such a file: written, it would take the directive out of the store.
            raise DataError(t("{path}: the change would make the file {size} MB, more than dtrack reads ({max} MB); "
                              "nothing was written: split the directive or shorten its texts", path=path,
                              size=f"{len(data) / (1024 * 1024):.1f}", max=store_mod.MAX_FILE_BYTES // (1024 * 1024)))
        if self.repo is not None:
            _check_git_name(gitops.repo_path(self.repo, path))
        self._writes[path] = _Write(path, before, data, commit)

    def finish(self, message: Message) -> str | None:
        """Write everything staged and commit it; the commit id, or None without a commit."""
        writes = list(self._writes.values())
        self._writes = {}
        if not writes:
            return None
        journal.sweep(self.root, [w.path for w in writes])
        for w in writes:
            _check_unchanged(w)
        if self.repo is None:
            _write_all(writes, self.root, None)
            return None
        text = message.text()
        rels = [gitops.repo_path(self.repo, w.path) for w in writes]
        if self._head is None or any(rel not in self._head[1] for rel in rels):
            self.committed(w.path for w in writes)
        parent, bases = self._head
        files = {rel: w.after if w.commit is None else w.commit for rel, w in zip(rels, writes)}
        record = journal.begin(self.root, self.repo, text, [
            journal.Entry(w.path, rel, w.before, w.after, files[rel], bases[rel]) for rel, w in zip(rels, writes)])
        _write_all(writes, self.root, record)
        try:
            commit = gitops.commit_files(self.repo, files, text, parent=parent)
        except DtrackError as e:
            e.hint = ((e.hint + " ") if e.hint else "") + t(
                "The change is written but not committed; the next dtrack command that changes the store "
                "will commit it.")
            raise
        journal.end(self.root)
        return commit


@contextmanager
def open(root: Path, *, commit: bool = True, timeout: float | None = None) -> Iterator[Transaction]:  # noqa: A001
    """A transaction on the store at `root`, holding its lock for the block (BusyError after `timeout`
    seconds of waiting; None: lock.DEFAULT_TIMEOUT). Nothing is written unless `finish` is called."""
    with lock.store_lock(root, lock.DEFAULT_TIMEOUT if timeout is None else timeout):
        repo = gitops.find_repo(root) if commit else None
        tx = Transaction(root, repo)
        if repo is not None:
            gitops.check_unlocked(repo)
            gitops.check_no_operation(repo)
            tx.warnings += journal.recover(root)
        yield tx


def _check_git_name(rel: str) -> None:
    """Refuse, where it enters a change, a name git cannot record (it would fail half-way through the commit)."""
    parts = rel.split("/")
    if "\0" in rel or any(p in ("", ".", "..") or p.lower() == ".git" for p in parts):
        raise DataError(t("{path}: git cannot record a file of this name; nothing was written", path=rel),
                        hint=t("Rename the file (or the folder), then run the command again."))


def _check_unchanged(w: _Write) -> None:
    """Under the lock: the file still holds what the command read, so no hand edit is overwritten."""
    try:
        current = w.path.read_bytes()
    except FileNotFoundError:
        current = None
    if current == w.before:
        return
    if w.before is None:
        raise UsageError(t("{path} already exists; nothing was written", path=w.path))
    raise BusyError(t("{path} changed on disk while dtrack was working; nothing was written", path=w.path),
                    hint=t("Run the command again."))


def _write_all(writes: list[_Write], root: Path, record: dict | None) -> None:
    """Write every file or none: if one write fails, the files already written get their old bytes back
    (a new file is removed) and the journal goes."""
    done: list[_Write] = []
    try:
        for i, w in enumerate(writes):
            if record is not None and i:
                journal.started(root, record, i + 1)
            if w.before is None:
                w.path.parent.mkdir(parents=True, exist_ok=True)
                if w.path.exists():
                    _check_unchanged(w)
            store_mod.write_atomic(w.path, w.after, expected=w.before, root=root)
            done.append(w)
        if record is not None and writes[-1].before is None:
            journal.written(root, record, len(writes))
    except BaseException:
        for w in reversed(done):
            try:
                if w.before is None:
                    if w.path.read_bytes() == w.after:
                        w.path.unlink()
                else:
                    store_mod.write_atomic(w.path, w.before, expected=w.after, root=root)
            except (OSError, DtrackError):
                pass
        journal.end(root)
        raise

