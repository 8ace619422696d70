"""Loading: format v1 validation, problems located at file:line:col, discovery of the store."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from dtrack.store import files as store
from dtrack.errors import UsageError

GOOD = ("number: 5/UBND\nkind: cong-van\nissuer: UBND tỉnh\nissued: 2024-07-01\ntitle: Thử\ntasks:\n"
        "  - n: 1\n    text: Việc một\n    lead: Sở Tài chính\n    due: 2024-07-30\n    status: open\n")


def load_one(tmp_path: Path, text: str | bytes):
    path = tmp_path / "2024" / "5-UBND.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return store.load_directive(path, "2024/5-UBND.yaml")


def test_a_good_file_loads(tmp_path):
    d, problems = load_one(tmp_path, GOOD)
    assert problems == [] and d.stem == "5-UBND" and d.tasks[0].lead == ("Sở Tài chính",)


@pytest.mark.parametrize("change, line, col, words", [
    (("due: 2024-07-30", "due: 30/7/2024"), 10, 10, "due: '30/7/2024' is not a date"),
    (("due: 2024-07-30", "due: 2024-02-30"), 10, 10, "not a real date"),
    (("kind: cong-van", "kind: letter"), 2, 7, "kind must be one of"),
    (("    lead: Sở Tài chính\n", ""), 7, 5, "'lead' is missing"),
    (("status: open", "status: late"), 11, 13, "status must be one of"),
    (("  - n: 1", "  - n: one"), 7, 8, "task n must be a whole number"),
    (("text: Việc một", "text: [a, b]"), 8, 11, "text must be text"),
    (("tasks:\n", "tasks:\n  - n: 1\n    text: x\n    lead: y\n"), 10, 8, "task number 1 is used twice"),
    (("issued: 2024-07-01\n", ""), 1, 1, "'issued' is missing"),
    (("title: Thử", "title: [oops"), 6, 6, "not valid YAML"),
])
def test_problems_point_at_the_line(tmp_path, change, line, col, words):
    d, problems = load_one(tmp_path, GOOD.replace(*change))
    assert d is None
    assert (problems[0].line, problems[0].col) == (line, col), problems
    assert words in problems[0].message


def test_done_without_date_is_a_warning_not_an_error(tmp_path):
    d, problems = load_one(tmp_path, GOOD.replace("status: open", "status: done"))
    assert d is not None
    assert [(p.severity, p.line) for p in problems] == [("warning", 11)]


def test_non_utf8_conflict_markers_and_python_tags(tmp_path):
    _, p = load_one(tmp_path, GOOD.encode("utf-8").replace("Việc một".encode(), "Vi\xe9c".encode("latin-1")))
    assert p[0].line == 8 and "not UTF-8" in p[0].message
    _, p = load_one(tmp_path, GOOD.replace("    status: open\n", "<<<<<<< HEAD\n    status: open\n=======\n"
                                           "    status: done\n>>>>>>> other\n"))
    assert p[0].line == 11 and "conflict marker" in p[0].message
    _, p = load_one(tmp_path, GOOD.replace("title: Thử", "title: !!python/object/apply:os.system [echo hi]"))
    assert p[0].line == 5 and "tag '!!python/object/apply:os.system' is not allowed" in p[0].message


def test_bom_and_crlf_load(tmp_path):
    d, problems = load_one(tmp_path, b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode("utf-8"))
    assert problems == [] and d.tasks[0].text == "Việc một"


def test_unknown_keys_are_kept(tmp_path):
    d, _ = load_one(tmp_path, GOOD.replace("    status: open\n", "    status: open\n    priority: 2\n")
                    + "meeting: 2024-06-30\n")
    assert d.tasks[0].extra == {"priority": 2}
    assert "meeting" in d.extra


def test_nfd_text_is_normalised_to_nfc(tmp_path):
    import unicodedata
    d, _ = load_one(tmp_path, unicodedata.normalize("NFD", GOOD))
    assert d.tasks[0].lead == ("Sở Tài chính",)
    assert unicodedata.is_normalized("NFC", d.tasks[0].text)


def test_find_root_order(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "directives").mkdir()
    assert store.find_root("a", tmp_path) == (tmp_path / "a").resolve()
    assert store.find_root("a", tmp_path, origin="DTRACK_DIR") == (tmp_path / "a").resolve()
    assert store.find_root(None, tmp_path) == (tmp_path / "directives").resolve()
    # from a subfolder of a git repository: directives/ at the top
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    assert store.find_root(None, tmp_path / "sub" / "deeper") == (tmp_path / "directives").resolve()
    with pytest.raises(UsageError):
        store.find_root("missing", tmp_path)


def test_no_store_is_a_clear_error(cli, tmp_path):
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("dtrack: error: no directives folder here.")


def test_write_atomic_refuses_stale_content(tmp_path):
    from dtrack.errors import BusyError
    path = tmp_path / "f.yaml"
    path.write_bytes(b"old")
    with pytest.raises(BusyError):
        store.write_atomic(path, b"new", expected=b"something else")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.yaml"]       # no temp file left behind
    store.write_atomic(path, b"new", expected=b"old")
    assert path.read_bytes() == b"new"


def test_stem_for_is_one_rule_for_add_and_import():
    from datetime import date
    from dtrack.importer.draft import Draft
    from dtrack.importer.header import Header
    day = date(2024, 3, 11)
    title = "Kết luận của Phó Chủ tịch tại buổi làm việc tháo gỡ khó khăn dự án CNTT"
    assert store.stem_for("1502/UBND-KGVX", day, title) == "1502-UBND-KGVX"
    assert store.stem_for("12/QĐ-UBND", day, title) == "12-QĐ-UBND"
    assert store.stem_for("", day, title) == "2024-03-11-thao-go-kho-khan"
    # any number gives a valid name on every system; nothing usable falls back to date + title
    assert store.stem_for("a:b?c", day, title) == "a-b-c"
    assert store.stem_for("CON", day, title) == "CON-vb"
    assert store.stem_for(" - ", day, title) == "2024-03-11-thao-go-kho-khan"
    assert len(store.stem_for("9" * 300, day, title)) == 120
    header = Header(number="", kind="thong-bao", issuer="UBND tỉnh", issued=day, title=title)
    assert Draft(header=header, tasks=[]).stem == store.stem_for("", day, title)
