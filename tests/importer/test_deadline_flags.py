"""Dates resolved against the document, never the day of import, and a flag for every guess."""
from datetime import date as D

from dtrack.domain.agencies import Registry
from dtrack.importer.draft import extract

LETTER = """ỦY BAN NHÂN DÂN
TỈNH HÀ TĨNH
Số: 88/UBND-TH

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Tĩnh, ngày 20 tháng 7 năm 2023

THÔNG BÁO
Kết luận về công tác chuẩn bị năm học mới

Chủ tịch UBND tỉnh kết luận như sau:

1. Sở Giáo dục và Đào tạo rà soát cơ sở vật chất các trường, báo cáo UBND tỉnh trước ngày 15/8.
2. Sở Tài chính bố trí kinh phí sửa chữa trường học, trình UBND tỉnh trước ngày 30/8/2023.
3. Sở Nội vụ báo cáo định kỳ hằng quý về biên chế giáo viên.
4. Sở Y tế kiểm tra bếp ăn bán trú, báo cáo trong 05 ngày làm việc kể từ ngày nhận được văn bản.
5. Sở Xây dựng báo cáo tiến độ vào thứ Sáu hằng tuần.
"""


# The agencies the letters name: a name missing from the registry would add its own flag.
REGISTRY = Registry.from_data([{"name": n} for n in ("Sở Giáo dục và Đào tạo", "Sở Tài chính", "Sở Nội vụ",
                                                     "Sở Y tế", "Sở Xây dựng")])[0]


def _tasks(text, today=D(2027, 5, 4)):
    return extract(text, REGISTRY, today=today).tasks


def test_a_yearless_deadline_takes_the_document_year_and_says_so():
    t = _tasks(LETTER)
    assert t[0].due == D(2023, 8, 15)                       # not 2027: the letter is of 2023
    assert t[0].flags == ["year inferred from the document date"]
    assert (t[1].due, t[1].flags) == (D(2023, 8, 30), [])


def test_recurring_forms_get_their_rule_first_date_and_flag():
    t = _tasks(LETTER)
    assert (t[2].every, t[2].due) == ("3 months on day 31", D(2023, 9, 30))
    assert t[2].flags == ["recurring rule guessed: first due 30/09/2023"]
    assert (t[4].every, t[4].due, t[4].flags) == ("1 week", D(2023, 7, 21), [])   # a Friday


def test_a_span_from_the_day_of_receipt_is_kept_as_text_and_flagged():
    t = _tasks(LETTER)[3]
    assert (t.due, t.due_text) == (None, "trong 05 ngày làm việc kể từ ngày nhận được văn bản")
    assert t.flags == ["relative deadline: anchor unknown, date it by hand "
                       "(trong 05 ngày làm việc kể từ ngày nhận được văn bản)"]


def test_without_an_issue_date_the_page_date_is_the_reference_not_the_import_day():
    page = ("Thứ Hai, 07/08/2023 10:15\n\nUBND tỉnh yêu cầu:\n\n"
            "1. Sở Giáo dục và Đào tạo rà soát cơ sở vật chất các trường, báo cáo UBND tỉnh trước ngày 15/8.\n")
    [t] = _tasks(page)
    assert t.due == D(2023, 8, 15)
    assert t.flags == ["year inferred from the page's date line (its publication date)"]


def test_flags_are_translated():
    from dtrack import i18n
    with i18n.using("vi"):
        t = _tasks(LETTER)[0]
    assert t.flags == ["năm được suy ra từ ngày của văn bản"]
