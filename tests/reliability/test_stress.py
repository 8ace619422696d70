"""Crash safety and concurrency on real git stores with real dtrack processes (docs/reliability.md).

The long runs are `python benchmarks/stress.py --long`; these are their short mode plus the
deterministic cases: a stale git lock, a store lock held by another process (every writing command
waits, then stops with exit 6 having written and committed nothing), an interrupted commit finished
later, a hand edit made while dtrack waits for the lock, a change killed after its write and then
discarded by the clerk (every command), a sync killed inside git's rebase, a resolve killed before
its `git add`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import stress
from conftest import REPO, dtrack_script, git, make_repo

# Real processes racing and waiting on locks: the whole module is the stress suite, run by .ci/run after
# the default run (the default run must stay under 90 s on the 2-core machine).
pytestmark = pytest.mark.slow

STEM = stress.STEM
TARGET = stress.TARGET


def run(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(stress.dtrack_cmd(*args), cwd=repo, env={**stress.env(), **(env or {})},
                          capture_output=True, timeout=60)


# The kill loop is slow: `pytest -m slow` runs it (DTRACK_STRESS_SHORT=1, as .ci/run does: one cycle, 18
# kills, every writing command once), and `python benchmarks/stress.py --long` runs 540. Only invariants are
# asserted, never where the kills landed; the commands and their order are fixed whatever the kills did.
@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process groups do not exist on Windows")
def test_sigkill_at_random_moments_of_every_writing_command_never_corrupts_or_loses(tmp_path):
    cycles = 1 if os.environ.get("DTRACK_STRESS_SHORT") else 5
    repo = stress.make_store(tmp_path / "office")
    stats = stress.kill_loop(repo, kills=cycles * len(stress.CYCLE), seed=2024)
    assert stats.commands == {name: cycles for name in stress.CYCLE}
    assert set(stress.CYCLE) == {"done", "extend", "cancel", "add-task", "add", "edit", "import", "init", "reopen",
                                 "reassign", "agencies add", "agencies rename", "agencies succeed", "done-occurrence",
                                 "reopen-occurrence", "init --province", "resolve", "sync"}


def test_thirteen_simultaneous_writers_of_every_kind_lose_no_update(tmp_path):
    stress.concurrent_round(stress.make_store(tmp_path / "office"), writers=13)


def _hold_store_lock(root: Path) -> subprocess.Popen:
    """Another process holding the store lock until its stdin closes."""
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from dtrack.store.lock import store_lock
        with store_lock(Path({str(root)!r})):
            print("locked", flush=True)
            sys.stdin.read()
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdout.readline() == b"locked\n"
    return p


SERIES = stress.SERIES_STEM
ADD_AGENCY = ["agencies", "add", "Trung tâm Thử nghiệm", "--kind", "đơn vị sự nghiệp", "--force"]

WRITERS = {
    "done": ["done", f"{STEM}#1"],
    "reopen": ["reopen", f"{STEM}#9"],        # done by the setup below, before the lock is taken
    "extend": ["extend", f"{STEM}#1", "--to", "31/12/2024", "--reason", "Công văn 12/STTTT"],
    "cancel": ["cancel", f"{STEM}#2", "--reason", "Không còn phù hợp"],
    "add": ["add", "--number", "77/UBND-KT", "--kind", "cong-van", "--issuer", "UBND tỉnh Quảng Ngãi",
            "--issued", "01/07/2024", "--title", "Về việc báo cáo"],
    "add-task": ["add-task", STEM, "--text", "Báo cáo kết quả", "--lead", "STC"],
    "edit": ["edit", f"{STEM}#1"],
    "import": ["import", str(REPO / "tests/fixtures/import/cong-van-de-nghi.txt"), "--yes"],
    "init": ["init", ".", "--lang", "en"],
    "reassign": ["reassign", f"{STEM}#5", "--to", "Sở Nội vụ", "--by", "Công văn 9/UBND-KGVX", "--reason", "Chuyển giao"],
    "agencies add": ["agencies", "add", "Chi cục Thử nghiệm", "--kind", "đơn vị sự nghiệp", "--alias", "CCTN"],
    "agencies rename": ["agencies", "rename", "Trung tâm Thử nghiệm", "Trung tâm Thử nghiệm tỉnh", "--by", "QĐ 1/QĐ-UBND"],
    "agencies succeed": ["agencies", "succeed", "Trung tâm Thử nghiệm", "--to", "Sở Tài chính", "--on", "01/08/2024",
                         "--by", "QĐ 2/QĐ-UBND"],
    "done-occurrence": ["done", f"{SERIES}#2", "--note", "Báo cáo kỳ 1", "--by", "Báo cáo số 1/BC-STTTT"],
    "reopen-occurrence": ["reopen", f"{SERIES}#2"],
    "init --province": ["init", "stores/p1", *stress.PROVINCE, "--lang", "en"],
    "resolve": ["resolve", "1502-UBND-KGVX#3", "--theirs"],     # a sync --merge stopped on that task
    "sync": ["sync"],                                             # one local commit to push
}
# What a command needs done first, by runs that commit (before the lock is taken).
NEEDS = {"reopen": [["done", f"{STEM}#9"]], "agencies rename": [ADD_AGENCY], "agencies succeed": [ADD_AGENCY],
         "reopen-occurrence": [["done", f"{SERIES}#2"]], "sync": [["done", f"{STEM}#3"]]}


def _tree(root: Path) -> dict[str, bytes]:
    """Every file outside git's folder, and those inside it that a command could change."""
    files = {}
    for folder, dirs, names in os.walk(root):
        if os.path.relpath(folder, root) == ".git":
            dirs[:] = [d for d in dirs if d in ("hooks", "refs")]
            names = [n for n in names if n in ("HEAD", "index")]
        for name in names:
            path = Path(folder) / name
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def editor(tmp_path_factory) -> str:
    script = tmp_path_factory.mktemp("editor") / "edit.py"
    script.write_text(stress.EDITOR_SCRIPT, encoding="utf-8")
    return f'"{sys.executable}" "{script}"'


