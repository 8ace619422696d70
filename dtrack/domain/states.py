"""The state of a task as of a day: the one overdue / due-soon rule.

A deadline is met on its own day: a task is overdue from the day after it (`days_left` < 0),
due soon while it is at most `window` days away, upcoming beyond. `list`, `show`, `report`,
`remind` and the calendar export all ask here, so they cannot disagree about a task.
Pure: the day is always passed in.
"""
from __future__ import annotations

from datetime import date

from dtrack.domain import recurrence

DEFAULT_WINDOW = 14
STATES = ("overdue", "due-soon", "upcoming", "no-deadline", "done", "cancelled")
CLOSED = ("done", "cancelled")


def days_left(due: date, day: date) -> int:
    """Days from `day` to the deadline `due`; negative once it has passed."""
    return (due - day).days


def is_overdue(due: date | None, day: date) -> bool:
    """True when a deadline has passed by `day` (a task with no deadline is never overdue)."""
    return due is not None and due < day


def days_overdue(due: date | None, day: date) -> int:
    """How many days late an unfinished task is on `day`; 0 while it is not overdue."""
    return -days_left(due, day) if is_overdue(due, day) else 0


def open_state(left: int | None, window: int = DEFAULT_WINDOW) -> str:
    """The state of an open task `left` days before its deadline (None: it has none)."""
    if left is None:
        return "no-deadline"
    if left < 0:
        return "overdue"
    return "due-soon" if left <= window else "upcoming"


def is_closed(status: str) -> bool:
    """Done or cancelled: nothing is due any more."""
    return status in CLOSED


def missed_split(task, day: date, keep: int, within: tuple[date | None, date | None] = (None, None)):
    """The deadlines an open task has missed on `day` (in `within`, a deadline period, when given): none
    or its due for a one-off task; for a recurring series every occurrence from its `due` up to `day`,
    so that a weekly report six weeks behind is six overdue occurrences, not one (report counts them,
    list shows how many). As (folded, listed) (recurrence.overdue_split): the newest `keep` one by one,
    the older ones folded into (first, last, how many)."""
    if task.status in CLOSED:
        return None, ()
    return recurrence.overdue_split(task.due, day, task.every, recurrence.series_start(task), task.until, keep, within)


def missed_count(due: date | None, day: date, every: str | None, start: date | None = None,
                 until: date | None = None) -> int:
    """How many deadlines missed_split counts, for an open task known by its series alone (list reads
    them from the index)."""
    return recurrence.overdue_count(due, day, every, start, until)


def state_of(task, day: date, window: int = DEFAULT_WINDOW) -> tuple[str, int | None]:
    """A task's state on `day` and, for an open task with a deadline, the days left until it
    (negative: overdue)."""
    if task.status in CLOSED:
        return task.status, None
    if task.due is None:
        return "no-deadline", None
    left = days_left(task.due, day)
    return open_state(left, window), left
