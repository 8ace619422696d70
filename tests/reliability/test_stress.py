"""Crash safety and concurrency on real git stores with real dtrack processes (docs/reliability.md).

The long runs are `python benchmarks/stress.py --long`; these are their short CI mode plus the
deterministic cases: a stale git lock, a held store lock, an interrupted commit finished later,
a hand edit made while dtrack waits for the lock.
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
from conftest import git

STEM = stress.STEM
TARGET = stress.TARGET


def run(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(stress.dtrack_cmd(*args), cwd=repo, env={**stress.env(), **(env or {})},
                          capture_output=True, timeout=60)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process groups do not exist on Windows")
def test_sigkill_at_random_moments_never_corrupts_or_loses(tmp_path):
    repo = stress.make_store(tmp_path / "office")
    stats = stress.kill_loop(repo, kills=24, seed=2024, full_every=4)
    assert stats.kills == 24
    assert stats.full_runs >= 6
    # The checks inside kill_loop are the assertions; this one guards against a loop that never
    # interrupted anything interesting (e.g. every run finished before its kill).
    assert sum(v for k, v in stats.outcomes.items() if k.startswith("killed")) >= 12, stats.outcomes


def test_eight_simultaneous_writers_lose_no_update(tmp_path):
    repo = stress.make_store(tmp_path / "office")
    stress.concurrent_round(repo, writers=8, reset=False)
    text = (repo / TARGET).read_text(encoding="utf-8")
    assert text.count("status: done") == 8
    assert [f"writer {n}" in text for n in range(1, 9)] == [True] * 8


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


def test_a_held_store_lock_times_out_with_a_clear_message_and_nothing_written(repo):
    before = (repo / TARGET).read_bytes()
    holder = _hold_store_lock(repo / "directives")
    try:
        t0 = time.monotonic()
        proc = run(repo, "done", f"{STEM}#1", env={"DTRACK_LOCK_TIMEOUT": "0.5"})
        waited = time.monotonic() - t0
    finally:
        holder.communicate(b"")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 6, err
    assert err.startswith("dtrack: error: another dtrack is changing this store (waited 0.5 s for ")
    assert "DTRACK_LOCK_TIMEOUT" in err and len(err.strip().split("\n")) == 1
    assert waited < 5
    assert (repo / TARGET).read_bytes() == before
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


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


def test_an_interrupted_commit_is_finished_by_the_next_run(cli, repo, monkeypatch):
    """The commit fails after the file is written (a git started meanwhile holds the branch's lock): the
    file shows the change, the journal keeps it, and the next dtrack change commits it with a trailer."""
    from dtrack.store import journal
    ref_lock = repo / ".git" / "refs" / "heads" / "main.lock"
    real_begin = journal.begin

    def begin_then_git_starts(*args):
        path = real_begin(*args)
        ref_lock.write_bytes(b"")
        return path
    monkeypatch.setattr(journal, "begin", begin_then_git_starts)
    result = cli("done", f"{STEM}#1", "--note", "Công văn 12/STTTT", cwd=repo)
    assert result.exit_code == 6, result.output
    assert str(ref_lock) in result.output
    assert "The change is written but not committed; the next dtrack command" in result.output
    assert "    status: done\n    done: 2024-07-20\n" in (repo / TARGET).read_text(encoding="utf-8")
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    monkeypatch.setattr(journal, "begin", real_begin)
    ref_lock.unlink()

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
