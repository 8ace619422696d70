"""One task text with characters XML cannot hold (a YAML escape writes them: "\\x01", "\\ufffe") never
stops a document: each format shows them visibly, and the real readers open what we wrote."""
from __future__ import annotations

import json
import shutil

import docx
import icalendar
import openpyxl
import pytest

from conftest import BUNDLED

FILE = "2024/2024-03-11-du-an-cntt.yaml"
HOSTILE = r'"Kiểm tra\x01\x0b\ufffe\uffff \x1b[31mđỏ \u202e ngược"'
SHOWN = r"Kiểm tra\x01 \ufffe\uffff \x1b[31mđỏ \u202e ngược"


@pytest.fixture
def store(tmp_path):
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    path = store / FILE
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("  - n: 1\n    text: >-\n")
    assert sep, "the bundled file changed: pick another task"
    body = rest.split("    lead:", 1)[1]
    path.write_text(f"{head}  - n: 1\n    text: {HOSTILE}\n    due: 2024-07-01\n    lead:{body}", encoding="utf-8")
    return store


def _run(cli, store, *args):
    result = cli("--dir", str(store), "--as-of", "2024-07-20", *args)
    assert result.exit_code == 0, result.output
    return result


def test_reports_letters_and_calendars_hold_text_xml_cannot(cli, store, tmp_path):
    assert "0 error(s)" in _run(cli, store, "check").output

    _run(cli, store, "report", "--list", "--format", "docx", "-o", str(tmp_path / "r.docx"))
    paragraphs = [p.text for p in docx.Document(tmp_path / "r.docx").paragraphs]
    assert any(SHOWN in p for p in paragraphs)

    _run(cli, store, "report", "--list", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    cells = [c.value for ws in openpyxl.load_workbook(tmp_path / "r.xlsx") for row in ws.iter_rows() for c in row]
    assert SHOWN in cells

    _run(cli, store, "remind", "--agency", "VPUB", "--format", "docx", "-o", str(tmp_path / "letter.docx"))
    letter = docx.Document(tmp_path / "letter.docx")
    assert any("Kiểm tra" in c.text and "\\ufffe" in c.text for t in letter.tables for r in t.rows for c in r.cells)

    _run(cli, store, "export-ics", "-o", str(tmp_path / "d.ics"))
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical((tmp_path / "d.ics").read_bytes()).walk("VTODO")
                 + icalendar.Calendar.from_ical((tmp_path / "d.ics").read_bytes()).walk("VEVENT")]
    mine = [s for s in summaries if "Kiểm tra" in s]
    assert mine and not any(ch in mine[0] for ch in "\x01\x1b\ufffe\uffff\u202e")

    shown = json.loads(_run(cli, store, "show", "2024-03-11#1", "--json").output)
    assert shown["text"].startswith("Kiểm tra\x01\x0b\ufffe\uffff")          # JSON keeps the data exact


def test_a_huge_task_text_is_cut_on_the_terminal_and_whole_in_pipes_and_json(cli, tmp_path):
    # One 3.7 MB task text made `show` take 15 s and `list -f table` 26 s (rich wraps in quadratic time).
    from dtrack.output.render import SHOWN
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    text = "Việc dài " * 3000                    # 27,000 characters
    (store / "2025").mkdir()
    (store / "2025" / "dai.yaml").write_text(
        "number: 7/KH-UBND\nkind: ke-hoach\nissuer: UBND tỉnh Quảng Ngãi\nissued: 2025-01-02\ntitle: Kế hoạch\n"
        f"tasks:\n  - n: 1\n    text: {text}\n    lead: Sở Tài chính\n    due: 2025-01-15\n    status: open\n",
        encoding="utf-8")
    run = lambda *a: cli("--lang", "en", "--dir", str(store), "--as-of", "01/12/2026", *a)
    more = f" … ({len(text.strip()) - SHOWN} more characters: 'dtrack show REF --json' or the file has the whole text)"
    for args in (("show", "dai#1"), ("list", "-f", "table")):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "".join(result.output.split()).count("Việcdài") < SHOWN // 8 and "".join(more.split()) in "".join(result.output.split())
    piped = run("list", "-f", "tsv").stdout
    assert text.strip() in piped
    assert json.loads(run("show", "dai#1", "--json").output)["text"] == text.strip()
