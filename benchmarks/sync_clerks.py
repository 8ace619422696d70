#!/usr/bin/env python3
"""Several clerks syncing one store at once (issue 17, docs/sync.md): CLERKS `dtrack` processes, each
on its own clone of a bare server repository, for ROUNDS rounds make a random change (done, note,
extend, add-task) on a few tasks of one directive — the same tasks on purpose — and run `dtrack sync`
after each; a conflict is settled with `dtrack resolve --ours|--theirs` and the sync run again.

    python benchmarks/sync_clerks.py                    # 4 clerks x 8 rounds on 3 tasks
    python benchmarks/sync_clerks.py --clerks 4 --rounds 20 --tasks 5 --seed 7

At the end: every clerk's change is on the server (its commit subject, which a rebase keeps) unless a
`resolve` of a reported conflict replaced it (at most one change per conflict); `check` is clean; no conflict marker was ever committed.
Prints the figures (rounds, changes, syncs, push retries, conflicts) as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

STEM = "2022-02-14-nhiem-vu-trong-tam"
REPO = Path(__file__).resolve().parent.parent


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["DTRACK_TODAY"] = "2024-07-20"
    return env


def _dtrack(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dtrack", *args], cwd=folder, env=_env(), capture_output=True,
                          text=True, encoding="utf-8")


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, env=_env(),
                          text=True, encoding="utf-8").stdout


def _server(tmp: Path) -> Path:
    import shutil
    origin = tmp / "origin"
    shutil.copytree(REPO / "directives", origin / "directives")
    _git(origin, "init", "-q", "-b", "main")
    for k, v in (("user.name", "Văn thư"), ("user.email", "vt@example.org"), ("core.autocrlf", "false")):
        _git(origin, "config", k, v)
    _git(origin, "add", "-A")
    _git(origin, "commit", "-qm", "initial store")
    _dtrack(origin, "setup-merge")
    _git(tmp, "clone", "-q", "--bare", str(origin), str(tmp / "server.git"))
    return tmp / "server.git"


def clerk(server: Path, folder: Path, i: int, rounds: int, tasks: int, seed: int) -> dict:
    rnd = random.Random(seed)
    _git(server.parent, "clone", "-q", server.as_uri(), str(folder))
    _git(folder, "config", "user.name", f"Văn thư {i}")
    _git(folder, "config", "user.email", f"clerk{i}@example.org")
    _dtrack(folder, "setup-merge")
    log = {"changes": [], "syncs": 0, "conflicts": 0, "resolved": [], "failures": []}
    for r in range(rounds):
        ref = f"{STEM}#{rnd.randint(1, tasks)}"
        kind = rnd.choice(["done", "note", "extend", "add-task"])
        args = {"done": ["done", ref, "--on", f"{rnd.randint(1, 19)}/07/2024"],
                "note": ["reopen", ref, "--note", f"ghi chú {i}.{r}"],
                "extend": ["extend", ref, "--to", f"{rnd.randint(1, 28)}/12/2024", "--by", f"CV {i}{r}/UBND",
                           "--reason", "chờ kinh phí"],
                "add-task": ["add-task", STEM, "--text", f"Nhiệm vụ bổ sung {i}.{r}", "--lead", "Sở Tài chính",
                             "--due", "31/12/2024"]}[kind]
        before = _git(folder, "rev-parse", "HEAD")
        done = _dtrack(folder, *args)
        if done.returncode == 0 and _git(folder, "rev-parse", "HEAD") != before:
            log["changes"].append(_git(folder, "log", "-1", "--format=%s").strip())
        for _ in range(10):
            synced = _dtrack(folder, "sync")
            log["syncs"] += 1
            if synced.returncode == 0:
                break
            if "conflict" not in synced.stderr:
                log["failures"].append(synced.stderr.strip())
                break
            log["conflicts"] += 1
            log["resolved"].append(_dtrack(folder, "resolve", STEM, rnd.choice(["--ours", "--theirs"])).stdout)
    return log


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clerks", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--tasks", type=int, default=3, help="how many tasks of the directive the clerks share")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dtrack-clerks-") as tmp:
        tmp = Path(tmp)
        server = _server(tmp)
        with ThreadPoolExecutor(args.clerks) as pool:
            logs = list(pool.map(lambda i: clerk(server, tmp / f"clerk{i}", i, args.rounds, args.tasks,
                                                 args.seed * 100 + i), range(args.clerks)))
        last = tmp / "clerk0"
        _dtrack(last, "sync")
        history = _git(server, "log", "-p", "main")
        subjects = set(_git(server, "log", "--format=%s", "main").splitlines())
        changes = [s for log in logs for s in log["changes"]]
        check = _dtrack(last, "check")
        figures = {
            "clerks": args.clerks, "rounds": args.rounds, "shared_tasks": args.tasks,
            "changes": len(changes), "syncs": sum(log["syncs"] for log in logs),
            "conflicts": sum(log["conflicts"] for log in logs),
            "changes_on_server": sum(s in subjects for s in changes),
            "sync_failures": [f for log in logs for f in log["failures"]],
            "check_exit": check.returncode,
            "marker_committed": any(line[1:].startswith(("<<<<<<<", ">>>>>>>")) for line in history.splitlines()),
        }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    # A change missing from the server is one a `resolve` of a reported conflict replaced by the other side's.
    ok = not figures["sync_failures"] and figures["check_exit"] == 0 and not figures["marker_committed"] and \
        figures["changes"] - figures["changes_on_server"] <= figures["conflicts"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
