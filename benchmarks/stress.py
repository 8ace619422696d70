#!/usr/bin/env python3
"""Stress runs for docs/reliability.md: SIGKILL at random moments of every writing command, concurrent
writers of every kind, and (with --long) the merge, hostile-input and fuzz tests in their long profiles.

    python benchmarks/stress.py            # short: 30 kills, 8 writers x 2 rounds
    python benchmarks/stress.py --long     # 500 kills, 8 writers x 10 rounds, long hypothesis profile
    python benchmarks/stress.py --kills 1000 --seed 7

Every run uses real `dtrack` processes (python -m dtrack) on a real git repository in a temp folder.
The kill loop runs done, reopen, extend, cancel, add-task, add, edit (a scripted EDITOR), import and
init in turn, each under a random SIGKILL timer (whole process group). Right after each kill, and
again after the next command (which finishes or drops what the kill interrupted): every store file
parses, the store on disk and in HEAD is exactly as before the killed command or exactly as that
command leaves it (nothing else changed, nothing lost), `git fsck` is clean and HEAD is a commit;
after the next command also nothing is pending, `git status` is clean and the work tree is HEAD. A
git lock left by a killed git must be reported by the next dtrack (exit 6, naming the file) - the
script then deletes it, as the message tells the user to. Only invariants are checked: how many
kills landed in which phase is counted for the figures, never asserted.
The tests (tests/reliability/test_stress.py) call the same functions with small numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import textwrap
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
TASKS = list(range(1, 9))            # what the kill loop changes; #10 stays open for the settling run
SETTLE = ["reopen", f"{STEM}#10"]    # changes nothing, so it only finishes or drops an interrupted change
EDITOR_SCRIPT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    path = Path(sys.argv[-1])
    mark = os.environ["STRESS_MARK"].encode("utf-8")
    path.write_bytes(path.read_bytes().replace(b"signer: ", b"signer: " + mark + b" ", 1))
""")


def git(repo: Path, *args: str, check: bool = True, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=check, input=input)


def env(**extra: str) -> dict:
    e = {k: v for k, v in os.environ.items() if not k.startswith("DTRACK_")}
    # English messages whatever the store speaks (init writes a Vietnamese store): the checks read them.
    e.update(DTRACK_TODAY=TODAY, DTRACK_LANG="en", GIT_AUTHOR_NAME="Stress", GIT_AUTHOR_EMAIL="stress@example.org",
             GIT_COMMITTER_NAME="Stress", GIT_COMMITTER_EMAIL="stress@example.org", COLUMNS="120",
             PYTHONDONTWRITEBYTECODE="1", VISUAL="", **extra)
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
    script = root / ".git" / "stress-editor.py"          # outside the work tree: never part of the store
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    doc = (REPO / "tests/fixtures/import/cong-van-de-nghi.txt").read_text(encoding="utf-8")
    (root / ".git" / "stress-import.txt").write_text(doc, encoding="utf-8")
    return root


# ---------------------------------------------------------------------------- the state of a store

def _parsed(rel: str, data: bytes):
    """A directive file as the model sees it, any other file as its bytes; raises if a directive does not parse."""
    if not (rel.startswith("directives/") and rel.endswith(".yaml")) or rel in ("directives/agencies.yaml",
                                                                                "directives/settings.yaml"):
        return data
    from dtrack.store import files as store
    from dtrack.domain.model import directive_from_data
    directive, _ = directive_from_data(store.parse(store.decode(data)), rel.rsplit("/", 1)[-1][:-5], rel)
    return directive


def disk_state(repo: Path, temps: bool = False) -> dict:
    """Every file of the work tree (git's folder aside), parsed. Temp files of a killed write are left out
    with `temps`: they are hidden, never loaded, and removed by the next change."""
    state = {}
    for folder, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            if temps and name.startswith(".") and name.endswith(".tmp"):
                continue
            path = Path(folder) / name
            rel = path.relative_to(repo).as_posix()
            state[rel] = _parsed(rel, path.read_bytes())
    return state


def head_state(repo: Path) -> dict:
    names = [n for n in git(repo, "ls-tree", "-r", "-z", "--name-only", "HEAD").stdout.decode().split("\0") if n]
    out = git(repo, "cat-file", "--batch", input="".join(f"HEAD:{n}\n" for n in names).encode()).stdout
    state, at = {}, 0
    for name in names:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        state[name] = _parsed(name, out[end + 1:end + 1 + size])
        at = end + 2 + size
    return state


