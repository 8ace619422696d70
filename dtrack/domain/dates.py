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


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


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
            return _add_months(today, n)
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
