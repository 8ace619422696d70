"""`dtrack import` writes nothing before the clerk accepts: at a terminal it asks accept / edit in
$EDITOR / cancel; without one it needs --yes, or writes without a commit under --no-commit."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import dtrack_script, git

DOC = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM

Số: 5150/UBND-KTN

Quảng Nam, ngày 02 tháng 7 năm 2024

V/v chuẩn bị diễn tập phòng thủ dân sự

UBND tỉnh đề nghị các cơ quan, đơn vị thực hiện một số nội dung sau:

1. Sở Tài chính bố trí kinh phí tổ chức diễn tập phòng thủ dân sự trước ngày 31/7/2024.

2. Sở Nội vụ rà soát lực lượng tham gia diễn tập, báo cáo UBND tỉnh trong tháng 8/2024.

Nơi nhận:
- Như trên;
- Bộ Tư lệnh Quân khu 5;
- Lưu: VT, NC.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Lê Văn Dũng
"""
REL = Path("directives/2024/5150-UBND-KTN.yaml")

# A scripted editor: it changes task 1's lead; with BROKEN_FIRST its first save is not valid YAML.
EDITOR = """import pathlib, sys
path, state = pathlib.Path(sys.argv[-1]), pathlib.Path(sys.argv[1])
calls = int(state.read_text()) if state.exists() else 0
state.write_text(str(calls + 1))
text = path.read_text("utf-8")
if sys.argv[2] == "broken-first" and calls == 0:
    (state.parent / "first.yaml").write_text(text, "utf-8")
    path.write_text(text.replace("tasks:", "tasks: [", 1), "utf-8")
    sys.exit()
if sys.argv[2] == "broken-first":
    text = (state.parent / "first.yaml").read_text("utf-8")
path.write_text(text.replace("lead: Sở Tài chính", "lead: Kho bạc Nhà nước tỉnh", 1), "utf-8")
"""


@pytest.fixture
def doc(tmp_path) -> Path:
    path = tmp_path / "cv-5150.txt"
    path.write_text(DOC, encoding="utf-8")
    return path


@pytest.fixture
def terminal(monkeypatch):
    """Standard input is a terminal (CliRunner's input is not one)."""
    from dtrack.cli import importing
    monkeypatch.setattr(importing, "_tty", lambda: True)


def _editor(tmp_path: Path, mode: str) -> dict:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    return {"EDITOR": f'"{sys.executable}" "{script}" "{tmp_path / "calls"}" {mode}', "VISUAL": ""}


def test_accepted_at_a_terminal_it_writes_and_commits(cli, repo, doc, terminal):
    result = _run(cli, repo, "import", str(doc), input="\na\n")      # a bare Enter accepts nothing: asked again
    assert result.exit_code == 0, result.output
    assert result.output.count("2024/5150-UBND-KTN.yaml: accept, edit in $EDITOR, or cancel? [a/e/c]") == 2
    assert "1  STC" in result.output          # the review came first: task, lead, due, phrase
    assert git(repo, "log", "-1", "--format=%s").startswith("import 5150/UBND-KTN")
    assert git(repo, "status", "--porcelain") == ""


def _run(cli, repo: Path, *args: str, input: str, env: dict | None = None):
    import os
    old = os.getcwd()
    os.chdir(repo)
    try:
        return cli.runner.invoke(cli.app, list(args), input=input, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_cancelled_nothing_is_written(cli, repo, doc, terminal):
    head = git(repo, "rev-parse", "HEAD")
    for answers in ("c\n", "", "x\nno\n"):        # cancel, end of input, an unknown answer asked again
        result = _run(cli, repo, "import", str(doc), input=answers)
        assert result.exit_code == 0, result.output
        assert "import cancelled; nothing was written" in result.output
    assert "answer a (accept), e (edit) or c (cancel)" in result.output
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""


def test_edited_in_the_editor_checked_again_then_accepted(cli, repo, doc, terminal, tmp_path):
    result = _run(cli, repo, "import", str(doc), input="e\na\n", env=_editor(tmp_path, "broken-first"))
    assert result.exit_code == 0, result.output
    assert "the editor opens again; save it unchanged to give up" in result.output
    assert (tmp_path / "calls").read_text() == "2"
    assert "2024/5150-UBND-KTN.yaml: edited and checked (2 tasks)" in result.output
    data = yaml.safe_load((repo / REL).read_bytes())
    assert data["tasks"][0]["lead"] == "Kho bạc Nhà nước tỉnh"
    assert git(repo, "status", "--porcelain") == ""


def test_edited_then_cancelled_nothing_is_written(cli, repo, doc, terminal, tmp_path):
    result = _run(cli, repo, "import", str(doc), input="e\nc\n", env=_editor(tmp_path, "plain"))
    assert result.exit_code == 0 and "import cancelled; nothing was written" in result.output
    assert not (repo / REL).exists()


def test_without_a_terminal_it_needs_yes(cli, repo, doc):
    result = _run(cli, repo, "import", str(doc), input="a\n")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1].startswith("dtrack: error: no terminal to review the import; nothing was "
                                                     "written. Pass --yes")
    assert git(repo, "status", "--porcelain") == ""
    assert _run(cli, repo, "import", str(doc), "--yes", input="").exit_code == 0
    assert git(repo, "status", "--porcelain") == ""


def test_the_installed_script_without_a_terminal(repo, doc):
    refused = subprocess.run([dtrack_script(), "import", str(doc)], cwd=repo, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, encoding="utf-8")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("dtrack: error: no terminal to review the import")
    assert "5150/UBND-KTN" in refused.stdout          # the review was shown
    assert git(repo, "status", "--porcelain") == ""