# ---------------------------------------------------------------------------- the writing commands

@dataclass
class Op:
    """One run of a writing command: its arguments, what it may change, and whether its change is there."""
    name: str
    args: list[str]
    present: object                      # (state before, state) -> bool: the command's change is in `state`
    files: set = field(default_factory=set)       # the files it may change (or create)
    tasks: set | None = None             # within TARGET, the tasks it may change (None: any of the file)
    env: dict = field(default_factory=dict)
    made: dict | None = None             # a change of several files: each file's bytes once written


def _task(state: dict, n: int, rel: str = TARGET):
    return state[rel].task(n)


def op_done(n: int) -> Op:
    return Op("done", ["done", f"{STEM}#{n}"], lambda o, s: (_task(s, n).status, str(_task(s, n).done)) ==
              ("done", TODAY), {TARGET}, {n})


def op_reopen(n: int) -> Op:
    return Op("reopen", ["reopen", f"{STEM}#{n}"], lambda o, s: (_task(s, n).status, _task(s, n).done) ==
              ("open", None), {TARGET}, {n})


def op_extend(n: int, i: int) -> Op:
    to = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
    return Op("extend", ["extend", f"{STEM}#{n}", "--to", to, "--earlier", "--reason", f"Lần {i}"],
              lambda o, s: str(_task(s, n).due) == to and len(_task(s, n).extensions) == len(_task(o, n).extensions) + 1,
              {TARGET}, {n})


def op_cancel(n: int, i: int) -> Op:
    return Op("cancel", ["cancel", f"{STEM}#{n}", "--reason", f"Lần {i}"],
              lambda o, s: _task(s, n).status == "cancelled", {TARGET}, {n})


def op_add_task(i: int) -> Op:
    text = f"Nhiệm vụ bổ sung lần {i}"
    return Op("add-task", ["add-task", STEM, "--text", text, "--lead", "STC"],
              lambda o, s: [x.text for x in s[TARGET].tasks if x.n > max(y.n for y in o[TARGET].tasks)] == [text],
              {TARGET})


def op_add(i: int) -> Op:
    number, rel = f"{1000 + i}/UBND-ST", f"directives/2024/{1000 + i}-UBND-ST.yaml"
    return Op("add", ["add", "--number", number, "--kind", "cong-van", "--issuer", "UBND tỉnh Quảng Ngãi",
                      "--issued", "01/07/2024", "--title", f"Văn bản lần {i}"],
              lambda o, s: rel in s and s[rel].number == number, {rel})


def op_edit(repo: Path, i: int, rel: str = TARGET) -> Op:
    mark = f"v{i}"
    return Op("edit", ["edit", rel.rsplit("/", 1)[-1][:-5]], lambda o, s: s[rel].signer == f"{mark} {o[rel].signer}",
              {rel}, set(), env={"EDITOR": f'"{sys.executable}" "{repo / ".git" / "stress-editor.py"}"',
                                 "STRESS_MARK": mark})


def op_import(repo: Path, i: int) -> Op:
    number, rel = f"{5000 + i}/UBND-KTN", f"directives/2024/{5000 + i}-UBND-KTN.yaml"
    doc = repo / ".git" / f"stress-import-{i}.txt"
    doc.write_text((repo / ".git" / "stress-import.txt").read_text(encoding="utf-8").replace(
        "3456/UBND-KTN", number), encoding="utf-8")
    return Op("import", ["import", str(doc), "--yes"], lambda o, s: rel in s and s[rel].number == number, {rel})


def op_init(repo: Path, state: dict) -> Op:
    """init on a store whose .gitattributes a colleague removed: it writes and commits that file again."""
    if ".gitattributes" in state:
        git(repo, "rm", "-q", ".gitattributes")
        git(repo, "commit", "-q", "--no-verify", "-m", "remove .gitattributes")
        del state[".gitattributes"]
    from dtrack.domain.settings import Settings, to_yaml
    from dtrack.store.initstore import GITATTRIBUTES, GITIGNORE, _data
    from dtrack.store.mergesetup import ATTRIBUTES
    made = {".gitattributes": GITATTRIBUTES.encode("utf-8"), "directives/README.md": _data("store-README.md"),
            "directives/.gitattributes": ATTRIBUTES.encode("utf-8"),
            # written by the first init of the loop (the bundled store has neither), then already there
            "directives/settings.yaml": state.get("directives/settings.yaml", to_yaml(Settings(language="vi")).encode("utf-8")),
            ".gitignore": state.get(".gitignore", GITIGNORE.encode("utf-8"))}
    return Op("init", ["init", "."], lambda o, s: all(s.get(rel) == data for rel, data in made.items()), set(made),
              made=made)


