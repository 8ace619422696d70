#!/usr/bin/env python3
"""Stress runs for docs/reliability.md: SIGKILL at random moments, concurrent writers, and (with
--long) the merge, hostile-input and fuzz tests in their long profiles.

    python benchmarks/stress.py            # short: 30 kills, 8 writers x 2 rounds
    python benchmarks/stress.py --long     # 400 kills, 8 writers x 10 rounds, long hypothesis profile
    python benchmarks/stress.py --kills 1000 --seed 7

Every run uses real `dtrack` processes (python -m dtrack) on a real git repository in a temp folder.
After each kill: every store file parses, every task is in its old or its new state (on disk and in
HEAD), `git fsck` is clean and HEAD is a valid commit. A git lock left by a killed git must be
reported by the next dtrack (exit 6, naming the file) - the script then deletes it, as the message
tells the user to. Every few kills an uninterrupted run must leave everything consistent: the
interrupted change finished and committed, `git status` clean, the work tree equal to HEAD.
The kill test of the suite (tests/test_stress.py) calls the same functions with small numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BUNDLED = REPO / "directives"
TODAY = "2024-07-20"
TARGET = "directives/2022/2022-02-14-nhiem-vu-trong-tam.yaml"
STEM = "2022-02-14-nhiem-vu-trong-tam"
TASKS = list(range(1, 11))


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=check)


def env() -> dict:
    e = {k: v for k, v in os.environ.items() if not k.startswith("DTRACK_")}
    e.update(DTRACK_TODAY=TODAY, GIT_AUTHOR_NAME="Stress", GIT_AUTHOR_EMAIL="stress@example.org",
             GIT_COMMITTER_NAME="Stress", GIT_COMMITTER_EMAIL="stress@example.org", COLUMNS="120",
             PYTHONDONTWRITEBYTECODE="1")
    return e


def dtrack_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "dtrack", *args]


def make_store(root: Path) -> Path:
    shutil.copytree(BUNDLED, root / "directives")
    git(root, "init", "-q", "-b", "main")
    for k, v in (("user.name", "Stress"), ("user.email", "stress@example.org"), ("core.autocrlf", "false")):
        git(root, "config", k, v)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial store")
    return root


# ---------------------------------------------------------------------------- state of the store

def _states(data: bytes | None) -> dict[int, tuple]:
    """Task n -> (status, done) of the target file's bytes; raises if they do not parse."""
    sys.path.insert(0, str(REPO))
    from dtrack.store import files as store
    from dtrack.domain.model import directive_from_data
    directive, _ = directive_from_data(store.parse(store.decode(data)), STEM, TARGET)
    return {x.n: (x.status, x.done.isoformat() if x.done else None) for x in directive.tasks}


def _head_bytes(repo: Path) -> bytes:
    return git(repo, "cat-file", "blob", f"HEAD:{TARGET}").stdout


def _journal(repo: Path) -> dict | None:
    path = repo / ".git" / "dtrack" / "pending.json"
    return json.loads(path.read_bytes()) if path.exists() else None


def _journal_states(j: dict | None) -> dict[int, tuple]:
    if not j:
        return {}
    import base64
    for f in j["files"]:
        if f["rel_repo"] == TARGET:
            return _states(base64.b64decode(f["after"]))
    return {}


def git_locks(repo: Path) -> list[Path]:
    """Lock files git leaves when killed (dtrack's own OS lock is .git/dtrack/lock, not *.lock)."""
    return sorted(p for p in (repo / ".git").rglob("*.lock") if "dtrack" not in p.parts)


