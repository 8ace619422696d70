"""`dtrack log`: the audit trail from git trailers, hand edits, --since and --agency."""
from __future__ import annotations

import json

from conftest import git


def _log(cli, repo, *args):
    result = cli("log", "--json", *args, cwd=repo)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_dtrack_commits_and_hand_edits(cli, repo):
    assert cli("done", "1502#2", "1502#3", "--note", "Công văn 426/STTTT", cwd=repo).exit_code == 0
    path = repo / "directives" / "2024" / "2024-07-17-bo-sung-kinh-phi.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: open  # đã nhắc", 1),
                    encoding="utf-8")
    git(repo, "commit", "-qam", "ghi chú tay")
    assert cli("done", "2024-07-17#3", cwd=repo).exit_code == 0
    events = _log(cli, repo)
    assert [(e["action"], e["refs"], e["files"]) for e in events] == [
        ("done", ["2024-07-17-bo-sung-kinh-phi#3"], ["2024/2024-07-17-bo-sung-kinh-phi.yaml"]),
        ("edit", [], ["2024/2024-07-17-bo-sung-kinh-phi.yaml"]),
        ("done", ["1502-UBND-KGVX#2", "1502-UBND-KGVX#3"], ["2023/1502-UBND-KGVX.yaml"]),
        ("edit", [], ["2022/2022-02-14-nhiem-vu-trong-tam.yaml", "2023/1502-UBND-KGVX.yaml",
                      "2024/2024-03-11-du-an-cntt.yaml", "2024/2024-04-12-chuyen-doi-so-duc-pho.yaml",
                      "2024/2024-07-17-bo-sung-kinh-phi.yaml", "agencies.yaml"]),
    ]
    assert events[2]["note"] == "Công văn 426/STTTT"
    assert events[2]["author"] == "Văn thư Test"
    assert events[1]["subject"] == "ghi chú tay"
    # --agency: STC leads 2024-07-17#3 and supports the 1502 tasks; the hand edit touched a file with an STC task.
    stc = _log(cli, repo, "--agency", "STC")
    assert [e["action"] for e in stc] == ["done", "edit", "done", "edit"]
    vpub = _log(cli, repo, "--agency", "VPUB")      # only in 2022-02-14 and 2024-03-11: the initial commit
    assert [e["subject"] for e in vpub] == ["initial store"]
    # --since a commit: what came after it.
    first_done = events[2]["commit"]
    assert [e["action"] for e in _log(cli, repo, "--since", first_done[:10])] == ["done", "edit"]
    table = cli("log", cwd=repo, env={"COLUMNS": "160"})
    assert "done" in table.stdout and "Công văn 426/STTTT" in table.stdout and "Văn thư Test" in table.stdout


def test_since_a_date_and_bad_since(cli, repo):
    assert _log(cli, repo, "--since", "01/01/2999") == []
    assert len(_log(cli, repo, "--since", "01/01/2000")) == 1
    result = cli("log", "--since", "not-a-commit", cwd=repo)
    assert result.exit_code == 2
    # The service says what is wrong; the command line names the option it came from.
    assert result.stderr.startswith("dtrack: error: --since: 'not-a-commit' is neither a date nor a commit")


def test_outside_git_is_a_clear_error(cli, tmp_path):
    import shutil
    from conftest import BUNDLED
    shutil.copytree(BUNDLED, tmp_path / "d")
    result = cli("--dir", str(tmp_path / "d"), "log")
    assert result.exit_code == 2 and "not in a git repository" in result.stderr
