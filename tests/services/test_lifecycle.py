"""add, add-task, edit, extend, cancel/reopen on real git stores: the file validates after each
change, the diff touches only the task's lines, the commit holds only that file."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import git

LHG = "2024-07-17-bo-sung-kinh-phi"
LHG_FILE = f"directives/2024/{LHG}.yaml"


def _changed(repo: Path, rel: str, rev: str = "HEAD~1") -> list[str]:
    diff = git(repo, "diff", rev, "HEAD", "--", rel)
    return [l for l in diff.split("\n") if l[:1] in ("+", "-") and not l.startswith(("+++", "---"))]


def _committed_files(repo: Path) -> list[str]:
    return git(repo, "show", "--name-only", "--format=", "HEAD").split()


def _head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


# ---------------------------------------------------------------------------- extend

def test_extend_appends_history_sets_due_and_commits_only_that_file(cli, repo):
    (repo / "directives/2023/1502-UBND-KGVX.yaml").write_text("# dirty\n", encoding="utf-8")   # user's own edit
    result = cli("extend", f"{LHG}#2", "--to", "15/8/2024", "--reason", "Chờ số liệu: các huyện",
                 "--by", "Công văn 99/UBND-KGVX", cwd=repo)
    assert result.exit_code == 0, result.output
    assert _changed(repo, LHG_FILE) == [
        "-    due: 2024-07-26", "+    due: 2024-08-15",
        "+    extensions:", "+      - from: 2024-07-26", "+        to: 2024-08-15", "+        on: 2024-07-20",
        "+        by: Công văn 99/UBND-KGVX", "+        reason: 'Chờ số liệu: các huyện'"]
    assert _committed_files(repo) == [LHG_FILE]
    log = git(repo, "log", "-1", "--format=%B")
    assert log.splitlines()[0] == f"extend {LHG}#2 [UBND cấp huyện] 26/07/2024 → 15/08/2024"
    assert f"Dtrack-Action: extend\nDtrack-Ref: {LHG}#2" in log
    task = json.loads(cli("show", f"{LHG}#2", "--json", cwd=repo).stdout)
    assert (task["due"], task["original_due"]) == ("2024-08-15", "2024-07-26")
    assert task["extensions"] == [{"from": "2024-07-26", "to": "2024-08-15", "on": "2024-07-20",
                                   "by": "Công văn 99/UBND-KGVX", "reason": "Chờ số liệu: các huyện"}]
    shown = cli("show", f"{LHG}#2", cwd=repo).stdout
    assert "Extensions:\n  26/07/2024 → 15/08/2024 · on 20/07/2024 · Công văn 99/UBND-KGVX · Chờ số liệu: các huyện\n" in shown
    # A second extension appends below the first, in the same block.
    assert cli("--as-of", "2024-08-10", "extend", f"{LHG}#2", "--to", "2024-08-30", "--reason", "Lần 2",
               cwd=repo).exit_code == 0
    assert _changed(repo, LHG_FILE) == [
        "-    due: 2024-08-15", "+    due: 2024-08-30", "+      - from: 2024-08-15", "+        to: 2024-08-30",
        "+        on: 2024-08-10", "+        reason: Lần 2"]


def test_extend_refuses_an_earlier_date_unless_asked_and_writes_nothing(cli, repo):
    before, head = (repo / LHG_FILE).read_bytes(), _head(repo)
    result = cli("extend", f"{LHG}#2", "--to", "20/7/2024", "--reason", "x", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == ("dtrack: error: 20/07/2024 is earlier than the current deadline 26/07/2024 of "
                             f"{LHG}#2. Add --earlier if the deadline really moves forward.\n")
    assert (repo / LHG_FILE).read_bytes() == before and _head(repo) == head
    assert cli("extend", f"{LHG}#2", "--to", "24/7/2024", "--reason", "Rút ngắn", "--earlier", cwd=repo).exit_code == 0
    assert "    due: 2024-07-24\n" in (repo / LHG_FILE).read_text(encoding="utf-8")


def test_extend_gives_a_deadline_to_a_task_without_one(cli, repo):
    rel = "directives/2024/2024-03-11-du-an-cntt.yaml"
    assert cli("extend", "2024-03-11-du-an-cntt#1", "--to", "30/8/2024", "--reason", "Giao hạn", cwd=repo).exit_code == 0
    assert _changed(repo, rel) == ["+    due: 2024-08-30", "+    extensions:", "+      - from: null",
                                   "+        to: 2024-08-30", "+        on: 2024-07-20", "+        reason: Giao hạn"]


def test_extend_refuses_recurring_and_done_tasks(cli, repo):
    r = cli("extend", "2024-03-11-du-an-cntt#2", "--to", "30/8/2024", "--reason", "x", cwd=repo)
    assert r.exit_code == 2 and "recurring" in r.stderr
    cli("done", f"{LHG}#1", cwd=repo)
    r = cli("extend", f"{LHG}#1", "--to", "30/8/2024", "--reason", "x", cwd=repo)
    assert r.exit_code == 2 and "is done" in r.stderr


def test_due_on_judges_against_the_deadline_in_force(cli, repo):
    from datetime import date
    from dtrack.store import files as store
    cli("extend", f"{LHG}#2", "--to", "15/8/2024", "--reason", "x", cwd=repo)
    task = store.load(repo / "directives").directives
    task = next(d for d in task if d.stem == LHG).task(2)
    assert task.due_on(date(2024, 7, 19)) == date(2024, 7, 26)
    assert task.due_on(date(2024, 7, 20)) == date(2024, 8, 15)


# ---------------------------------------------------------------------------- cancel / reopen

def test_cancel_records_why_and_reopen_removes_the_record(cli, repo):
    original = (repo / LHG_FILE).read_bytes()
    result = cli("cancel", f"{LHG}#3", "--reason", "Không thực hiện nữa", "--by", "Công văn 120/UBND", cwd=repo)
    assert result.exit_code == 0, result.output
    assert _changed(repo, LHG_FILE) == ["-    status: open", "+    status: cancelled", "+    cancelled:",
                                        "+      on: 2024-07-20", "+      by: Công văn 120/UBND",
                                        "+      reason: Không thực hiện nữa"]
    assert git(repo, "log", "-1", "--format=%s").strip() == f"cancel {LHG}#3 [STC]: Không thực hiện nữa"
    assert _committed_files(repo) == [LHG_FILE]
    row = json.loads(cli("list", "--status", "cancelled", "--json", cwd=repo).stdout)
    assert [(r["ref"], r["cancelled"]) for r in row] == [
        (f"{LHG}#3", {"on": "2024-07-20", "by": "Công văn 120/UBND", "reason": "Không thực hiện nữa"})]
    assert "Cancelled: 20/07/2024; Công văn 120/UBND; Không thực hiện nữa" in cli("show", f"{LHG}#3", cwd=repo).stdout
    again = cli("cancel", f"{LHG}#3", "--reason", "x", cwd=repo)
    assert "already cancelled" in again.stdout
    assert cli("reopen", f"{LHG}#3", cwd=repo).exit_code == 0
    assert (repo / LHG_FILE).read_bytes() == original


# ---------------------------------------------------------------------------- add / add-task

ADD = ["add", "--number", "77/UBND-KT", "--kind", "cong-van", "--issuer", "UBND tỉnh Quảng Ngãi",
       "--issued", "5/8/2024", "--title", "Triển khai chuyển đổi số", "--signer", "Trần Phước Hiền"]


def test_add_creates_the_file_and_one_commit(cli, repo):
    result = cli(*ADD, cwd=repo)
    assert result.exit_code == 0, result.output
    rel = "directives/2024/77-UBND-KT.yaml"
    assert (repo / rel).read_text(encoding="utf-8") == (
        "number: 77/UBND-KT\nkind: cong-van\nissuer: UBND tỉnh Quảng Ngãi\nissued: 2024-08-05\n"
        "signer: Trần Phước Hiền\ntitle: Triển khai chuyển đổi số\ntasks: []\n")
    assert _committed_files(repo) == [rel]
    assert git(repo, "log", "-1", "--format=%s").strip() == "add 77/UBND-KT: Triển khai chuyển đổi số"
    assert "Dtrack-Action: add\nDtrack-Ref: 77-UBND-KT" in git(repo, "log", "-1", "--format=%B")
    head = _head(repo)
    dup = cli(*ADD, cwd=repo)
    assert dup.exit_code == 2 and "already recorded in 2024/77-UBND-KT.yaml" in dup.stderr
    assert _head(repo) == head


def test_add_unnumbered_names_the_file_from_date_and_title(cli, repo):
    result = cli("add", "--number", "", "--kind", "thong-bao", "--issuer", "UBND tỉnh", "--issued", "12/8/2024",
                 "--title", "Kết luận của Chủ tịch về việc chuyển đổi số cấp xã", "--no-commit", cwd=repo)
    assert result.exit_code == 0, result.output
    assert (repo / "directives/2024/2024-08-12-chu-tich-chuyen-doi.yaml").is_file()
    assert git(repo, "status", "--short") == "?? directives/2024/2024-08-12-chu-tich-chuyen-doi.yaml\n"


def test_add_without_a_terminal_lists_the_missing_options(cli, repo):
    result = cli("add", "--kind", "cong-van", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.startswith("dtrack: error: missing --number, --issuer, --issued, --title.")
    assert git(repo, "status", "--short") == ""


def test_add_task_appends_in_the_files_style_and_resolves_aliases(cli, repo):
    path = repo / LHG_FILE
    before = path.read_text(encoding="utf-8")
    result = cli("add-task", LHG, "--text", "Tổng hợp, báo cáo kết quả", "--lead", "stc",
                 "--support", "UBND cấp huyện", "--due", "30/8/2024", "--due-text", "trước ngày 30/8/2024", cwd=repo)
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == before + (
        "  - n: 4\n    text: Tổng hợp, báo cáo kết quả\n    lead: Sở Tài chính\n"
        "    support: [\"UBND các huyện, thị xã, thành phố\"]\n    due: 2024-08-30\n"
        "    due_text: trước ngày 30/8/2024\n    status: open\n")
    assert _committed_files(repo) == [LHG_FILE]
    assert git(repo, "log", "-1", "--format=%s").strip() == f"add-task {LHG}#4 [STC] due 30/08/2024"


def test_add_task_keeps_crlf_and_a_trailing_comment(cli, repo):
    path = repo / "directives/2024/88-UBND.yaml"
    path.write_bytes(b"number: 88/UBND\r\nkind: khac\r\nissuer: UBND\r\nissued: 2024-01-02\r\ntitle: X\r\n"
                     b"tasks:\r\n    -   n: 1\r\n        text: A\r\n        lead: STC\r\n# cuoi\r\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "x")
    assert cli("add-task", "88", "--text", "B", "--lead", "STP", "--every", "1 month", "--due", "31/1/2024",
               cwd=repo).exit_code == 0
    assert path.read_bytes().decode("utf-8").endswith(
        "        lead: STC\r\n    -   n: 2\r\n        text: B\r\n        lead: Sở Tư pháp\r\n"
        "        due: 2024-01-31\r\n        every: 1 month\r\n        status: open\r\n# cuoi\r\n")


def test_add_task_refuses_an_unknown_agency_unless_new_agency(cli, repo):
    before = git(repo, "rev-parse", "HEAD")
    r = cli("add-task", LHG, "--text", "B", "--lead", "So Tai chnh", cwd=repo)
    assert r.exit_code == 2
    assert r.stderr == ("dtrack: error: lead agency: 'So Tai chnh' is not in agencies.yaml. Did you mean: Sở Tài chính? "
                        "If it is a new agency, add --new-agency (it is added to agencies.yaml).\n")
    assert git(repo, "rev-parse", "HEAD") == before and git(repo, "status", "--short") == ""
    r = cli("add-task", LHG, "--text", "B", "--lead", "Sở Ngoại vụ", "--new-agency", cwd=repo)
    assert r.exit_code == 0, r.output
    assert sorted(_committed_files(repo)) == sorted(["directives/agencies.yaml", LHG_FILE])
    assert (repo / "directives/agencies.yaml").read_text(encoding="utf-8").endswith("- name: Sở Ngoại vụ\n")
    assert cli("add-task", LHG, "--text", "C", "--lead", "so ngoai vu", cwd=repo).exit_code == 0


def test_add_task_to_a_new_directive_and_every_needs_due(cli, repo):
    cli(*ADD, cwd=repo)
    r = cli("add-task", "77", "--text", "Báo cáo", "--lead", "STC", "--every", "2 weeks", cwd=repo)
    assert r.exit_code == 2 and "a recurring task needs a due date" in r.stderr
    assert cli("add-task", "77", "--text", "Báo cáo", "--lead", "STC", cwd=repo).exit_code == 0
    assert (repo / "directives/2024/77-UBND-KT.yaml").read_text(encoding="utf-8").endswith(
        "title: Triển khai chuyển đổi số\ntasks:\n  - n: 1\n    text: Báo cáo\n    lead: Sở Tài chính\n    status: open\n")


# ---------------------------------------------------------------------------- editors

def _editor(tmp_path: Path, body: str) -> str:
    """EDITOR set to a small python script; it receives the file as its last argument."""
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return f"{sys.executable} {script}"


def test_edit_validates_reopens_with_the_error_and_commits(cli, repo, tmp_path):
    # First save breaks the date; the second (seeing the error header) fixes it.
    editor = _editor(tmp_path, """
        import sys, pathlib
        p = pathlib.Path(sys.argv[-1]); s = p.read_text(encoding="utf-8")
        if s.startswith("# dtrack: error"):
            p.write_text(s.replace("due: 2024-02-30", "due: 2024-08-09"), encoding="utf-8")
        else:
            p.write_text(s.replace("due: 2024-07-26", "due: 2024-02-30"), encoding="utf-8")
    """)
    result = cli("edit", f"{LHG}#2", cwd=repo, env={"EDITOR": editor, "VISUAL": ""})
    assert result.exit_code == 0, result.output
    assert "not a real date" in result.stderr
    assert _changed(repo, LHG_FILE) == ["-    due: 2024-07-26", "+    due: 2024-08-09"]
    assert git(repo, "log", "-1", "--format=%s").strip() == f"edit {LHG}#2 [UBND cấp huyện]: #2: due"
    assert _committed_files(repo) == [LHG_FILE]


def test_an_editor_that_saves_in_the_windows_code_page_is_told_and_reopened(cli, repo, tmp_path):
    # Notepad's "ANSI" save: the edit was exit 70 and lost with the temporary copy.
    editor = _editor(tmp_path, r"""
        import sys, pathlib
        p = pathlib.Path(sys.argv[-1]); raw = p.read_bytes()
        note = "Báo cáo đúng"
        if raw.startswith(b"# dtrack: error"):
            p.write_bytes(raw.replace(note.encode("cp1258"), note.encode("utf-8")))
        else:
            p.write_bytes(raw.replace(b"due: 2024-07-26", b"due: 2024-08-09\n    note: " + note.encode("cp1258")))
    """)
    result = cli("--lang", "en", "edit", f"{LHG}#2", cwd=repo, env={"EDITOR": editor, "VISUAL": ""})
    assert result.exit_code == 0, result.output
    assert "not UTF-8 text (byte 0x" in result.stderr and "save the file as UTF-8" in result.stderr
    assert _changed(repo, LHG_FILE) == ["-    due: 2024-07-26", "+    due: 2024-08-09", "+    note: Báo cáo đúng"]
    assert _committed_files(repo) == [LHG_FILE]


def test_edit_gives_up_on_an_unchanged_invalid_save_and_leaves_the_file(cli, repo, tmp_path):
    editor = _editor(tmp_path, """
        import sys, pathlib
        p = pathlib.Path(sys.argv[-1]); s = p.read_text(encoding="utf-8")
        if not s.startswith("# dtrack: error"):
            p.write_text(s.replace("lead: Sở Tài chính", "lead: []"), encoding="utf-8")
    """)
    before, head = (repo / LHG_FILE).read_bytes(), _head(repo)
    result = cli("edit", f"{LHG}#3", cwd=repo, env={"EDITOR": editor, "VISUAL": ""})
    assert result.exit_code == 4
    assert "'lead' is missing" in result.stderr and "nothing was written" in result.stderr
    assert (repo / LHG_FILE).read_bytes() == before and _head(repo) == head


def test_edit_without_change_makes_no_commit(cli, repo, tmp_path):
    editor = _editor(tmp_path, "pass\n")
    head = _head(repo)
    result = cli("edit", f"{LHG}#1", cwd=repo, env={"EDITOR": editor, "VISUAL": ""})
    assert result.exit_code == 0 and "no change" in result.stdout and _head(repo) == head


def test_add_edit_fills_the_template(cli, repo, tmp_path):
    editor = _editor(tmp_path, """
        import sys, pathlib
        p = pathlib.Path(sys.argv[-1]); s = p.read_text(encoding="utf-8")
        p.write_text(s.replace("title:\\n", "title: Họp giao ban\\n").replace("issuer:\\n", "issuer: UBND tỉnh\\n")
                     .replace("number: \\"\\"", "number: 5/TB-UBND"), encoding="utf-8")
    """)
    result = cli("add", "--edit", "--kind", "thong-bao", "--issued", "1/8/2024", cwd=repo,
                 env={"EDITOR": editor, "VISUAL": ""})
    assert result.exit_code == 0, result.output
    text = (repo / "directives/2024/5-TB-UBND.yaml").read_text(encoding="utf-8")
    assert text == ("number: 5/TB-UBND\nkind: thong-bao\nissuer: UBND tỉnh\nissued: 2024-08-01\ntitle: Họp giao ban\n"
                    "signer:\nsource:\ntasks: []\n")


@pytest.mark.parametrize("editor, expected", [
    ("vim", ["vim", "+12", "F"]), ("nano", ["nano", "+12", "F"]), ("code", ["code", "--wait", "-g", "F:12"]),
    ("notepad", ["notepad", "F"]), ("/usr/bin/emacs -nw", ["/usr/bin/emacs", "-nw", "+12", "F"])])
def test_editor_line_arguments(editor, expected):
    from dtrack.services.editor import command
    assert command(Path("F"), 12, {"EDITOR": editor}) == expected


def test_every_command_has_help_with_an_example(cli):
    for name in ("init", "add", "add-task", "edit", "extend", "cancel"):
        result = cli(name, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout and "--no-commit" in result.stdout, name