# The commands in an order in which each still has something to do after those before it went through.
IN_ORDER = ["extend", "cancel", "done", "reopen", "add", "add-task", "edit", "import", "init", "reassign",
            "agencies add", "agencies succeed", "agencies rename", "done-occurrence", "reopen-occurrence",
            "init --province", "sync"]


@pytest.mark.parametrize("commands", [IN_ORDER, ["resolve"]], ids=["every-other-command", "resolve"])
def test_every_writing_command_waits_for_the_store_lock_then_stops_with_exit_6(commands, tmp_path, cli, editor):
    """All at once against a lock another process holds (DTRACK_LOCK_TIMEOUT=0.3): each stops with exit 6
    and one line, nothing written (tree, git's refs and index, the server byte-identical); then, the lock
    free, each goes through in turn: they were refused for the lock alone. resolve needs a store of its
    own: its unfinished merge stops every other command."""
    assert sorted(IN_ORDER + ["resolve"]) == sorted(WRITERS)
    repo = stress.make_store(tmp_path / "clerk")
    if commands == ["resolve"]:
        stress.op_resolve(repo, 1)
    for args in dict.fromkeys(tuple(a) for c in commands for a in NEEDS.get(c, [])):
        assert cli(*args, cwd=repo).exit_code == 0, args
    server = stress._server(repo)
    head, tree, served = git(repo, "rev-parse", "HEAD"), _tree(repo), _tree(server)
    env = {**os.environ, "DTRACK_LOCK_TIMEOUT": "0.3", "EDITOR": editor, "VISUAL": "", "STRESS_MARK": "v1"}
    holder = _hold_store_lock(repo / "directives")
    try:
        procs = [subprocess.Popen([dtrack_script(), *WRITERS[c]], cwd=repo, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for c in commands]
        said = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    finally:
        holder.communicate(b"")
    for command, (out, err, code) in zip(commands, said):
        err = err.decode("utf-8")
        assert code == 6, (command, out, err)
        assert err.startswith("dtrack: error: another dtrack is changing this store (waited 0.3 s for "), (command, err)
        assert "DTRACK_LOCK_TIMEOUT" in err and len(err.strip().split("\n")) == 1, (command, err)
    assert _tree(repo) == tree and git(repo, "rev-parse", "HEAD") == head and _tree(server) == served
    if os.environ.get("DTRACK_STRESS_SHORT"):
        return           # CI's short mode: the line names the lock it waited for; the concurrent round goes through
    for command in commands:
        result = cli(*WRITERS[command], cwd=repo, env={"EDITOR": editor, "VISUAL": "", "STRESS_MARK": "v1"})
        assert result.exit_code == 0, (command, result.output)
        assert _tree(repo) != tree, command
        tree = _tree(repo)
    assert commands != IN_ORDER or _tree(server) != served


def test_a_hand_edit_made_while_dtrack_waits_for_the_lock_is_kept(repo):
    path = repo / TARGET
    holder = _hold_store_lock(repo / "directives")
    try:
        p = subprocess.Popen(stress.dtrack_cmd("done", f"{STEM}#1"), cwd=repo, env=stress.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1.0)          # dtrack has read the store by now and waits for the lock
        path.write_bytes(path.read_bytes() + "# ghi chú viết tay\n".encode("utf-8"))
    finally:
        holder.communicate(b"")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err.decode()
    text = path.read_text(encoding="utf-8")
    assert text.endswith("# ghi chú viết tay\n")
    assert "    status: done\n    done: 2024-07-20\n  - n: 2\n" in text
    # The commit holds dtrack's change only; the hand edit stays for its author to commit.
    assert [l for l in git(repo, "diff", "--", TARGET).split("\n") if l.startswith("+") and
            not l.startswith("+++")] == ["+# ghi chú viết tay"]


def test_a_stale_index_lock_is_reported_with_what_to_do_and_never_deleted(repo):
    lock = repo / ".git" / "index.lock"
    lock.write_bytes(b"")
    before = (repo / TARGET).read_bytes()
    proc = run(repo, "done", f"{STEM}#1")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 6, err
    assert err.startswith(f"dtrack: error: another git process is using this repository ({lock} exists, "
                          "created 0 s ago); nothing was changed.")
    assert f"delete {lock} by hand" in err
    assert lock.exists()
    assert (repo / TARGET).read_bytes() == before
    lock.unlink()
    assert run(repo, "done", f"{STEM}#1").returncode == 0


def _interrupt_commit(cli, repo, monkeypatch, *args):
    """Run a command whose commit fails after its write (a git started meanwhile holds the branch's lock),
    as a kill between write and commit would leave it; returns its result."""
    from dtrack.store import journal
    ref_lock = repo / ".git" / "refs" / "heads" / "main.lock"
    real_begin = journal.begin

    def begin_then_git_starts(*a):
        data = real_begin(*a)
        ref_lock.write_bytes(b"")
        return data
    monkeypatch.setattr(journal, "begin", begin_then_git_starts)
    result = cli(*args, cwd=repo)
    monkeypatch.setattr(journal, "begin", real_begin)
    ref_lock.unlink()
    assert result.exit_code == 6, result.output
    assert str(ref_lock) in result.output
    return result


def test_an_interrupted_commit_is_finished_by_the_next_run(cli, repo, monkeypatch):
    """The file shows the change, the journal keeps it, and the next dtrack change commits it with a trailer."""
    result = _interrupt_commit(cli, repo, monkeypatch, "done", f"{STEM}#1", "--note", "Công văn 12/STTTT")
    assert "The change is written but not committed; the next dtrack command" in result.output
    assert "    status: done\n    done: 2024-07-20\n" in (repo / TARGET).read_text(encoding="utf-8")
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"

    result = cli("done", f"{STEM}#2", cwd=repo)
    assert result.exit_code == 0, result.output
    assert f"warning: finished an interrupted dtrack change: done {STEM}#1 [STTTT] on 20/07/2024 (committed " \
        in result.stderr
    messages = [m.strip("\n") for m in git(repo, "log", "--format=%B%x00").split("\x00")]
    assert messages == [
        f"done {STEM}#2 [STTTT] on 20/07/2024\n\nDtrack-Action: done\nDtrack-Ref: {STEM}#2",
        f"done {STEM}#1 [STTTT] on 20/07/2024\n\nCông văn 12/STTTT\n\nDtrack-Action: done\n"
        f"Dtrack-Ref: {STEM}#1\nDtrack-Recovered: yes",
        "initial store", ""]
    assert git(repo, "status", "--porcelain") == ""


def test_a_change_the_clerk_discarded_with_git_checkout_is_never_written_back(cli, repo, monkeypatch):
    _interrupt_commit(cli, repo, monkeypatch, "done", f"{STEM}#1")
    assert "status: done" in (repo / TARGET).read_text(encoding="utf-8")
    git(repo, "checkout", "--", TARGET)                     # the clerk puts the file back
    result = cli("done", "1502#1", cwd=repo)
    assert result.exit_code == 0, result.output
    assert f"warning: an interrupted dtrack change (done {STEM}#1 [STTTT] on 20/07/2024) was dropped: " \
        in result.stderr and "holds its old content again" in result.stderr
    assert "status: done" not in (repo / TARGET).read_text(encoding="utf-8")
    assert git(repo, "log", "--format=%s") == "done 1502-UBND-KGVX#1 [STTTT] on 20/07/2024\ninitial store\n"
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / ".git/dtrack/pending.json").exists()


