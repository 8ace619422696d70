"""`dtrack sync` against a real server: a bare repository over file:// for most cases, and one round
through `git daemon` on the loopback address. Two clerks' clones, each with the merge driver set up."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import dtrack_script, git, make_repo

STEM = "2022-02-14-nhiem-vu-trong-tam"
REL = f"directives/2022/{STEM}.yaml"


@pytest.fixture(autouse=True)
def _clerks_names(monkeypatch):
    """Each clone commits under its own clerk's name (its git config), as in an office."""
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name)


def _clone(cli, url: str, where: Path, name: str) -> Path:
    subprocess.run(["git", "clone", "-q", url, str(where)], check=True, capture_output=True)
    for k, v in (("user.name", name), ("user.email", f"{where.name}@example.org"), ("core.autocrlf", "false")):
        git(where, "config", k, v)
    assert cli("setup-merge", cwd=where).exit_code == 0
    return where


@pytest.fixture
def server(cli, tmp_path) -> Path:
    origin = make_repo(tmp_path / "origin")
    assert cli("setup-merge", cwd=origin).exit_code == 0
    remote = tmp_path / "server" / "store.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(origin), str(remote)], check=True, capture_output=True)
    return remote


def _clones(cli, url: str, tmp_path: Path):
    return (_clone(cli, url, tmp_path / "a", "Nguyễn Văn A"), _clone(cli, url, tmp_path / "b", "Trần Thị B"))


def _task(cli, repo: Path, n: int) -> dict:
    result = cli("show", f"{STEM}#{n}", "--json", cwd=repo)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_same_task_done_on_one_clone_and_noted_on_the_other_merges_and_is_told(cli, server, tmp_path):
    a, b = _clones(cli, server.as_uri(), tmp_path)
    assert cli("done", f"{STEM}#2", f"{STEM}#3", "--on", "15/07/2024", cwd=a).exit_code == 0
    pushed = cli("sync", cwd=a)
    assert pushed.exit_code == 0, pushed.output
    assert "pushed 1 commit(s) to origin/main" in pushed.stdout
    # B, meanwhile: a note on task 2 by hand, and task 7 done.
    text = (b / REL).read_text(encoding="utf-8")
    old = "    status: open\n  - n: 3"
    (b / REL).write_text(text.replace(old, "    status: open\n    note: Đã gọi điện nhắc\n  - n: 3", 1),
                         encoding="utf-8")
    git(b, "commit", "-qam", "ghi chú nhiệm vụ 2")
    assert cli("done", f"{STEM}#7", "--on", "16/07/2024", cwd=b).exit_code == 0

    result = cli("sync", cwd=b)
    assert result.exit_code == 0, result.output
    assert f"2 task(s) done by Nguyễn Văn A: {STEM}#2, {STEM}#3" in result.stdout
    assert "pushed 2 commit(s)" in result.stdout
    assert git(b, "status", "--porcelain") == ""
    reviewed = json.loads(cli("review", "--format", "json", cwd=b).stdout)     # what the last sync brought
    assert sorted((c["ref"], c["kind"], c["author"]) for c in reviewed) == [
        (f"{STEM}#2", "done", "Nguyễn Văn A"), (f"{STEM}#3", "done", "Nguyễn Văn A")]
    back = cli("sync", cwd=a)
    assert back.exit_code == 0 and f"1 task(s) done by Trần Thị B: {STEM}#7" in back.stdout
    assert "1 file(s) edited by hand by Trần Thị B" in back.stdout
    assert (a / REL).read_bytes() == (b / REL).read_bytes()
    task = _task(cli, a, 2)
    assert (task["status"], task["done"], task["note"]) == ("done", "2024-07-15", "Đã gọi điện nhắc")
    assert git(a, "log", "--merges", "--format=%H") == ""               # rebased: a straight history
    assert cli("sync", cwd=a).stdout.splitlines()[-2:] == ["nothing new on origin/main", "nothing to push"]


def test_merge_on_request_makes_a_merge_commit(cli, server, tmp_path):
    a, b = _clones(cli, server.as_uri(), tmp_path)
    assert cli("done", f"{STEM}#2", "--on", "15/07/2024", cwd=a).exit_code == 0
    assert cli("sync", cwd=a).exit_code == 0
    assert cli("done", f"{STEM}#3", "--on", "15/07/2024", cwd=b).exit_code == 0
    result = cli("sync", "--merge", cwd=b)
    assert result.exit_code == 0, result.output
    assert len(git(b, "log", "--merges", "--format=%H").split()) == 1
    assert git(server, "rev-parse", "main") == git(b, "rev-parse", "HEAD")


