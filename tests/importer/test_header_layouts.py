"""The header of a directive read the three ways it reaches an office (side by side, interleaved,
one column), drafts without a number or a day, and the prose of portals and newspapers."""
from __future__ import annotations

from datetime import date

import pytest

from dtrack.domain.agencies import Registry
from dtrack.importer.draft import extract, to_yaml
from dtrack.store.files import parse

BODY = """
1. Giao Sở Tài chính chủ trì, phối hợp với Sở Nội vụ rà soát định mức chi hành chính, báo cáo UBND tỉnh trước ngày 20/7/2025.

2. Sở Y tế kiểm tra việc cung ứng thuốc tại các trạm y tế xã.

Văn phòng UBND tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./.
"""
TITLE = "Kết luận của Chủ tịch UBND tỉnh tại cuộc họp về dự toán chi thường xuyên năm 2025"

SIDE_BY_SIDE = f"""      ỦY BAN NHÂN DÂN                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
      TỈNH NAM ĐỊNH                              Độc lập - Tự do - Hạnh phúc
   Số: 212/TB-UBND                          Nam Định, ngày 28 tháng 5 năm 2025

                                  THÔNG BÁO
   Kết luận của Chủ tịch UBND tỉnh tại cuộc họp về dự toán chi
                       thường xuyên năm 2025

   Ngày 20 tháng 5 năm 2025, Chủ tịch UBND tỉnh chủ trì cuộc họp về dự toán. Chủ tịch UBND tỉnh kết luận như sau:
{BODY}"""
# A Word header table read row by row: the cells of a row on one line, three spaces apart.
WORD_TABLE = f"""ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH NAM ĐỊNH   Độc lập - Tự do - Hạnh phúc
Số: 212/TB-UBND   Nam Định, ngày 28 tháng 5 năm 2025

THÔNG BÁO
{TITLE}

Ngày 20 tháng 5 năm 2025, Chủ tịch UBND tỉnh chủ trì cuộc họp về dự toán. Chủ tịch UBND tỉnh kết luận như sau:
{BODY}"""
INTERLEAVED = f"""ỦY BAN NHÂN DÂN
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH NAM ĐỊNH
Độc lập - Tự do - Hạnh phúc
Số: 212/TB-UBND
Nam Định, ngày 28 tháng 5 năm 2025
THÔNG BÁO
Kết luận của Chủ tịch UBND tỉnh tại cuộc họp về dự toán chi
thường xuyên năm 2025
Ngày 20 tháng 5 năm 2025, Chủ tịch UBND tỉnh chủ trì cuộc họp về dự toán. Chủ tịch UBND tỉnh kết luận như sau:
{BODY}"""
ONE_COLUMN = f"""UBND TỈNH NAM ĐỊNH

Số: 212/TB-UBND

Nam Định, ngày 28 tháng 5 năm 2025

THÔNG BÁO

{TITLE}

Ngày 20 tháng 5 năm 2025, Chủ tịch UBND tỉnh chủ trì cuộc họp về dự toán. Chủ tịch UBND tỉnh kết luận như sau:
{BODY}"""
# Single spaces between the columns: the number must not swallow the place and date.
GLUED = INTERLEAVED.replace("Số: 212/TB-UBND\nNam Định", "Số: 212/TB-UBND Nam Định")


def _registry() -> Registry:
    return Registry.from_data([{"name": "Sở Tài chính"}, {"name": "Sở Nội vụ"}, {"name": "Sở Y tế"},
                               {"name": "Văn phòng UBND tỉnh"}])[0]


@pytest.mark.parametrize("text", [SIDE_BY_SIDE, WORD_TABLE, INTERLEAVED, ONE_COLUMN, GLUED],
                         ids=["side-by-side", "word-table", "interleaved", "one-column", "glued"])
def test_every_layout_gives_the_same_header_and_tasks(text):
    d = extract(text, _registry(), today=date(2026, 12, 1))
    h = d.header
    assert (h.number, h.kind, h.issuer, h.issued, h.meeting) == \
           ("212/TB-UBND", "thong-bao", "UBND tỉnh Nam Định", date(2025, 5, 28), date(2025, 5, 20))
    assert h.title == TITLE                       # never the motto
    assert d.stem == "212-TB-UBND" and " " not in d.relpath()
    assert [(t.lead, t.support, t.due) for t in d.tasks] == [
        (("Sở Tài chính",), ("Sở Nội vụ",), date(2025, 7, 20)), (("Sở Y tế",), (), None)]


def test_a_draft_without_number_or_day_leaves_both_empty_and_flags_them():
    text = ONE_COLUMN.replace("Số: 212/TB-UBND", "Số: /TB-UBND").replace("ngày 28 tháng 5", "ngày tháng 5")
    d = extract(text, _registry(), today=date(2026, 12, 1))
    h = d.header
    assert (h.number, h.issued) == ("", None)
    assert any("issue date" in n for n in d.notes) and any("number is blank" in n for n in d.notes)
    # The meeting's date is the reading reference only: the deadlines keep their document year.
    assert d.tasks[0].due == date(2025, 7, 20)
    assert parse(to_yaml(d))["issued"] == date(2025, 5, 20)


