#!/usr/bin/env python3
"""Several clerks syncing one store at once (issue 17, docs/sync.md, docs/reliability.md).

CLERKS clerks, each on its own clone of one server repository, for ROUNDS rounds make a random change
(done, note, extend, add-task, reassign) on a few tasks of one directive - the same tasks on purpose - and run
`dtrack sync` after each; a conflict is settled with `dtrack resolve --ours|--theirs` and the sync run
again. Each clerk's commands are separate `dtrack` processes, running alongside the other clerks'.

    python benchmarks/sync_clerks.py                     # 4 clerks x 8 rounds on 3 tasks, git daemon
    python benchmarks/sync_clerks.py --clerks 4 --rounds 20 --tasks 5 --seed 7 --file

The server is `git daemon --enable=receive-pack` on the loopback address (or, with --file, the bare
repository over file://). At the end:
- every clerk's change is on the server (its commit: author and subject) unless it was part of a
  reported conflict that `resolve` settled (at most one change per conflict), or it is the very change
  another clerk pushed first (the same subject: rebased onto it, the commit is empty and git drops it);
- `check` is clean and no conflict marker was ever committed;
- `dtrack review --each` of the server's history lists, commit by commit, exactly the changes the
  clerks' own logs count: the same kinds for every change that merged without conflict, the task
  named for every change settled by `resolve`, and nothing that no clerk did.
Prints the figures (rounds, changes, syncs, merges, conflicts, review) as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

STEM = "2022-02-14-nhiem-vu-trong-tam"
LEADS = ("Sở Tài chính", "Sở Nội vụ", "Sở Thông tin và Truyền thông")       # where a reassign hands a task
REPO = Path(__file__).resolve().parent.parent


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "DTRACK_"))}
    env["DTRACK_TODAY"] = "2024-07-20"
    return env


def _dtrack(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dtrack", *args], cwd=folder, env=_env(), capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, env=_env(),
                          text=True, encoding="utf-8").stdout


def make_server(tmp: Path) -> Path:
    """A bare repository holding the bundled store, with the merge driver's attributes committed."""
    origin = tmp / "origin"
    shutil.copytree(REPO / "directives", origin / "directives")
    _git(origin, "init", "-q", "-b", "main")
    for k, v in (("user.name", "Văn thư"), ("user.email", "vt@example.org"), ("core.autocrlf", "false")):
        _git(origin, "config", k, v)
    _git(origin, "add", "-A")
    _git(origin, "commit", "-qm", "initial store")
    _dtrack(origin, "setup-merge")
    _git(tmp, "clone", "-q", "--bare", str(origin), str(tmp / "server" / "store.git"))
    return tmp / "server" / "store.git"


