"""Letters and reports as Word documents, read back with python-docx: text, fonts, page, header table."""
from __future__ import annotations

import shutil

import docx
import pytest
from docx.shared import Mm, Pt

from conftest import BUNDLED

SETTINGS = ("office: Văn phòng UBND tỉnh Quảng Ngãi\nparent: UBND tỉnh Quảng Ngãi\nplace: Quảng Ngãi\n"
            "signer:\n  title: \"KT. Chánh Văn phòng\\nPhó Chánh Văn phòng\"\n  name: Nguyễn Văn An\n")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    store = tmp_path_factory.mktemp("docx") / "directives"
    shutil.copytree(BUNDLED, store)
    (store / "settings.yaml").write_text("version: 1\nlanguage: vi\n" + SETTINGS, encoding="utf-8")
    return store


def _mm(length) -> float:
    return round(length / Mm(1), 1)


def _cell_lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def test_the_letter_in_the_layout_of_decree_30(cli, office, tmp_path):
    out = tmp_path / "don-doc.docx"
    result = cli("--dir", str(office), "--as-of", "2024-08-15", "remind", "--agency", "STTTT", "--format", "docx",
                 "--reply-by", "30/8/2024", "--due-soon", "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    page = doc.sections[0]
    assert (_mm(page.page_width), _mm(page.page_height)) == (210.0, 297.0)
    assert (_mm(page.top_margin), _mm(page.bottom_margin), _mm(page.left_margin), _mm(page.right_margin)) == \
        (20.0, 20.0, 30.0, 15.0)
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(14)
    head = doc.tables[0]
    assert _cell_lines(head.cell(0, 0)) == ["UBND TỈNH QUẢNG NGÃI", "VĂN PHÒNG UBND TỈNH QUẢNG NGÃI"]
    assert _cell_lines(head.cell(0, 1)) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert _cell_lines(head.cell(1, 0)) == ["Số: ……/……", "V/v đôn đốc thực hiện nhiệm vụ được giao"]
    date_line = head.cell(1, 1).paragraphs[0]
    assert date_line.text == "Quảng Ngãi, ngày 15 tháng 8 năm 2024" and date_line.runs[0].italic
    office_run = head.cell(0, 0).paragraphs[1].runs[0]
    motto_run = head.cell(0, 1).paragraphs[1].runs[0]
    assert office_run.bold and motto_run.bold and motto_run.font.size == Pt(13)
    # The rules under the office and the motto: a bottom border of their own paragraph.
    assert head.cell(0, 1).paragraphs[2]._p.xpath("./w:pPr/w:pBdr/w:bottom")
    body = [p.text for p in doc.paragraphs if p.text]
    assert body[0] == "Kính gửi: Sở Thông tin và Truyền thông."
    assert body[1].startswith("Theo dõi tình hình thực hiện các nhiệm vụ được giao, đến ngày 15 tháng 8 năm 2024, "
                              "Sở Thông tin và Truyền thông còn 9 nhiệm vụ")
    assert any(x.endswith("trước ngày 30 tháng 8 năm 2024.") for x in body) and "Trân trọng./." in body
    late = doc.tables[1]
    assert [c.text for c in late.rows[0].cells] == ["STT", "Văn bản giao nhiệm vụ", "Nhiệm vụ", "Hạn ban đầu",
                                                    "Hạn hiện tại", "Số ngày quá hạn"]
    assert len(late.rows) == 10 and [c.text for c in late.rows[1].cells][-3:] == ["28/02/2022", "28/02/2022", "899"]
    assert late.rows[3].cells[1].text == "Công văn số 1502/UBND-KGVX ngày 07/04/2023 của UBND tỉnh Quảng Ngãi"
    sign = doc.tables[-1]
    left, right = sign.rows[0].cells
    assert _cell_lines(left)[:2] == ["Nơi nhận:", "- Như trên;"] and _cell_lines(left)[-1] == "- Lưu: VT, ……."
    assert left.paragraphs[1].runs[0].font.size == Pt(11)
    assert _cell_lines(right) == ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "Nguyễn Văn An"]
    assert all(p.runs[0].bold for p in right.paragraphs if p.text.strip())