def test_a_file_edited_by_hand_after_an_interrupted_change_is_left_alone(cli, repo, monkeypatch):
    _interrupt_commit(cli, repo, monkeypatch, "done", f"{STEM}#1")
    path = repo / TARGET
    edited = path.read_bytes() + "# sửa tay\n".encode("utf-8")
    path.write_bytes(edited)
    result = cli("done", "1502#1", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "was not finished" in result.stderr and "was edited since" in result.stderr
    assert path.read_bytes() == edited and git(repo, "rev-list", "--count", "HEAD").strip() == "2"


def test_a_new_file_written_before_the_kill_is_committed_by_the_next_run(cli, repo, monkeypatch):
    _interrupt_commit(cli, repo, monkeypatch, "add", "--number", "77/UBND-KT", "--kind", "cong-van",
                           "--issuer", "UBND tỉnh Quảng Ngãi", "--issued", "01/07/2024", "--title", "Về việc báo cáo")
    result = cli("done", "1502#1", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "finished an interrupted dtrack change: add 77/UBND-KT" in result.stderr
    assert git(repo, "status", "--porcelain") == ""
    assert "Dtrack-Recovered: yes" in git(repo, "log", "-1", "--skip=1", "--format=%B")


def test_an_interrupted_change_git_refuses_for_good_is_reported_and_not_kept_to_fail_every_later_one(
        cli, repo, monkeypatch):
    _interrupt_commit(cli, repo, monkeypatch, "done", f"{STEM}#1")
    branch, head = repo / ".git/refs/heads/main", git(repo, "rev-parse", "HEAD").strip()
    branch.write_text(git(repo, "rev-parse", "HEAD^{tree}"), encoding="ascii")    # a branch that names no commit
    result = cli("reopen", "1502#1", cwd=repo)                 # changes nothing itself
    assert "is written but could not be committed" in result.stderr and "commit by hand" in result.stderr
    assert not (repo / ".git/dtrack/pending.json").exists()
    branch.write_text(head + "\n", encoding="ascii")
    result = cli("done", "1502#2", cwd=repo)
    assert result.exit_code == 0 and "interrupted" not in result.stderr, result.output


def _edit_during(monkeypatch, path: Path, on_call: int = 1):
    """Save `path` by hand in the middle of dtrack's work: after it read the file, before it writes."""
    from dtrack.services import ops
    real, calls = ops._verify, []

    def verify_then_edit(*args):
        calls.append(1)
        if len(calls) == on_call:
            path.write_bytes(path.read_bytes().replace(b"status: open", "status: open  # sửa tay".encode("utf-8"), 1))
        return real(*args)
    monkeypatch.setattr(ops, "_verify", verify_then_edit)


def test_a_file_edited_between_read_and_write_is_never_overwritten(cli, repo, monkeypatch):
    path = repo / TARGET
    _edit_during(monkeypatch, path)
    result = cli("done", f"{STEM}#3", cwd=repo)
    assert result.exit_code == 6
    assert result.output == (f"dtrack: error: {path} changed on disk while dtrack was working; nothing was "
                             "written. Run the command again.\n")
    text = path.read_text(encoding="utf-8")
    assert text.count("status: open  # sửa tay") == 1 and "status: done" not in text
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert not list((repo / ".git" / "dtrack").glob("pending*"))


def test_when_the_second_file_is_refused_the_first_gets_its_old_bytes_back(cli, repo, monkeypatch):
    first = repo / "directives/2023/1502-UBND-KGVX.yaml"
    second = repo / TARGET
    old_first = first.read_bytes()
    _edit_during(monkeypatch, second, on_call=2)
    result = cli("done", "1502#1", f"{STEM}#3", cwd=repo)
    assert result.exit_code == 6, result.output
    assert first.read_bytes() == old_first
    assert b"# s\xe1\xbb\xada tay" in second.read_bytes() and b"status: done" not in second.read_bytes()
    assert git(repo, "status", "--porcelain") == " M directives/2022/2022-02-14-nhiem-vu-trong-tam.yaml\n"


# ---------------------------------------------------------------------------- 18.4 on every writing command

# The clerk's ways of throwing away what a killed command wrote: git puts a changed file back; a new file
# (git never had it) is cleaned away or deleted by hand.
DISCARD = {
    "checkout": lambda repo, rels: git(repo, "checkout", "--", *rels),
    "restore": lambda repo, rels: git(repo, "restore", "--", *rels),
    "reset --hard": lambda repo, rels: git(repo, "reset", "-q", "--hard"),
    "stash": lambda repo, rels: git(repo, "stash", "-q"),
    "clean": lambda repo, rels: git(repo, "clean", "-fdq", "--", *rels),
    "rm": lambda repo, rels: [(repo / rel).unlink() for rel in rels],
}
DISCARDED = [(command, how) for command, how in [
    *(("done", how) for how in ("restore", "reset --hard", "stash")),     # checkout: the test above
    ("done 2 files", "reset --hard"), ("reopen", "restore"), ("extend", "reset --hard"), ("cancel", "stash"),
    ("add-task", "checkout"), ("edit", "restore"), ("reassign", "stash"), ("agencies add", "checkout"),
    ("agencies rename", "restore"), ("agencies succeed", "reset --hard"), ("done-occurrence", "stash"),
    ("reopen-occurrence", "checkout"), ("add", "clean"), ("import", "rm"), ("init", "clean"),
    ("init --province", "clean")]]


# CI's short mode: every way of discarding once, a change of two files, new files of one and of six.
SHORT = {("done", "restore"), ("done", "reset --hard"), ("done", "stash"), ("done 2 files", "reset --hard"),
         ("agencies succeed", "reset --hard"), ("import", "rm"), ("init --province", "clean")}
if os.environ.get("DTRACK_STRESS_SHORT"):
    DISCARDED = [case for case in DISCARDED if case in SHORT]


@pytest.mark.parametrize("command, how", DISCARDED, ids=[f"{c}-{h}" for c, h in DISCARDED])
def test_a_change_killed_after_its_write_and_discarded_by_the_clerk_is_never_written_back(
        command, how, cli, repo, monkeypatch, editor):
    args = ["done", "1502#1", f"{STEM}#3"] if command == "done 2 files" else WRITERS[command]
    for needed in NEEDS.get(command, []):
        assert cli(*needed, cwd=repo).exit_code == 0, needed
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.setenv("STRESS_MARK", "v1")
    head = git(repo, "rev-parse", "HEAD")
    _interrupt_commit(cli, repo, monkeypatch, *args)
    written = [line[3:] for line in git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()]
    assert written and not any(rel.startswith('"') for rel in written)
    DISCARD[how](repo, written)
    result = cli("done", "1502#2", cwd=repo)                   # the next change, of another task
    assert result.exit_code == 0, result.output
    assert "interrupted dtrack change (" in result.stderr and "was dropped" in result.stderr, result.stderr
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(repo, "rev-parse", "HEAD~1") == head            # one commit, and it is the next change's
    assert [line for line in git(repo, "show", "--name-only", "--format=%s", "HEAD").split("\n") if line] == [
        "done 1502-UBND-KGVX#2 [STTTT] on 20/07/2024", "directives/2023/1502-UBND-KGVX.yaml"]
    assert not (repo / ".git/dtrack/pending.json").exists()
    assert (how != "stash") or git(repo, "stash", "list").count("\n") == 1     # the clerk's copy is still there


# ---------------------------------------------------------------------------- resolve and sync killed

@pytest.mark.skipif(os.name != "posix", reason="a hook that SIGKILLs its process group is POSIX")
def test_a_sync_killed_inside_its_rebase_is_undone_and_started_over_by_the_next_sync(cli, tmp_path):
    repo = stress.make_store(tmp_path / "clerk")
    stress._colleague_commit(stress._colleague(repo), {"notes.txt": lambda _: b"ghi chep\n"}, "colleague's notes")
    for args in (ADD_AGENCY, ["agencies", "rename", "Trung tâm Thử nghiệm", "Trung tâm Thử nghiệm tỉnh"]):
        assert cli(*args, cwd=repo).exit_code == 0
    head, registry = git(repo, "rev-parse", "HEAD"), (repo / stress.REGISTRY).read_bytes()
    # git's rebase killed (with dtrack, its whole process group) as it is about to move HEAD: its plan is
    # written, HEAD not yet where the plan starts. `git rebase --continue` replays the clerk's commits on
    # their own branch: the add conflicts with the rename.
    hook = repo / ".git" / "hooks" / "reference-transaction"
    hook.write_text('#!/bin/sh\n[ "$1" = prepared ] && [ -f "$(git rev-parse --git-dir)/rebase-merge/git-rebase-todo" ]'
                    ' && kill -KILL 0\nexit 0\n', encoding="utf-8")
    hook.chmod(0o755)
    killed = subprocess.run([dtrack_script(), "sync"], cwd=repo, capture_output=True, start_new_session=True)
    hook.unlink()
    assert killed.returncode == -9 and (repo / ".git/rebase-merge").is_dir()
    assert git(repo, "rev-parse", "refs/heads/main") == head
    # A kill a moment earlier, inside the checkout, leaves its files written and git's index as it was: the
    # colleague's file is untracked, and would stop the sync started over.
    git(repo, "read-tree", "HEAD")
    mine = repo / "directives" / "ghi-chu-rieng.txt"          # the clerk's own untracked file, which stays
    mine.write_bytes(b"ghi chep\n")
    assert git(repo, "ls-files", "-o", "--exclude-standard") == "directives/ghi-chu-rieng.txt\nnotes.txt\n"

    refused = cli("done", "1502#1", cwd=repo)
    assert refused.exit_code == 6
    assert "A 'dtrack sync' was interrupted in the middle of it: run 'dtrack sync' again, which undoes it " \
           "(git rebase --abort) and starts over, then run the command again." in refused.output, refused.output
    result = cli("sync", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "warning: an interrupted 'dtrack sync' was undone (git rebase --abort) and is started over" in result.stderr
    assert git(repo, "log", "--format=%s").split("\n")[:3] == [
        "agencies rename Trung tâm Thử nghiệm → Trung tâm Thử nghiệm tỉnh", "agencies add Trung tâm Thử nghiệm",
        "colleague's notes"]
    assert (repo / stress.REGISTRY).read_bytes() == registry and (repo / "notes.txt").read_bytes() == b"ghi chep\n"
    assert git(stress._server(repo), "rev-parse", "main") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "status", "--porcelain") == "?? directives/ghi-chu-rieng.txt\n"
    assert mine.read_bytes() == b"ghi chep\n" and not (repo / ".git/dtrack/sync-running").exists()


def test_a_resolve_killed_after_its_write_is_finished_by_the_next_resolve(cli, tmp_path):
    repo = stress.make_store(tmp_path / "clerk")
    stress.op_resolve(repo, 1)                     # sync --merge stopped on task 3 of 1502-UBND-KGVX
    path = repo / stress.OTHER
    from dtrack.store.mergefile import resolve_text
    settled = resolve_text(path.read_text(encoding="utf-8"), 3, "theirs")[0].encode("utf-8")
    path.write_bytes(settled)                      # what resolve had written when it was killed, before git add
    (path.parent / f".{path.name}.k6odphh0.tmp").write_bytes(settled[:100])     # and a write it never finished
    result = cli("resolve", "1502-UBND-KGVX#3", "--theirs", cwd=repo)
    assert result.exit_code == 0, result.output
    assert result.output == ("directives/2023/1502-UBND-KGVX.yaml: no conflict left in the file; marked settled; "
                             "run 'dtrack sync' to finish\n")
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert cli("sync", "--merge", cwd=repo).exit_code == 0
    assert path.read_bytes() == settled and git(repo, "status", "--porcelain") == ""
    assert len(git(repo, "rev-list", "--parents", "-n", "1", "HEAD").split()) == 3      # the merge, committed
    assert git(stress._server(repo), "rev-parse", "main") == git(repo, "rev-parse", "HEAD")