class Daemon:
    """`git daemon` serving the server's folder on 127.0.0.1, pushes allowed; stopped on exit."""

    def __init__(self, server: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(["git", "daemon", "--reuseaddr", f"--base-path={server.parent}", "--export-all",
                                      "--enable=receive-pack", "--listen=127.0.0.1", f"--port={self.port}",
                                      str(server.parent)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"git://127.0.0.1:{self.port}/{server.name}"

    def __enter__(self) -> "Daemon":
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"git daemon ended: {self.proc.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("git daemon did not start listening")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _status(folder: Path, ref: str) -> str:
    shown = _dtrack(folder, "show", ref, "--json")
    return json.loads(shown.stdout)["status"] if shown.returncode == 0 else "absent"


def _command(kind: str, ref: str, i: int, r: int, rnd: random.Random) -> list[str]:
    return {"done": ["done", ref, "--on", f"{rnd.randint(1, 19)}/07/2024"],
            "note": ["reopen", ref, "--note", f"ghi chú {i}.{r}"],
            "extend": ["extend", ref, "--to", f"{rnd.randint(1, 28)}/12/2024", "--by", f"CV {i}{r}/UBND",
                       "--reason", "chờ kinh phí"],
            "add-task": ["add-task", STEM, "--text", f"Nhiệm vụ bổ sung {i}.{r}", "--lead", "Sở Tài chính",
                         "--due", "31/12/2024"],
            "reassign": ["reassign", ref, "--to", rnd.choice(LEADS), "--by", f"CV {i}{r}/UBND", "--reason", "chuyển giao",
                         "--on", f"{rnd.randint(1, 19)}/07/2024"]}[kind]


def _expected(kind: str, status: str) -> tuple[list[str], list[str]]:
    """The kinds `review` must find in this clerk's commit, and those it may find: a note on a task the
    clerk saw done also reopens it, unless another clerk's reopen reached the server first (the commit,
    rebased onto it, then only adds the note)."""
    return {"done": (["done"], []), "extend": (["extended"], []), "add-task": (["added"], []),
            "reassign": (["reassigned"], []),
            "note": (["noted"], ["reopened"] if status == "done" else [])}[kind]


def clerk(url: str, folder: Path, i: int, rounds: int, tasks: int, seed: int, merge: bool = False) -> dict:
    rnd = random.Random(seed)
    name = f"Văn thư {i}"
    _git(folder.parent, "clone", "-q", url, str(folder))
    _git(folder, "config", "user.name", name)
    _git(folder, "config", "user.email", f"clerk{i}@example.org")
    _dtrack(folder, "setup-merge")
    log = {"changes": [], "syncs": 0, "retries": 0, "conflicts": 0, "resolved": 0, "failures": []}
    for r in range(rounds):
        ref = f"{STEM}#{rnd.randint(1, tasks)}"
        kind = rnd.choice(["done", "note", "extend", "add-task", "reassign"])
        status = _status(folder, ref)
        before = _git(folder, "rev-parse", "HEAD")
        ran = _dtrack(folder, *_command(kind, ref, i, r, rnd))
        change = None
        if ran.returncode == 0 and _git(folder, "rev-parse", "HEAD") != before:
            change = {"author": name, "subject": _git(folder, "log", "-1", "--format=%s").strip(), "kind": kind,
                      "ref": None if kind == "add-task" else ref, "expect": _expected(kind, status),
                      "conflicted": False}
            log["changes"].append(change)
        for attempt in range(10):
            synced = _dtrack(folder, "sync", *(["--merge"] if merge else []))
            log["syncs"] += 1
            log["retries"] += attempt > 0
            if synced.returncode == 0:
                break
            if "conflict" not in synced.stderr:
                log["failures"].append(synced.stderr.strip())
                break
            log["conflicts"] += 1
            if change is not None:
                change["conflicted"] = True
            settled = _dtrack(folder, "resolve", STEM, rnd.choice(["--ours", "--theirs"]))
            log["resolved"] += settled.returncode == 0
    return log


def _landed(server: Path) -> dict[tuple[str, str], list[str]]:
    """The server's commits by (author, subject), oldest first, with their hashes."""
    found: dict[tuple[str, str], list[str]] = {}
    for line in _git(server, "log", "--reverse", "--no-merges", "--format=%H%x1f%an%x1f%s", "main").splitlines():
        commit, author, subject = line.split("\x1f")
        found.setdefault((author, subject), []).append(commit)
    return found


def compare_review(changes: list[dict], review: list[dict], server: Path) -> dict:
    """The clerks' logs against the server and `review --each`: per landed commit, the kinds and the task.
    A change missing from the server is either replaced by a `resolve` of the conflict it was part of,
    or the very change another clerk had already pushed (same subject: the commit became empty when
    rebased, and git drops it), or lost."""
    landed = _landed(server)
    subjects = {subject for _, subject in landed}
    by_commit: dict[str, list[dict]] = {}
    for item in review:
        by_commit.setdefault(item["commit"], []).append(item)
    matched, mismatched, replaced, twice, lost = 0, [], [], [], []
    mine = set()
    for change in changes:
        commits = landed.get((change["author"], change["subject"]))
        if not commits:
            (replaced if change["conflicted"] else twice if change["subject"] in subjects else lost).append(
                change["subject"])
            continue
        commit = commits.pop(0)
        mine.add(commit)
        found = by_commit.get(commit, [])
        kinds = sorted(x["kind"] for x in found)
        refs = {x["ref"] for x in found}
        required, optional = change["expect"]
        if change["conflicted"]:
            ok = not found or change["ref"] is None or change["ref"] in refs
        else:
            ok = set(required) <= set(kinds) <= set(required) | set(optional) and len(kinds) == len(set(kinds)) \
                and (change["ref"] is None or refs == {change["ref"]})
        if ok:
            matched += 1
        else:
            mismatched.append({"subject": change["subject"], "expected": required, "review": kinds})
    unexplained = [x for c, items in by_commit.items() if c not in mine for x in items
                   if x["author"].startswith("Văn thư ") and x["author"] != "Văn thư"]
    return {"review_changes": len(review), "logged_changes_matched": matched, "mismatched": mismatched,
            "replaced_by_resolve": replaced, "made_twice": twice, "lost": lost,
            "review_entries_no_clerk_did": unexplained}


def run(clerks: int = 4, rounds: int = 8, tasks: int = 3, seed: int = 3, daemon: bool = True,
        tmp: Path | None = None, merge: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="dtrack-clerks-") as scratch:
        tmp = Path(tmp or scratch)
        server = make_server(tmp)
        initial = _git(server, "rev-parse", "main").strip()
        started = time.monotonic()
        with (Daemon(server) if daemon else _Plain(server)) as where:
            with ThreadPoolExecutor(clerks) as pool:
                logs = list(pool.map(lambda i: clerk(where.url, tmp / f"clerk{i}", i, rounds, tasks,
                                                     seed * 100 + i, merge), range(clerks)))
            last = tmp / "clerk0"
            _dtrack(last, "sync")
        seconds = time.monotonic() - started
        history = _git(server, "log", "-p", "main")
        merges = len(_git(server, "rev-list", "--merges", "main").split())
        changes = [c for log in logs for c in log["changes"]]
        check = _dtrack(last, "check")
        reviewed = _dtrack(last, "review", f"{initial}..HEAD", "--each", "--format", "json")
        review = json.loads(reviewed.stdout) if reviewed.returncode == 0 else []
        figures = {
            "server": "git daemon on 127.0.0.1" if daemon else "file://", "integrate": "merge" if merge else "rebase",
            "clerks": clerks, "rounds": rounds, "shared_tasks": tasks, "seconds": round(seconds, 1),
            "changes": len(changes), "syncs": sum(log["syncs"] for log in logs),
            "sync_retries": sum(log["retries"] for log in logs), "merge_commits": merges,
            "conflicts": sum(log["conflicts"] for log in logs), "resolved": sum(log["resolved"] for log in logs),
            "sync_failures": [f for log in logs for f in log["failures"]],
            "check_exit": check.returncode, "check_output": (check.stdout + check.stderr).strip()[-500:],
            "marker_committed": any(line[1:].startswith(("<<<<<<<", ">>>>>>>")) for line in history.splitlines()),
            "review_exit": reviewed.returncode,
            "review_kinds": dict(Counter(x["kind"] for x in review)),
            **compare_review(changes, review, server),
        }
        figures["changes_on_server"] = len(changes) - len(figures["replaced_by_resolve"]) - len(figures["made_twice"]) \
            - len(figures["lost"])
    return figures


class _Plain:
    def __init__(self, server: Path):
        self.url = server.as_uri()

    def __enter__(self) -> "_Plain":
        return self

    def __exit__(self, *exc) -> None:
        pass


def ok(f: dict) -> bool:
    """The invariants: nothing lost but what a settled conflict replaced, a clean store, no marker, and a
    review that counts what the clerks did."""
    return (not f["sync_failures"] and f["check_exit"] == 0 and not f["marker_committed"] and f["review_exit"] == 0
            and not f["lost"] and len(f["replaced_by_resolve"]) <= f["conflicts"] and not f["mismatched"]
            and not f["review_entries_no_clerk_did"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clerks", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--tasks", type=int, default=3, help="how many tasks of the directive the clerks share")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--file", action="store_true", help="the bare repository over file:// instead of git daemon")
    ap.add_argument("--merge", action="store_true", help="clerks run `dtrack sync --merge` (merge commits)")
    args = ap.parse_args(argv)
    figures = run(args.clerks, args.rounds, args.tasks, args.seed, daemon=not args.file, merge=args.merge)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0 if ok(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
