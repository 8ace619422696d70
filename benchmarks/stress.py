#!/usr/bin/env python3
"""Stress runs for docs/reliability.md: SIGKILL at random moments of every writing command, concurrent
writers of every kind, and (with --long) the merge, hostile-input and fuzz tests in their long profiles.

    python benchmarks/stress.py            # short: 36 kills (every command twice), 13 writers x 2 rounds
    python benchmarks/stress.py --long     # 540 kills (30 of each), 13 writers x 10 rounds, long hypothesis profile
    python benchmarks/stress.py --kills 1000 --seed 7

Every run uses real `dtrack` processes (python -m dtrack) on a real git repository in a temp folder.
The kill loop runs every writing command in turn (done, extend, cancel, add-task, add, edit with a scripted
EDITOR, import, init, reopen, reassign, agencies add|rename|succeed, done and reopen of an occurrence of a
recurring task, init --province of a new store, resolve of a conflicted merge, sync against a local bare
server), each under a random SIGKILL timer (whole process group). Right after each kill, and
again after the next command (which finishes or drops what the kill interrupted): every store file
parses, the store on disk and in HEAD is exactly as before the killed command or exactly as that
command leaves it (nothing else changed, nothing lost), `git fsck` is clean and HEAD is a commit;
after the next command also nothing is pending, `git status` is clean and the work tree is HEAD. A
git lock left by a killed git must be reported by the next dtrack (exit 6, naming the file) - the
script then deletes it, as the message tells the user to. A merge (resolve) or rebase (sync) a kill
leaves unfinished must be refused by the next dtrack (exit 6, naming it and how to finish it); the
script then finishes it as the message says, and the result must be exactly the command's. Only invariants are checked: how many
kills landed in which phase is counted for the figures, never asserted.
The tests (tests/reliability/test_stress.py) call the same functions with small numbers.
"""
from __future__ import annotations

import argparse
import dataclasses
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
SERIES_STEM = "2024-03-11-du-an-cntt"                # its task #2 recurs every 2 weeks
SERIES = f"directives/2024/{SERIES_STEM}.yaml"
OTHER = "directives/2023/1502-UBND-KGVX.yaml"        # resolve's conflicts are on its task #3
REGISTRY = "directives/agencies.yaml"
LEADS = ("Sở Nội vụ", "Sở Tài chính")
LOOP_AGENCY = "Trung tâm Thử nghiệm"                 # the agencies the loop adds, renames and succeeds
PROVINCE = ["--province", "Gia Lai", "--office", "UBND tỉnh Gia Lai", "--signer-title", "CHỦ TỊCH",
            "--signer-name", "Nguyễn Văn An"]
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
    from dtrack.store.mergesetup import DRIVER, driver_command
    git(root, "config", f"merge.{DRIVER}.driver", driver_command())
    (root / ".git" / "info" / "attributes").write_text("*.yaml merge=dtrack\n", encoding="utf-8")
    # The office's server (a bare repository) and a colleague's clone that pushes to it before each sync.
    server, other = _server(root), _colleague(root)
    git(root.parent, "init", "-q", "--bare", "-b", "main", str(server))
    git(root, "remote", "add", "origin", str(server))
    git(root, "push", "-q", "-u", "origin", "main")
    git(root.parent, "clone", "-q", str(server), str(other))
    for k, v in (("user.name", "Colleague"), ("user.email", "colleague@example.org")):
        git(other, "config", k, v)
    return root


def _server(root: Path) -> Path:
    return root.parent / f"{root.name}-server.git"


def _colleague(root: Path) -> Path:
    return root.parent / f"{root.name}-colleague"


# ---------------------------------------------------------------------------- the state of a store

