"""`dtrack sync`: the clerk's whole exchange with the office's git server in one command.

    fetch -> integrate (rebase the local commits onto the server's, or --merge) -> push

under the store lock, so no other dtrack command writes meanwhile. A push refused because the server
moved in between is retried from the fetch, a bounded number of times. An unreachable server stops
it with the local commits untouched. A conflict the task-level merge driver (store/mergefile.py)
could not settle leaves git's merge or rebase in progress: `dtrack resolve` settles each task, and
`dtrack sync` run again finishes the operation and pushes. What came in is then told per task, from
the Dtrack-* trailers of the incoming commits; commits without them are counted as hand edits.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from dtrack.errors import BusyError, GitError, UsageError
from dtrack.i18n import t
from dtrack.store import commitmsg, gitops, journal, lock, mergefile

ATTEMPTS = 5
# What git prints when the server has commits the push lacks (a race with another clerk).
_MOVED = ("fetch first", "non-fast-forward", "[rejected]", "stale info", "cannot lock ref")


@dataclass
class Incoming:
    commit: str
    author: str
    action: str | None
    refs: tuple[str, ...]
    files: int


@dataclass
class SyncResult:
    remote: str
    branch: str
    incoming: list[Incoming] = field(default_factory=list)
    pushed: int = 0
    attempts: int = 0
    warnings: list[str] = field(default_factory=list)


class Offline(GitError):
    """The server cannot be reached: nothing was lost, run sync again later."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "GIT_MERGE_AUTOEDIT": "no"}
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, env=env)


def _err(proc: subprocess.CompletedProcess) -> str:
    text = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {proc.returncode}"


def _branch(repo: Path) -> str:
    """The branch being synced, also while a rebase has HEAD detached."""
    folder = gitops.git_dir(repo)
    for name in ("rebase-merge", "rebase-apply"):
        try:
            return (folder / name / "head-name").read_text(encoding="utf-8").strip().removeprefix("refs/heads/")
        except OSError:
            pass
    proc = _git(repo, "symbolic-ref", "-q", "--short", "HEAD")
    if proc.returncode != 0:
        raise UsageError(t("HEAD is not on a branch, so there is nothing to sync"),
                         hint=t("Go back to your branch (git switch main), then run 'dtrack sync' again."))
    return proc.stdout.decode("utf-8").strip()


