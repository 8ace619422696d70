"""`dtrack report`: the state of assigned tasks per agency, as the reports built on
Decision 42/2014/QĐ-TTg count them, for any period and as of any past day.

Pure: the caller passes the directives, the period and the as-of day. A past report is
reproducible because the state is computed from the dates in the files (done dates,
extension decisions), never from "now".

Each unit counted is a task, or for a recurring task each occurrence (a series whose `due` is six
weeks past, weekly, counts six overdue occurrences: domain/recurrence.overdue_split; beyond the newest
LISTED, the older missed occurrences of a series are one unit that counts them all, so that a daily
series years behind costs what a weekly one does):
  done_on_time  done by as_of, on or before the deadline in force on the done day (or none)
  done_late     done by as_of, after that deadline
  open_in_time  not done by as_of, deadline in force on as_of not passed (or none)
  open_overdue  not done by as_of, deadline in force on as_of before as_of
  cancelled     status cancelled
  no_deadline   among all of the above, those without a deadline (a sub-count, not a sixth state)
  assigned      the sum of the five states
  on_time_rate  done_on_time / (done_on_time + done_late + open_overdue), null when that is 0:
                the share of the tasks whose outcome is decided (finished, or past the deadline
                unfinished) that met their deadline. Open tasks still within their deadline
                are not yet a success or a failure, and cancelled ones never will be.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Sequence

from dtrack.domain.agencies import Registry
from dtrack.domain.model import Directive, Task
from dtrack.domain.states import days_overdue, is_overdue, missed_split
from dtrack.domain.text import fold

STATES = ("done_on_time", "done_late", "open_in_time", "open_overdue", "cancelled")
COUNTS = ("assigned", *STATES, "no_deadline")
GROUPINGS = ("agency", "directive", "month")
LISTED = 12             # missed occurrences of one series listed one by one; the older ones are folded


@dataclass(frozen=True, slots=True)
class Unit:
    """One counted thing: a task, or one occurrence of a recurring task, judged as of a day."""
    directive: Directive
    task: Task
    state: str
    due: date | None            # the deadline it was judged against
    done: date | None
    occurrence: bool = False
    count: int = 1              # > 1: the older missed occurrences of a series, `due` to `through`
    through: date | None = None

    @property
    def ref(self) -> str:
        return self.directive.ref(self.task)

    def days_overdue(self, as_of: date) -> int:
        return days_overdue(self.due, as_of) if self.state == "open_overdue" else 0


@dataclass
class Tally:
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    overdue: list[Unit] = field(default_factory=list)
    formerly: list[str] = field(default_factory=list)      # predecessors whose tasks the row counts

    def note_formerly(self, written_under: dict[str, list[str]]) -> None:
        """Remember the names as written that this row, of the agency in charge, counts under it
        (`written_under`: the agency in charge -> the names as written, of one task: formerly_of)."""
        for written in written_under.get(self.label, ()):
            if written != self.label and written not in self.formerly:
                self.formerly.append(written)

    def add(self, unit: Unit) -> None:
        self.counts[unit.state] += unit.count
        self.counts["assigned"] += unit.count
        if unit.due is None:
            self.counts["no_deadline"] += unit.count
        if unit.state == "open_overdue":
            self.overdue.append(unit)

    @property
    def on_time_rate(self) -> float | None:
        c = self.counts
        decided = c["done_on_time"] + c["done_late"] + c["open_overdue"]
        return round(c["done_on_time"] / decided, 4) if decided else None


@dataclass
class Report:
    by: str
    start: date | None
    end: date | None
    as_of: date
    rows: list[Tally]
    total: Tally
    due_start: date | None = None
    due_end: date | None = None


def formerly_of(registry: Registry, lead: Iterable[str]) -> dict[str, list[str]]:
    """A task's lead names as written, by the agency in charge of each: computed once per task, not
    once per co-lead (5,000 co-leads made that 25 million lookups and `report` 34 s)."""
    out: dict[str, list[str]] = {}
    for name in lead:
        out.setdefault(registry.current(name), []).append(registry.canonical(name))
    return out


def _judge(due_then: date | None, done: date | None, as_of: date, due_now: date | None) -> tuple[str, date | None]:
    if done is not None and done <= as_of:
        return ("done_late" if due_then is not None and done > due_then else "done_on_time"), due_then
    if is_overdue(due_now, as_of):
        return "open_overdue", due_now
    return "open_in_time", due_now


def units(directive: Directive, task: Task, as_of: date, each_missed: bool = False,
          within: tuple[date | None, date | None] = (None, None)) -> list[Unit]:
    """The units a task counts for as of `as_of`. A recurring task counts each recorded occurrence
    (judged by its own deadline and done day) and, while open, the current occurrence; with
    `each_missed` (the report's counts) every occurrence it is behind (those whose deadline is
    `within` the report's deadline period), one unit each up to LISTED, the older ones as one unit
    that counts them. The follow-up letter lists the task once, late since its oldest missed deadline."""
    out: list[Unit] = []
    for occ in task.occurrences if task.every else ():
        state, due = _judge(occ.due, occ.done, as_of, occ.due)
        out.append(Unit(directive, task, state, due, occ.done, occurrence=True))
    if task.status == "cancelled":
        out.append(Unit(directive, task, "cancelled", task.due_on(as_of), None))
        return out
    if task.status == "done":
        if task.every and any(o.done == task.done for o in task.occurrences):
            return out          # the series' last occurrence is already counted
        if task.done is None:
            # No done date (check reports it as an error): given the benefit of the doubt, on time.
            out.append(Unit(directive, task, "done_on_time", task.due_on(as_of), None))
            return out
        state, due = _judge(task.due_on(task.done), task.done, as_of, task.due_on(as_of))
        out.append(Unit(directive, task, state, due, task.done))
        return out
    if each_missed and task.every:
        folded, listed = missed_split(task, as_of, LISTED, within)
        if folded or listed:
            # A series N occurrences behind is N reports not sent, each overdue since its own deadline.
            if folded:
                first, through, count = folded
                out.append(Unit(directive, task, "open_overdue", first, None, True, count, through))
            out += [Unit(directive, task, "open_overdue", due, None, occurrence=True) for due in listed]
            return out
        if within != (None, None) and any(missed_split(task, as_of, 1)):
            return out          # behind, but none of its missed deadlines falls in the period
    state, due = _judge(None, None, as_of, task.due_on(as_of))
    out.append(Unit(directive, task, state, due, None, occurrence=bool(task.every)))
    return out


def _keys(by: str, directive: Directive, task: Task, registry: Registry, written: bool = False) -> list[str]:
    if by == "directive":
        return [directive.number or directive.stem]
    if by == "month":
        return [directive.issued.strftime("%Y-%m")]
    seen, out = set(), []
    lead = task.lead_on(registry.day) if registry.day else task.lead
    for name in lead:                    # co-leads: the task counts for each of them
        canonical = registry.canonical(name) if written else registry.current(name)
        if fold(canonical) not in seen:
            seen.add(fold(canonical))
            out.append(canonical)
    return out


def _due_within(unit: Unit, due_start: date | None, due_end: date | None) -> bool:
    if due_start is None and due_end is None:
        return True
    # A deadline period asks about deadlines: a unit without one falls outside any such period.
    return unit.due is not None and not (due_start and unit.due < due_start) and not (due_end and unit.due > due_end)


def build(directives: Iterable[Directive], registry: Registry, *, as_of: date, start: date | None = None,
          end: date | None = None, by: str = "agency", due_start: date | None = None,
          due_end: date | None = None, written: bool = False) -> Report:
    """Tasks of the directives issued within [start, end] (and by as_of: a task not yet assigned
    that day is not counted), grouped by lead agency, directive or month of issue. The lead agency
    is the one in charge on as_of (reassignments and successions decided by then), or with `written`
    the agency as the directive names it. With a deadline period [due_start, due_end], only the units
    (tasks, occurrences) whose deadline falls in it."""
    registry = registry.as_of(as_of)
    groups: dict[str, Tally] = {}
    total = Tally("total")
    for d in directives:
        if d.issued is None or d.issued > as_of:
            continue
        if (start and d.issued < start) or (end and d.issued > end):
            continue
        for task in d.tasks:
            counted = [u for u in units(d, task, as_of, True, (due_start, due_end)) if _due_within(u, due_start, due_end)]
            if not counted:
                continue
            for unit in counted:
                total.add(unit)
            under = formerly_of(registry, task.lead_on(as_of)) if by == "agency" and not written else {}
            for key in _keys(by, d, task, registry, written):
                tally = groups.setdefault(fold(key), Tally(key))
                if under:
                    tally.note_formerly(under)
                for unit in counted:
                    tally.add(unit)
    if by == "agency":
        rows = sorted(groups.values(), key=lambda x: (-x.counts["assigned"], fold(x.label)))
    else:
        rows = sorted(groups.values(), key=lambda x: x.label)
    return Report(by, start, end, as_of, rows, total, due_start, due_end)


def row_json(tally: Tally, label_key: str) -> dict:
    return {label_key: tally.label, **tally.counts, "on_time_rate": tally.on_time_rate}


def as_json(report: Report) -> dict:
    """The documented interface: {"rows": [{"agency", "assigned", ..., "on_time_rate"}], "total": {...}}.
    With --by directive or month the rows' label key is "directive" or "month" instead of "agency"."""
    total = {k: v for k, v in row_json(report.total, "agency").items() if k != "agency"}
    return {"rows": [row_json(r, report.by) for r in report.rows], "total": total}


def overdue_sorted(units_: Sequence[Unit]) -> list[Unit]:
    return sorted(units_, key=lambda u: (u.due or date.min, u.directive.stem, u.task.n))
