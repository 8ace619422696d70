"""Dates as the user types and reads them: day-first, Vietnamese style.

Parsing is done here with regular expressions rather than dateutil: dateutil with
dayfirst=True swaps ISO dates and silently accepts month-first input (LIBRARY-NOTES).
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from dtrack.errors import UsageError
from dtrack.i18n import t

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_REL = re.compile(r"^([+-])(\d{1,4})\s*([dwm]?)$")
_DURATION = re.compile(r"^(\d{1,4})\s*([dw]?)$")
_WORDS = {
    "today": 0, "hom nay": 0, "hôm nay": 0,
    "tomorrow": 1, "ngay mai": 1, "ngày mai": 1,
    "yesterday": -1, "hom qua": -1, "hôm qua": -1,
}


def fmt(d: date | None) -> str:
    """Day-first display: 23/07/2024."""
    return d.strftime("%d/%m/%Y") if d else ""


def _make(y: int, m: int, d: int, raw: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise UsageError(t("'{raw}' is not a real date.", raw=raw),
                         hint=t("Dates are day-first: 23/7/2024, 23/07/2024, 23/7, 2024-07-23, today, +3d.")) from None


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def clamp_day(year: int, month: int, day: int) -> date:
    """Day `day` of a month, or the month's last day when the month is shorter (31 -> 30 Apr)."""
    return date(year, month, min(day, month_end(year, month).day))


def add_months(d: date, months: int) -> date:
    """`d` moved by whole months, clamped to the month's end (31 Jan + 1 month = 29 Feb 2024).
    The one month arithmetic of dtrack: typed dates, deadline phrases and recurring series."""
    y, m = divmod(d.month - 1 + months, 12)
    return clamp_day(d.year + y, m + 1, d.day)


def parse_date(raw: str, today: date) -> date:
    """A date typed by the user: 23/7/2024, 23/07/2024, 23/7 (this year), 2024-07-23, today, tomorrow, +3d, +2w."""
    s = raw.strip().lower()
    if s in _WORDS:
        return today + timedelta(days=_WORDS[s])
    if m := _ISO.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _DMY.match(s):
        year = today.year if m[3] is None else int(m[3])
        if m[3] is not None and len(m[3]) == 2:
            year += 2000
        return _make(year, int(m[2]), int(m[1]), raw)
    if m := _REL.match(s):
        n = int(m[2]) * (-1 if m[1] == "-" else 1)
        unit = m[3] or "d"
        if unit == "m":
            return add_months(today, n)
        return today + timedelta(days=n * (7 if unit == "w" else 1))
    raise UsageError(t("'{raw}' is not a date dtrack understands.", raw=raw),
                     hint=t("Dates are day-first: 23/7/2024, 23/07/2024, 23/7, 2024-07-23, today, +3d."))


def parse_days(raw: str) -> int:
    """A length of time in days: 14, 14d, 2w."""
    m = _DURATION.match(raw.strip().lower())
    if not m:
        raise UsageError(t("'{raw}' is not a length of time.", raw=raw),
                         hint=t("Write it as a number of days or weeks: 14d, 2w."))
    return int(m[1]) * (7 if m[2] == "w" else 1)
