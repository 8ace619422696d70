"""`--every` reads the Vietnamese rules a clerk types, through the importer's grammar, and stores
the canonical English form."""
from datetime import date as D

import pytest

from dtrack.domain.deadlines import find_deadline
from dtrack.domain.recurrence import Every, parse_every, vietnamese_rule
from dtrack.errors import UsageError


@pytest.mark.parametrize("raw, canonical", [
    ("hằng tháng", "1 month"), ("hàng tháng", "1 month"), ("hằng quý", "3 months"),
    ("hàng quý", "3 months"), ("hằng năm", "1 year"), ("2 tuần/lần", "2 weeks"),
    ("02 tuần/lần", "2 weeks"), ("thứ Sáu hằng tuần", "1 week"), ("hằng tuần", "1 week"),
    ("định kỳ hằng quý", "3 months"), ("6 tháng một lần", "6 months"),
    ("trước ngày 20 hằng tháng", "1 month on day 20"), ("hằng tháng trước ngày 20", "1 month on day 20"),
    ("trước ngày 15/6 và 15/12 hằng năm", "6 months on day 15"),
    ("từ ngày 3 đến ngày 7 hằng tháng", "1 month on day 7"),
    ("Hằng Tháng.", "1 month"),
    ("2 weeks", "2 weeks"), ("1 month on day 20", "1 month on day 20"),
])
def test_vietnamese_rules_read_as_the_canonical_form(raw, canonical):
    every = parse_every(raw)
    assert str(every) == canonical
    assert parse_every(str(every)) == every


@pytest.mark.parametrize("raw", ["báo cáo hằng tháng", "hằng", "trước ngày 20/5", "ngày mai", "0 tuần/lần", ""])
def test_what_is_no_rule_is_refused(raw):
    with pytest.raises(UsageError):
        parse_every(raw)


def test_the_importer_and_every_read_one_rule_alike():
    text = "Công an tỉnh gửi báo cáo vào thứ Sáu hằng tuần."
    d = find_deadline(text, D(2024, 9, 10))
    assert (d.every, d.due) == ("1 week", D(2024, 9, 13))           # the first Friday
    assert parse_every(d.phrase) == Every(1, "weeks")
    assert vietnamese_rule(d.phrase, D(2024, 9, 10)).due == D(2024, 9, 13)


def test_a_quarterly_report_falls_due_at_each_quarters_end():
    d = find_deadline("Sở Nội vụ báo cáo định kỳ hằng quý.", D(2024, 8, 5))
    assert (d.every, d.day, d.due, d.guesses) == ("3 months", 31, D(2024, 9, 30), ("recur",))