def check_fsck(repo: Path) -> None:
    fsck = git(repo, "fsck", "--no-dangling", "--no-progress", check=False)
    assert fsck.returncode == 0, f"git fsck failed: {fsck.stdout!r} {fsck.stderr!r}"
    head = git(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    assert head.returncode == 0, "HEAD is not a valid commit"


def check_consistent(repo: Path) -> None:
    """After an uninterrupted run: nothing pending, nothing stray, the work tree is HEAD."""
    assert _journal(repo) is None, "an interrupted change is still pending after a full run"
    status = git(repo, "status", "--porcelain", "--untracked-files=all").stdout.decode()
    assert status == "", f"git status is not clean after a full run:\n{status}"
    assert (repo / TARGET).read_bytes() == _head_bytes(repo)
    check_fsck(repo)


# ---------------------------------------------------------------------------- the kill loop

@dataclass
class KillStats:
    kills: int = 0
    outcomes: Counter = field(default_factory=Counter)
    stale_locks: Counter = field(default_factory=Counter)
    full_runs: int = 0
    recovered: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        outs = ", ".join(f"{k}: {v}" for k, v in sorted(self.outcomes.items()))
        locks = ", ".join(f"{k}: {v}" for k, v in sorted(self.stale_locks.items())) or "none"
        killed = sum(v for k, v in self.outcomes.items() if k.startswith("killed"))
        return (f"{self.kills} runs under a random kill timer, {killed} killed mid-run, all survived ({outs}); stale git locks reported and removed: {locks}; "
                f"{self.recovered} interrupted changes finished by the next run; {self.full_runs} full runs "
                f"consistent; {self.seconds:.0f} s")


def _run(repo: Path, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(dtrack_cmd(*args), cwd=repo, env=env(), capture_output=True, timeout=60)


def _clear_stale_locks(repo: Path, stats: KillStats) -> None:
    """A killed git may leave its lock: the next dtrack must refuse with exit 6 and name it."""
    locks = git_locks(repo)
    if not locks:
        return
    proc = _run(repo, ["reopen", f"{STEM}#10"])
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 6, f"stale {locks} not reported: exit {proc.returncode} {err}"
    assert ".lock" in err and "delete" in err, err
    for lock in locks:
        stats.stale_locks[lock.name] += 1
        lock.unlink()


def kill_loop(repo: Path, kills: int, seed: int = 1, full_every: int = 5, log=print) -> KillStats:
    """Run done/reopen on tasks of one directive, SIGKILL each run at a random moment, check after each."""
    rng = random.Random(seed)
    stats = KillStats()
    started = time.monotonic()
    # How long one run takes here, to spread the kills over its whole life.
    t0 = time.monotonic()
    proc = _run(repo, ["done", f"{STEM}#9"])
    assert proc.returncode == 0, proc.stderr
    span = time.monotonic() - t0
    proc = _run(repo, ["reopen", f"{STEM}#9"])
    assert proc.returncode == 0, proc.stderr
    last = None
    i = 0
    while stats.kills < kills:
        i += 1
        before = _states((repo / TARGET).read_bytes())
        head_before = _states(_head_bytes(repo))
        pending = _journal_states(_journal(repo))
        n = rng.choice([x for x in TASKS[:8] if x != last])
        last = n
        want = ("open", None) if before[n][0] == "done" else ("done", TODAY)
        args = ["reopen" if want[0] == "open" else "done", f"{STEM}#{n}"]
        full = i % full_every == 0
        p = subprocess.Popen(dtrack_cmd(*args), cwd=repo, env=env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=(os.name == "posix"))
        if full:
            _, err = p.communicate(timeout=60)
            if p.returncode == 6 and git_locks(repo):
                _clear_stale_locks(repo, stats)
                continue
            assert p.returncode == 0, err.decode("utf-8", "replace")
            if b"finished an interrupted" in err:
                stats.recovered += 1
            check_consistent(repo)
            after = _states((repo / TARGET).read_bytes())
            assert after[n] == want, (n, after[n], want)
            stats.full_runs += 1
            continue
        delay = rng.uniform(0.1 * span, 1.1 * span)
        try:
            p.wait(timeout=delay)
            outcome = "finished before the kill"
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            outcome = None
        p.stderr.close()
        stats.kills += 1

        # Invariants right after the kill.
        disk_raw = (repo / TARGET).read_bytes()
        disk = _states(disk_raw)                        # must parse
        head = _states(_head_bytes(repo))
        for x in TASKS:
            allowed = {before[x], pending.get(x, before[x])} | ({want} if x == n else set())
            assert disk[x] in allowed, f"kill {stats.kills}: task {x} on disk is {disk[x]}, allowed {allowed}"
            assert head[x] in allowed | {head_before[x]}, f"kill {stats.kills}: task {x} in HEAD is {head[x]}"
        for path in (repo / "directives").glob("*/*.yaml"):
            _states_any(path)
        check_fsck(repo)
        if outcome is None:
            if head[n] == want and head_before[n] != want:
                outcome = "killed after the commit"
            elif disk[n] == want and before[n] != want:
                outcome = "killed between write and commit"
            elif _journal(repo) and _journal_states(_journal(repo)).get(n) == want:
                outcome = "killed after the journal, before the write"
            else:
                outcome = "killed before writing"
        stats.outcomes[outcome] += 1
        _clear_stale_locks(repo, stats)
    # A last full run finishes whatever the last kill interrupted.
    proc = _run(repo, ["reopen", f"{STEM}#10"])
    if proc.returncode == 6:
        _clear_stale_locks(repo, stats)
        proc = _run(repo, ["reopen", f"{STEM}#10"])
    assert proc.returncode == 0, proc.stderr
    if b"finished an interrupted" in proc.stderr:
        stats.recovered += 1
    check_consistent(repo)
    stats.full_runs += 1
    stats.seconds = time.monotonic() - started
    return stats


def _states_any(path: Path) -> None:
    from dtrack.store import files as store
    directive, problems = store.load_directive(path, path.name)
    assert directive is not None, f"{path} no longer loads: {problems}"


# ---------------------------------------------------------------------------- concurrent writers

def concurrent_round(repo: Path, writers: int, reset: bool = True) -> float:
    """`writers` processes, started together, each mark a different task of one directive done."""
    head0 = git(repo, "rev-parse", "HEAD").stdout.decode().strip()
    procs = [subprocess.Popen(dtrack_cmd("done", f"{STEM}#{n}", "--note", f"writer {n}"), cwd=repo, env=env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in TASKS[:writers]]
    t0 = time.monotonic()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode("utf-8", "replace")
    seconds = time.monotonic() - t0
    states = _states((repo / TARGET).read_bytes())
    assert all(states[n] == ("done", TODAY) for n in TASKS[:writers]), states
    log = git(repo, "log", "--format=%s", f"{head0}..HEAD").stdout.decode()
    for n in TASKS[:writers]:
        assert f"done {STEM}#{n} " in log, f"no commit for task {n}:\n{log}"
    assert len(log.strip().split("\n")) == writers
    check_consistent(repo)
    if not reset:
        return seconds
    # Back to open for the next round.
    proc = _run(repo, ["reopen", *(f"{STEM}#{n}" for n in TASKS[:writers])])
    assert proc.returncode == 0, proc.stderr
    return seconds


# ---------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--long", action="store_true", help="the long run whose figures docs/reliability.md quotes")
    ap.add_argument("--kills", type=int, default=None)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if os.name != "posix":
        print("SIGKILL and process groups are POSIX; the kill loop is skipped on this system.")
    kills = a.kills if a.kills is not None else (400 if a.long else 30)
    rounds = a.rounds if a.rounds is not None else (10 if a.long else 2)
    with tempfile.TemporaryDirectory(prefix="dtrack-stress-") as tmp:
        if os.name == "posix":
            repo = make_store(Path(tmp) / "kill")
            stats = kill_loop(repo, kills, seed=a.seed)
            print("kill loop:", stats.summary())
        repo = make_store(Path(tmp) / "writers")
        times = [concurrent_round(repo, a.writers) for _ in range(rounds)]
        print(f"concurrency: {rounds} rounds of {a.writers} simultaneous writers on one directive, "
              f"{rounds * a.writers} changes, none lost; a round took {sorted(times)[len(times) // 2]:.1f} s "
              f"(median)")
    if a.long:
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-profile=long",
               "--hypothesis-show-statistics", "tests/test_merge.py", "tests/test_hostile.py", "tests/test_fuzz.py"]
        print("$", " ".join(cmd[2:]))
        return subprocess.call(cmd, cwd=REPO)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