def _parsed(rel: str, data: bytes):
    """A directive file as the model sees it, any other file as its bytes; raises if a directive does not parse."""
    from dtrack.store import files as store
    if rel == REGISTRY:
        from dtrack.domain.agencies import Registry
        registry, problems = Registry.from_data(store.parse(store.decode(data)))
        assert not problems, (rel, problems)
        return tuple(registry.agencies)
    if not (rel.startswith("directives/") and rel.endswith(".yaml")) or rel == "directives/settings.yaml" \
            or b"\n<<<<<<< " in data:          # a conflict a merge left for resolve: as its bytes
        return data
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


def head_state(repo: Path, ref: str = "HEAD") -> dict:
    names = [n for n in git(repo, "ls-tree", "-r", "-z", "--name-only", ref).stdout.decode().split("\0") if n]
    out = git(repo, "cat-file", "--batch", input="".join(f"{ref}:{n}\n" for n in names).encode()).stdout
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
    rel: str = TARGET                    # the directive file `tasks` are of
    history: str = "one"                 # what its change adds to HEAD: one commit; "merge": the merge
                                         # commit resolve's merge is finished by; "sync": the server's commits


def _task(state: dict, n: int, rel: str = TARGET):
    return state[rel].task(n)


def _only(old, new, **changed) -> bool:
    """`new` is `old` with exactly the fields `changed` set (dataclasses: a task, an agency)."""
    return dataclasses.replace(old, **changed) == new


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


def op_reassign(n: int, i: int, state: dict) -> Op:
    old = _task(state, n)
    to = LEADS[0] if old.lead != (LEADS[0],) else LEADS[1]
    by, reason = f"Công văn {i}/UBND-KGVX", f"Chuyển giao lần {i}"
    from dtrack.domain.records import Reassignment
    record = Reassignment((to,), old.lead, _day(TODAY), by, reason)
    return Op("reassign", ["reassign", f"{STEM}#{n}", "--to", to, "--by", by, "--reason", reason],
              lambda o, s: _only(_task(o, n), _task(s, n), lead=(to,), reassigned=(*_task(o, n).reassigned, record)),
              {TARGET}, {n})


def op_occurrence_done(i: int, state: dict) -> Op:
    """done of the current occurrence of a recurring task, with its note and reply document."""
    from dtrack.domain.records import Occurrence
    old = _task(state, 2, SERIES)
    note, by = f"Báo cáo kỳ {i}", f"Báo cáo số {i}/BC-STTTT"
    occurrence = Occurrence(old.due, _day(TODAY), note, by)
    return Op("done-occurrence", ["done", f"{SERIES_STEM}#2", "--note", note, "--by", by],
              lambda o, s: _task(s, 2, SERIES).due > old.due and _only(
                  _task(o, 2, SERIES), _task(s, 2, SERIES), due=_task(s, 2, SERIES).due,
                  occurrences=(*old.occurrences, occurrence)), {SERIES}, {2}, rel=SERIES)


def op_occurrence_reopen(state: dict) -> Op:
    """reopen of a recurring task: its last recorded occurrence goes, the deadline is that one's again."""
    old = _task(state, 2, SERIES)
    return Op("reopen-occurrence", ["reopen", f"{SERIES_STEM}#2"],
              lambda o, s: _only(old, _task(s, 2, SERIES), due=old.occurrences[-1].due,
                                 occurrences=old.occurrences[:-1]), {SERIES}, {2}, rel=SERIES)


def op_agency_add(i: int) -> Op:
    from dtrack.domain.agencies import Agency
    name, alias = f"{LOOP_AGENCY} số {i}", f"TTTN{i}"
    entry = Agency(name, (alias,), kind="đơn vị sự nghiệp")
    return Op("agencies add", ["agencies", "add", name, "--kind", "đơn vị sự nghiệp", "--alias", alias, "--force"],
              lambda o, s: s[REGISTRY] == (*o[REGISTRY], entry), {REGISTRY})


def _loop_agency(state: dict) -> int | None:
    """The last agency the loop added that no successor replaces yet."""
    found = [i for i, a in enumerate(state[REGISTRY]) if a.name.startswith(LOOP_AGENCY) and not a.replaced_by]
    return found[-1] if found else None