def _upstream(repo: Path) -> tuple[str, str]:
    """The remote and the branch on it that this branch syncs with."""
    branch = _branch(repo)
    proc = _git(repo, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
    if proc.returncode == 0:
        remote_branch = proc.stdout.decode().strip()
        remote = gitops.run(repo, "config", "--get", f"branch.{branch}.remote").strip()
        return remote, remote_branch[len(remote) + 1:]
    remotes = gitops.run(repo, "remote").split()
    if not remotes:
        raise UsageError(t("this store has no git server to sync with (no git remote)"),
                         hint=t("Add the office's server once: git remote add origin URL"))
    return ("origin" if "origin" in remotes else remotes[0]), branch


def _offline(remote: str, repo: Path, proc: subprocess.CompletedProcess, ahead: int) -> Offline:
    url = _git(repo, "remote", "get-url", remote).stdout.decode("utf-8", "replace").strip()
    return Offline(t("cannot reach the git server '{remote}' ({url}): {error}", remote=remote, url=url,
                     error=_err(proc)),
                   hint=t("Your {n} local commit(s) are kept; run 'dtrack sync' again when the server can be "
                          "reached.", n=ahead))


def _count(repo: Path, spec: str) -> int:
    proc = _git(repo, "rev-list", "--count", spec)
    return int(proc.stdout or 0) if proc.returncode == 0 else 0


def _ahead(repo: Path, tracking: str) -> int:
    return _count(repo, f"{tracking}..HEAD") if _sha(repo, tracking) else _count(repo, "HEAD")


def _dirty(repo: Path, store: str) -> list[str]:
    # -z: one NUL-terminated "XY name" per file, the name unquoted (core.quotepath wrote "2024/b\341...").
    out = gitops.run(repo, "status", "--porcelain", "-z", "--no-renames", "--untracked-files=no", "--", store)
    return [entry[3:] for entry in out.split("\0") if entry.strip()]


def _operation(repo: Path) -> str | None:
    folder = gitops.git_dir(repo)
    if (folder / "MERGE_HEAD").exists():
        return "merge"
    if (folder / "rebase-merge").exists() or (folder / "rebase-apply").exists():
        return "rebase"
    return None


def conflicts(repo: Path) -> list[tuple[str, int, int | None]]:
    """(file, line, task n) of each conflict left in the files git has as unmerged."""
    out = gitops.run(repo, "diff", "--name-only", "--diff-filter=U", "-z")
    found = []
    for rel in filter(None, out.split("\0")):
        try:
            text = (repo / rel).read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        blocks = mergefile.conflicted_tasks(text)
        found += [(rel, line, n) for line, n in blocks] or [(rel, 1, None)]
    return found


def _stuck(repo: Path) -> UsageError:
    where = "; ".join(f"{rel}:{line}" + (t(" task {ref}", ref=f"{Path(rel).stem}#{n}") if n is not None else "")
                      for rel, line, n in conflicts(repo))
    return UsageError(t("the sync stopped on a conflict: {where}", where=where),
                      hint=t("Keep one version of each task with 'dtrack resolve REF --ours' or '--theirs', then "
                             "run 'dtrack sync' again (or give up the sync with 'git rebase --abort' / "
                             "'git merge --abort'); your commits are kept."))


def _pending(repo: Path, operation: str) -> tuple[list[str], str | None]:
    """What the stopped sync was bringing in: (the commits the clerk had, the server's commit)."""
    folder = gitops.git_dir(repo)
    read = lambda name: (folder / name).read_text(encoding="utf-8").strip() if (folder / name).exists() else None  # noqa: E731
    if operation == "merge":
        return [x for x in (_sha(repo, "HEAD"),) if x], read("MERGE_HEAD")
    for name in ("rebase-merge", "rebase-apply"):
        if (folder / name).exists():
            return [x for x in (read(f"{name}/orig-head"),) if x], read(f"{name}/onto")
    return [], None


def _inside_git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """git's rebase or merge, marked so that a kill inside it is known to the next sync (gitops.sync_mark)."""
    mark = gitops.sync_mark(repo)
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.write_bytes(b"")
    try:
        return _git(repo, *args)
    finally:
        mark.unlink(missing_ok=True)


def _undo_killed(repo: Path, operation: str | None) -> str | None:
    """A sync killed inside git's rebase or merge left it half made: undo it (the branch still holds the
    clerk's commits) so that this sync starts over. Returns the warning, None when there was none."""
    mark = gitops.sync_mark(repo)
    if not mark.exists():
        return None
    if operation:
        incoming = _pending(repo, operation)[1]
        proc = _git(repo, operation, "--abort")
        if proc.returncode != 0:
            raise GitError(t("git {command} failed: {error}", command=f"{operation} --abort", error=_err(proc)))
        if incoming:
            _drop_leftovers(repo, incoming)
    mark.unlink(missing_ok=True)
    return t("an interrupted 'dtrack sync' was undone (git {operation} --abort) and is started over",
             operation=operation) if operation else None


def _drop_leftovers(repo: Path, incoming: str) -> None:
    """Files a checkout cut short wrote before git's index knew them: untracked now, they would stop the
    sync started over ("could not detach HEAD"). Only those holding exactly the incoming commit's bytes
    go (the sync brings them back the same); any other untracked file is the clerk's and stays."""
    names = [n for n in gitops.run(repo, "ls-files", "-o", "-z").split("\0") if n]
    if not names:
        return
    proc = subprocess.run(["git", "ls-tree", "-r", "-z", incoming, "--", *names], cwd=repo, capture_output=True)
    for record in filter(None, proc.stdout.split(b"\0")):
        info, _, name = record.partition(b"\t")
        rel = name.decode("utf-8", "surrogateescape")
        path = repo / rel
        blob = subprocess.run(["git", "cat-file", "blob", info.split()[2].decode()], cwd=repo, capture_output=True)
        if path.is_file() and not path.is_symlink() and path.read_bytes() == blob.stdout:
            path.unlink()


def _continue(repo: Path, operation: str) -> None:
    if conflicts(repo):
        raise _stuck(repo)
    proc = _inside_git(repo, "rebase", "--continue") if operation == "rebase" else _inside_git(repo, "commit", "--no-edit")
    if proc.returncode != 0:
        if _operation(repo) and conflicts(repo):
            raise _stuck(repo)
        raise GitError(t("git {command} failed: {error}", command=operation, error=_err(proc)))


def _integrate(repo: Path, upstream: str, merge: bool) -> None:
    if merge:
        proc = _inside_git(repo, "merge", "--no-edit", upstream)
    else:
        proc = _inside_git(repo, "rebase", upstream)
    if proc.returncode != 0:
        if _operation(repo):
            raise _stuck(repo)
        raise GitError(t("git {command} failed: {error}", command="merge" if merge else "rebase", error=_err(proc)))


def _sha(repo: Path, ref: str) -> str | None:
    proc = _git(repo, "rev-parse", "-q", "--verify", ref + "^{commit}")
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def incoming(repo: Path, since: list[str], until: str) -> list[Incoming]:
    """The commits of `until` that none of `since` has, oldest first, with their dtrack trailers."""
    spec = [until, *(f"^{s}" for s in since)]
    found = []
    for (commit, author), body, names in gitops.log(repo, ["%H", "%an"], "%B", "--reverse", "--no-merges", *spec,
                                                    names=True):
        trailers, _ = commitmsg.read(body)
        found.append(Incoming(commit, author, trailers.get(commitmsg.ACTION, [None])[-1],
                              tuple(trailers.get(commitmsg.REF, [])), len(names)))
    return found


def sync(root: Path, *, merge: bool = False, timeout: float | None = None, attempts: int = ATTEMPTS) -> SyncResult:
    repo = gitops.find_repo(root)
    if repo is None:
        raise UsageError(t("{path} is not in a git repository, so there is nothing to sync", path=root),
                         hint=t("Run 'dtrack init' there, or clone the office's store with git clone URL."))
    with lock.store_lock(root, timeout):
        gitops.check_unlocked(repo)
        remote, branch = _upstream(repo)
        result = SyncResult(remote, branch)
        store_rel = gitops.repo_path(repo, root) if root.resolve() != repo else "."
        operation = _operation(repo)
        if undone := _undo_killed(repo, operation):
            result.warnings.append(undone)
            operation = None
        if not operation:
            result.warnings += journal.recover(root)
        seen, integrated = [], None
        if operation:
            seen, integrated = _pending(repo, operation)
            _continue(repo, operation)
        elif dirty := _dirty(repo, store_rel):
            raise UsageError(t("{files}: changed but not committed; a sync would mix them up with the server's "
                               "changes", files=", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")),
                             hint=t("Commit them (git commit -am \"...\") or set them aside (git stash), then run "
                                    "'dtrack sync' again."))
        tracking = f"refs/remotes/{remote}/{branch}"
        seen = seen or [x for x in (_sha(repo, tracking), _sha(repo, "HEAD")) if x]
        for attempt in range(1, attempts + 1):
            result.attempts = attempt
            fetched = _git(repo, "fetch", "--quiet", remote)
            if fetched.returncode != 0:
                raise _offline(remote, repo, fetched, _ahead(repo, tracking))
            has_remote = _sha(repo, tracking) is not None
            if has_remote and _count(repo, f"HEAD..{tracking}"):
                integrated = _sha(repo, tracking)
                _integrate(repo, tracking, merge)
            ahead = _ahead(repo, tracking)
            if not ahead:
                break
            pushed = _git(repo, "push", "--quiet", remote, f"HEAD:refs/heads/{branch}")
            if pushed.returncode == 0:
                result.pushed = ahead
                _git(repo, "update-ref", tracking, "HEAD")
                break
            if not any(word in pushed.stderr.decode("utf-8", "replace") for word in _MOVED):
                # Refused for another reason (a protected branch, a server hook, the network gone).
                raise GitError(t("git {command} failed: {error}", command="push", error=_err(pushed)),
                               hint=t("Your {n} local commit(s) are kept; run 'dtrack sync' again when the server "
                                      "can be reached.", n=ahead))
        else:
            raise BusyError(t("the server '{remote}' kept changing: {n} attempts to push failed", remote=remote,
                              n=attempts),
                            hint=t("Your commits are kept; run 'dtrack sync' again in a moment."))
        if integrated:
            result.incoming = incoming(repo, seen, integrated)
        # Where `dtrack review` starts by default: this clone as it was before this sync.
        gitops.run(repo, "update-ref", "refs/dtrack/last-sync", seen[-1])
        return result


def summary(result: SyncResult) -> list[str]:
    """What came in, per action and author ("3 task(s) done by Nguyễn Văn A: ..."), then the hand edits."""
    by: dict[tuple[str, str], list[str]] = {}
    hand: dict[str, int] = {}
    for c in result.incoming:
        if c.action:
            by.setdefault((c.action, c.author), []).extend(c.refs)
        else:
            hand[c.author] = hand.get(c.author, 0) + c.files
    lines = []
    for (action, author), refs in by.items():
        refs = list(dict.fromkeys(refs))
        if refs:
            lines.append(t("{n} task(s) {action} by {author}: {refs}", n=len(refs), action=t(action), author=author,
                           refs=", ".join(refs)))
        else:
            lines.append(t("{action} by {author}", action=t(action), author=author))
    for author, files in hand.items():
        lines.append(t("{n} file(s) edited by hand by {author}", n=files, author=author))
    return lines
