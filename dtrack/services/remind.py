"""`dtrack remind`: which overdue tasks (and occurrences) a follow-up letter ("công văn đôn đốc")
to an agency lists, judged as `report` judges them, and, when asked, the open tasks coming due
within a window. The letter itself is drawn by output/letters.py (Markdown) or output/docx_letter.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from dtrack.domain.agencies import Registry
from dtrack.domain.model import Directive
from dtrack.domain.states import days_left
from dtrack.services.report import Unit, units
from dtrack.domain.text import fold, one_line


@dataclass(frozen=True, slots=True)
class Overdue:
    unit: Unit
    original: date | None
    current: date | None
    days: int                   # days late; for a task coming due (soon=True), days left
    soon: bool = False


def overdue_for(directives: Iterable[Directive], keys: set[str], registry: Registry, as_of: date,
                within: int | None = None) -> list[Overdue]:
    """The open overdue tasks (and occurrences) the agency leads, oldest deadline first; with
    `within`, then the open ones due in at most that many days, nearest first."""
    today = registry.as_of(as_of)
    out = []
    for d in directives:
        for task in d.tasks:
            # The lead in charge that day: reassignments, and successors of merged agencies.
            if any(today.holds(keys, a) for a in task.lead_on(as_of)):
                out.extend(_items(d, task, as_of, within))
    return _sorted(out)


def every_agency(directives: Iterable[Directive], registry: Registry, as_of: date,
                 within: int | None = None) -> dict[str, list[Overdue]]:
    """`remind --all`: each lead agency that has something to be reminded of, by the canonical name
    of the agency in charge on `as_of` (a task with co-leads is in each co-lead's letter), the
    agencies in name order."""
    today = registry.as_of(as_of)
    out: dict[str, list[Overdue]] = {}
    names: dict[str, str] = {}
    for d in directives:
        for task in d.tasks:
            items = _items(d, task, as_of, within)
            for name in task.lead_on(as_of) if items else ():
                canonical = today.current(name)
                key = names.setdefault(fold(canonical), canonical)
                if items[0] not in out.get(key, ()):       # a lead named twice gets the task once
                    out.setdefault(key, []).extend(items)
    return {name: _sorted(out[name]) for name in sorted(out, key=fold)}


def _sorted(items: list[Overdue]) -> list[Overdue]:
    return sorted(items, key=lambda o: (o.soon, o.current or date.min, o.unit.directive.stem, o.unit.task.n))


def _items(d: Directive, task, as_of: date, within: int | None) -> list[Overdue]:
    out = []
    for u in units(d, task, as_of):
        original = u.due if u.occurrence else task.original_due
        if u.state == "open_overdue":
            out.append(Overdue(u, original, u.due, u.days_overdue(as_of)))
        elif within is not None and u.state == "open_in_time" and u.due is not None \
                and days_left(u.due, as_of) <= within:
            out.append(Overdue(u, original, u.due, days_left(u.due, as_of), soon=True))
    return out


def agency_label(keys: set[str], registry: Registry, query: str) -> str:
    for agency in registry.agencies:
        if fold(agency.name) in keys:
            return agency.name
    return one_line(query)


def supporters(items: Iterable[Overdue], registry: Registry, lead_keys: set[str]) -> list[str]:
    """The supporting agencies of the letter's tasks (the "đồng gửi" of the letter), in first-seen order."""
    seen, out = set(lead_keys), []
    for o in items:
        for name in o.unit.task.support:
            canonical = registry.canonical(name)
            if fold(canonical) not in seen:
                seen.add(fold(canonical))
                out.append(canonical)
    return out