def op_agency_rename(i: int, at: int, state: dict) -> Op:
    from dtrack.domain.text import name_key
    old = state[REGISTRY][at]
    new = f"{LOOP_AGENCY} đổi tên {i}"
    aliases = tuple(dict.fromkeys(a for a in (old.name, *old.aliases) if name_key(a) != name_key(new)))
    want = (*state[REGISTRY][:at], dataclasses.replace(old, name=new, aliases=aliases), *state[REGISTRY][at + 1:])
    return Op("agencies rename", ["agencies", "rename", old.name, new, "--by", f"Quyết định {i}/QĐ-UBND"],
              lambda o, s: s[REGISTRY] == want, {REGISTRY})


def op_agency_succeed(i: int, at: int, state: dict) -> Op:
    from dtrack.domain.agencies import Registry, Succession
    old = state[REGISTRY][at]
    successor, by, on = Registry(state[REGISTRY]).get(LEADS[1]).name, f"Quyết định {i}/QĐ-UBND", _day("2024-08-01")
    record = Succession(successor, on, by)
    want = (*state[REGISTRY][:at], dataclasses.replace(old, replaced_by=(record, *old.replaced_by),
                                                        dissolved=old.dissolved or on), *state[REGISTRY][at + 1:])
    return Op("agencies succeed", ["agencies", "succeed", old.name, "--to", LEADS[1], "--on", "01/08/2024", "--by", by],
              lambda o, s: s[REGISTRY] == want, {REGISTRY})


_TEMPLATE: dict = {}


def init_template(repo: Path) -> dict:
    """The files `init --province` writes, as a run into a folder of its own writes them (once a process)."""
    if not _TEMPLATE:
        with tempfile.TemporaryDirectory(prefix="dtrack-init-") as tmp:
            folder = Path(tmp) / "store"
            proc = subprocess.run(dtrack_cmd("init", str(folder), *PROVINCE), cwd=tmp, env=env(),
                                  capture_output=True, timeout=120)
            assert proc.returncode == 0, proc.stderr
            _TEMPLATE.update({p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                              if p.is_file() and ".git" not in p.relative_to(folder).parts})
    return _TEMPLATE


def op_init_province(repo: Path, i: int) -> Op:
    """init --province of a new store in a folder of the repository: six new files, one commit."""
    made = {f"stores/p{i}/{rel}": data for rel, data in init_template(repo).items()}
    return Op("init --province", ["init", f"stores/p{i}", *PROVINCE], lambda o, s: all(
        s.get(rel) == data for rel, data in made.items()), set(made), made=made)


def _due_text(data: bytes, value: str) -> bytes:
    """OTHER with the due_text of its task #3 set to `value`."""
    at = data.index(b"\n  - n: 3\n")
    start = data.index(b"\n    due_text: ", at) + len(b"\n    due_text: ")
    return data[:start] + value.encode("utf-8") + data[data.index(b"\n", start):]


def op_resolve(repo: Path, i: int) -> Op:
    """resolve of a task the merge driver left in conflict: a colleague pushed one value of a field, the
    clerk committed another, and `dtrack sync --merge` stopped on it (resolve's --theirs: the server's)."""
    other, rel = _colleague(repo), OTHER
    _colleague_commit(other, {rel: lambda data: _due_text(data, f"trước ngày 30/9/2024 (văn thư khác, lần {i})")},
                      f"due_text {i}")
    path = repo / rel
    path.write_bytes(_due_text(path.read_bytes(), f"trước ngày 31/10/2024 (lần {i})"))
    git(repo, "commit", "-q", "--no-verify", "-am", f"due_text {i}")
    stopped = _run(repo, ["sync", "--merge"])
    assert stopped.returncode != 0 and _operation(repo) == "merge", stopped.stderr
    from dtrack.store.mergefile import resolve_text
    conflicted = path.read_bytes()
    assert b"\n<<<<<<< " in conflicted, conflicted
    resolved = _parsed(rel, resolve_text(conflicted.decode("utf-8"), 3, "theirs")[0].encode("utf-8"))
    return Op("resolve", ["resolve", "1502-UBND-KGVX#3", "--theirs"], lambda o, s: s[rel] == resolved, {rel},
              history="merge")


