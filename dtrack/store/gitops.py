"""Git, through the git command: find the repository, commit exactly the files a command
touched, read a file's history.

Commits are built with plumbing on a private index (read-tree HEAD, add our blobs,
write-tree, commit-tree, update-ref), so the user's other staged or unstaged changes are
never swept in and no `git add .` ever happens.
"""
from __future__ import annotations

import functools
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dtrack.errors import BusyError, GitError
from dtrack.i18n import t
from dtrack.store import commitmsg

TRAILER_ACTION = commitmsg.ACTION
TRAILER_REF = commitmsg.REF


def find_repo(path: Path) -> Path | None:
    """The work tree that contains `path`, or None. `.git` may be a folder or (worktrees) a file."""
    path = path.resolve()
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


# A path is a name, never a pattern: `log -- 'a[1].yaml'` also listed the commits of a1.yaml, and a
# colleague's file named ':x.yaml' would be read as pathspec magic.
_LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}


def run(repo: Path, *args: str, input: bytes | None = None, env: dict | None = None) -> str:
    return run_bytes(repo, *args, input=input, env=env).decode("utf-8", "replace")


def run_bytes(repo: Path, *args: str, input: bytes | None = None, env: dict | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True,
                              env={**os.environ, **_LITERAL, **(env or {})})
    except FileNotFoundError:
        raise GitError(t("git is not installed or not on PATH"),
                       hint=t("Install git, or use --no-commit.")) from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        if m := _LOCK_EXISTS.search(err):
            raise _busy(Path(m.group(1)))
        if "index.lock" in err:
            raise _busy(git_dir(repo) / "index.lock")
        if "Please tell me who you are" in err or "empty ident" in err:
            raise GitError(t("git does not know who you are, so it cannot record the change"),
                           hint=t('Run: git config --global user.name "Your Name" && '
                                  'git config --global user.email you@example.org'))
        first = err.splitlines()[-1] if err else f"exit {proc.returncode}"
        raise GitError(t("git {command} failed: {error}", command=args[0], error=first))
    return proc.stdout


_LOCK_EXISTS = re.compile(r"Unable to create '([^']+\.lock)': File exists")


