"""The same document imported again is an update of its file, never a second copy; what the importer
is unsure of is written as import_notes, which check and show understand until the clerk deletes them."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import yaml

from conftest import git

from dtrack.importer.draft import extract, to_yaml
from dtrack.importer.run import fingerprint

HEAD = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM

Số: 4321/UBND-KTN

Quảng Nam, ngày 12 tháng 6 năm 2024

V/v kiểm tra an toàn hồ đập trước mùa mưa bão

UBND tỉnh đề nghị các cơ quan, đơn vị thực hiện một số nội dung sau:

"""
TASKS = [
    "1. Sở Nông nghiệp và Phát triển nông thôn kiểm tra hiện trạng các hồ chứa thủy lợi, báo cáo UBND tỉnh "
    "trước ngày 30/6/2024.",
    "2. Sở Tài chính bố trí kinh phí sửa chữa khẩn cấp các hồ đập xuống cấp trong tháng 7/2024.",
    "3. Sở Xây dựng rà soát phương án bảo đảm an toàn các công trình đang thi công, hoàn thành trước ngày "
    "15/7/2024.",
]
TAIL = """
Nơi nhận:
- Như trên;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Trần Văn Bình
"""
REL = "directives/2024/4321-UBND-KTN.yaml"


def _doc(folder: Path, name: str, tasks: list[str], newline: str = "\n") -> Path:
    path = folder / name
    path.write_bytes((HEAD + "\n\n".join(tasks) + "\n" + TAIL).replace("\n", newline).encode("utf-8"))
    return path


def _commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def test_a_corrected_document_updates_its_file_and_keeps_the_clerks_record(cli, repo, tmp_path):
    first = _doc(tmp_path, "v1.txt", TASKS)
    for args in (("import", str(first), "--yes"), ("done", "4321-UBND-KTN#1", "--on", "05/7/2024", "--note", "Báo cáo số 88/SNN"),
                 ("extend", "4321-UBND-KTN#2", "--to", "31/8/2024", "--reason", "Chờ nguồn vốn")):
        r = cli(*args, cwd=repo)
        assert r.exit_code == 0, r.output
    before = (repo / REL).read_bytes()
    commits = _commits(repo)
    # The corrected text: task 1 reworded, task 2's deadline moved (it was extended: the clerk's stands),
    # task 3 gone, a new task 4.
    corrected = [TASKS[0].replace("kiểm tra hiện trạng", "kiểm tra kỹ hiện trạng"),
                 TASKS[1].replace("tháng 7/2024", "tháng 9/2024"),
                 "3. Công an tỉnh xây dựng phương án sơ tán dân ở hạ du các hồ đập trước ngày 20/8/2024."]
    second = _doc(tmp_path, "v2.txt", corrected)
    result = cli("import", str(second), "--yes", cwd=repo)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2024/4321-UBND-KTN.yaml: already in the store; the import updates it:" in out
    assert "~ #1 (text): Sở Nông nghiệp" in out and "+ #4: Công an tỉnh" in out and "- #3: Sở Xây dựng" in out
    # Task 2's deadline moved in the text, but the clerk extended it: the extension stands, flagged.
    assert "[due: 30/09/2024 not applied, the task's deadline is 31/08/2024 (extended); due_text: trong tháng " \
           "7/2024 → trong tháng 9/2024]" in out and "~ #2 (text, due_text): Sở Tài chính" in out
    assert _commits(repo) == commits + 1
    assert git(repo, "log", "-1", "--format=%s").strip() == \
        "import update 4321/UBND-KTN [UBND tỉnh Quảng Nam]: +1 ~2 -1 task(s)"
    assert [p.name for p in (repo / "directives" / "2024").glob("*4321*")] == ["4321-UBND-KTN.yaml"]
    after = (repo / REL).read_bytes()
    data = yaml.safe_load(after)
    t1, t2, t3, t4 = data["tasks"]
    assert (t1["status"], t1["done"], t1["note"]) == ("done", date(2024, 7, 5), "Báo cáo số 88/SNN")
    assert "kiểm tra kỹ hiện trạng" in t1["text"]
    assert t2["due"] == date(2024, 8, 31) and t2["extensions"][0]["to"] == date(2024, 8, 31)
    assert t2["import_notes"][-1] == "Văn bản nhập lại ghi hạn 30/09/2024; giữ hạn đã gia hạn 31/08/2024: cần kiểm tra."
    assert t3["status"] == "cancelled" and t3["cancelled"]["reason"].startswith("Không còn trong văn bản nhập lại")
    assert (t4["n"], t4["lead"], t4["due"]) == (4, "Công an tỉnh", date(2024, 8, 20))
    # The header is byte-identical but for the fingerprint of the new text, and so is every line of
    # task 2 but those the update changed.
    head = before[:before.index(b"  - n: 1")]
    assert after.startswith(head.replace(fingerprint(first.read_text("utf-8")).encode(),
                                         fingerprint(second.read_text("utf-8")).encode()))
    kept = before[before.index(b"  - n: 2"):before.index(b"  - n: 3")].splitlines()
    new_block = after[after.index(b"  - n: 2"):after.index(b"  - n: 3")].splitlines()
    untouched = (b"- n:", b"lead:", b"due:", b"status:", b"extensions:", b"- from:", b"to:", b"on:", b"reason:")
    assert [x for x in kept if x.lstrip().startswith(untouched)] == \
        [x for x in new_block if x.lstrip().startswith(untouched)]
    # The same corrected text again: nothing to change, nothing committed.
    again = cli("import", str(second), "--yes", cwd=repo)
    assert again.exit_code == 0 and "the document changes nothing" in again.stdout
    assert _commits(repo) == commits + 1 and git(repo, "status", "--porcelain") == ""