def _colleague_commit(other: Path, changes: dict, message: str) -> None:
    """The colleague, up to date with the server, changes files (rel: bytes -> bytes) and pushes."""
    git(other, "fetch", "-q", "origin")
    git(other, "reset", "-q", "--hard", "origin/main")
    for rel, change in changes.items():
        path = other / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(change(path.read_bytes() if path.exists() else b""))
    git(other, "add", "-A")
    git(other, "commit", "-q", "--no-verify", "-m", message)
    git(other, "push", "-q", "origin", "HEAD:main")


def op_sync(repo: Path, i: int, state: dict) -> Op:
    """sync after a colleague pushed a file: fetch, rebase the loop's commits onto it, push."""
    other = _colleague(repo)
    _colleague_commit(other, {f"remote/log-{i}.txt": lambda _: f"Ghi chép của văn thư khác, lần {i}\n".encode("utf-8")},
                      f"colleague's notes {i}")
    made = {f"remote/{p.name}": p.read_bytes() for p in (other / "remote").iterdir()}
    made = {rel: data for rel, data in made.items() if state.get(rel) != data}
    return Op("sync", ["sync"], lambda o, s: all(s.get(rel) == data for rel, data in made.items()), set(made),
              history="sync")


def _day(text: str):
    from datetime import date
    return date.fromisoformat(text)


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


# The kill loop's cycle: every writing command once, so that any 18 runs in a row have them all.
CYCLE = ("done", "extend", "cancel", "add-task", "add", "edit", "import", "init", "reopen", "reassign",
         "agencies add", "agencies rename", "agencies succeed", "done-occurrence", "reopen-occurrence",
         "init --province", "resolve", "sync")


def next_op(repo: Path, state: dict, i: int, rng: random.Random) -> Op:
    """The i-th command of the kill loop: every writing command in turn, on random tasks. What a
    command needs (an open task, a closed one to reopen, an occurrence to undo, an agency of the loop's
    own) is made first by a run without a timer, so that the same commands come in the same order
    whatever the kills did."""
    kind = CYCLE[i % len(CYCLE)]
    if kind in ("done", "extend", "cancel", "reassign", "reopen"):
        want_open = kind != "reopen"
        fit = [n for n in TASKS if (_task(state, n).status == "open") == want_open]
        if not fit:
            n = rng.choice(TASKS)
            _prepare(repo, state, ["reopen" if want_open else "done", f"{STEM}#{n}"])
            fit = [n]
        n = rng.choice(fit)
    if kind == "reopen-occurrence" and not _task(state, 2, SERIES).occurrences:
        _prepare(repo, state, op_occurrence_done(i, state).args)
    if kind in ("agencies rename", "agencies succeed") and _loop_agency(state) is None:
        _prepare(repo, state, op_agency_add(i).args)
    return {"done": lambda: op_done(n), "extend": lambda: op_extend(n, i), "cancel": lambda: op_cancel(n, i),
            "reopen": lambda: op_reopen(n), "add-task": lambda: op_add_task(i), "add": lambda: op_add(i),
            "edit": lambda: op_edit(repo, i), "import": lambda: op_import(repo, i), "init": lambda: op_init(repo, state),
            "reassign": lambda: op_reassign(n, i, state), "agencies add": lambda: op_agency_add(i),
            "agencies rename": lambda: op_agency_rename(i, _loop_agency(state), state),
            "agencies succeed": lambda: op_agency_succeed(i, _loop_agency(state), state),
            "done-occurrence": lambda: op_occurrence_done(i, state),
            "reopen-occurrence": lambda: op_occurrence_reopen(state),
            "init --province": lambda: op_init_province(repo, i), "resolve": lambda: op_resolve(repo, i),
            "sync": lambda: op_sync(repo, i, state)}[kind]()