def next_op(repo: Path, state: dict, i: int, rng: random.Random) -> Op:
    """The i-th command of the kill loop: every writing command in turn, on random tasks."""
    kind = ("toggle", "extend", "cancel", "add-task", "add", "edit", "import", "init", "toggle")[i % 9]
    n = rng.choice(TASKS)
    is_open = _task(state, n).status == "open"
    if kind == "extend" and is_open:
        return op_extend(n, i)
    if kind == "cancel" and is_open:
        return op_cancel(n, i)
    if kind in ("toggle", "extend", "cancel"):
        return op_done(n) if is_open else op_reopen(n)
    return {"add-task": lambda: op_add_task(i), "add": lambda: op_add(i), "edit": lambda: op_edit(repo, i),
            "import": lambda: op_import(repo, i), "init": lambda: op_init(repo, state)}[kind]()


def classify(op: Op, old: dict, now: dict, where: str, pending: bool = False) -> str:
    """'old' (as before the command) or 'new' (exactly the command's change); anything else breaks an invariant.
    With a journal `pending`, a change of several files killed between two writes is 'partial': each of
    its files old or new, nothing else touched. The next command must then finish it."""
    if now == old:
        return "old"
    if pending and op.made and all(now.get(rel) in (old.get(rel), data) for rel, data in op.made.items()) \
            and all(old.get(rel) == now.get(rel) for rel in old.keys() | now.keys() if rel not in op.files):
        return "partial" if not op.present(old, now) else "new"
    others = all(old.get(rel) == now.get(rel) for rel in old.keys() | now.keys() if rel not in op.files)
    if op.tasks is not None and TARGET in op.files:
        a, b = old[TARGET], now[TARGET]
        others = others and [x for x in a.tasks if x.n not in op.tasks] == [x for x in b.tasks if x.n not in op.tasks]
        if op.tasks:
            others = others and (a.number, a.title, a.signer, a.extra) == (b.number, b.title, b.signer, b.extra)
    if others and op.present(old, now):
        return "new"
    changed = sorted(rel for rel in old.keys() | now.keys() if old.get(rel) != now.get(rel))
    raise AssertionError(f"{op.args}: the store {where} is neither as before nor as the command leaves it; "
                         f"changed: {changed}")


# ---------------------------------------------------------------------------- checks

def _journal(repo: Path) -> dict | None:
    path = repo / ".git" / "dtrack" / "pending.json"
    return json.loads(path.read_bytes()) if path.exists() else None


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
    check_fsck(repo)


# ---------------------------------------------------------------------------- the kill loop

@dataclass
class KillStats:
    kills: int = 0
    outcomes: Counter = field(default_factory=Counter)      # figures only: never asserted
    commands: Counter = field(default_factory=Counter)
    stale_locks: Counter = field(default_factory=Counter)
    recovered: int = 0
    dropped: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        outs = ", ".join(f"{k}: {v}" for k, v in sorted(self.outcomes.items()))
        cmds = ", ".join(f"{k} {v}" for k, v in sorted(self.commands.items()))
        locks = ", ".join(f"{k}: {v}" for k, v in sorted(self.stale_locks.items())) or "none"
        return (f"{self.kills} runs under a random kill timer ({cmds}), all consistent ({outs}); stale git locks "
                f"reported and removed: {locks}; {self.recovered} interrupted changes finished and {self.dropped} "
                f"dropped by the next run; {self.seconds:.0f} s")


