"""Every deadline form of import-forms.md sections 4 and 5, read against a document's date."""
from datetime import date as D

import pytest

from dtrack.domain.deadlines import find_deadline, find_deadlines, reference_date

REF = D(2024, 9, 10)   # a Tuesday


@pytest.mark.parametrize("text, due, start, guesses", [
    # Days, with and without a year; a year-less day already past by more than a month rolls over.
    ("báo cáo trước ngày 11/3/2025", D(2025, 3, 11), None, ()),
    ("trình UBND tỉnh trước ngày 23 tháng 10 năm 2024", D(2024, 10, 23), None, ()),
    ("gửi kết quả chậm nhất ngày 15-10", D(2024, 10, 15), None, ("year",)),
    ("hoàn thành 05.10.2024", D(2024, 10, 5), None, ()),
    ("báo cáo trước ngày 10/01", D(2025, 1, 10), None, ("year",)),
    ("gửi Sở Tài chính trướcngày 12/10/2024", D(2024, 10, 12), None, ()),
    ("chậm nhất đến hết ngày 30/11/2024", D(2024, 11, 30), None, ()),
    # A time of day: the day is the deadline.
    ("gửi trước 16 giờ, ngày 18/9/2024", D(2024, 9, 18), None, ()),
    ("gửi chậm nhất 9h00' ngày 14/10/2024", D(2024, 10, 14), None, ()),
    ("trước 15h ngày 12 tháng 10 năm 2024", D(2024, 10, 12), None, ()),
    ("gửi trước 10 giờ sáng ngày 20/9/2024", D(2024, 9, 20), None, ()),
    # Month, quarter, year.
    ("hoàn thành trong tháng 11/2024", D(2024, 11, 30), None, ()),
    ("trình trong tháng 12 năm 2024", D(2024, 12, 31), None, ()),
    ("đưa vào sử dụng trước tháng 7 năm 2025", D(2025, 6, 30), None, ()),
    ("hoàn thành trong quý IV/2024", D(2024, 12, 31), None, ()),
    ("hoàn thành quý I năm 2025", D(2025, 3, 31), None, ()),
    ("hoàn thành trong năm 2025", D(2025, 12, 31), None, ()),
    ("hoàn thành cuối năm 2025", D(2025, 12, 31), None, ()),
    ("Thời gian thực hiện: tháng 10/2024", D(2024, 10, 31), None, ()),
    # Ranges: a start and a due.
    ("tổ chức từ ngày 5 - 8/10", D(2024, 10, 8), D(2024, 10, 5), ("year",)),
    ("thực hiện từ ngày 1-10 đến hết ngày 30-11-2024", D(2024, 11, 30), D(2024, 10, 1), ()),
    ("Thời gian thực hiện: từ ngày 01/10 đến ngày 31/10/2024", D(2024, 10, 31), D(2024, 10, 1), ()),
    # Relative spans: from the document's date when it is the anchor or no anchor is named.
    ("trình không quá 3 tháng kể từ ngày ban hành", D(2024, 12, 10), None, ()),
    ("báo cáo trong 15 ngày làm việc", D(2024, 10, 1), None, ("from-ref",)),
    ("trong vòng 02 tháng kể từ ngày 01/10/2024", D(2024, 12, 1), None, ()),
])
def test_due_forms(text, due, start, guesses):
    d = find_deadline(text, REF)
    assert (d.kind, d.due, d.start, d.guesses, d.error) == ("due", due, start, guesses, None)


@pytest.mark.parametrize("text", [
    "báo cáo trong 05 ngày làm việc kể từ ngày nhận được văn bản",
    "gửi trong 07 ngày làm việc kể từ ngày nhận được Công văn này",
    "báo cáo trong 10 ngày kể từ ngày kết thúc đợt kiểm tra hiện trường",
])
def test_a_span_from_an_unknown_day_keeps_its_text_and_no_date(text):
    d = find_deadline(text, REF)
    assert (d.kind, d.due, d.guesses) == ("due", None, ("anchor",))
    assert text.endswith(d.phrase[-10:])


@pytest.mark.parametrize("text, start", [
    ("bắt đầu từ tháng 5 năm 2025", D(2025, 5, 1)),
    ("triển khai từ ngày 3/11", D(2024, 11, 3)),
])
def test_starts_are_no_due(text, start):
    d = find_deadline(text, REF)
    assert (d.kind, d.due, d.start) == ("start", None, start)


