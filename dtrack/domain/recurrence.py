"""Recurring tasks: the `every:` grammar.

    every: 2 weeks            N day(s) | week(s) | month(s) | year(s)
    every: 1 month on day 20  a monthly series on a fixed day of the month ("hằng tháng trước ngày 20")

parse_every also reads the rules a clerk writes in Vietnamese ("hằng tháng", "hàng quý", "2 tuần/lần",
"thứ Sáu hằng tuần", "trước ngày 20 hằng tháng", "6 tháng một lần"), through the importer's own
grammar (domain/deadlines.py), so `--every` and `dtrack import` read a rule the same way; the
value stored is always the canonical English form above.

Pure. Occurrences are always computed from the series' start, never from the previous
occurrence, because month arithmetic does not compose (31 Jan + 1 month + 1 month is
29 Mar, but 31 Jan + 2 months is 31 Mar).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dtrack.errors import UsageError
from dtrack.i18n import t
from dtrack.domain.dates import add_months, clamp_day
from dtrack.domain.records import Occurrence

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


# Any date serves to read a Vietnamese rule: only its series is kept, not its first date.
_SOME_DAY = date(2001, 1, 1)


def vietnamese_rule(raw: str, ref: date = _SOME_DAY):
    """The recurrence a whole Vietnamese phrase names, read by the importer's grammar (a
    deadlines.Deadline whose `due` is the series' first date after `ref`), or None."""
    from dtrack.domain.deadlines import find_deadlines
    text = (raw or "").strip().rstrip(".;,")
    found = find_deadlines(text, ref)
    if len(found) != 1 or found[0].kind != "recurrence" or found[0].error:
        return None
    d = found[0]
    # Only words of frequency may lie outside the phrase ("báo cáo định kỳ hằng quý" is not a rule).
    rest = (text[:d.span[0]] + text[d.span[1]:]).strip(" ,()")
    return d if not rest or re.fullmatch(r"(?:định\s+kỳ|một\s+lần|1\s+lần)", rest, re.I) else None


def parse_every(raw: str) -> Every:
    m = _EVERY.match(raw or "")
    if not m and (rule := vietnamese_rule(raw)) is not None:
        n, unit = rule.every.split()
        # A day the phrase names is kept; the period end the grammar assumes is not (the due decides).
        day = rule.day if rule.day and "recur" not in rule.guesses else None
        return Every(int(n), UNITS[unit], day)
    unit = UNITS.get(m.group(2).lower()) if m else None
    if not m or unit is None or int(m.group(1)) < 1:
        raise UsageError(t("'{raw}' is not a recurrence", raw=raw),
                         hint=t("Write it as '2 weeks', '1 month', '3 months', '1 year' or '1 month on day 20'."))
    day = int(m.group(3)) if m.group(3) else None
    if day is not None and (unit not in ("months", "years") or not 1 <= day <= 31):
        raise UsageError(t("'{raw}': 'on day D' goes with months or years, D from 1 to 31", raw=raw))
    return Every(int(m.group(1)), unit, day)


def occurrence(start: date, every: Every, k: int) -> date:
    """The k-th occurrence of a series that starts on `start` (k = 0 is the start itself)."""
    if every.unit == "days":
        return start + timedelta(days=every.n * k)
    if every.unit == "weeks":
        return start + timedelta(weeks=every.n * k)
    months = every.n * k * (12 if every.unit == "years" else 1)
    if every.day is None:
        return add_months(start, months)
    first = add_months(start.replace(day=1), months)
    return clamp_day(first.year, first.month, every.day)


def next_after(start: date, every: Every, day: date) -> date:
    """The first occurrence strictly after `day`."""
    return occurrence(start, every, _index_after(start, every, day))


