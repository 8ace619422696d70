from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtrack.domain.holidays import (
    HUNG_KINGS,
    TET,
    add_working_days,
    holidays,
    is_working_day,
    working_days_between,
)

D = date


def days(start, end):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def weekdays_off(start, end):
    return [d for d in days(start, end) if d.weekday() < 5 and not is_working_day(d)]


# --- tables ---------------------------------------------------------------


@pytest.mark.parametrize(
    "year, tet",
    [(2019, D(2019, 2, 5)), (2020, D(2020, 1, 25)), (2021, D(2021, 2, 12)),
     (2022, D(2022, 2, 1)), (2023, D(2023, 1, 22)), (2024, D(2024, 2, 10)),
     (2025, D(2025, 1, 29)), (2026, D(2026, 2, 17)),
     # Vietnam (UTC+7) and China (UTC+8) disagree this year: 2 Feb vs 3 Feb.
     (2030, D(2030, 2, 2))],
)
def test_tet_known_years(year, tet):
    assert TET[year] == tet


@pytest.mark.parametrize(
    "year, day",
    [(2019, D(2019, 4, 14)), (2022, D(2022, 4, 10)), (2023, D(2023, 4, 29)),
     (2024, D(2024, 4, 18)), (2025, D(2025, 4, 7))],
)
def test_hung_kings_known_years(year, day):
    assert HUNG_KINGS[year] == day


def test_tables_cover_2015_2040_and_are_plausible():
    assert sorted(TET) == list(range(2015, 2041)) == sorted(HUNG_KINGS)
    for y, tet in TET.items():
        assert tet.year == y and D(y, 1, 21) <= tet <= D(y, 2, 20)
        # Lunar 10/3 is two lunar months and nine days after lunar 1/1, or
        # three months when a leap month falls in between.
        gap = (HUNG_KINGS[y] - tet).days
        assert 66 <= gap <= 99, (y, gap)


# --- single days ------------------------------------------------------------


@pytest.mark.parametrize(
    "d, working",
    [
        (D(2024, 4, 13), False),  # Saturday
        (D(2024, 4, 14), False),  # Sunday
        (D(2024, 4, 15), True),
        (D(2024, 1, 1), False),
        (D(2024, 4, 18), False),  # Giỗ Tổ
        (D(2024, 4, 30), False),
        (D(2024, 5, 1), False),
        (D(2024, 5, 2), True),
        (D(2024, 9, 2), False),
        (D(2024, 9, 3), False),  # 2/9 on a Monday: the adjacent day is 3/9
        (D(2024, 9, 4), True),
        (D(2020, 9, 1), True),  # before 2021 Quốc khánh was one day
        (D(2024, 2, 7), True),
        (D(2024, 2, 8), False),
        (D(2024, 2, 14), False),
        (D(2024, 2, 15), True),
        (D(2010, 1, 1), False),  # solar holidays outside the table still count
        (D(2010, 2, 15), True),  # ... Tết there is not known
    ],
)
def test_is_working_day(d, working):
    assert is_working_day(d) is working


