"""In-place edits: only the edited keys' lines change."""
from datetime import date

import yaml

from dtrack.store.yamledit import Doc, edit_task, render_scalar

BASE = ("tasks:\n"
        "  - n: 1\n"
        "    text: >-\n"
        "      dòng một\n"
        "      dòng hai\n"
        "    status: open  # giữ chú thích\n"
        "  - n: 2\n"
        "    text: 'hai'\n"
        "    note: |\n"
        "      ghi chú\n"
        "      nhiều dòng\n"
        "    status: done")


def test_replace_keeps_the_trailing_comment():
    out = edit_task(Doc(BASE), 1, {"status": "done"}).text
    assert out == BASE.replace("status: open  # giữ", "status: done  # giữ")


def test_insert_after_a_key_and_at_end_without_final_newline():
    out = edit_task(Doc(BASE), 2, {"done": date(2024, 7, 1)}, after={"done": "status"}).text
    assert out == BASE + "\n    done: 2024-07-01\n"
    out = edit_task(Doc(BASE), 1, {"done": date(2024, 7, 1)}, after={"done": "status"}).text
    assert out == BASE.replace("# giữ chú thích\n", "# giữ chú thích\n    done: 2024-07-01\n")


def test_block_scalar_replaced_and_removed_whole():
    out = edit_task(Doc(BASE), 2, {"note": "mới"}).text
    assert out == BASE.replace("    note: |\n      ghi chú\n      nhiều dòng\n", "    note: mới\n")
    out = edit_task(Doc(BASE), 2, {"note": None}).text
    assert out == BASE.replace("    note: |\n      ghi chú\n      nhiều dòng\n", "")
    out = edit_task(Doc(BASE), 1, {"text": "một dòng"}).text
    assert yaml.safe_load(out)["tasks"][0]["text"] == "một dòng"


def test_crlf_and_bom_round_trip():
    raw = ("\ufeff" + BASE.replace("\n", "\r\n")).encode("utf-8")
    doc = Doc.decode(raw)
    assert doc.bom and doc.newline == "\r\n"
    out = edit_task(doc, 1, {"done": date(2024, 7, 1)}, after={"done": "status"}).encode()
    assert out.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in out.replace(b"\r\n", b"")
    assert out == raw.replace("thích\r\n".encode(), "thích\r\n    done: 2024-07-01\r\n".encode())


def test_render_scalar_round_trips():
    for value in ["Sở Tài chính", "a: b", "#x", "yes", "2024-01-01", "a, b", "dòng\nhai", "", " x", "tab\there",
                  "\x1b[31m", 'quote"s', "back\\slash", "Công văn số 426/STTTT ngày 23/3/2023", "x # y", "null",
                  "[list]", "{map}", "- dash", "? q", "@at", "`tick", "%pct", "!bang", "&amp", "*star", "|pipe",
                  ">gt", "'single'", "1e3", "0x1F", "~"]:
        rendered = render_scalar(value)
        assert "\n" not in rendered
        assert yaml.safe_load(f"k: {rendered}  # c\n") == {"k": value}, (value, rendered)
    assert render_scalar(date(2024, 7, 3)) == "2024-07-03"
    assert render_scalar(3) == "3"