@pytest.mark.parametrize("text", [
    "Thực hiện Công văn số 2760/BTC-NSNN ngày 09/4/2024 của Bộ Tài chính",
    "theo Quyết định số 1851/QĐ-UBND ngày 27/9/2021",
    "Ngày 05/9/2024, Phó Chủ tịch UBND tỉnh chủ trì cuộc họp",
    "số liệu tính đến ngày 30/9",
    "số liệu tính từ ngày 01/01/2024 đến ngày 30 tháng 6",
    "bảo đảm an toàn trong dịp nghỉ lễ 30/4 – 1/5",
    "năm 2021 tỷ lệ giải ngân đạt 87%",
    "phấn đấu đến năm 2030 có 80% doanh nghiệp",
    "giai đoạn 2021-2025",
    "Thời gian thực hiện: thường xuyên",
    "Thời gian: 14 giờ 00, ngày 15/9/2024",       # an invitation's meeting hour
])
def test_dates_that_are_no_deadline(text):
    assert [d for d in find_deadlines(text, REF) if d.kind == "due"] == []


def test_one_deadline_missed_earlier_is_flagged_as_before_the_document():
    d = find_deadline("đã yêu cầu gửi báo cáo trước ngày 15/8/2024", REF)
    assert d.due == D(2024, 8, 15) and "past" in d.guesses


def test_the_reference_date_is_never_the_day_of_import():
    assert reference_date("x", D(2023, 2, 1)) == (D(2023, 2, 1), "issued")
    page = "Thứ Ba, 18/06/2024 09:40\nTiêu đề bài viết\nNgày 14/6, UBND tỉnh ban hành Công văn số 1402/UBND-KT"
    assert reference_date(page) == (D(2024, 6, 14), "text")      # the issue date the prose reports
    assert reference_date(page.replace("Ngày 14/6, ", "")) == (D(2024, 6, 18), "page")
    # A report of 30/12 published on 5/1 is of the year before.
    assert reference_date("05/01/2025 14:20\nNgày 30/12, UBND tỉnh ban hành Công văn số 3/UBND") == \
        (D(2024, 12, 30), "text")
    # A short line that is a task, not a page's date line.
    assert reference_date("Giao Sở Y tế hoàn thành trước ngày 10/12/2023.\n(Theo Công văn số 62/UBND-KT, "
                          "ngày 23/11/2023)") == (D(2023, 11, 23), "text")
    cited = ("UBND tỉnh ban hành công văn.\nThực hiện Quyết định số 12/QĐ-UBND ngày 27/9/2021 và Công văn "
             "số 3/UBND ngày 03 tháng 01 năm 2022 của UBND tỉnh, các sở báo cáo trước ngày 15/8.")
    assert reference_date(cited) == (D(2022, 1, 3), "text")
    assert reference_date("Kế hoạch công tác năm 2023 của Sở") == (D(2023, 1, 1), "text")
    assert reference_date("không có ngày nào") == (None, "none")
    # The header's place-and-date line on the number's line, where the header could not be read.
    assert reference_date("**Số: 402/TB-UBND** — Long An, ngày 11 tháng 11 năm 2024\nTHÔNG BÁO") == \
        (D(2024, 11, 11), "text")


@pytest.mark.parametrize("text, every, day, due", [
    ("Báo cáo hằng năm, trước ngày 01/9", "1 year", None, D(2025, 9, 1)),     # 1/9/2024 is already past
    ("Báo cáo hằng năm, trước ngày 15/12", "1 year", None, D(2024, 12, 15)),
    ("báo cáo định kỳ 6 tháng (trước ngày 15/6)", "6 months", 15, D(2024, 12, 15)),
    ("6 tháng một lần, trước ngày 15/6 và 15/12", "6 months", 15, D(2024, 12, 15)),
])
def test_a_series_and_a_yearless_day_are_one_rule_from_its_next_date(text, every, day, due):
    d = find_deadline(text, REF)
    assert (d.kind, d.every, d.day, d.due) == ("recurrence", every, day, due)


def test_a_day_month_then_its_year_in_words():
    assert find_deadline("hoàn thành trước ngày 31/12 năm 2024", REF).due == D(2024, 12, 31)