def _prepare(repo: Path, state: dict, args: list[str]) -> None:
    """A run without a timer that gives the next command something to do; `state` follows the store."""
    proc = _run(repo, args)
    assert proc.returncode == 0, (args, proc.stderr.decode("utf-8", "replace"))
    state.clear()
    state.update(disk_state(repo))


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
    if op.made:
        changed = [f"{rel} ({'missing' if rel not in now else 'as made' if now[rel] == op.made.get(rel) else 'other'})"
                   for rel in changed]
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
    outcomes: Counter = field(default_factory=Counter)      # (command, phase): figures only, never asserted
    commands: Counter = field(default_factory=Counter)
    stale_locks: Counter = field(default_factory=Counter)
    operations: Counter = field(default_factory=Counter)    # a merge or rebase left unfinished, then finished
    recovered: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        outs = ", ".join(f"{k}: {v}" for k, v in sorted(Counter(phase for _, phase in self.outcomes.elements()).items()))
        cmds = ", ".join(f"{k} {v}" for k, v in sorted(self.commands.items()))
        locks = ", ".join(f"{k}: {v}" for k, v in sorted(self.stale_locks.items())) or "none"
        ops = ", ".join(f"{k}: {v}" for k, v in sorted(self.operations.items())) or "none"
        return (f"{self.kills} runs under a random kill timer ({cmds}), all consistent ({outs}); stale git locks "
                f"reported and removed: {locks}; unfinished git operations refused, then finished as told: {ops}; "
                f"{sum(self.recovered.values())} interrupted changes finished and {sum(self.dropped.values())} "
                f"dropped by the next run; {self.seconds:.0f} s")

    def table(self) -> str:
        """Per command: runs, killed, where the kills landed, interrupted changes finished and dropped."""
        phases = ("before the write", "written, not committed", "after the commit", "half written",
                  "git operation unfinished", "finished")
        rows = ["| command | runs | " + " | ".join(phases) + " | finished by the next run | dropped |",
                "|---|" + "---:|" * (len(phases) + 3)]
        for name in sorted(self.commands):
            counts = [self.outcomes[(name, ph)] for ph in phases]
            rows.append(f"| {name} | {self.commands[name]} | " + " | ".join(map(str, counts)) +
                        f" | {self.recovered[name]} | {self.dropped[name]} |")
        return "\n".join(rows)


def _phase(killed: bool, disk: str, head: str) -> str:
    if not killed:
        return "finished"
    return {("old", "old"): "before the write", ("new", "old"): "written, not committed",
            ("new", "new"): "after the commit", ("partial", "old"): "half written",
            ("rebasing", "rebasing"): "git operation unfinished"}.get((disk, head), f"disk {disk}, HEAD {head}")


