"""The task-level merge driver (store/mergefile.py, `dtrack merge-file`): what git's line merge would
turn into a conflict merges when the two sides changed different tasks, different fields of a task, or
both appended notes, extensions or occurrences; the same field set to two values stays a conflict that
`list` and `check` place (file, line, task) and `resolve` settles. The merged file keeps every other
byte of ours."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import git, make_repo
from dtrack.store import mergefile

BASE = """\
# Thông báo 12/TB-UBND — a comment that must survive
number: 12/TB-UBND
kind: thong-bao
issuer: UBND tỉnh Quảng Ngãi
issued: 2024-03-11
title: 'Kết luận: chuyển đổi số'
tasks:
  - n: 1
    text: Báo cáo kết quả.   # why: the chair asked
    lead: Sở Tài chính
    due: 2024-04-30
    status: open
  - n: 2
    text: >-
      Rà soát danh mục nhiệm vụ
      ưu tiên.
    lead: Sở Nội vụ
    due: 2024-05-15
    status: open
  - n: 3
    text: Họp giao ban hằng tháng.
    lead: Văn phòng UBND tỉnh
    repeat: monthly
    status: open
"""


def _swap(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _merge(base: str, ours: str, theirs: str, newline: str = "\n") -> mergefile.Merged:
    enc = lambda s: s.replace("\n", newline).encode("utf-8")     # noqa: E731
    return mergefile.merge(enc(base), enc(ours), enc(theirs))


def _load(data: bytes) -> dict:
    from dtrack.store.files import decode, parse
    return {task["n"]: task for task in parse(decode(data))["tasks"]}


DONE_1 = ("    due: 2024-04-30\n    status: open\n", "    due: 2024-04-30\n    status: done\n    done: 2024-04-20\n")


def test_different_tasks_and_different_fields_of_one_task_merge_onto_ours_byte_for_byte():
    ours = _swap(BASE, *DONE_1)
    theirs = _swap(BASE, "    lead: Sở Nội vụ\n", "    lead: Sở Nội vụ\n    support: [Sở Tài chính, 'UBND các huyện, thị xã']\n")
    theirs = _swap(theirs, "    due: 2024-04-30\n    status: open\n",
                   "    due: 2024-04-30\n    status: open\n    note: 'Đã nhắc: lần 1'\n")
    merged = _merge(BASE, ours, theirs)
    assert merged.conflicts == {}
    want = _swap(_swap(ours, "    lead: Sở Nội vụ\n",
                       "    lead: Sở Nội vụ\n    support: [Sở Tài chính, 'UBND các huyện, thị xã']\n"),
                 "    done: 2024-04-20\n", "    done: 2024-04-20\n    note: 'Đã nhắc: lần 1'\n")
    assert merged.data.decode("utf-8") == want          # theirs' lines as theirs wrote them, the rest ours


def test_crlf_a_bom_and_comments_are_kept():
    ours = _swap(BASE, *DONE_1)
    theirs = _swap(BASE, "    due: 2024-05-15\n", "    due: 2024-06-15\n")
    enc = lambda s: b"\xef\xbb\xbf" + s.replace("\n", "\r\n").encode("utf-8")     # noqa: E731
    merged = mergefile.merge(enc(BASE), enc(ours), enc(theirs))
    assert merged.conflicts == {}
    assert merged.data == enc(_swap(ours, "    due: 2024-05-15\n", "    due: 2024-06-15\n"))


def test_notes_extensions_and_occurrences_added_on_both_sides_are_all_kept():
    base = _swap(BASE, "    lead: Sở Nội vụ\n", "    lead: Sở Nội vụ\n    note: Đã giao\n")
    ext = "    extensions:\n      - from: 2024-04-30\n        to: {to}\n        on: 2024-04-25\n        by: {by}\n"
    occ = "    occurrences:\n      - {{due: 2024-03-31, done: 2024-03-30}}\n"
    base = _swap(base, "    repeat: monthly\n", "    repeat: monthly\n" + occ.format())
    ours = _swap(base, "    note: Đã giao\n", "    note: \"Đã giao\\nA: đã gọi điện\"\n")
    ours = _swap(ours, "    due: 2024-04-30\n", "    due: 2024-05-31\n" + ext.format(to="2024-05-31", by="CV 1/UBND"))
    ours = _swap(ours, "done: 2024-03-30}\n", "done: 2024-03-30}\n      - {due: 2024-04-30, done: 2024-04-29}\n")
    theirs = _swap(base, "    note: Đã giao\n", "    note: \"Đã giao\\nB: đã gửi công văn\"\n")
    theirs = _swap(theirs, "    due: 2024-04-30\n", "    due: 2024-04-30\n" + "    extensions:\n      - from: 2024-04-30\n"
                   "        to: 2024-06-30\n        on: 2024-04-26\n        by: CV 2/UBND\n")
    theirs = _swap(theirs, "    status: open\n  - n: 2", "    status: done\n    done: 2024-07-01\n  - n: 2")
    theirs = _swap(theirs, "done: 2024-03-30}\n", "done: 2024-03-30}\n      - {due: 2024-05-31, done: 2024-05-30}\n")
    merged = _merge(base, ours, theirs)
    assert merged.conflicts == {}
    tasks = _load(merged.data)
    assert tasks[2]["note"] == "Đã giao\nA: đã gọi điện\nB: đã gửi công văn"
    assert [e["by"] for e in tasks[1]["extensions"]] == ["CV 1/UBND", "CV 2/UBND"]
    assert (tasks[1]["status"], str(tasks[1]["done"]), str(tasks[1]["due"])) == ("done", "2024-07-01", "2024-05-31")
    assert [str(o["due"]) for o in tasks[3]["occurrences"]] == ["2024-03-31", "2024-04-30", "2024-05-31"]
    text = merged.data.decode("utf-8")
    assert "      - {due: 2024-05-31, done: 2024-05-30}\n" in text       # flow, like ours' entries
    assert text.startswith("# Thông báo 12/TB-UBND — a comment that must survive\n")


def test_tasks_added_on_both_sides_are_both_kept_theirs_numbered_next():
    new = "  - n: 4\n    text: {text}\n    lead: Sở Y tế\n    status: open\n"
    merged = _merge(BASE, BASE + new.format(text="Nhiệm vụ A."), BASE + new.format(text="Nhiệm vụ B."))
    assert merged.conflicts == {} and merged.renumbered == {4: 5}
    tasks = _load(merged.data)
    assert (tasks[4]["text"], tasks[5]["text"]) == ("Nhiệm vụ A.", "Nhiệm vụ B.")


def test_the_same_field_set_to_two_values_is_marked_around_that_task_only():
    ours = _swap(BASE, *DONE_1)
    theirs = _swap(BASE, DONE_1[0], "    due: 2024-04-30\n    status: done\n    done: 2024-04-22\n")
    theirs = _swap(theirs, "    due: 2024-05-15\n", "    due: 2024-06-15\n")
    merged = _merge(BASE, ours, theirs)
    assert merged.conflicts == {1: ["done"]}
    text = merged.data.decode("utf-8")
    lines = text.split("\n")
    start = lines.index("<<<<<<< ours: task 1 (done)")
    assert lines[start - 1] == "tasks:" and lines[start + 1] == "  - n: 1"
    mid, end = lines.index("======="), lines.index(">>>>>>> theirs: task 1")
    assert lines[end + 1] == "  - n: 2" and "    due: 2024-06-15" in lines   # the rest merged
    assert "    done: 2024-04-20" in lines[start:mid] and "    done: 2024-04-22" in lines[mid:end]
    for side, done in (("ours", "2024-04-20"), ("theirs", "2024-04-22")):
        settled, count, left = mergefile.resolve_text(text, 1, side)
        assert (count, left) == (1, 0)
        assert str(_load(settled.encode())[1]["done"]) == done


# --- through git: a real merge of two branches, the driver registered by setup-merge -------------------

STEM = "2022-02-14-nhiem-vu-trong-tam"
REL = f"directives/2022/{STEM}.yaml"


@pytest.fixture
def branched(cli, tmp_path):
    repo = make_repo(tmp_path / "office")
    result = cli("setup-merge", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "merge=dtrack" in (repo / "directives" / ".gitattributes").read_text(encoding="utf-8")
    assert sys.executable in git(repo, "config", "merge.dtrack.driver")
    git(repo, "checkout", "-qb", "other")
    git(repo, "checkout", "-q", "main")
    return repo


def _merge_branch(repo):
    return subprocess.run(["git", "merge", "--no-edit", "other"], cwd=repo, capture_output=True)


def test_git_merges_done_on_one_branch_and_a_note_on_the_other_with_no_conflict(cli, branched):
    repo = branched
    assert cli("done", f"{STEM}#4", "--on", "15/07/2024", cwd=repo).exit_code == 0
    git(repo, "checkout", "-q", "other")
    text = (repo / REL).read_text(encoding="utf-8")
    (repo / REL).write_text(_swap(text, "    lead: Sở Thông tin và Truyền thông\n    status: open\n  - n: 5",
                                  "    lead: Sở Thông tin và Truyền thông\n    status: open\n"
                                  "    note: Sở đã báo cáo\n  - n: 5"), encoding="utf-8")
    git(repo, "commit", "-qam", "note on task 4 by hand")
    git(repo, "checkout", "-q", "main")
    merged = _merge_branch(repo)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    result = cli("show", f"{STEM}#4", "--json", cwd=repo)
    assert '"status": "done"' in result.stdout and "Sở đã báo cáo" in result.stdout
    assert cli("check", cwd=repo).exit_code == 0


def test_git_reports_the_same_field_to_two_values_and_list_check_and_resolve_handle_it(cli, branched):
    repo = branched
    assert cli("done", f"{STEM}#4", "--on", "15/07/2024", cwd=repo).exit_code == 0
    git(repo, "checkout", "-q", "other")
    assert cli("done", f"{STEM}#4", "--on", "18/07/2024", cwd=repo).exit_code == 0
    assert cli("done", f"{STEM}#6", "--on", "18/07/2024", cwd=repo).exit_code == 0
    git(repo, "checkout", "-q", "main")
    merged = _merge_branch(repo)
    assert merged.returncode == 1 and b"CONFLICT" in merged.stdout
    assert b"conflict on task 4 (done)" in merged.stderr                # the driver says which task

    line = (repo / REL).read_text(encoding="utf-8").split("\n").index("<<<<<<< ours: task 4 (done)") + 1
    where = f"directives/2022/{STEM}.yaml:{line}:1: error: git conflict marker '<<<<<<<'"
    listed = cli("list", "--all", cwd=repo)
    assert where in listed.stderr and "(task 4: dtrack resolve" in listed.stderr
    checked = cli("check", cwd=repo)
    assert checked.exit_code != 0 and where in checked.stdout + checked.stderr

    assert cli("resolve", f"{STEM}#4", cwd=repo).exit_code == 2               # --ours or --theirs
    assert cli("resolve", f"{STEM}#5", "--theirs", cwd=repo).exit_code == 3   # no conflict on task 5
    result = cli("resolve", f"{STEM}#4", "--theirs", cwd=repo)
    assert result.exit_code == 0, result.output
    assert git(repo, "diff", "--name-only", "--diff-filter=U") == ""         # staged as settled
    git(repo, "commit", "-q", "--no-edit")
    shown = cli("show", f"{STEM}#4", "--json", cwd=repo).stdout
    assert '"done": "2024-07-18"' in shown
    assert '"status": "done"' in cli("show", f"{STEM}#6", "--json", cwd=repo).stdout
    assert cli("check", cwd=repo).exit_code == 0


def test_a_file_that_is_not_a_directive_falls_back_to_gits_line_merge(tmp_path):
    base = "- name: Sở A\n- name: Sở B\n- name: Sở C\n"
    for name, text in (("o", base), ("a", base.replace("Sở A", "Sở A1")), ("b", base.replace("Sở C", "Sở C1"))):
        (tmp_path / name).write_text(text, encoding="utf-8")
    code, merged = mergefile.run_driver(tmp_path / "o", tmp_path / "a", tmp_path / "b")
    assert (code, merged) == (0, None)
    assert (tmp_path / "a").read_text(encoding="utf-8") == "- name: Sở A1\n- name: Sở B\n- name: Sở C1\n"


def test_init_registers_the_driver(cli, tmp_path):
    result = cli("init", str(tmp_path / "new"), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "merge=dtrack" in (tmp_path / "new" / "directives" / ".gitattributes").read_text(encoding="utf-8")
    assert "merge-file %O %A %B %P" in git(tmp_path / "new", "config", "merge.dtrack.driver")
    again = cli("setup-merge", cwd=tmp_path / "new")
    assert again.exit_code == 0 and "nothing changed" in again.stdout


def test_a_driver_whose_python_is_gone_falls_back_to_gits_line_merge(cli, branched):
    from dtrack.store import mergesetup
    repo = branched
    git(repo, "config", "merge.dtrack.driver", mergesetup.driver_command("/nowhere/python"))
    assert cli("done", f"{STEM}#4", "--on", "15/07/2024", cwd=repo).exit_code == 0
    git(repo, "checkout", "-q", "other")
    assert cli("done", f"{STEM}#8", "--on", "18/07/2024", cwd=repo).exit_code == 0
    git(repo, "checkout", "-q", "main")
    merged = _merge_branch(repo)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert '"status": "done"' in cli("show", f"{STEM}#8", "--json", cwd=repo).stdout
    assert '"status": "done"' in cli("show", f"{STEM}#4", "--json", cwd=repo).stdout


def test_done_on_one_side_and_a_note_and_a_deadline_on_the_other_merge_in_every_bundled_directive():
    import datetime
    import random
    from conftest import BUNDLED
    from dtrack.store import yamledit
    from dtrack.store.files import decode, parse
    rnd = random.Random(17)
    merged_count = 0
    for path in sorted(p for p in BUNDLED.rglob("*.yaml") if p.name != "agencies.yaml"):
        raw = path.read_bytes()
        base = {t["n"]: t for t in parse(decode(raw))["tasks"]}
        for trial in range(4):
            i, j = rnd.choice(list(base)), rnd.choice(list(base))
            doc = yamledit.Doc.decode(raw)
            ours = yamledit.edit_task(doc, i, {"status": "done", "done": datetime.date(2024, 7, 1)},
                                      after={"done": "status"})
            theirs = yamledit.edit_task(doc, j, {"note": f"ghi chú {trial}\ndòng 2"})
            theirs = yamledit.edit_task(theirs, i, {"due": datetime.date(2025, 1, 1)})
            merged = mergefile.merge(raw, ours.encode(), theirs.encode())
            assert merged.conflicts == {}
            got = {t["n"]: t for t in parse(decode(merged.data))["tasks"]}
            a = {t["n"]: t for t in parse(decode(ours.encode()))["tasks"]}
            b = {t["n"]: t for t in parse(decode(theirs.encode()))["tasks"]}
            want = {n: {**a[n], **{k: b[n][k] for k in b[n] if b[n][k] != base[n].get(k)}} for n in base}
            assert got == want, (path.name, i, j)
            merged_count += 1
    assert merged_count == 4 * len([p for p in BUNDLED.rglob("*.yaml") if p.name != "agencies.yaml"]) >= 20