def test_an_unnumbered_document_is_found_again_by_its_text(cli, repo, tmp_path):
    text = HEAD.replace("Số: 4321/UBND-KTN", "Số:      /UBND-KTN") + "\n\n".join(TASKS) + "\n" + TAIL
    one = tmp_path / "a.txt"
    one.write_text(text, encoding="utf-8")
    assert cli("import", str(one), "--yes", cwd=repo).exit_code == 0
    written = list((repo / "directives" / "2024").glob("2024-06-12-*.yaml"))
    assert len(written) == 1
    data = yaml.safe_load(written[0].read_bytes())
    assert data["number"] == "" and data["source_hash"] == fingerprint(text)
    # CRLF, other wrapping and spacing: the same document.
    other = tmp_path / "b.txt"
    other.write_bytes(text.replace("báo cáo UBND tỉnh ", "báo cáo\nUBND   tỉnh ").replace("\n", "\r\n").encode("utf-8"))
    assert fingerprint(other.read_bytes().decode("utf-8")) == fingerprint(text)
    result = cli("import", str(other), "--yes", cwd=repo)
    assert result.exit_code == 0 and "the document changes nothing" in result.stdout
    assert list((repo / "directives" / "2024").glob("2024-06-12-*.yaml")) == written
    assert git(repo, "status", "--porcelain") == ""


def test_stdout_previews_a_document_already_in_the_store(cli, repo, tmp_path):
    doc = _doc(tmp_path, "v1.txt", TASKS)
    assert cli("import", str(doc), "--yes", cwd=repo).exit_code == 0
    changed = _doc(tmp_path, "v2.txt", TASKS[:2])
    result = cli("import", str(changed), "--stdout", cwd=repo)
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout)["number"] == "4321/UBND-KTN"
    assert "already in the store; the import updates it" in result.stderr and "- #3" in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_flags_are_written_as_import_notes_that_check_and_show_understand(cli, repo, tmp_path):
    from dtrack.store import files as store_mod
    draft = extract((HEAD + "\n\n".join(TASKS) + TAIL), store_mod.load(repo / "directives").registry, source="x.txt")
    draft.tasks[0].flags += ["ngày ban hành không có trong văn bản: cần bổ sung", "hạn suy ra từ năm của văn bản"]
    text = to_yaml(draft)
    data = yaml.safe_load(text)
    assert data["tasks"][0]["import_notes"] == ["ngày ban hành không có trong văn bản: cần bổ sung",
                                                "hạn suy ra từ năm của văn bản"]
    assert "import_notes" not in data["tasks"][1]
    schema = json.loads((Path(__file__).resolve().parents[2] / "dtrack/schema/directive.schema.json").read_text("utf-8"))
    jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)
    path = repo / REL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    checked = cli("check", cwd=repo)
    assert "warning: task 1: 2 import notes to verify; delete them once checked" in checked.output
    shown = cli("show", "4321-UBND-KTN#1", cwd=repo)
    assert "To verify: hạn suy ra từ năm của văn bản" in shown.stdout
    # The clerk checked them and deleted the notes: gone from check and show.
    lines = text.splitlines(keepends=True)
    start = next(i for i, x in enumerate(lines) if x.strip() == "import_notes:")
    path.write_text("".join(lines[:start] + lines[start + 3:]), encoding="utf-8")
    assert "import notes" not in cli("check", cwd=repo).output
    assert "To verify" not in cli("show", "4321-UBND-KTN#1", cwd=repo).stdout


def test_an_update_keeps_the_files_crlf(cli, repo, tmp_path):
    assert cli("import", str(_doc(tmp_path, "v1.txt", TASKS)), "--yes", cwd=repo).exit_code == 0
    path = repo / REL
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    git(repo, "commit", "-qam", "the clerk's editor saved it with CRLF")
    changed = [TASKS[0], "2. Sở Nội vụ bố trí cán bộ trực ban phòng chống thiên tai trước ngày 25/6/2024."]
    result = cli("import", str(_doc(tmp_path, "v2.txt", changed)), "--yes", cwd=repo)
    assert result.exit_code == 0, result.output
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") and "Sở Nội vụ".encode() in raw
    data = yaml.safe_load(raw)
    assert [(t["n"], t["status"]) for t in data["tasks"]] == [(1, "open"), (2, "cancelled"), (3, "cancelled"), (4, "open")]
