"""`dtrack review`: the task-level difference between two states of the store, from the files."""
from __future__ import annotations

import json

from conftest import git

STEM = "2022-02-14-nhiem-vu-trong-tam"
REL = f"directives/2022/{STEM}.yaml"


def test_review_lists_every_change_of_a_range_hand_edits_included(cli, repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    assert cli("done", f"{STEM}#2", "--on", "15/07/2024", cwd=repo).exit_code == 0
    assert cli("extend", f"{STEM}#5", "--to", "31/12/2022", "--by", "CV 2001/UBND", "--reason", "chờ",
               cwd=repo).exit_code == 0
    assert cli("add-task", STEM, "--text", "Báo cáo quý.", "--lead", "Sở Tài chính", "--due", "31/12/2024",
               cwd=repo).exit_code == 0
    text = (repo / REL).read_text(encoding="utf-8")
    (repo / REL).write_text(text.replace("    lead: Sở Thông tin và Truyền thông\n    status: open\n  - n: 4",
                                         "    lead: Sở Nội vụ\n    status: open\n  - n: 4", 1), encoding="utf-8")
    git(repo, "commit", "-qam", "giao lại nhiệm vụ 3")
    result = cli("review", f"{base}..HEAD", "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output
    got = sorted((c["ref"], c["kind"], c["late"]) for c in json.loads(result.stdout))
    assert got == [(f"{STEM}#11", "added", None), (f"{STEM}#2", "done", False),
                   (f"{STEM}#3", "reassigned", None), (f"{STEM}#5", "extended", None)]
    md = cli("review", base, "--format", "md", "--by", "author", cwd=repo)
    assert md.exit_code == 0 and md.stdout.startswith("4 change(s) to 4 task(s): 1 done (0 late)\n")
    assert "\n### Văn thư Test\n" in md.stdout
    assert f"- {STEM}#5: extended 30/09/2022 → 31/12/2022 (CV 2001/UBND)" in md.stdout
    assert cli("review", cwd=repo).exit_code == 2                      # no sync yet: say what to give
    assert cli("review", "nowhere..HEAD", cwd=repo).exit_code == 2


def test_each_lists_every_commit_with_its_author_even_what_a_later_commit_undid(cli, repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    assert cli("done", f"{STEM}#2", "--on", "15/07/2024", cwd=repo).exit_code == 0
    assert cli("reopen", f"{STEM}#2", "--note", "chưa đủ hồ sơ", cwd=repo,
               env={"GIT_AUTHOR_NAME": "Văn thư B"}).exit_code == 0
    net = json.loads(cli("review", f"{base}..HEAD", "--format", "json", cwd=repo).stdout)
    assert [(c["ref"], c["kind"]) for c in net] == [(f"{STEM}#2", "noted")]        # done, then undone: a note
    each = json.loads(cli("review", f"{base}..HEAD", "--each", "--format", "json", cwd=repo).stdout)
    assert [(c["kind"], c["author"]) for c in each] == [("done", "Văn thư Test"), ("reopened", "Văn thư B"),
                                                        ("noted", "Văn thư B")]
    assert each[2]["detail"] == "chưa đủ hồ sơ"


def test_a_recurring_task_done_shows_the_occurrence_not_a_deadline_edit(cli, repo):
    rel = next(p for p in (repo / "directives").rglob("*.yaml") if "every:" in p.read_text(encoding="utf-8"))
    stem = rel.stem
    n = next(int(line.split(":")[1]) for line in reversed(
        rel.read_text(encoding="utf-8").split("every:")[0].splitlines()) if line.strip().startswith("- n:"))
    base = git(repo, "rev-parse", "HEAD").strip()
    assert cli("done", f"{stem}#{n}", cwd=repo).exit_code == 0
    got = json.loads(cli("review", f"{base}..HEAD", "--format", "json", cwd=repo).stdout)
    assert [c["kind"] for c in got] == ["done"] and got[0]["detail"].startswith("occurrence of ")


def test_a_commit_of_many_files_costs_a_fixed_number_of_git_processes(cli, repo, tmp_path):
    # Three git processes a file (two `show`, one `log`): a colleague's commit of 1,000 files took 7.2 s.
    base = git(repo, "rev-parse", "HEAD").strip()
    for i in range(30):
        (repo / "directives" / "2024" / f"bao-cao-{i}.yaml").write_text(
            f"number: {i + 1}/BC-UBND\nkind: cong-van\nissuer: UBND tỉnh Quảng Ngãi\nissued: 2024-07-01\n"
            f"title: Báo cáo {i}\ntasks:\n  - n: 1\n    text: Việc {i}\n    lead: Sở Tài chính\n    status: open\n",
            encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "nhập 30 văn bản")
    for each in ((), ("--each",)):
        trace = tmp_path / f"trace{len(each)}.txt"
        result = cli("review", *each, f"{base}..HEAD", "--format", "json", cwd=repo,
                     env={"GIT_TRACE": str(trace)})
        assert result.exit_code == 0, result.output
        assert len([c for c in json.loads(result.stdout) if c["kind"] == "added"]) == 30
        runs = [x for x in trace.read_text(encoding="utf-8").splitlines() if "trace: built-in: git" in x]
        assert len(runs) <= 8, runs
