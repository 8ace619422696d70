""".docx and .pdf as offices have them: the devset's Word files and PDFs (made by make_docs.py with
python-docx and LibreOffice) read back with their header side by side, Word's automatic numbering
shown, task tables as sentences; and every unreadable file refused in one line."""
from __future__ import annotations

import json
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from conftest import git

from dtrack.errors import DtrackError
from dtrack.importer.doctext import read_document

DEVSET = Path(__file__).resolve().parents[1] / "fixtures" / "devset"
DOCUMENTS = sorted(p for p in DEVSET.glob("f*") if p.suffix in (".docx", ".pdf"))


def test_the_devset_has_ten_real_word_and_pdf_documents_with_gold():
    assert len(DOCUMENTS) >= 10
    assert {p.suffix for p in DOCUMENTS} == {".docx", ".pdf"}
    for p in DOCUMENTS:
        assert p.with_suffix(".gold.json").exists(), p
    assert all(pypdf.PdfReader(str(p)).pages for p in DOCUMENTS if p.suffix == ".pdf")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_each_devset_document_reads_back_with_its_number_and_deadline_phrases(path):
    gold = json.loads(path.with_suffix(".gold.json").read_text("utf-8"))
    text = read_document(path)
    flat = " ".join(text.split())
    assert f"Số: {gold['number']}" in flat
    for task in gold["tasks"]:
        if task["due_text"]:
            assert task["due_text"] in flat, task["due_text"]


def _lines(name: str) -> list[str]:
    return [x for x in read_document(DEVSET / name).splitlines() if x.strip()]


def test_a_word_header_table_reads_row_by_row_side_by_side():
    lines = _lines("f01-thong-bao-ket-luan.docx")
    assert lines[:3] == ["ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "TỈNH BÌNH ĐỊNH   Độc lập - Tự do - Hạnh phúc",
                         "Số: 212/TB-UBND   Bình Định, ngày 28 tháng 5 năm 2025"]
    assert "Nơi nhận:   TL. CHỦ TỊCH" in lines


def test_word_automatic_numbering_is_shown_as_markers():
    lines = _lines("f05-chi-thi-muc.docx")
    starts = [x.split(" ", 1)[0] for x in lines if x[:2] in ("1.", "2.", "3.", "a)", "b)")]
    assert starts == ["1.", "a)", "b)", "2.", "3."]
    assert "1. Sở Nông nghiệp và Phát triển nông thôn:" in lines
    # Bullets, and a new list that starts again at 1.
    lines = _lines("f02-cong-van-kinh-gui.docx")
    assert "- Sở Tài chính;" in lines
    assert [x[:2] for x in lines if x[:2] in ("1.", "2.", "3.")] == ["1.", "2.", "3."]


def test_a_table_of_tasks_reads_as_one_sentence_a_row():
    lines = _lines("f03-ke-hoach-bang.docx")
    assert "1. Sở Tư pháp chủ trì xây dựng hướng dẫn nghiệp vụ số hóa sổ hộ tịch, trước ngày 31/3/2024." in lines
    assert "I. MỤC ĐÍCH, YÊU CẦU" in lines and "II. NHIỆM VỤ VÀ PHÂN CÔNG THỰC HIỆN" in lines


def test_a_pdf_keeps_the_header_columns_on_their_lines():
    lines = [" ".join(x.split()) for x in _lines("f06-thong-bao-van-phong.pdf")]
    assert any(x.startswith("Số: 95/TB-VPUBND") and x.endswith("Đắk Lắk, ngày 18 tháng 7 năm 2024") for x in lines)
    assert any(x.startswith("1. Giao Sở Giao thông vận tải chủ trì") for x in lines)


