"""`dtrack done` / `reopen`: minimal edits, atomic writes, one commit of exactly the touched file."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import BUNDLED, git

LHG = "2024-07-17-bo-sung-kinh-phi"
LHG_FILE = f"directives/2024/{LHG}.yaml"

# A hand-written file: comments everywhere, odd quoting, flow and block styles, CRLF endings,
# an unknown key. Only task 2's lines may change when it is marked done.
HAND = (
    "# Công văn 77/UBND — viết tay, có chú thích\r\n"
    "number: '77/UBND'   # số văn bản\r\n"
    "kind: cong-van\r\n"
    "issuer: \"UBND tỉnh Quảng Ngãi\"\r\n"
    "issued: 2024-07-01\r\n"
    "title: >-\r\n"
    "  Triển khai nhiệm vụ: chuyển đổi số,\r\n"
    "  cải cách hành chính\r\n"
    "ext_field: {giu: nguyen}   # unknown key, kept\r\n"
    "tasks:\r\n"
    "\r\n"
    "  # Nhiệm vụ 1\r\n"
    "  - n: 1\r\n"
    "    text: 'Rà soát, báo cáo'\r\n"
    "    lead: [Sở Tài chính, \"UBND các huyện, thị xã, thành phố\"]\r\n"
    "    due: 2024-07-25    # hạn\r\n"
    "    status: open\r\n"
    "\r\n"
    "  - n: 2\r\n"
    "    text: >-\r\n"
    "      Xây dựng kế hoạch,\r\n"
    "      trình UBND tỉnh\r\n"
    "    lead: Sở Thông tin và Truyền thông   # chủ trì\r\n"
    "    due: 2024-07-30\r\n"
    "    status: open   # chưa xong\r\n"
    "    priority: high\r\n"
    "\r\n"
    "  - n: 3\r\n"
    "    text: Khác\r\n"
    "    lead: STC\r\n"
    "    status: open\r\n"
    "# cuối tệp\r\n"
)


@pytest.fixture
def hand_repo(repo) -> Path:
    path = repo / "directives" / "2024" / "77-UBND.yaml"
    path.write_bytes(HAND.encode("utf-8"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "add hand-written directive")
    return repo


def test_done_changes_only_the_task_lines_byte_for_byte(cli, hand_repo):
    path = hand_repo / "directives" / "2024" / "77-UBND.yaml"
    result = cli("done", "77#2", "--on", "19/07/2024", cwd=hand_repo)
    assert result.exit_code == 0, result.output
    after = path.read_bytes().decode("utf-8")
    expected = HAND.replace("    status: open   # chưa xong\r\n",
                            "    status: done   # chưa xong\r\n    done: 2024-07-19\r\n")
    assert after == expected
    # ... and git sees exactly that: one line changed, one added, CRLF kept.
    diff = git(hand_repo, "diff", "HEAD~1", "--", "directives/2024/77-UBND.yaml")
    changed = [l for l in diff.split("\n") if l[:1] in ("+", "-") and not l.startswith(("+++", "---"))]
    assert changed == ["-    status: open   # chưa xong\r", "+    status: done   # chưa xong\r",
                       "+    done: 2024-07-19\r"]


def test_done_in_a_dirty_store_commits_one_file_and_leaves_other_changes(cli, repo):
    other = repo / "directives" / "2023" / "1502-UBND-KGVX.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "# sửa dở\n", encoding="utf-8")   # unstaged
    staged = repo / "directives" / "2022" / "2022-02-14-nhiem-vu-trong-tam.yaml"
    staged.write_text(staged.read_text(encoding="utf-8") + "# đã stage\n", encoding="utf-8")
    git(repo, "add", str(staged))
    untracked = repo / "notes.txt"
    untracked.write_text("ghi chú", encoding="utf-8")
    before_head = git(repo, "rev-parse", "HEAD").strip()

    result = cli("done", f"{LHG}#1", "--note", "Đã gửi báo cáo số 12/BC-STTTT", cwd=repo)
    assert result.exit_code == 0, result.output

    assert git(repo, "rev-list", "--count", f"{before_head}..HEAD").strip() == "1"
    files = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert files == [LHG_FILE]
    diff = git(repo, "diff", "HEAD~1", "HEAD")
    changed = [l for l in diff.split("\n") if l[:1] in ("+", "-") and not l.startswith(("+++", "---"))]
    assert changed == ["-    status: open", "+    status: done", "+    done: 2024-07-20",
                       "+    note: Đã gửi báo cáo số 12/BC-STTTT"]
    # The user's changes are exactly as they were: staged stays staged, unstaged stays unstaged.
    status = git(repo, "status", "--porcelain").splitlines()
    assert sorted(status) == sorted([" M directives/2023/1502-UBND-KGVX.yaml",
                                     "M  directives/2022/2022-02-14-nhiem-vu-trong-tam.yaml",
                                     "?? notes.txt"])
    assert other.read_text(encoding="utf-8").endswith("# sửa dở\n")


def test_commit_message_is_readable_in_oneline_log_and_carries_the_note(cli, repo):
    cli("done", f"{LHG}#3", "--note", "Biên bản làm việc ngày 30/7", "--on", "19/7", cwd=repo)
    oneline = git(repo, "log", "--oneline", "-1", "--format=%s")
    assert oneline.strip() == f"done {LHG}#3 [STC] on 19/07/2024"
    body = git(repo, "log", "-1", "--format=%b")
    assert "Biên bản làm việc ngày 30/7" in body
    assert "Dtrack-Action: done" in body and f"Dtrack-Ref: {LHG}#3" in body
    assert git(repo, "log", "-1", "--format=%an").strip() == "Văn thư Test"


def test_uncommitted_edit_of_the_same_file_stays_out_of_the_commit(cli, hand_repo):
    path = hand_repo / "directives" / "2024" / "77-UBND.yaml"
    mine = HAND.replace("    text: Khác\r\n", "    text: Khác (đang sửa)\r\n")
    path.write_bytes(mine.encode("utf-8"))
    result = cli("done", "77#1", cwd=hand_repo)
    assert result.exit_code == 0, result.output
    committed = git(hand_repo, "show", "HEAD:directives/2024/77-UBND.yaml")
    assert "Khác (đang sửa)" not in committed
    assert "    status: done\r\n    done: 2024-07-20\r\n" in committed
    on_disk = path.read_bytes().decode("utf-8")
    assert "Khác (đang sửa)" in on_disk and "    status: done\r\n    done: 2024-07-20\r\n" in on_disk
    # git status shows only the user's own pending edit
    diff = git(hand_repo, "diff", "--", "directives/2024/77-UBND.yaml")
    changed = [l for l in diff.split("\n") if l[:1] in ("+", "-") and not l.startswith(("+++", "---"))]
    assert changed == ["-    text: Khác\r", "+    text: Khác (đang sửa)\r"]


def test_done_twice_says_so_and_changes_nothing(cli, repo):
    assert cli("done", f"{LHG}#1", cwd=repo).exit_code == 0
    head = git(repo, "rev-parse", "HEAD")
    content = (repo / LHG_FILE).read_bytes()
    again = cli("done", f"{LHG}#1", cwd=repo)
    assert again.exit_code == 0
    assert "already done on 20/07/2024" in again.stdout
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / LHG_FILE).read_bytes() == content


def test_several_refs_make_one_commit(cli, repo):
    result = cli("done", f"{LHG}#1", f"{LHG}#2", "1502#1", cwd=repo)
    assert result.exit_code == 0, result.output
    files = sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split())
    assert files == ["directives/2023/1502-UBND-KGVX.yaml", LHG_FILE]
    subject = git(repo, "log", "-1", "--format=%s").strip()
    assert subject.startswith("done 3 tasks: ")
    assert git(repo, "log", "-1", "--format=%b").count("Dtrack-Ref: ") == 3


@pytest.mark.parametrize("ref, code, words", [
    ("9999#1", 3, "no directive matches '9999'"),
    ("2024#1", 3, "matches 3 directives"),
    ("1502#7", 3, "has no task 7 (its tasks: 1, 2, 3, 4)"),
    ("1502", 2, "names a directive, not a task"),
    ("1502#x", 2, "must be a task number"),
])
def test_bad_reference_writes_nothing(cli, repo, ref, code, words):
    before = {p: p.read_bytes() for p in (repo / "directives").rglob("*.yaml")}
    head = git(repo, "rev-parse", "HEAD")
    result = cli("done", f"{LHG}#1", ref, cwd=repo)
    assert result.exit_code == code
    assert words in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert {p: p.read_bytes() for p in (repo / "directives").rglob("*.yaml")} == before
    assert git(repo, "rev-parse", "HEAD") == head


def test_ambiguous_reference_lists_candidates(cli, repo):
    result = cli("show", "2024-0#1", cwd=repo)
    assert result.exit_code == 3
    for stem in ("2024-03-11-du-an-cntt", "2024-04-12-chuyen-doi-so-duc-pho", LHG):
        assert stem in result.stderr


def test_no_commit_writes_the_file_only(cli, repo):
    head = git(repo, "rev-parse", "HEAD")
    result = cli("done", f"{LHG}#2", "--no-commit", cwd=repo)
    assert result.exit_code == 0
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain").strip() == f"M {LHG_FILE}"


def test_future_done_date_is_refused(cli, repo):
    result = cli("done", f"{LHG}#2", "--on", "+2d", cwd=repo)
    assert result.exit_code == 2
    assert "after today" in result.stderr
    assert git(repo, "status", "--porcelain").strip() == ""


def test_reopen_removes_the_done_date_and_commits(cli, repo):
    cli("done", f"{LHG}#2", "--on", "18/07/2024", cwd=repo)
    original = (BUNDLED / "2024" / f"{LHG}.yaml").read_bytes()
    result = cli("reopen", f"{LHG}#2", cwd=repo)
    assert result.exit_code == 0, result.output
    assert (repo / LHG_FILE).read_bytes() == original
    assert git(repo, "log", "-1", "--format=%s").strip() == f"reopen {LHG}#2 [UBND cấp huyện] (was done)"
    again = cli("reopen", f"{LHG}#2", cwd=repo)
    assert "already open" in again.stdout


def test_done_task_leaves_list_and_shows_in_status_done(cli, repo):
    cli("done", f"{LHG}#1", cwd=repo)
    rows = json.loads(cli("list", "--json", cwd=repo).stdout)
    assert f"{LHG}#1" not in {r["ref"] for r in rows}
    done = json.loads(cli("list", "--status", "done", "--json", cwd=repo).stdout)
    assert [(r["ref"], r["done"], r["state"]) for r in done] == [(f"{LHG}#1", "2024-07-20", "done")]


def test_cancelled_task_cannot_be_marked_done(cli, tmp_path):
    store = tmp_path / "s"
    shutil.copytree(BUNDLED, store)
    path = store / "2024" / f"{LHG}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: open", "status: cancelled", 1), encoding="utf-8")
    before = path.read_bytes()
    result = cli("--dir", str(store), "done", f"{LHG}#1")
    assert result.exit_code == 2 and "is cancelled" in result.stderr
    assert path.read_bytes() == before


def test_done_outside_git_writes_without_committing(cli, tmp_path):
    store = tmp_path / "plain"
    shutil.copytree(BUNDLED, store)
    result = cli("--dir", str(store), "done", "1502#4")
    assert result.exit_code == 0, result.output
    assert "not committed" in result.stdout
    assert "status: done" in (store / "2023" / "1502-UBND-KGVX.yaml").read_text(encoding="utf-8")


def test_show_task_includes_history(cli, repo):
    cli("done", "1502#2", "--on", "20/4/2023", cwd=repo)
    result = cli("show", "1502#2", cwd=repo)
    assert result.exit_code == 0
    out = result.stdout
    assert "1502-UBND-KGVX#2" in out and "Sở Tài chính" in out and "22/04/2023 (trước ngày 22/4/2023)" in out
    assert "done 20/04/2023" in out
    assert "done 1502-UBND-KGVX#2 [STTTT] on 20/04/2023" in out and "Văn thư Test" in out
    data = json.loads(cli("show", "1502#2", "--json", cwd=repo).stdout)
    assert data["status"] == "done" and data["history"][0]["action"] == "done"
    directive = cli("show", "1502", cwd=repo)
    assert directive.exit_code == 0 and "1502-UBND-KGVX#4" in directive.stdout