def _run(repo: Path, args: list[str], extra: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(dtrack_cmd(*args), cwd=repo, env=env(**(extra or {})), capture_output=True, timeout=60)


def _settle(repo: Path, stats: KillStats) -> None:
    """The next command after a kill: a stale git lock must be reported (exit 6, naming it), and is then
    deleted as the message says; otherwise it finishes or drops what the kill interrupted."""
    locks = git_locks(repo)
    proc = _run(repo, SETTLE)
    err = proc.stderr.decode("utf-8", "replace")
    if locks:
        assert proc.returncode == 6, f"stale {locks} not reported: exit {proc.returncode} {err}"
        assert ".lock" in err and "delete" in err, err
        for lock in locks:
            stats.stale_locks[lock.name] += 1
            lock.unlink()
        proc = _run(repo, SETTLE)
        err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    stats.recovered += "finished an interrupted" in err
    stats.dropped += "interrupted dtrack change (" in err


def kill_loop(repo: Path, kills: int, seed: int = 1, log=print) -> KillStats:
    """Every writing command in turn, each SIGKILLed at a random moment of its life; the invariants
    are checked right after each kill and again after the next command."""
    rng = random.Random(seed)
    stats = KillStats()
    started = time.monotonic()
    t0 = time.monotonic()                 # how long one run takes here, to spread the kills over its life
    assert _run(repo, SETTLE).returncode == 0
    span = time.monotonic() - t0
    for i in range(kills):
        old = disk_state(repo)
        op = next_op(repo, old, i, rng)
        p = subprocess.Popen(dtrack_cmd(*op.args), cwd=repo, env=env(**op.env), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=(os.name == "posix"))
        try:
            p.wait(timeout=rng.uniform(0.1 * span, 1.5 * span))
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            killed = True
        stats.kills += 1
        stats.commands[op.name] += 1
        disk = classify(op, old, disk_state(repo, temps=True), "on disk", pending=_journal(repo) is not None)
        head = classify(op, old, head_state(repo), "in HEAD")
        check_fsck(repo)
        _settle(repo, stats)
        check_consistent(repo)
        after = classify(op, old, disk_state(repo), "after the next command")
        assert classify(op, old, head_state(repo), "in HEAD after the next command") == after
        assert disk != "partial" or after == "new", f"{op.args}: a change half written was not finished"
        stats.outcomes[("killed" if killed else "finished") + f", disk {disk}, HEAD {head}, then {after}"] += 1
    stats.seconds = time.monotonic() - started
    return stats


# ---------------------------------------------------------------------------- concurrent writers

def concurrent_round(repo: Path, writers: int = 8, round_no: int = 0) -> float:
    """Up to 8 different writing commands, started together (done twice, extend, cancel, add-task on one
    directive; add, import; edit of another file): every change is in the store, each in its own commit."""
    old = disk_state(repo)
    head0 = git(repo, "rev-parse", "HEAD").stdout.decode().strip()
    base = 100 * round_no
    ops = [op_done(1), op_extend(3, base), op_add_task(base), op_add(base), op_cancel(4, base),
           op_import(repo, base), op_done(2), op_edit(repo, base, "directives/2023/1502-UBND-KGVX.yaml")][:writers]
    procs = [subprocess.Popen(dtrack_cmd(*op.args), cwd=repo, env=env(**op.env), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for op in ops]
    t0 = time.monotonic()
    for op, p in zip(ops, procs):
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, (op.args, err.decode("utf-8", "replace"))
    seconds = time.monotonic() - t0
    check_consistent(repo)
    now = disk_state(repo)
    assert [op.args for op in ops if not op.present(old, now)] == []
    log = git(repo, "log", "--format=%s", f"{head0}..HEAD").stdout.decode().strip().split("\n")
    assert sorted(x.split(" ", 1)[0] for x in log) == sorted(op.args[0] for op in ops), log
    return seconds


# ---------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--long", action="store_true", help="the long run whose figures docs/reliability.md quotes")
    ap.add_argument("--kills", type=int, default=None)
    ap.add_argument("--writers", type=int, default=8, choices=range(1, 9))
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if os.name != "posix":
        print("SIGKILL and process groups are POSIX; the kill loop is skipped on this system.")
    kills = a.kills if a.kills is not None else (500 if a.long else 30)
    rounds = a.rounds if a.rounds is not None else (10 if a.long else 2)
    with tempfile.TemporaryDirectory(prefix="dtrack-stress-") as tmp:
        if os.name == "posix":
            repo = make_store(Path(tmp) / "kill")
            stats = kill_loop(repo, kills, seed=a.seed)
            print("kill loop:", stats.summary())
        times = [concurrent_round(make_store(Path(tmp) / f"writers-{r}"), a.writers, r) for r in range(rounds)]
        print(f"concurrency: {rounds} rounds of {a.writers} simultaneous writers of every kind, "
              f"{rounds * a.writers} changes, none lost; a round took {sorted(times)[len(times) // 2]:.1f} s "
              f"(median)")
    if a.long:
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-profile=long",
               "--hypothesis-show-statistics", "tests/reliability/test_merge.py", "tests/reliability/test_hostile.py",
               "tests/reliability/test_fuzz.py"]
        print("$", " ".join(cmd[2:]))
        return subprocess.call(cmd, cwd=REPO)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
