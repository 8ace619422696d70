"""Dates checked where they are typed: refused with what to do, accepted with --force; year-less and
relative dates read against the directive and the task they belong to."""
from __future__ import annotations

from datetime import date

import yaml

from conftest import git

LHG = "2024-07-17-bo-sung-kinh-phi"      # issued 17/07/2024; tasks due 23/07, 26/07, 01/08; today 20/07/2024
LHG_FILE = f"directives/2024/{LHG}.yaml"


def _task(repo, n: int, rel: str = LHG_FILE) -> dict:
    data = yaml.safe_load((repo / rel).read_text(encoding="utf-8"))
    return next(x for x in data["tasks"] if x["n"] == n)


def _unchanged(repo, head: str) -> bool:
    return git(repo, "rev-parse", "HEAD").strip() == head and git(repo, "status", "--porcelain") == ""


def test_a_deadline_before_the_issue_date_is_refused_unless_forced(cli, repo):
    head = git(repo, "rev-parse", "HEAD").strip()
    r = cli("add-task", LHG, "--text", "B", "--lead", "STC", "--due", "10/7/2024", cwd=repo)
    assert r.exit_code == 2
    assert r.stderr == ("dtrack: error: the deadline 10/07/2024 is before the directive was issued (17/07/2024). "
                        "Check the year; add --force if the document really says so.\n")
    assert _unchanged(repo, head)
    r = cli("extend", f"{LHG}#2", "--to", "1/7/2024", "--reason", "x", "--earlier", cwd=repo)
    assert r.exit_code == 2 and "the new deadline 01/07/2024 is before the directive was issued" in r.stderr
    assert _unchanged(repo, head)
    r = cli("add-task", LHG, "--text", "B", "--lead", "STC", "--due", "10/7/2024", "--force", cwd=repo)
    assert r.exit_code == 0, r.output
    assert _task(repo, 4)["due"] == date(2024, 7, 10)


def test_a_year_less_deadline_is_on_or_after_the_issue_date(cli, repo):
    # The issue's case: a directive issued 20/11, a task "trước 23/7": July of the NEXT year, not four
    # months before the document existed; 25/11 is that same November.
    path = repo / LHG_FILE
    path.write_bytes(path.read_bytes().replace(b"issued: 2024-07-17", b"issued: 2024-11-20"))
    r = cli("add-task", LHG, "--text", "Báo cáo tháng", "--lead", "STC", "--due", "25/11", "--every", "1 month",
            "--until", "23/7", cwd=repo)
    assert r.exit_code == 0, r.output
    assert (_task(repo, 4)["due"], _task(repo, 4)["until"]) == (date(2024, 11, 25), date(2025, 7, 23))


def test_extend_by_a_relative_date_counts_from_the_current_deadline(cli, repo):
    r = cli("extend", f"{LHG}#2", "--to", "+1w", "--reason", "Gia hạn một tuần", cwd=repo)
    assert r.exit_code == 0, r.output
    assert _task(repo, 2)["due"] == date(2024, 8, 2)            # 26/07 + 7 days, not 20/07 + 7 days
    assert git(repo, "log", "-1", "--format=%s").startswith(f"extend {LHG}#2 [UBND cấp huyện] 26/07/2024 → 02/08/2024")
    assert cli("extend", f"{LHG}#2", "--to", "+10d", "--reason", "Lần 2", cwd=repo).exit_code == 0
    assert _task(repo, 2)["due"] == date(2024, 8, 12)


def test_a_done_date_before_the_issue_date_or_after_today_is_refused_unless_forced(cli, repo):
    head = git(repo, "rev-parse", "HEAD").strip()
    early = cli("done", f"{LHG}#1", "--on", "16/7/2024", cwd=repo)
    assert early.exit_code == 2
    assert early.stderr.startswith(f"dtrack: error: the done date 16/07/2024 is before {LHG}#1 was issued (17/07/2024).")
    late = cli("done", f"{LHG}#1", "--on", "tomorrow", cwd=repo)
    assert late.exit_code == 2 and "is after today (20/07/2024)" in late.stderr and "--force" in late.stderr
    assert _unchanged(repo, head)
    assert cli("done", f"{LHG}#1", "--on", "16/7/2024", "--force", cwd=repo).exit_code == 0
    assert _task(repo, 1)["done"] == date(2024, 7, 16)


def test_an_edit_that_sets_a_deadline_before_the_issue_date_is_refused(repo):
    from dtrack.errors import UsageError
    from dtrack.services import lifecycle
    from dtrack.store.files import load
    st = load(repo / "directives")
    directive = next(d for d in st.directives if d.stem == LHG)
    before = (repo / LHG_FILE).read_bytes()
    after = before.replace(b"due: 2024-07-26", b"due: 2024-06-26")
    try:
        lifecycle.commit_edit(st, directive, None, before, after, commit=True)
        raise AssertionError("the edit was accepted")
    except UsageError as e:
        assert e.message == f"{LHG}#2: the deadline 26/06/2024 is before the directive was issued (17/07/2024)"
    assert (repo / LHG_FILE).read_bytes() == before
    # --force accepts it; a later edit that leaves that deadline alone is not refused for it.
    lifecycle.commit_edit(st, directive, None, before, after, commit=True, force=True)
    assert _task(repo, 2)["due"] == date(2024, 6, 26)
    again = after.replace(b"due: 2024-08-01", b"due: 2024-08-05")
    lifecycle.commit_edit(st, directive, None, after, again, commit=True)
    assert (_task(repo, 2)["due"], _task(repo, 3)["due"]) == (date(2024, 6, 26), date(2024, 8, 5))
