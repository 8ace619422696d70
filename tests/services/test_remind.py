"""`dtrack remind`: the follow-up letter for an agency's overdue tasks."""
from __future__ import annotations

import shutil

from conftest import BUNDLED


def vietnamese_store(tmp_path, settings: str = ""):
    """The bundled store whose settings.yaml says the office speaks Vietnamese."""
    store = tmp_path / "vi-store"
    shutil.copytree(BUNDLED, store)
    (store / "settings.yaml").write_text("version: 1\nlanguage: vi\n" + settings, encoding="utf-8")
    return store


def test_letter_for_sttt_lists_every_overdue_task(cli, tmp_path):
    out = tmp_path / "thu.md"
    result = cli("--dir", str(vietnamese_store(tmp_path)), "--as-of", "2024-08-15", "remind", "--agency", "so tttt",
                 "--reply-by", "30/8/2024", "--issuer", "UBND tỉnh Quảng Ngãi", "--place", "Quảng Ngãi", "-o", str(out))
    assert result.exit_code == 0, result.output
    letter = out.read_text(encoding="utf-8")
    assert letter.startswith("**UBND TỈNH QUẢNG NGÃI**\n\n**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\n\n"
                             "**Độc lập - Tự do - Hạnh phúc**\n\nSố: ……/……\n\n*Quảng Ngãi, ngày 15 tháng 8 năm 2024*\n")
    assert "V/v đôn đốc thực hiện nhiệm vụ được giao" in letter
    assert "Kính gửi: Sở Thông tin và Truyền thông." in letter
    assert "còn 9 nhiệm vụ đã quá thời hạn" in letter
    rows = [x for x in letter.splitlines() if x.startswith("| ") and x[2].isdigit()]
    assert len(rows) == 9
    assert rows[0].startswith("| 1 | Thông báo ngày 14/02/2022 của UBND tỉnh Quảng Ngãi | Sở Thông tin và Truyền "
                              "thông hoàn chỉnh đề xuất")
    assert rows[0].endswith("| 28/02/2022 | 28/02/2022 | 899 |")
    assert "| Công văn số 1502/UBND-KGVX ngày 07/04/2023 của UBND tỉnh Quảng Ngãi |" in rows[2]
    assert "trước ngày 30 tháng 8 năm 2024." in letter
    assert "*Nơi nhận:*" in letter and "(Ký, ghi rõ họ tên)" in letter
    assert "- Sở Tài chính (phối hợp);" in letter and "**\\[CHỨC VỤ NGƯỜI KÝ\\]**" in letter


def test_the_letter_speaks_the_store_language_not_the_clerks(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DTRACK_LANG", "vi")
    english = cli("--dir", str(BUNDLED), "--as-of", "2024-08-15", "remind", "--agency", "STC").stdout
    assert "Kính gửi: Sở Tài chính." in english      # no store settings: the clerk's language
    store = tmp_path / "en-store"
    shutil.copytree(BUNDLED, store)
    (store / "settings.yaml").write_text("version: 1\nlanguage: en\nplace: Huế\n", encoding="utf-8")
    letter = cli("--dir", str(store), "--as-of", "2024-08-15", "remind", "--agency", "STC").stdout
    assert "To: Sở Tài chính." in letter and "*Huế, 15 August 2024*" in letter and "Kính gửi" not in letter


def test_original_and_current_deadline_after_an_extension(cli, tmp_path):
    store = vietnamese_store(tmp_path)
    path = store / "2024" / "2024-07-17-bo-sung-kinh-phi.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    due: 2024-08-01\n", "    due: 2024-08-01\n    extensions:\n      - {from: 2024-08-01, to: 2024-08-10, on: 2024-07-30}\n"),
        encoding="utf-8")
    result = cli("--dir", str(store), "--as-of", "2024-08-15", "remind", "--agency", "STC")
    row = [x for x in result.stdout.splitlines() if x.startswith("| 1 |")][0]
    assert row.endswith("| 01/08/2024 | 10/08/2024 | 5 |")
    assert "trong thời gian sớm nhất" in result.stdout


def test_no_overdue_task_and_bad_input(cli):
    result = cli("--dir", str(BUNDLED), "--as-of", "2024-07-20", "remind", "--agency", "STC")
    assert result.exit_code == 0 and result.stdout == "" and "no overdue task" in result.stderr
    assert cli("--dir", str(BUNDLED), "remind", "--agency", "STC", "--format", "pdf").exit_code == 2
    result = cli("--dir", str(BUNDLED), "remind", "--agency", "STC", "--format", "docx")
    assert result.exit_code == 2 and "-o FILE" in result.stderr
    assert "--all" in cli("--dir", str(BUNDLED), "remind").stderr
    result = cli("--dir", str(BUNDLED), "remind", "--agency", "UBND")
    assert result.exit_code == 2 and "matches" in result.stderr


def test_empty_settings_leave_placeholders_to_fill_in(cli, tmp_path):
    letter = cli("--dir", str(vietnamese_store(tmp_path)), "--as-of", "2024-08-15", "remind", "--agency", "STC").stdout
    assert letter.startswith("\\[TÊN CƠ QUAN CHỦ QUẢN\\]\n\n**\\[TÊN CƠ QUAN\\]**\n")
    assert "*\\[ĐỊA DANH\\], ngày 15 tháng 8 năm 2024*" in letter and "**\\[Họ và tên\\]**" in letter