@pytest.mark.parametrize(
    "start, end, expected",
    [
        # Official schedules for civil servants (weekdays off only).
        (D(2023, 1, 16), D(2023, 1, 29), [D(2023, 1, 20), D(2023, 1, 23), D(2023, 1, 24),
                                         D(2023, 1, 25), D(2023, 1, 26)]),
        (D(2024, 2, 5), D(2024, 2, 18), [D(2024, 2, 8), D(2024, 2, 9), D(2024, 2, 12),
                                        D(2024, 2, 13), D(2024, 2, 14)]),
        (D(2025, 1, 20), D(2025, 2, 9), [D(2025, 1, 27), D(2025, 1, 28), D(2025, 1, 29),
                                        D(2025, 1, 30), D(2025, 1, 31)]),
        (D(2026, 2, 9), D(2026, 2, 27), [D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18),
                                        D(2026, 2, 19), D(2026, 2, 20)]),
        # 29/4/2023 (Giỗ Tổ) Sat, 30/4 Sun, 1/5 Mon: off until Wed 3/5.
        (D(2023, 4, 24), D(2023, 5, 7), [D(2023, 5, 1), D(2023, 5, 2), D(2023, 5, 3)]),
        # 30/4/2022 Sat, 1/5 Sun: compensated on Mon 2/5 and Tue 3/5.
        (D(2022, 4, 25), D(2022, 5, 8), [D(2022, 5, 2), D(2022, 5, 3)]),
        # 1/1/2022 Saturday -> Monday 3/1; 1/1/2023 Sunday -> Monday 2/1.
        (D(2021, 12, 27), D(2022, 1, 7), [D(2022, 1, 3)]),
        (D(2022, 12, 26), D(2023, 1, 6), [D(2023, 1, 2)]),
        # Quốc khánh 2021-2024 as decided: 2-3/9/2021, 1-2/9/2022,
        # 1/9/2023 + Monday 4/9 for the Saturday, 2-3/9/2024.
        (D(2021, 8, 30), D(2021, 9, 10), [D(2021, 9, 2), D(2021, 9, 3)]),
        (D(2022, 8, 29), D(2022, 9, 9), [D(2022, 9, 1), D(2022, 9, 2)]),
        (D(2023, 8, 28), D(2023, 9, 8), [D(2023, 9, 1), D(2023, 9, 4)]),
        (D(2024, 8, 26), D(2024, 9, 6), [D(2024, 9, 2), D(2024, 9, 3)]),
        # 2025: 2/9 is a Tuesday, the adjacent day off was Monday 1/9.
        (D(2025, 8, 25), D(2025, 9, 7), [D(2025, 9, 1), D(2025, 9, 2)]),
    ],
)
def test_official_schedules(start, end, expected):
    assert weekdays_off(start, end) == expected


@pytest.mark.parametrize("year", range(2015, 2041))
def test_statutory_number_of_weekdays_off(year):
    # 1/1 + 5 (Tết) + Giỗ Tổ + 30/4 + 1/5 + Quốc khánh (1, 2 from 2021);
    # a holiday on a weekend is compensated, so the count of weekdays off is
    # exact every year.
    national = 1 if year < 2021 else 2
    assert len(weekdays_off(D(year, 1, 1), D(year, 12, 31))) == 1 + 5 + 1 + 2 + national


@pytest.mark.parametrize("year", sorted(TET))
def test_tet_span_is_seven_days_around_lunar_new_year(year):
    tet = TET[year]
    span = {tet + timedelta(days=k) for k in range(-2, 5)}
    assert span <= holidays(year)
    assert len(weekdays_off(tet - timedelta(days=2), tet + timedelta(days=4))) == 5


# --- arithmetic -------------------------------------------------------------


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (D(2024, 4, 12), 1, D(2024, 4, 15)),  # Friday -> Monday
        (D(2024, 4, 12), 3, D(2024, 4, 17)),
        (D(2024, 4, 12), 4, D(2024, 4, 19)),  # Thursday 18/4 is Giỗ Tổ
        (D(2024, 4, 12), 5, D(2024, 4, 22)),
        (D(2024, 2, 7), 1, D(2024, 2, 15)),  # across Tết 2024
        # Officially 29/4/2024 was off in exchange for working Sat 4/5; such
        # swaps are not modelled, so Monday 29/4 counts.
        (D(2024, 4, 26), 1, D(2024, 4, 29)),
        (D(2024, 4, 26), 2, D(2024, 5, 2)),
        (D(2024, 4, 13), 0, D(2024, 4, 13)),  # n = 0: start itself
        (D(2024, 4, 15), -1, D(2024, 4, 12)),
        (D(2024, 2, 15), -1, D(2024, 2, 7)),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


dates = st.dates(min_value=D(2014, 1, 1), max_value=D(2041, 12, 31))


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(min_value=1, max_value=120))
def test_add_working_days_lands_on_the_nth_working_day(start, n):
    end = add_working_days(start, n)
    assert end > start
    assert is_working_day(end)
    assert working_days_between(start, end) == n


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_add_working_days_composes(start, a, b):
    assert add_working_days(add_working_days(start, a), b) == add_working_days(start, a + b)


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(min_value=1, max_value=60))
def test_negative_counts_go_back(start, n):
    back = add_working_days(start, -n)
    assert back < start and is_working_day(back)
    if is_working_day(start):
        assert add_working_days(back, n) == start
