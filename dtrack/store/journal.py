"""Interrupted changes: a change that was written to the store but killed before its git commit.

A command that commits writes a journal (`pending.json` in the store's cache folder, `.git/dtrack/`)
before it writes any store file, and deletes it after the commit. If the process dies in between
(SIGKILL, power cut, closed terminal), the next command that changes the store - under the store
lock - finds the journal and finishes the job: it writes the files that were not written yet and
makes the commit, with the original message and a `Dtrack-Recovered: yes` trailer, so the audit
trail in git never silently misses a change that the files show.

The journal keeps each file's bytes before (None: a new file), in the work tree after, and as
committed after (they differ when the user had other uncommitted edits in the file: see
ops._committed_version), and how many files' writes have started: it is saved again before each
write after the first. So the next command can tell "not written yet" (write it) from "written,
then put back by the user" (a `git checkout -- file`, `git restore`, `git reset --hard`, `git stash`:
never written again); a new file missing when its write was the one under way was not written yet,
unless the journal says that write was done (saved once more when the last file is a new one): then
the clerk deleted it (`git clean`, rm) and it is not written again either. A file that holds
neither dtrack's "before" nor its "after" was edited by hand: nothing is done to it. In both cases
the whole change is dropped, with a warning that says what to check.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from dtrack.errors import GitError
from dtrack.store import commitmsg
from dtrack.store import gitops
from dtrack.store import files as store_mod
from dtrack.i18n import t

JOURNAL_NAME = "pending.json"
TRAILER_RECOVERED = commitmsg.RECOVERED


@dataclass
class Entry:
    path: Path            # absolute path of the store file
    rel_repo: str         # the same file, relative to the repository (what is committed)
    before: bytes | None  # the file as dtrack read it (None: dtrack creates it)
    after: bytes          # the file as dtrack writes it
    commit: bytes         # the file as dtrack commits it
    base: bytes | None    # the file in HEAD when dtrack started (None: not committed yet)


def journal_path(root: Path) -> Path:
    return store_mod.cache_dir(root) / JOURNAL_NAME


def _b(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _unb(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def begin(root: Path, repo: Path, message: str, entries: list[Entry], started: int = 1) -> dict:
    """Record the change before its first write; `started` files (in order) may be written from now on."""
    path = journal_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": 2, "repo": str(repo), "message": message, "started": started,
            "files": [{"path": str(e.path), "rel_repo": e.rel_repo, "before": _b(e.before), "after": _b(e.after),
                       "commit": _b(e.commit), "base": _b(e.base)} for e in entries]}
    _save(root, data)
    return data


def started(root: Path, data: dict, count: int) -> None:
    """Record, before it happens, that the write of file number `count` (from 1) starts."""
    data["started"] = count
    _save(root, data)


def written(root: Path, data: dict, count: int) -> None:
    """Record that the first `count` files are written. Needed only when the last one is new: missing, it
    could otherwise be a write the kill stopped as well as a file the clerk deleted since."""
    data["written"] = count
    _save(root, data)


def _save(root: Path, data: dict) -> None:
    # Atomic, so that a kill leaves either no journal or a whole one.
    store_mod.write_atomic(journal_path(root), json.dumps(data).encode("utf-8"))


def end(root: Path) -> None:
    try:
        os.unlink(journal_path(root))
    except FileNotFoundError:
        pass


def sweep(root: Path, paths: list[Path]) -> None:
    """Delete temp files that killed writes left beside `paths` and beside the journal. Call under the lock."""
    for path in [*paths, journal_path(root)]:
        for tmp in store_mod.stale_temps(path):
            try:
                os.unlink(tmp)
            except OSError:
                pass


def recover(root: Path) -> list[str]:
    """Finish an interrupted change, if there is one; returns what to tell the user. Call under the lock."""
    path = journal_path(root)
    try:
        data = json.loads(path.read_bytes())
        repo = Path(data["repo"])
        message = data["message"]
        # A version 1 journal (dtrack before the step record) may have written any of its files.
        begun = int(data.get("started", len(data["files"])))
        done = int(data.get("written", 0))
        entries = [Entry(Path(f["path"]), f["rel_repo"], _unb(f["before"]), _unb(f["after"]), _unb(f["commit"]),
                         _unb(f["base"])) for f in data["files"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError):
        end(root)
        return [t("an unreadable record of an interrupted dtrack change was removed ({path}); check 'git status'",
                  path=path)]
    sweep(root, [e.path for e in entries])
    subject = message.splitlines()[0] if message else "?"

    todo_write = []
    for i, e in enumerate(entries):
        current = _current(e.path)
        if current == e.after:
            continue
        # Not written yet: past the writes that had started; or a file dtrack creates whose write was
        # the one under way and not recorded as done (a change that creates several, as init does,
        # would otherwise leave the ones already written outside any commit).
        if current == e.before and (i >= begun or (e.before is None and i == begun - 1 and i >= done)):
            todo_write.append(e)
            continue
        end(root)
        if current is None and e.before is None:
            return [t("an interrupted dtrack change ({subject}) was dropped: {path}, which it created, was deleted "
                      "since, so it is not written again; run the command again if the change is still wanted",
                      subject=subject, path=e.path)]
        if current == e.before:
            return [t("an interrupted dtrack change ({subject}) was dropped: {path} holds its old content again "
                      "(put back after dtrack wrote it), so it is not written again; run the command again if the "
                      "change is still wanted", subject=subject, path=e.path)]
        return [t("an interrupted dtrack change ({subject}) was not finished: {path} was edited since; "
                  "check it with 'git diff' and commit by hand if needed", subject=subject, path=e.path)]
    for e in todo_write:
        if e.before is None:
            e.path.parent.mkdir(parents=True, exist_ok=True)
        store_mod.write_atomic(e.path, e.after, expected=e.before, root=repo)

    todo = {}
    for e in entries:
        committed = gitops.committed_bytes(repo, e.rel_repo)
        if committed == e.commit:
            continue
        if committed != e.base:
            end(root)
            return [t("an interrupted dtrack change ({subject}) was written but not committed, and {path} was "
                      "committed differently since; check 'git diff' and commit by hand if needed",
                      subject=subject, path=e.rel_repo)]
        todo[e.rel_repo] = e.commit
    note = None
    try:
        if todo:
            commit = gitops.commit_files(repo, todo, commitmsg.with_trailer(message, TRAILER_RECOVERED, "yes"))
            note = t("finished an interrupted dtrack change: {subject} (committed {commit})", subject=subject,
                     commit=commit[:10])
        else:
            gitops.sync_index(repo, {e.rel_repo: e.commit for e in entries})
    except GitError as e:
        # Kept, this record would stop every later change with the same error.
        note = t("an interrupted dtrack change ({subject}) is written but could not be committed ({error}); "
                 "check 'git status' and commit by hand", subject=subject, error=e.message)
    end(root)
    return [note] if note else []


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