def test_remind_all_writes_one_letter_per_late_agency_named_by_short_name(cli, office, tmp_path):
    folder = tmp_path / "don-doc"
    result = cli("--dir", str(office), "--as-of", "2024-08-15", "remind", "--all", "-o", str(folder))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["snv.md", "stc.md", "stttt.md", "trung-tam-cntt-tt.md", "ubnd-cap-huyen.md"]
    assert "Kính gửi: Sở Tài chính." in (folder / "stc.md").read_text(encoding="utf-8")
    assert "Đã ghi 5 công văn vào" in result.stderr      # the store speaks Vietnamese (settings.yaml)
    # A clerk who chose English gets messages in English; the letters still speak the store's language.
    again = cli("--lang", "en", "--dir", str(office), "remind", "--all", "-o", str(folder / "stc.md"))
    assert again.exit_code == 2 and again.stderr.startswith("dtrack: error: -o ") and "folder" in again.stderr
    soon = tmp_path / "soon"
    cli("--dir", str(office), "--as-of", "2024-07-20", "remind", "--all", "--within", "5", "-o", str(soon))
    md = (soon / "stttt.md").read_text(encoding="utf-8")
    assert "Có 1 nhiệm vụ sắp đến hạn sau đây:" in md and "| Số ngày còn lại |" in md


def test_remind_all_never_names_a_letter_as_windows_reserves_or_too_long(cli, office, tmp_path):
    # The file names come from the registry's short names: "Con" would be the device CON on a clerk's
    # Windows machine, and a short name of 400 characters a name no file system takes.
    registry = office / "agencies.yaml"
    text = registry.read_text(encoding="utf-8")
    assert "  short: STC\n" in text and "  short: SNV\n" in text
    registry.write_text(text.replace("  short: STC\n", "  short: Con\n")
                        .replace("  short: SNV\n", "  short: " + "Phòng" * 80 + "\n"), encoding="utf-8")
    folder = tmp_path / "don-doc"
    result = cli("--dir", str(office), "--as-of", "2024-08-15", "remind", "--all", "-o", str(folder))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert "con-agency.md" in names and "con.md" not in names
    assert max(len(n) for n in names) <= 64


def test_the_report_as_a_word_document(cli, office, tmp_path):
    out = tmp_path / "bao-cao.docx"
    result = cli("--dir", str(office), "--as-of", "2024-08-15", "report", "--format", "docx", "--list", "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    assert _mm(doc.sections[0].page_width) == 297.0 and _mm(doc.sections[0].left_margin) == 30.0
    assert _cell_lines(doc.tables[0].cell(0, 1))[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    table = doc.tables[1]
    assert table.rows[0].cells[0].text == "Cơ quan chủ trì" and table.rows[0].cells[8].text == "Tỷ lệ đúng hạn"
    assert [c.text for c in table.rows[1].cells] == ["Sở Thông tin và Truyền thông", "29", "0", "0", "10", "19", "0",
                                                     "10", "0 %"]
    total = table.rows[-1].cells
    assert total[0].text == "Tổng cộng" and total[1].text == "43" and total[0].paragraphs[0].runs[0].bold
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts and "Sở Tài chính: nhiệm vụ quá hạn" in texts


def test_a_missing_python_docx_is_an_install_hint(monkeypatch):
    import sys

    from dtrack.errors import UsageError
    from dtrack.output import docx_layout
    monkeypatch.setitem(sys.modules, "docx", None)      # what an install without the extra sees
    with pytest.raises(UsageError) as e:
        docx_layout.require()
    assert 'pip install "dtrack-vn[docx]"' in e.value.hint


@pytest.mark.slow       # a process start and five documents: ~1.5 s, beyond this file's share of the default run
def test_the_installed_script_writes_every_late_agencys_word_letter(office, tmp_path):
    import os
    import subprocess

    from conftest import dtrack_script
    folder = tmp_path / "out" / "don-doc"
    (tmp_path / "out").mkdir()
    run = subprocess.run([dtrack_script(), "--dir", str(office), "--as-of", "2024-08-15", "remind", "--all",
                          "--format", "docx", "-o", str(folder)], capture_output=True, env=os.environ, timeout=120)
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["snv.docx", "stc.docx", "stttt.docx", "trung-tam-cntt-tt.docx", "ubnd-cap-huyen.docx"]
    for name in names:
        letter = docx.Document(str(folder / name))
        assert [p.text for p in letter.paragraphs if p.text][0].startswith("Kính gửi: ")
    assert [p.text for p in docx.Document(str(folder / "stc.docx")).paragraphs if p.text][0] == \
        "Kính gửi: Sở Tài chính."