def test_numbering_from_a_style_and_levels_that_restart(tmp_path):
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="77">'
        '<w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl>'
        '</w:abstractNum>'))
    num = numbering.add_num(77).numId
    for level, text in ((0, "Nhiệm vụ"), (1, "Sở Y tế rà soát."), (1, "Sở Nội vụ thẩm định."), (0, "Tổ chức"),
                        (1, "Sở Tài chính bố trí kinh phí.")):
        p = document.add_paragraph(text)
        pr = p._p.get_or_add_pPr().get_or_add_numPr()
        pr.get_or_add_ilvl().val = level
        pr.get_or_add_numId().val = num
    document.add_paragraph("Giao Sở Xây dựng kiểm tra.", style="List Number")    # numbered by its style
    path = tmp_path / "kh.docx"
    document.save(str(path))
    lines = [x for x in read_document(path).splitlines() if x.strip()]
    assert lines[:5] == ["III. Nhiệm vụ", "III.1. Sở Y tế rà soát.", "III.2. Sở Nội vụ thẩm định.", "IV. Tổ chức",
                         "IV.1. Sở Tài chính bố trí kinh phí."]
    assert lines[5] == "1. Giao Sở Xây dựng kiểm tra."


# ---------------------------------------------------------------------------- what cannot be read

def _encrypted(path: Path, password: str) -> Path:
    writer = pypdf.PdfWriter(clone_from=str(DEVSET / "f07-cong-van-gio.pdf"))
    writer.encrypt(user_password=password, owner_password="chủ-sở-hữu", algorithm="RC4-128")
    with path.open("wb") as f:
        writer.write(f)
    return path


def test_a_pdf_with_an_empty_user_password_is_read(tmp_path):
    assert "3456/UBND-VX" in read_document(_encrypted(tmp_path / "open.pdf", ""))


UNREADABLE = {
    "locked.pdf": (lambda p: _encrypted(p, "mat-khau"), "the PDF is protected by a password"),
    "damaged.docx": (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 40), "not a readable .docx file"),
    "old.docx": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
                 "an old Word (.doc) or RTF file under another name"),
    "scan.pdf": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "an image (a scan or a photo) under another name"),
    "photo.jpg": (lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64), "an image (a scan or a photo) has no text"),
    "letter.pdf": (lambda p: p.write_text("Số: 1/UBND\n", encoding="utf-8"), "not a PDF file"),
    "truncated.pdf": (lambda p: p.write_bytes((DEVSET / "f07-cong-van-gio.pdf").read_bytes()[:900]), "not a readable PDF"),
    "cv.doc": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0"), "save it as .docx in Word"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_files_are_refused_saying_what_to_do(tmp_path, name):
    make, message = UNREADABLE[name]
    path = tmp_path / name
    make(path)
    with pytest.raises(DtrackError) as e:
        read_document(path)
    assert message in e.value.message + " " + (e.value.hint or "")


def test_an_unreadable_file_is_one_line_from_the_command_and_nothing_is_written(cli, repo, tmp_path):
    for name, (make, message) in UNREADABLE.items():
        path = tmp_path / name
        make(path)
        result = cli("import", str(path), "--yes", cwd=repo)
        assert result.exit_code in (2, 4), name
        assert result.output.startswith(f"dtrack: error: {path}: ") and result.output.count("\n") == 1, name
    assert git(repo, "status", "--porcelain") == ""


def test_tabs_line_breaks_text_boxes_and_content_controls(tmp_path):
    document = docx.Document()
    p = document.add_paragraph()
    run = p.add_run("UBND TỈNH GIA LAI")
    run.add_tab()
    p.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    p2 = document.add_paragraph()
    p2.add_run("Số: 9/UBND-KT").add_break()
    p2.add_run("V/v dọn vệ sinh")
    body = document.element.body
    w = nsdecls("w")
    box = parse_xml(
        f'<w:p {w} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:r><mc:AlternateContent>'
        '<mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>Gia Lai, ngày 3 tháng 6 năm 2024</w:t></w:r></w:p>'
        '</w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>Gia Lai, ngày 3 tháng 6 năm 2024'
        '</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    control = parse_xml(f'<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>1. Giao Sở Y tế kiểm tra.</w:t></w:r></w:p>'
                        '</w:sdtContent></w:sdt>')
    body.insert(len(body) - 1, box)
    body.insert(len(body) - 1, control)
    path = tmp_path / "cv.docx"
    document.save(str(path))
    # The text box once (not again from its fallback copy), the content control's paragraph in its place.
    assert [x for x in read_document(path).split("\n\n") if x] == [
        "UBND TỈNH GIA LAI   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 9/UBND-KT\nV/v dọn vệ sinh",
        "Gia Lai, ngày 3 tháng 6 năm 2024", "1. Giao Sở Y tế kiểm tra."]
