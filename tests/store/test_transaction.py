"""The write transaction's guarantees that issue 18 found missing, each on a real git store through the
real CLI: a colleague's file name with a line break, a name git cannot record, forged trailers, a
commit during an unfinished merge/rebase/cherry-pick/revert. (A discarded change that must not come
back is a crash-safety case: tests/reliability/test_stress.py.)"""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import git

STEM = "2022-02-14-nhiem-vu-trong-tam"
TARGET = f"directives/2022/{STEM}.yaml"


def _commits(repo) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


# ---------------------------------------------------------------------------- 18.1 names with line breaks

@pytest.mark.parametrize("name", ["mot\ndong.yaml", "mot\r\ndong.yaml", "mot\rdong.yaml"])
def test_a_colleagues_file_name_with_a_line_break_is_changed_and_committed(cli, repo, name):
    src = (repo / "directives/2023/1502-UBND-KGVX.yaml").read_bytes()
    odd = repo / "directives/2023" / name
    odd.write_bytes(src.replace(b"number: 1502/UBND-KGVX", b"number: 9999/UBND-KGVX"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a colleague's file")
    for n in (1, 2):        # the second change proves nothing was left behind to fail every later one
        result = cli("done", f"9999#{n}", cwd=repo)
        assert result.exit_code == 0, result.output
    assert git(repo, "status", "--porcelain", "-z") == ""
    committed = subprocess.run(["git", "cat-file", "blob", f"HEAD:directives/2023/{name}"], cwd=repo,
                               capture_output=True, check=True).stdout
    assert committed == odd.read_bytes() and committed.count(b"status: done") == 2
    assert not (repo / ".git/dtrack/pending.json").exists()


def test_a_name_git_cannot_record_is_refused_where_it_enters_with_nothing_written(repo):
    from dtrack.errors import DataError
    from dtrack.store import transaction
    root = repo / "directives"
    with transaction.open(root) as tx:
        with pytest.raises(DataError) as e:
            tx.write(root / ".git" / "x.yaml", b"a: 1\n", before=None)
        assert tx.finish(transaction.Message("nothing", "test")) is None
    assert e.value.message == "directives/.git/x.yaml: git cannot record a file of this name; nothing was written"
    assert not (root / ".git").exists() and _commits(repo) == 1


# ---------------------------------------------------------------------------- 18.5 forged trailers

FORGED = "Đã xong\nDtrack-Ref: 1502-UBND-KGVX#4\ndtrack-action: cancel\nDtrack-Recovered: yes"


@pytest.mark.parametrize("args", [
    ["done", f"{STEM}#1", "--note", FORGED],
    ["extend", f"{STEM}#1", "--to", "31/12/2024", "--reason", FORGED],
    ["extend", f"{STEM}#1", "--to", "31/12/2024", "--reason", "Lý do", "--by", FORGED],
    ["cancel", f"{STEM}#1", "--reason", FORGED],
    ["cancel", f"{STEM}#1", "--reason", "Lý do", "--by", FORGED],
], ids=["done-note", "extend-reason", "extend-by", "cancel-reason", "cancel-by"])
def test_free_text_can_never_add_a_trailer(cli, repo, args):
    assert cli(*args, cwd=repo).exit_code == 0
    events = json.loads(cli("log", "--json", "-n", "1", cwd=repo).stdout)
    assert [(e["action"], e["refs"]) for e in events] == [(args[0], [f"{STEM}#1"])]
    message = git(repo, "log", "-1", "--format=%B")
    parsed = subprocess.run(["git", "interpret-trailers", "--parse"], input=message.encode("utf-8"), cwd=repo,
                            capture_output=True, check=True).stdout.decode("utf-8")
    assert parsed == f"Dtrack-Action: {args[0]}\nDtrack-Ref: {STEM}#1\n"
    assert "> Dtrack-Ref: 1502-UBND-KGVX#4\n" in message and "> Dtrack-Recovered: yes" in message
    from dtrack.store import gitops                          # the history `show` prints
    latest = gitops.history(repo, TARGET)[0]
    assert (latest.action, latest.refs) == (args[0], (f"{STEM}#1",))


# ---------------------------------------------------------------------------- 18.6 unfinished git operations

def _conflict(repo, operation: str) -> None:
    """A real conflicted merge, rebase, cherry-pick or revert on a file outside the store."""
    notes = repo / "notes.txt"
    notes.write_text("a\n", encoding="utf-8")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-qm", "notes")
    git(repo, "checkout", "-qb", "side")
    notes.write_text("b\n", encoding="utf-8")
    git(repo, "commit", "-qam", "side")
    git(repo, "checkout", "-q", "main")
    notes.write_text("c\n", encoding="utf-8")
    git(repo, "commit", "-qam", "main")
    command = {"merge": ["merge", "side"], "rebase": ["rebase", "side"], "rebase --apply": ["rebase", "--apply", "side"],
               "cherry-pick": ["cherry-pick", "side"], "revert": ["revert", "--no-edit", "HEAD~1"]}[operation]
    proc = subprocess.run(["git", *command], cwd=repo, capture_output=True)
    assert proc.returncode != 0, proc


@pytest.mark.parametrize("operation, what, how", [
    ("merge", "a merge (", "git merge --abort"),
    ("rebase", "a rebase (", "git rebase --abort"),
    ("rebase --apply", "a rebase or 'git am' (", "git rebase --abort"),
    ("cherry-pick", "a cherry-pick (", "git cherry-pick --abort"),
    ("revert", "a revert (", "git revert --abort"),
])
def test_no_commit_while_a_merge_rebase_cherry_pick_or_revert_is_unfinished(cli, repo, operation, what, how):
    _conflict(repo, operation)
    before, head = (repo / TARGET).read_bytes(), git(repo, "rev-parse", "HEAD")
    result = cli("done", f"{STEM}#1", cwd=repo)
    assert result.exit_code == 6
    assert result.output.startswith(f"dtrack: error: git is in the middle of {what}") and how in result.output
    assert len(result.output.strip().split("\n")) == 1
    assert (repo / TARGET).read_bytes() == before and git(repo, "rev-parse", "HEAD") == head