def _index_after(start: date, every: Every, day: date) -> int:
    """k of the first occurrence strictly after `day` (k >= 1)."""
    k = 1
    if day > start:
        # Jump close to the answer, then step; the longest month and year keep the jump from overshooting.
        span = {"days": every.n, "weeks": 7 * every.n, "months": 31 * every.n, "years": 366 * every.n}[every.unit]
        k = max(1, (day - start).days // span - 1)
    while occurrence(start, every, k) <= day:
        k += 1
    return k


def series_start(task) -> date | None:
    """Where a series' arithmetic starts: the due of its first recorded occurrence, else the current due."""
    return task.occurrences[0].due if task.occurrences else task.due


def complete(task, on: date, note: str | None = None, by: str | None = None) -> dict:
    """The changes `done` makes to a recurring task: record the occurrence its `due` stands for (with
    the note and the reply document `by` of that occurrence) and move `due` to the following occurrence,
    even if that one is already past (each occurrence is reported on its own: a late series shows the
    next one overdue rather than silently skipping it). Past `until:` the series is over and the task
    is done."""
    every = parse_every(task.every)
    occurrences = (*task.occurrences, Occurrence(task.due, on, note or None, by or None))
    following = next_after(series_start(task), every, task.due)
    if task.until is not None and following > task.until:
        return {"occurrences": occurrences, "status": "done", "done": on}
    return {"occurrences": occurrences, "due": following}


def undo_last(task) -> dict | None:
    """The changes `reopen` makes to a recurring task: its last recorded occurrence is undone (a mistaken
    `done`): the record goes, `due` is that occurrence's deadline again and an ended series is open.
    None when no occurrence is recorded."""
    if not task.occurrences:
        return None
    last = task.occurrences[-1]
    changes: dict = {"occurrences": task.occurrences[:-1] or None, "due": last.due}
    if task.status != "open":
        changes.update(status="open", done=None)
    return changes


def overdue_dues(due: date | None, day: date, every: str | None, start: date | None = None,
                 until: date | None = None, limit: int = 9999) -> tuple[date, ...]:
    """The deadlines an open task has missed by `day`: none while `due` is not past; for a one-off task
    its due; for a series its due and every later occurrence before `day` (up to `until`), each one a
    report left undone. `start` is where the series' arithmetic starts (series_start)."""
    rule = _missed_rule(due, day, every, until)
    if rule is None:
        return (due,) if due is not None and due < day and (until is None or due <= until or not every) else ()
    start = start or due
    last = min(day - timedelta(days=1), until or day)
    out, k = [due], _index_after(start, rule, due)
    while len(out) < limit and (current := occurrence(start, rule, k)) <= last:
        out.append(current)
        k += 1
    return tuple(out)


def overdue_count(due: date | None, day: date, every: str | None, start: date | None = None,
                  until: date | None = None) -> int:
    """len(overdue_dues(...)), counted from the occurrences' indices without listing them (list asks
    it of thousands of late series)."""
    rule = _missed_rule(due, day, every, until)
    if rule is None:
        return len(overdue_dues(due, day, every, start, until))
    start = start or due
    last = min(day - timedelta(days=1), until or day)
    return 1 + max(0, _index_after(start, rule, last) - _index_after(start, rule, due))


def overdue_split(due: date | None, day: date, every: str | None, start: date | None = None,
                  until: date | None = None, keep: int = 12, within: tuple[date | None, date | None] = (None, None),
                  ) -> tuple[tuple[date, date, int] | None, tuple[date, ...]]:
    """The deadlines an open task has missed by `day` (those in `within`, a deadline period, when
    given) as the report lists them: the newest `keep` one by one, oldest first, and the older ones,
    if any, folded into (first, last, how many). A daily series years behind is thousands of reports
    not sent; the report counts every one but cannot usefully list them, and listing them cost
    gigabytes. Computed from the occurrences' indices, so the cost does not grow with the count."""
    lo, hi = within
    rule = _missed_rule(due, day, every, until)
    if rule is None:
        dues = tuple(d for d in overdue_dues(due, day, every, start, until)
                     if not (lo and d < lo) and not (hi and d > hi))
        return None, dues
    start = start or due
    last = min(day - timedelta(days=1), until or day, hi or day)
    first_k = _index_after(start, rule, due)
    if lo is not None and lo > due:
        first_k = max(first_k, _index_after(start, rule, lo - timedelta(days=1)))
    end_k = max(first_k, _index_after(start, rule, last))
    head = (due,) if not (lo and due < lo) and not (hi and due > hi) else ()
    count = len(head) + end_k - first_k
    if count <= keep:
        return None, head + tuple(occurrence(start, rule, k) for k in range(first_k, end_k))
    listed = tuple(occurrence(start, rule, k) for k in range(end_k - keep, end_k))
    older = count - keep
    first = head[0] if head else occurrence(start, rule, first_k)
    through = occurrence(start, rule, end_k - keep - 1) if end_k - keep - 1 >= first_k else first
    return (first, through, older), listed


def _missed_rule(due: date | None, day: date, every: str | None, until: date | None) -> Every | None:
    """The rule of a series that has missed its `due` by `day` (None: not a readable series, or not late)."""
    if not every or due is None or due >= day or (until is not None and due > until):
        return None
    rule = _RULES.get(every, 0)
    if rule == 0:
        try:
            rule = parse_every(every)
        except UsageError:
            rule = None
        if len(_RULES) < 1000:          # a store has a handful of distinct `every:` values
            _RULES[every] = rule
    return rule


_RULES: dict[str, Every | None] = {}


_FREQ = {"days": "DAILY", "weeks": "WEEKLY", "months": "MONTHLY", "years": "YEARLY"}


# How far ahead the clamped dates of a day-29/30 series are listed (RDATE): a re-export after each
# `done` moves the window with the series, and ten years is past any directive's horizon.
RDATE_YEARS = 10


def _series_day(task, every: Every) -> int | None:
    return every.day or series_start(task).day if every.unit in ("months", "years") else None


def _month_day(day: int) -> str:
    # dtrack clamps a series day to the month's end (31 -> 30 Apr, 28/29 Feb); RRULE skips months
    # without that day. Day 31 is the last day of every month (BYMONTHDAY=-1); days 29 and 30 keep
    # their day and the months that lack it get their clamped date as RDATEs (rdates()), because
    # BYMONTHDAY=28,29,30;BYSETPOS=-1 is expanded to several dates a month by ical.js (#960).
    return "BYMONTHDAY=-1" if day == 31 else f"BYMONTHDAY={day}"


def rdates(task) -> tuple[date, ...]:
    """The dates of a recurring task's series that its rrule() skips (a day 29 or 30 clamped to the
    end of a shorter month), from `due` to `until` or RDATE_YEARS ahead: written as RDATE beside
    the RRULE so every client expands the same dates as occurrence()."""
    if rrule(task) is None:
        return ()
    every = parse_every(task.every)
    day = _series_day(task, every)
    if day is None or not 29 <= day <= 30:
        return ()
    start = series_start(task)
    end = task.until or add_months(task.due, 12 * RDATE_YEARS)
    out, k = [], 0
    while (d := occurrence(start, every, k)) <= end:
        if d >= task.due and d.day != day:
            out.append(d)
        k += 1
    return tuple(out)


def rrule(task) -> str | None:
    """The iCalendar RRULE (RFC 5545) of a recurring task, DTSTART being its next deadline (`due`);
    None when the task does not recur or its series ends with this occurrence. Monthly and yearly
    series keep the day their arithmetic starts from (series_start), clamped as occurrence() clamps.
    UsageError when `every:` cannot be read."""
    if not task.every or task.due is None:
        return None
    every = parse_every(task.every)
    if task.until is not None and task.until <= task.due:
        return None
    parts = [f"FREQ={_FREQ[every.unit]}", f"INTERVAL={every.n}"]
    if every.unit in ("months", "years"):
        if every.unit == "years":
            parts.append(f"BYMONTH={task.due.month}")
        parts.append(_month_day(_series_day(task, every)))
    if task.until is not None:
        parts.append(f"UNTIL={task.until:%Y%m%d}")
    return ";".join(parts)