def _run(repo: Path, args: list[str], extra: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(dtrack_cmd(*args), cwd=repo, env=env(**(extra or {})), capture_output=True, timeout=60)


def _rev(repo: Path, ref: str) -> str:
    return git(repo, "rev-parse", "--verify", "-q", ref, check=False).stdout.decode().strip()


def _operation(repo: Path) -> str | None:
    if (repo / ".git" / "MERGE_HEAD").exists():
        return "merge"
    if (repo / ".git" / "rebase-merge").exists() or (repo / ".git" / "rebase-apply").exists():
        return "rebase"
    return None


# What the next dtrack says of an unfinished merge (resolve's) or of a rebase a killed sync left.
FINISH = {"merge": ("a merge (", "Finish it (git commit)"),
          "rebase": ("a rebase (", "A 'dtrack sync' was interrupted in the middle of it: run 'dtrack sync' again")}


def _settle(repo: Path, op: Op, stats: KillStats) -> None:
    """The next command after a kill: a stale git lock must be reported (exit 6, naming it), and is then
    deleted as the message says; an unfinished merge or rebase must be refused (exit 6, naming it and
    how to finish it), and is then finished as the message says (resolve's conflict settled first, as the
    clerk would); otherwise it finishes or drops what the kill interrupted."""
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
    operation = _operation(repo)
    if operation:
        what, finish = FINISH[operation]
        assert proc.returncode == 6, f"unfinished {operation} not refused: exit {proc.returncode} {err}"
        assert err.startswith(f"dtrack: error: git is in the middle of {what}") and finish in err, err
        stats.operations[f"{op.name}: {operation}"] += 1
        if operation == "merge":
            # resolve's conflict settled if the kill came first, then the sync it says to run finishes the merge
            if git(repo, "ls-files", "-u").stdout:
                again = _run(repo, op.args)
                assert again.returncode == 0, (op.args, again.stderr.decode("utf-8", "replace"))
            done = _run(repo, ["sync", "--merge"])
        else:
            done = _run(repo, op.args)
            assert "an interrupted 'dtrack sync' was undone" in done.stderr.decode("utf-8", "replace"), done.stderr
        assert done.returncode == 0, (finish, done.stdout, done.stderr)
        proc = _run(repo, SETTLE)
        err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    stats.recovered[op.name] += "finished an interrupted" in err
    stats.dropped[op.name] += "interrupted dtrack change (" in err


def _check_history(repo: Path, op: Op, after: str, head0: str, server0: str) -> None:
    """HEAD and the server after the next command: as before, or with exactly the command's commits."""
    head, server = _rev(repo, "HEAD"), _rev(_server(repo), "refs/heads/main")
    if op.history == "one":
        assert server == server0, f"{op.args}: the server changed"
    if after == "old":
        assert head == head0, f"{op.args}: a commit without the change"
    elif op.history == "one":
        assert _rev(repo, "HEAD~1") == head0, f"{op.args}: not one commit on the one before"
    elif op.history == "merge":
        parents = git(repo, "rev-list", "--parents", "-n", "1", "HEAD").stdout.decode().split()[1:]
        assert parents == [head0, server0] and server == head, f"{op.args}: not the merge of the server's commit"
    else:     # sync: the colleague's commits under the loop's, on the server as they were or as pushed now
        assert git(repo, "merge-base", "--is-ancestor", server0, "HEAD", check=False).returncode == 0
        assert server in (server0, head), f"{op.args}: the server holds neither its commits nor ours"


def kill_loop(repo: Path, kills: int, seed: int = 1, log=print) -> KillStats:
    """Every writing command in turn, each SIGKILLed at a random moment of its life; the invariants
    are checked right after each kill and again after the next command."""
    rng = random.Random(seed)
    stats = KillStats()
    started = time.monotonic()
    t0 = time.monotonic()                 # how long one run takes here, to spread the kills over its life
    assert _run(repo, SETTLE).returncode == 0
    spans = Counter()                     # each command's last whole run (sync and init take longer)
    first = time.monotonic() - t0
    for i in range(kills):
        op = next_op(repo, disk_state(repo), i, rng)
        old, old_head = disk_state(repo), head_state(repo)      # after what the command needed was made
        head0, server0 = _rev(repo, "HEAD"), _rev(_server(repo), "refs/heads/main")
        errors = (repo / ".git" / "stress-stderr").open("wb")      # what a failure report quotes
        p = subprocess.Popen(dtrack_cmd(*op.args), cwd=repo, env=env(**op.env), stdout=subprocess.DEVNULL,
                             stderr=errors, start_new_session=(os.name == "posix"))
        t0 = time.monotonic()
        try:
            p.wait(timeout=rng.uniform(0.1, 1.5) * (spans[op.name] or 2 * first))
            spans[op.name] = time.monotonic() - t0
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            killed = True
        errors.close()
        stats.kills += 1
        stats.commands[op.name] += 1
        try:
            disk, head = _judge(repo, op, old, old_head, head0, killed)
        except AssertionError as e:
            said = (repo / ".git" / "stress-stderr").read_text(encoding="utf-8", errors="replace").strip()
            raise AssertionError(f"{e} ({'killed' if killed else 'finished'}; it said: {said!r})") from None
        check_fsck(repo)
        _settle(repo, op, stats)
        check_consistent(repo)
        after = classify(op, old, disk_state(repo), "after the next command")
        assert classify(op, old, head_state(repo), "in HEAD after the next command") == after
        assert disk != "partial" or after == "new", f"{op.args}: a change half written was not finished"
        _check_history(repo, op, after, head0, server0)
        stats.outcomes[(op.name, _phase(killed, disk, head))] += 1
    stats.seconds = time.monotonic() - started
    return stats


def _judge(repo: Path, op: Op, old: dict, old_head: dict, head0: str, killed: bool) -> tuple[str, str]:
    """The store right after the command was killed or finished: on disk, and in HEAD."""
    if _operation(repo) == "rebase":
        # git's own work tree and detached HEAD until it finishes: the branch must be as before, or already
        # the finished rebase (git moves it just before it removes its folder).
        assert op.name == "sync", f"{op.args}: a rebase in progress"
        branch = classify(op, old_head, head_state(repo, "refs/heads/main"), "in the branch during the rebase")
        assert branch == "new" or _rev(repo, "refs/heads/main") == head0, f"{op.args}: the branch moved mid-rebase"
        return "rebasing", "rebasing"
    disk = classify(op, old, disk_state(repo, temps=True), "on disk", pending=_journal(repo) is not None)
    head = classify(op, old_head, head_state(repo), "in HEAD")
    assert op.history != "merge" or head == "old", f"{op.args}: committed the unfinished merge"
    return disk, head


# ---------------------------------------------------------------------------- concurrent writers

def concurrent_round(repo: Path, writers: int = 13, round_no: int = 0) -> float:
    """Up to 13 different writing commands, started together (done twice, extend, cancel, add-task,
    reassign on one directive; add, import; edit of another file; done of an occurrence; agencies add;
    init --province of a new store; sync after a colleague pushed): every change is in the store, each
    in its own commit, and the server has what the sync pushed."""
    base = 100 * round_no
    state = disk_state(repo)
    ops = [op_done(1), op_extend(3, base), op_add_task(base), op_add(base), op_cancel(4, base),
           op_import(repo, base), op_done(2), op_edit(repo, base, OTHER), op_reassign(5, base, state),
           op_occurrence_done(base, state), op_agency_add(base), op_init_province(repo, base),
           op_sync(repo, base, state)][:writers]
    old = disk_state(repo)
    head0 = git(repo, "rev-parse", "HEAD").stdout.decode().strip()
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
    # sync makes no commit of its own: it brings the colleague's
    want = [op.args[0] for op in ops if op.name != "sync"] + ["colleague's" for op in ops if op.name == "sync"]
    assert sorted(x.split(" ", 1)[0].rstrip(":") for x in log) == sorted(want), log
    if any(op.name == "sync" for op in ops):
        served = _rev(_server(repo), "refs/heads/main")
        assert git(repo, "merge-base", "--is-ancestor", served, "HEAD", check=False).returncode == 0
    return seconds


# ---------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--long", action="store_true", help="the long run whose figures docs/reliability.md quotes")
    ap.add_argument("--kills", type=int, default=None)
    ap.add_argument("--writers", type=int, default=13, choices=range(1, 14))
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if os.name != "posix":
        print("SIGKILL and process groups are POSIX; the kill loop is skipped on this system.")
    kills = a.kills if a.kills is not None else (30 if a.long else 2) * len(CYCLE)
    rounds = a.rounds if a.rounds is not None else (10 if a.long else 2)
    with tempfile.TemporaryDirectory(prefix="dtrack-stress-") as tmp:
        if os.name == "posix":
            repo = make_store(Path(tmp) / "kill")
            stats = kill_loop(repo, kills, seed=a.seed)
            print("kill loop:", stats.summary())
            print(stats.table())
        times = [concurrent_round(make_store(Path(tmp) / f"writers-{r}"), a.writers, r) for r in range(rounds)]
        if times:
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
