"""Two clones of one store and a bare remote: changes to different tasks of one directive merge with
no conflict; a conflict on the same task is detected with its file and line (docs/reliability.md)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import git, make_repo

STEM = "2022-02-14-nhiem-vu-trong-tam"
REL = f"directives/2022/{STEM}.yaml"

EXTENSION = (
    "    due: 2022-12-31\n"
    "    due_text: từ tháng 9/2022\n"
    "    status: open\n"
    "    extensions:\n"
    "      - from: 2022-09-30\n"
    "        to: 2022-12-31\n"
    "        on: 2022-09-20\n"
    "        by: Văn bản 2001/UBND-KGVX\n"
    "        reason: Chờ nâng cấp hệ thống\n"
)
NEW_TASK = (
    "  - n: 11\n"
    "    text: Báo cáo kết quả triển khai các nhiệm vụ trọng tâm về chuyển đổi số năm 2022.\n"
    "    lead: Sở Thông tin và Truyền thông\n"
    "    due: 2022-12-15\n"
    "    status: open\n"
)


def _clone(remote: Path, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(remote), str(where)], check=True, capture_output=True)
    for k, v in (("user.name", "Văn thư " + where.name), ("user.email", f"{where.name}@example.org"),
                 ("core.autocrlf", "false"), ("pull.rebase", "false")):
        git(where, "config", k, v)
    return where


@pytest.fixture
def clones(tmp_path):
    origin = make_repo(tmp_path / "origin")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(origin), str(remote)], check=True, capture_output=True)
    return _clone(remote, tmp_path / "a"), _clone(remote, tmp_path / "b")


def _pull(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "pull", "-q", "--no-rebase", "--no-edit"], cwd=repo, capture_output=True)


def _tasks(cli, repo: Path) -> dict:
    result = cli("list", "--all", "--status", "all", "--json", "--search", "chuyển đổi số", cwd=repo)
    assert result.exit_code == 0, result.output
    return {r["n"]: (r["status"], r["done"], r["due"]) for r in json.loads(result.stdout)
            if r["directive"] == STEM}


def test_changes_to_different_tasks_of_one_directive_merge_without_conflict(cli, clones):
    a, b = clones
    # Clone A: two tasks done, and task 5 extended (by hand: `extend` is another command's job).
    assert cli("done", f"{STEM}#2", "--on", "15/07/2024", cwd=a).exit_code == 0
    assert cli("done", f"{STEM}#8", "--on", "16/07/2024", "--note", "Đã báo cáo", cwd=a).exit_code == 0
    path = a / REL
    text = path.read_text(encoding="utf-8")
    old = "    due: 2022-09-30\n    due_text: từ tháng 9/2022\n    status: open\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, EXTENSION), encoding="utf-8")
    git(a, "commit", "-qam", f"extend {STEM}#5 to 31/12/2022")
    git(a, "push", "-q")
    # Clone B, meanwhile: two other tasks done and a task added at the end.
    assert cli("done", f"{STEM}#3", "--on", "17/07/2024", cwd=b).exit_code == 0
    assert cli("done", f"{STEM}#6", "--on", "18/07/2024", cwd=b).exit_code == 0
    path = b / REL
    path.write_text(path.read_text(encoding="utf-8") + NEW_TASK, encoding="utf-8")
    git(b, "commit", "-qam", f"add {STEM}#11")

    pulled = _pull(b)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert git(b, "status", "--porcelain") == ""
    git(b, "push", "-q")
    assert _pull(a).returncode == 0
    assert (a / REL).read_bytes() == (b / REL).read_bytes()

    want = {1: ("open", None, None), 2: ("done", "2024-07-15", None), 3: ("done", "2024-07-17", None),
            4: ("open", None, None), 5: ("open", None, "2022-12-31"), 6: ("done", "2024-07-18", None),
            7: ("open", None, None), 8: ("done", "2024-07-16", "2022-02-28"), 9: ("open", None, None),
            10: ("open", None, "2022-06-30"), 11: ("open", None, "2022-12-15")}
    for clone in (a, b):
        got = _tasks(cli, clone)
        assert {n: got[n] for n in want} == want
    assert "Đã báo cáo" in (a / REL).read_text(encoding="utf-8")
    log = git(a, "log", "--format=%s")
    for subject in (f"done {STEM}#2 ", f"done {STEM}#8 ", f"extend {STEM}#5", f"done {STEM}#3 ",
                    f"done {STEM}#6 ", f"add {STEM}#11"):
        assert subject in log


def test_the_same_task_changed_on_two_clones_is_a_conflict_that_list_shows_with_file_and_line(cli, clones):
    a, b = clones
    assert cli("done", f"{STEM}#4", "--on", "15/07/2024", cwd=a).exit_code == 0
    git(a, "push", "-q")
    assert cli("done", f"{STEM}#4", "--on", "18/07/2024", "--note", "Theo báo cáo", cwd=b).exit_code == 0
    pulled = _pull(b)
    assert pulled.returncode != 0 and b"CONFLICT" in pulled.stdout + pulled.stderr

    text = (b / REL).read_text(encoding="utf-8")
    marker_line = text.split("\n").index("<<<<<<< HEAD") + 1
    result = cli("list", "--all", cwd=b)
    assert result.exit_code == 0
    assert f"directives/2022/{STEM}.yaml:{marker_line}:1: error: git conflict marker '<<<<<<<': resolve the " \
           "merge, keeping the right version of the task, then remove the markers" in result.stderr
    assert "1502-UBND-KGVX#" in result.stdout            # the other files are still listed
    # Changing a task of the conflicted file is refused; nothing is written.
    before = (b / REL).read_bytes()
    done = cli("done", f"{STEM}#1", cwd=b)
    assert done.exit_code == 3 and (b / REL).read_bytes() == before

    # Resolution as docs/reliability.md says: keep the right lines, remove the markers, commit.
    lines = text.split("\n")
    start, mid = lines.index("<<<<<<< HEAD"), lines.index("=======")
    end = next(i for i, l in enumerate(lines) if l.startswith(">>>>>>> "))
    resolved = lines[:start] + lines[start + 1:mid] + lines[end + 1:]       # keep ours (clone B)
    (b / REL).write_text("\n".join(resolved), encoding="utf-8")
    assert cli("list", "--all", cwd=b).stderr == ""
    git(b, "commit", "-qam", "merge: keep 18/07/2024 for task 4")
    assert _tasks(cli, b)[4] == ("done", "2024-07-18", None)
