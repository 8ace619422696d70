"""Dates checked where they enter: a deadline before the directive was issued, a done date before it
or after today, are refused with what to do (the commands' --force accepts them); typed dates are
read against the directive they belong to.

    add-task --due 23/7      of a directive issued 20/11/2026: 23/07/2027, the next 23 July on or after
                             the issue date (a deadline is never set before the document existed)
    extend --to +1w          one week after the CURRENT deadline, not after today
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from dtrack.domain.dates import add_months, fmt, parse_date
from dtrack.errors import UsageError
from dtrack.i18n import t

_YEARLESS = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}\s*$")
_RELATIVE = re.compile(r"^\s*([+-])(\d{1,4})\s*([dwm]?)\s*$", re.I)


def entry_date(raw: str | date | None, today: date, issued: date) -> date | None:
    """A date typed for a task of a directive issued on `issued`: a year-less day (23/7) is the next
    such day on or after the issue date; anything else as `dates.parse_date` reads it."""
    if raw is None or isinstance(raw, date):
        return raw
    if _YEARLESS.match(raw):
        day = parse_date(raw, issued)
        if day < issued:
            day = parse_date(f"{raw.strip()}/{issued.year + 1}", issued)
        return day
    return parse_date(raw, today)


def new_deadline(raw: str | date, today: date, issued: date, current: date | None) -> date:
    """The date `extend --to` means: +1w, +10d, +1m count from the current deadline (from today when
    the task has none); other forms as entry_date."""
    if isinstance(raw, str) and (m := _RELATIVE.match(raw)) and current is not None:
        n = int(m[2]) * (-1 if m[1] == "-" else 1)
        unit = m[3].lower() or "d"
        return add_months(current, n) if unit == "m" else current + timedelta(days=n * (7 if unit == "w" else 1))
    return entry_date(raw, today, issued)


def check_deadline(day: date | None, issued: date, what: str, force: bool) -> None:
    """A deadline (or a series' end) must not fall before the directive's issue date."""
    if day is not None and day < issued and not force:
        raise UsageError(t("{what} {date} is before the directive was issued ({issued})", what=what, date=fmt(day),
                           issued=fmt(issued)),
                         hint=t("Check the year; add --force if the document really says so."))


def check_done(on: date, today: date, issued: date, ref: str, force: bool) -> None:
    """A task cannot be done before its directive existed, nor on a day still to come."""
    if force:
        return
    if on > today:
        raise UsageError(t("the done date {date} is after today ({today})", date=fmt(on), today=fmt(today)),
                         hint=t("Give the day the task was really done with --on (or add --force)."))
    if on < issued:
        raise UsageError(t("the done date {date} is before {ref} was issued ({issued})", date=fmt(on), ref=ref,
                           issued=fmt(issued)),
                         hint=t("Give the day the task was really done with --on (or add --force)."))
