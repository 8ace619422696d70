"""The installed `dtrack` script, run as a user would, in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess

from conftest import BUNDLED, dtrack_script, git


def run(*args, cwd=None, env=None):
    full = {**os.environ, "DTRACK_TODAY": "2024-07-20", "COLUMNS": "120", **(env or {})}
    return subprocess.run([dtrack_script(), *args], cwd=cwd, env=full, capture_output=True)


def test_list_all_on_the_bundled_directives():
    proc = run("--dir", str(BUNDLED), "list", "--all")
    assert proc.returncode == 0, proc.stderr
    # Into a pipe: one tab-separated line a task (docs/porcelain.md), no header, no summary.
    out = proc.stdout.decode("utf-8")
    assert len(out.splitlines()) == 33
    assert all(len(line.split("\t")) == 6 for line in out.splitlines())


def test_as_of_list_shows_the_lam_hai_giang_tasks():
    proc = run("--dir", str(BUNDLED), "--as-of", "2024-07-20", "list", "--json", env={"DTRACK_TODAY": ""})
    rows = json.loads(proc.stdout.decode("utf-8"))
    soon = [(r["ref"].split("#")[1], r["due"]) for r in rows if r["state"] == "due-soon"]
    assert soon == [("1", "2024-07-23"), ("2", "2024-07-26"), ("3", "2024-08-01")]


def test_done_through_the_script_commits_one_file(repo):
    proc = run("done", "1502#1", "--note", "Đã báo cáo", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").split("\n")[:3] == [
        "done 1502-UBND-KGVX#1 [STTTT] on 20/07/2024", "", "directives/2023/1502-UBND-KGVX.yaml"]


def test_user_errors_are_one_line_without_traceback():
    for args, code in ((["show", "nope#1"], 3), (["--as-of", "30/02/2024", "list"], 2),
                       (["list", "--within", "soon"], 2), (["frobnicate"], 2)):
        proc = run("--dir", str(BUNDLED), *args)
        err = proc.stderr.decode("utf-8")
        assert proc.returncode == code, (args, err)
        assert "Traceback" not in err
    proc = run("--dir", str(BUNDLED), "show", "nope#1")
    assert proc.stderr.decode("utf-8").count("\n") == 1


def test_python_dash_m_works():
    import sys
    proc = subprocess.run([sys.executable, "-m", "dtrack", "--version"], capture_output=True)
    assert proc.returncode == 0 and proc.stdout.decode().startswith("dtrack ")
