"""Dates typed by the user: day-first, relative words, impossible dates refused."""
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from dtrack.domain.dates import add_months, clamp_day, fmt, month_end, parse_date, parse_days
from dtrack.errors import UsageError

TODAY = date(2024, 7, 20)


@pytest.mark.parametrize("raw, expected", [
    ("23/7/2024", date(2024, 7, 23)), ("23/07/2024", date(2024, 7, 23)), ("23/7", date(2024, 7, 23)),
    ("2024-07-23", date(2024, 7, 23)), ("2024-7-3", date(2024, 7, 3)), ("3/4/2024", date(2024, 4, 3)),
    ("03.04.2024", date(2024, 4, 3)), ("3-4-24", date(2024, 4, 3)), ("today", TODAY), ("Hôm nay", TODAY),
    ("tomorrow", date(2024, 7, 21)), ("ngay mai", date(2024, 7, 21)), ("yesterday", date(2024, 7, 19)),
    ("+3d", date(2024, 7, 23)), ("+3", date(2024, 7, 23)), ("-2d", date(2024, 7, 18)),
    ("+2w", date(2024, 8, 3)), ("+1m", date(2024, 8, 20)), (" 29/2/2024 ", date(2024, 2, 29)),
])
def test_parse_date(raw, expected):
    assert parse_date(raw, TODAY) == expected


def test_month_arithmetic_clamps_to_the_month_end():
    assert parse_date("+1m", date(2024, 1, 31)) == date(2024, 2, 29)


@pytest.mark.parametrize("d, months, expected", [
    (date(2024, 1, 31), 1, date(2024, 2, 29)), (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 1, 31), 2, date(2024, 3, 31)), (date(2024, 1, 31), 3, date(2024, 4, 30)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)), (date(2024, 12, 15), 1, date(2025, 1, 15)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)), (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2024, 3, 31), -1, date(2024, 2, 29)), (date(2024, 1, 15), -13, date(2022, 12, 15)),
    (date(2024, 7, 20), 0, date(2024, 7, 20)),
])
def test_add_months(d, months, expected):
    assert add_months(d, months) == expected


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2900, 12, 31)), st.integers(-1200, 1200))
def test_add_months_is_calendar_month_arithmetic(d, months):
    # relativedelta clamps to the month's end too; dtrack does not import it at run time.
    assert add_months(d, months) == d + relativedelta(months=months)


@pytest.mark.parametrize("year, month, end", [(2024, 2, 29), (2023, 2, 28), (2100, 2, 28), (2000, 2, 29),
                                              (2024, 4, 30), (2024, 12, 31), (2024, 1, 31)])
def test_month_end_and_clamped_days(year, month, end):
    assert month_end(year, month) == date(year, month, end)
    assert clamp_day(year, month, 31) == date(year, month, end)
    assert clamp_day(year, month, 15) == date(year, month, 15)


@pytest.mark.parametrize("raw", ["31/02/2024", "29/2/2023", "2024-13-01", "0/1/2024", "32/1"])
def test_impossible_dates_are_errors(raw):
    with pytest.raises(UsageError) as e:
        parse_date(raw, TODAY)
    assert "not a real date" in e.value.message and raw in e.value.message


@pytest.mark.parametrize("raw", ["next week", "7/23/2024x", "", "2024/07/23"])
def test_unknown_forms_are_errors(raw):
    with pytest.raises(UsageError):
        parse_date(raw, TODAY)


def test_month_first_input_is_not_silently_accepted():
    # dateutil would read 7/23/2024 as 23 July; day-first reading makes it month 23: an error.
    with pytest.raises(UsageError):
        parse_date("7/23/2024", TODAY)


def test_format_is_day_first():
    assert fmt(date(2024, 7, 3)) == "03/07/2024"
    assert fmt(None) == ""


@pytest.mark.parametrize("raw, days", [("14", 14), ("14d", 14), ("2w", 14), ("30D", 30)])
def test_parse_days(raw, days):
    assert parse_days(raw) == days


def test_parse_days_rejects_nonsense():
    with pytest.raises(UsageError):
        parse_days("soon")