def test_the_same_field_to_two_values_stops_the_sync_until_resolve_settles_it(cli, server, tmp_path):
    a, b = _clones(cli, server.as_uri(), tmp_path)
    assert cli("done", f"{STEM}#4", "--on", "15/07/2024", cwd=a).exit_code == 0
    assert cli("sync", cwd=a).exit_code == 0
    assert cli("done", f"{STEM}#4", "--on", "18/07/2024", cwd=b).exit_code == 0
    assert cli("done", f"{STEM}#9", "--on", "18/07/2024", cwd=b).exit_code == 0
    stopped = cli("sync", cwd=b)
    assert stopped.exit_code == 2
    line = (b / REL).read_text(encoding="utf-8").split("\n").index("<<<<<<< ours: task 4 (done)") + 1
    assert stopped.stderr.startswith(f"dtrack: error: the sync stopped on a conflict: {REL}:{line} task {STEM}#4.")
    assert "Traceback" not in stopped.output and len(stopped.stderr.splitlines()) == 1
    assert cli("done", f"{STEM}#1", cwd=b).exit_code != 0                 # nothing writes meanwhile

    # During the rebase the server's version is "ours"; B keeps its own date.
    assert cli("resolve", f"{STEM}#4", "--theirs", cwd=b).exit_code == 0
    finished = cli("sync", cwd=b)
    assert finished.exit_code == 0, finished.output
    assert "pushed 2 commit(s)" in finished.stdout
    assert f"1 task(s) done by Nguyễn Văn A: {STEM}#4" in finished.stdout   # what the stopped sync brought
    assert cli("sync", cwd=a).exit_code == 0
    assert _task(cli, a, 4)["done"] == "2024-07-18" and _task(cli, a, 9)["status"] == "done"
    assert cli("check", cwd=a).exit_code == 0
    log = git(server, "log", "-p", "main")
    assert "<<<<<<<" not in log and "=======" not in log


def test_an_unreachable_server_keeps_the_local_commits(cli, server, tmp_path):
    a, _ = _clones(cli, server.as_uri(), tmp_path)
    assert cli("done", f"{STEM}#2", "--on", "15/07/2024", cwd=a).exit_code == 0
    head = git(a, "rev-parse", "HEAD")
    server.rename(server.with_name("moved.git"))                          # the server is gone
    result = cli("sync", cwd=a)
    assert result.exit_code == 5
    assert result.stderr.startswith("dtrack: error: cannot reach the git server 'origin' (")
    assert "Your 1 local commit(s) are kept" in result.stderr and len(result.stderr.splitlines()) == 1
    assert git(a, "rev-parse", "HEAD") == head and git(a, "status", "--porcelain") == ""


def test_uncommitted_changes_to_the_store_are_refused_before_anything_happens(cli, server, tmp_path):
    a, _ = _clones(cli, server.as_uri(), tmp_path)
    (a / REL).write_bytes((a / REL).read_bytes() + b"# a note in progress\n")
    head = git(a, "rev-parse", "HEAD")
    result = cli("sync", cwd=a)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"dtrack: error: {REL}: changed but not committed")
    assert git(a, "rev-parse", "HEAD") == head and (a / REL).read_bytes().endswith(b"# a note in progress\n")


def test_a_push_refused_because_the_server_moved_is_retried(cli, server, tmp_path):
    a, b = _clones(cli, server.as_uri(), tmp_path)
    assert cli("done", f"{STEM}#2", "--on", "15/07/2024", cwd=b).exit_code == 0
    # A real race: A's pre-push hook (run once) has B push first, so A's first push is refused.
    hook = a / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\nrm -f \"$0\"\ncd '{b}' && env -u GIT_DIR -u GIT_WORK_TREE git push -q origin main\n",
                    encoding="utf-8")
    hook.chmod(0o755)
    assert cli("done", f"{STEM}#3", "--on", "16/07/2024", cwd=a).exit_code == 0
    result = cli("sync", cwd=a)
    assert result.exit_code == 0, result.output
    assert not hook.exists()
    assert f"1 task(s) done by Trần Thị B: {STEM}#2" in result.stdout
    assert git(server, "rev-parse", "main") == git(a, "rev-parse", "HEAD")
    assert len(git(server, "log", "--format=%H", "main").split()) == 4    # initial, setup-merge, B, A


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"git daemon ended: {proc.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail("git daemon did not start listening")


def test_sync_through_git_daemon_on_loopback_with_the_installed_script(cli, server, tmp_path):
    port = _free_port()
    daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", f"--base-path={server.parent}", "--export-all",
                               "--enable=receive-pack", "--listen=127.0.0.1", f"--port={port}", str(server.parent)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, daemon)
        a, b = _clones(cli, f"git://127.0.0.1:{port}/store.git", tmp_path)
        env = {**os.environ}
        script = dtrack_script()
        run = lambda repo, *args: subprocess.run([script, *args], cwd=repo, capture_output=True, env=env,  # noqa: E731
                                                 timeout=120)
        assert run(a, "done", f"{STEM}#5", "--on", "15/07/2024").returncode == 0
        assert run(a, "sync").returncode == 0
        text = (b / REL).read_text(encoding="utf-8")
        (b / REL).write_text(text.replace("    due: 2022-09-30\n", "    due: 2022-09-30\n    note: Chờ nâng cấp\n", 1),
                             encoding="utf-8")
        git(b, "commit", "-qam", "ghi chú nhiệm vụ 5")
        synced = run(b, "sync")
        assert synced.returncode == 0, synced.stderr.decode()
        assert f"1 task(s) done by Nguyễn Văn A: {STEM}#5" in synced.stdout.decode("utf-8")
        assert run(a, "sync").returncode == 0
        task = _task(cli, a, 5)
        assert (task["status"], task["note"]) == ("done", "Chờ nâng cấp")
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(timeout=10)
        daemon.stderr.close()
