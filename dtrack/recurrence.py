"""Recurring tasks: the `every:` grammar.

    every: 2 weeks            N day(s) | week(s) | month(s) | year(s)
    every: 1 month on day 20  a monthly series on a fixed day of the month ("hằng tháng trước ngày 20")

Pure. Occurrences are always computed from the series' start, never from the previous
occurrence, because month arithmetic does not compose (31 Jan + 1 month + 1 month is
29 Mar, but 31 Jan + 2 months is 31 Mar).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError
from .i18n import t

UNITS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months",
         "months": "months", "year": "years", "years": "years",
         "ngày": "days", "tuần": "weeks", "tháng": "months", "năm": "years"}
_EVERY = re.compile(r"^\s*(\d{1,3})\s+([^\W\d_]+)(?:\s+on\s+day\s+(\d{1,2}))?\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Every:
    n: int
    unit: str              # days | weeks | months | years
    day: int | None = None  # fixed day of the month, for monthly series

    def __str__(self) -> str:
        unit = self.unit if self.n != 1 else self.unit[:-1]
        return f"{self.n} {unit}" + (f" on day {self.day}" if self.day else "")


def parse_every(raw: str) -> Every:
    m = _EVERY.match(raw or "")
    unit = UNITS.get(m.group(2).lower()) if m else None
    if not m or unit is None or int(m.group(1)) < 1:
        raise UsageError(t("'{raw}' is not a recurrence", raw=raw),
                         hint=t("Write it as '2 weeks', '1 month', '3 months', '1 year' or '1 month on day 20'."))
    day = int(m.group(3)) if m.group(3) else None
    if day is not None and (unit not in ("months", "years") or not 1 <= day <= 31):
        raise UsageError(t("'{raw}': 'on day D' goes with months or years, D from 1 to 31", raw=raw))
    return Every(int(m.group(1)), unit, day)
