"""Vietnamese public holidays and working-day arithmetic.

A working day is Monday–Friday and not a public holiday.  What is modelled:

* 1/1 (Tết Dương lịch).
* Tết Nguyên đán: from two days before lunar 1/1 to lunar 1/5, i.e. lunar
  new-year day - 2 ... + 4.  Seven consecutive days always contain exactly five
  weekdays, which is the statutory five days (Labour Code 2019, art. 112).  The
  government fixes the real span every year; this approximation matches the
  weekdays off for civil servants in 2019-2026, except that it ignores
  swapped days (e.g. in 2025, Mon 27/1 off in exchange for working Sat 8/2).
* Giỗ Tổ Hùng Vương: lunar 10/3.
* 30/4 and 1/5.
* Quốc khánh: 2/9 and one adjacent day from 2021 (Labour Code 2019; in 2025
  the days off were 1/9 and 2/9); before 2021, 2/9 only.
  Which adjacent day the government picks varies; the rule below reproduces
  2021-2024 (see ``_national_day``).
* Compensatory days (nghỉ bù): a fixed holiday falling on Sat/Sun moves to the
  next working day, as the Labour Code prescribes.  This reproduced e.g.
  29/4-3/5/2023 and 1-3/1/2022.  Not modelled: Saturday make-up working days,
  ad-hoc extra days off, and local (provincial) holidays.

Lunar dates come from hard-coded tables for 2015-2040, computed with Hồ Ngọc
Đức's astronomical algorithm for UTC+7 (the Vietnamese calendar; it differs
from the Chinese one e.g. in 2030: 2 Feb vs 3 Feb).  Outside that range only
the solar holidays are known, so Tết and Giỗ Tổ count as working days there.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

__all__ = [
    "TET",
    "HUNG_KINGS",
    "is_working_day",
    "add_working_days",
    "holidays",
    "working_days_between",
]

# Solar date of lunar 1/1 (mùng 1 Tết), UTC+7.
TET: dict[int, date] = {
    2015: date(2015, 2, 19), 2016: date(2016, 2, 8), 2017: date(2017, 1, 28),
    2018: date(2018, 2, 16), 2019: date(2019, 2, 5), 2020: date(2020, 1, 25),
    2021: date(2021, 2, 12), 2022: date(2022, 2, 1), 2023: date(2023, 1, 22),
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
    2030: date(2030, 2, 2), 2031: date(2031, 1, 23), 2032: date(2032, 2, 11),
    2033: date(2033, 1, 31), 2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
    2036: date(2036, 1, 28), 2037: date(2037, 2, 15), 2038: date(2038, 2, 4),
    2039: date(2039, 1, 24), 2040: date(2040, 2, 12),
}

# Solar date of lunar 10/3 (Giỗ Tổ Hùng Vương), UTC+7.
HUNG_KINGS: dict[int, date] = {
    2015: date(2015, 4, 28), 2016: date(2016, 4, 16), 2017: date(2017, 4, 6),
    2018: date(2018, 4, 25), 2019: date(2019, 4, 14), 2020: date(2020, 4, 2),
    2021: date(2021, 4, 21), 2022: date(2022, 4, 10), 2023: date(2023, 4, 29),
    2024: date(2024, 4, 18), 2025: date(2025, 4, 7), 2026: date(2026, 4, 26),
    2027: date(2027, 4, 16), 2028: date(2028, 4, 4), 2029: date(2029, 4, 23),
    2030: date(2030, 4, 12), 2031: date(2031, 4, 1), 2032: date(2032, 4, 19),
    2033: date(2033, 4, 9), 2034: date(2034, 4, 28), 2035: date(2035, 4, 17),
    2036: date(2036, 4, 6), 2037: date(2037, 4, 24), 2038: date(2038, 4, 13),
    2039: date(2039, 4, 3), 2040: date(2040, 4, 20),
}

_DAY = timedelta(days=1)


def _national_day(year: int) -> list[date]:
    sep2 = date(year, 9, 2)
    if year < 2021:
        return [sep2]
    # Choose the adjacent day that joins the holiday to a weekend (what the
    # government did in 2021-2024); for a Wednesday either is plausible.
    wd = sep2.weekday()  # Mon=0
    extra = date(year, 9, 1) if wd in (1, 4, 5) else date(year, 9, 3)
    return sorted([sep2, extra])


@lru_cache(maxsize=None)
def holidays(year: int) -> frozenset[date]:
    """All days off (besides ordinary weekends) of ``year``, compensatory days included."""
    fixed = [date(year, 1, 1), date(year, 4, 30), date(year, 5, 1)]
    if year in HUNG_KINGS:
        fixed.append(HUNG_KINGS[year])
    fixed += _national_day(year)
    off = set(fixed)
    if year in TET:
        tet = TET[year]
        off.update(tet + timedelta(days=k) for k in range(-2, 5))
    # The Tết span is already a seven-day block, so only fixed days get
    # compensation; process them in order so that two weekend holidays in a
    # row (30/4 + 1/5 on Sat/Sun) get two distinct compensatory days.
    for d in sorted(fixed):
        if d.weekday() >= 5:
            c = d + _DAY
            while c.weekday() >= 5 or c in off:
                c += _DAY
            off.add(c)
    return frozenset(off)


def is_working_day(d: date) -> bool:
    if d.weekday() >= 5:
        return False
    return d not in holidays(d.year)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself never counts).

    ``n == 0`` returns ``start`` unchanged; a negative ``n`` counts backwards.
    """
    step = _DAY if n >= 0 else -_DAY
    d = start
    left = abs(n)
    while left:
        d += step
        if is_working_day(d):
            left -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open interval (start, end]; inverse of add_working_days."""
    if end <= start:
        return 0
    count = 0
    d = start + _DAY
    while d <= end:
        if is_working_day(d):
            count += 1
        d += _DAY
    return count