def _busy(lock: Path) -> BusyError:
    """A git lock file is in the way. dtrack never deletes it: only the user can know that no git
    (an editor, an IDE, a cron job) is running; its age is the best clue we can give."""
    try:
        age = max(int(time.time() - lock.stat().st_mtime), 0)
        since = t(", created {minutes} min ago", minutes=age // 60) if age >= 60 else \
            t(", created {seconds} s ago", seconds=age)
    except OSError:
        since = ""
    return BusyError(t("another git process is using this repository ({file} exists{since}); nothing was changed",
                       file=lock, since=since),
                     hint=t("Wait for it to finish and run the command again. If no git program is running, a "
                            "crashed git left the lock behind: delete {file} by hand, then run the command again.",
                            file=lock))


@functools.lru_cache(maxsize=8)
def git_dir(repo: Path) -> Path:
    """The repository's git folder: .git, or for a linked worktree the folder its .git file names (asked
    of git once per process: the lock and operation checks of every change need it)."""
    dot = repo / ".git"
    if dot.is_dir():
        return dot
    try:
        return Path(run(repo, "rev-parse", "--absolute-git-dir").strip())
    except GitError:
        return dot


def check_unlocked(repo: Path) -> None:
    """BusyError if a git lock that dtrack's commit needs exists (the index, HEAD, the branch, packed
    refs): the commit would fail half-way. Checked before any file is written, so nothing changes."""
    folder = git_dir(repo)
    names = ["index.lock", "HEAD.lock", "packed-refs.lock"]
    try:
        head = (folder / "HEAD").read_text(encoding="utf-8").strip()
        if head.startswith("ref: refs/"):
            names.append(head[5:] + ".lock")
    except OSError:
        pass
    for name in names:
        lock = folder / name
        if lock.exists():
            raise _busy(lock)


# What git leaves in its folder while an operation waits for the user, and how to end it.
_IN_PROGRESS = (("MERGE_HEAD", "a merge", "git commit", "git merge --abort"),
                ("rebase-merge", "a rebase", "git rebase --continue", "git rebase --abort"),
                ("rebase-apply", "a rebase or 'git am'", "git rebase --continue", "git rebase --abort"),
                ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort"),
                ("REVERT_HEAD", "a revert", "git revert --continue", "git revert --abort"))


def check_no_operation(repo: Path) -> None:
    """BusyError if a merge, rebase, cherry-pick or revert is unfinished: a commit made now would be
    swept into it or dropped by its --abort. Checked before any file is written."""
    folder = git_dir(repo)
    for name, what, finish, abort in _IN_PROGRESS:
        if (folder / name).exists():
            # Killed inside git, a sync's rebase can be half set up: --continue would replay it on the wrong base.
            hint = t("A 'dtrack sync' was interrupted in the middle of it: run 'dtrack sync' again, which undoes it "
                     "({abort}) and starts over, then run the command again.", abort=abort) \
                if sync_mark(repo).exists() else \
                t("Finish it ({finish}) or abort it ({abort}), then run the command again.", finish=finish, abort=abort)
            raise BusyError(t("git is in the middle of {operation} ({path} exists); nothing was changed",
                              operation=t(what), path=folder / name), hint=hint)


def sync_mark(repo: Path) -> Path:
    """There while `dtrack sync` runs git's rebase or merge: with the operation still unfinished, the sync
    was killed inside git (a sync stopped on a conflict removes it), and git's state may be half made."""
    return git_dir(repo) / "dtrack" / "sync-running"


def head(repo: Path) -> str | None:
    try:
        return run(repo, "rev-parse", "--verify", "-q", "HEAD").strip() or None
    except GitError:
        return None


def committed_bytes(repo: Path, rel: str, rev: str = "HEAD") -> bytes | None:
    """The file as `rev` has it, or None when it is not in that commit."""
    proc = subprocess.run(["git", "cat-file", "blob", f"{rev}:{rel}"], cwd=repo, capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def committed(repo: Path, rels: list[str], rev: str = "HEAD") -> tuple[str | None, dict[str, bytes | None]]:
    """`rev`'s commit id (None before the first commit) and each file as that commit has it (None: not
    in it), read by one `git cat-file --batch` rather than a git process per question (~5 ms each)."""
    # --batch reads one name a line (its -z needs git 2.38): a name with a line break is asked on its own.
    asked = [rel for rel in rels if not _LINE_BREAK.search(rel)]
    names = [rev] + [f"{rev}:{rel}" for rel in asked]
    out = run_bytes(repo, "cat-file", "--batch", input=b"".join(os.fsencode(n) + b"\n" for n in names))
    answers, at = [], 0
    for _name in names:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            answers.append((header[0].decode("ascii"), out[at:at + size]))
            at += size + 1
        else:
            answers.append(None)        # "<name> missing"
    head_id = answers[0][0] if answers[0] else None
    blobs = dict(zip(asked, (a[1] if a else None for a in answers[1:])))
    for rel in rels:
        if rel not in blobs:
            blobs[rel] = committed_bytes(repo, rel, rev) if head_id else None
    return head_id, blobs


_LINE_BREAK = re.compile(r"[\r\n]")


def _index_info(blobs: dict[str, str]) -> bytes:
    """`update-index -z --index-info` input: NUL-terminated, so that any name git can hold (a line break
    in a colleague's file name included) is one record."""
    return b"".join(f"100644 {sha}\t".encode("ascii") + os.fsencode(rel) + b"\0" for rel, sha in blobs.items())


def repo_path(repo: Path, path: Path) -> str:
    return path.resolve().relative_to(repo).as_posix()


_HEAD = object()


def commit_files(repo: Path, files: dict[str, bytes], message: str, parent=_HEAD) -> str:
    """Commit `files` (repo-relative path -> content) on top of HEAD and nothing else; returns the commit id.
    With `parent` (a commit id, or None for the first commit: what `committed` returned), on top of that
    commit, and only if HEAD still points there: the files were merged against its versions.

    The user's index is then updated for these paths only, so `git status` stays truthful.
    """
    if parent is _HEAD:
        parent = head(repo)
    with tempfile.TemporaryDirectory(prefix="dtrack-index-") as tmp:
        env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        if parent:
            run(repo, "read-tree", parent, env=env)
        blobs = {}
        for rel, data in files.items():
            # --path applies the repository's attributes (eol=lf, autocrlf) exactly as 'git add' would.
            blobs[rel] = run(repo, "hash-object", "-w", "--stdin", f"--path={rel}", input=data).strip()
        run(repo, "update-index", "-z", "--add", "--index-info", env=env, input=_index_info(blobs))
        tree = run(repo, "write-tree", env=env).strip()
    args = ["commit-tree", tree, "-F", "-"] + (["-p", parent] if parent else [])
    commit = run(repo, *args, input=message.encode("utf-8")).strip()
    # The old value makes this fail, rather than drop a commit, if HEAD moved meanwhile.
    run(repo, "update-ref", "-m", "dtrack: " + message.splitlines()[0], "HEAD", commit, parent or "")
    _sync_index(repo, files, blobs)
    return commit


def sync_index(repo: Path, files: dict[str, bytes]) -> None:
    """Bring the user's index up to date for `files` as committed (after an interrupted commit)."""
    blobs = {rel: run(repo, "hash-object", "-w", "--stdin", input=data).strip() for rel, data in files.items()}
    _sync_index(repo, files, blobs)


def _sync_index(repo: Path, files: dict[str, bytes], blobs: dict[str, str]) -> None:
    clean, dirty = [], []
    for rel, data in files.items():
        try:
            same = (repo / rel).read_bytes() == data
        except OSError:
            same = False
        (clean if same else dirty).append(rel)
    if clean:
        # Re-stat from the work tree so git sees these files as unchanged.
        run(repo, "update-index", "--add", "--", *clean)
    if dirty:
        run(repo, "update-index", "-z", "--add", "--index-info", input=_index_info({rel: blobs[rel] for rel in dirty}))


@dataclass(frozen=True, slots=True)
class Entry:
    commit: str
    date: str
    author: str
    subject: str
    body: str
    refs: tuple[str, ...]
    action: str | None


def log(repo: Path, fields: list[str], body: str, *args: str, names: bool = False
        ) -> list[tuple[list[str], str, list[str]]]:
    """(fields, body, file names) of each commit `git log ARGS` lists: `fields` are one-line placeholders
    (%H, %an, %s, ...), `body` the one that may span lines (%b, %B, or ""). The one reader of `git log`:
    fields are split at git's line breaks, which a one-line field cannot hold, commits and names at NULs,
    which no message or name can; a \x1f or \x1e in an author's name or a message split the records
    of the readers before (`log` showed a hand edit without its files)."""
    fmt = "%x1e" + "%n".join(fields) + "%n" + body
    out = run(repo, "log", "-z", *(["--no-renames", "--name-only"] if names else []), f"--format={fmt}", *args)
    found: list[tuple[list[str], str, list[str]]] = []
    for token in out.split("\0"):
        if token.startswith("\x1e"):
            parts = token[1:].split("\n", len(fields))
            found.append((parts[:len(fields)], parts[len(fields)] if len(parts) > len(fields) else "", []))
        elif token and found:
            # --name-only puts a line break between the message and the first name.
            found[-1][2].append(token[1:] if not found[-1][2] and token.startswith("\n") else token)
    return found


def history(repo: Path, rel: str, limit: int = 50) -> list[Entry]:
    entries = []
    for (commit, when, author, subject), body, _ in log(repo, ["%H", "%ad", "%an", "%s"], "%b", f"-n{limit}",
                                                        "--date=format:%d/%m/%Y %H:%M", "--", rel):
        trailers, _ = commitmsg.read(body)
        action = trailers.get(TRAILER_ACTION, [None])[-1]
        entries.append(Entry(commit, when, author, subject, body, tuple(trailers.get(TRAILER_REF, [])), action))
    return entries