def test_issuer_on_two_lines_with_the_office_under_the_province():
    text = ONE_COLUMN.replace("UBND TỈNH NAM ĐỊNH", "UBND TỈNH NAM ĐỊNH\nVĂN PHÒNG").replace("TB-UBND", "TB-VP")
    assert extract(text, _registry()).header.issuer == "Văn phòng UBND tỉnh Nam Định"
    text = ONE_COLUMN.replace("UBND TỈNH NAM ĐỊNH", "UBND TỈNH NAM ĐỊNH\nSỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH")
    assert extract(text, _registry()).header.issuer == "Sở Văn hóa, Thể thao và Du lịch tỉnh Nam Định"


def test_kind_word_directly_above_the_title_and_cong_van_subject_under_the_number():
    text = ONE_COLUMN.replace("THÔNG BÁO\n\n", "THÔNG BÁO\n")
    assert extract(text, _registry()).header.title == TITLE
    cv = ("ỦY BAN NHÂN DÂN\nTỈNH NAM ĐỊNH\nSố: 88/UBND-KT\nV/v rà soát định mức\nchi hành chính\n"
          "Nam Định, ngày 02 tháng 6 năm 2025\nKính gửi: Sở Tài chính.\n"
          "UBND tỉnh đề nghị Sở Tài chính rà soát định mức chi, báo cáo trước ngày 30/6/2025./.\n")
    h = extract(cv, _registry()).header
    assert (h.number, h.kind, h.title, h.issued) == ("88/UBND-KT", "cong-van", "rà soát định mức chi hành chính",
                                                     date(2025, 6, 2))


PORTAL = """Thứ Sáu, 14/06/2024 - 09:45

Chủ động ứng phó với nắng nóng

Ngày 12/6, UBND tỉnh ban hành Công văn số 1207/UBND-KT về việc chủ động ứng phó với nắng nóng, hạn hán. Công văn nêu rõ:

Sở Tài chính bố trí kinh phí chống hạn cho các địa phương.

Cán bộ kiểm tra hồ chứa nước tại một xã. Ảnh: T.N

Minh Tâm
"""


def test_portal_quotation_reads_the_header_from_the_prose():
    d = extract(PORTAL, _registry(), today=date(2026, 12, 1))
    h = d.header
    assert (h.number, h.kind, h.issuer, h.issued) == ("1207/UBND-KT", "cong-van", "UBND tỉnh", date(2024, 6, 12))
    assert h.title == "chủ động ứng phó với nắng nóng, hạn hán"
    assert any("2024" in n for n in d.notes)      # the year came from the page: said so
    assert [t.lead for t in d.tasks] == [("Sở Tài chính",)]    # the caption is no task
    assert h.signer == ""                          # nor the byline a signer


def test_press_summary_with_the_date_after_the_number():
    text = ("UBND tỉnh Lâm Đồng vừa ban hành Kế hoạch số 455/KH-UBND ngày 06/5/2024 về phòng, chống dịch "
            "bệnh trên đàn vật nuôi.\n\nTheo đó, Sở Tài chính bố trí kinh phí mua vắc xin.\n")
    h = extract(text, _registry()).header
    assert (h.number, h.kind, h.issuer, h.issued) == ("455/KH-UBND", "ke-hoach", "UBND tỉnh Lâm Đồng",
                                                      date(2024, 5, 6))


def test_a_bare_issuer_in_the_prose_takes_the_province_the_page_names():
    text = ("Ngày 03/4/2024, UBND tỉnh ban hành Kế hoạch số 77/KH-UBND về việc phát triển du lịch trên địa bàn "
            "tỉnh Bình Thuận năm 2024.\n\nTheo đó, Sở Tài chính bố trí kinh phí quảng bá.\n")
    d = extract(text, _registry())
    assert d.header.issuer == "UBND tỉnh Bình Thuận" and any("issuer inferred" in n for n in d.notes)


def test_a_run_of_spaces_in_the_body_is_justified_text_not_a_second_column():
    # pdftotext -layout justifies body lines with runs of spaces; only the header has two columns,
    # even in a letter with no kind word or "Kính gửi" to end the header.
    letter = ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM\n\nSố: 12/UBND-KTN\n\nQuảng Nam, ngày 12 tháng 6 năm 2024\n\n"
              "V/v rà soát kinh phí sửa chữa trụ sở\n\nUBND tỉnh giao Sở Tài chính rà soát kinh phí sửa chữa trụ sở, "
              "báo cáo\nUBND{gap}tỉnh trước ngày 30/6/2024.\n")
    read = lambda gap: [(t.lead, t.due, t.due_text) for t in  # noqa: E731
                        extract(letter.format(gap=gap), _registry(), today=date(2026, 12, 1)).tasks]
    assert read("   ") == read(" ") == [(("Sở Tài chính",), date(2024, 6, 30), "trước ngày 30/6/2024")]
