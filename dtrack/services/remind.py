"""`dtrack remind`: which overdue tasks (and occurrences) a follow-up letter ("công văn đôn đốc")
to an agency lists, judged as `report` judges them. The letter itself is drawn by output/letters.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from dtrack.domain.agencies import Registry
from dtrack.domain.model import Directive
from dtrack.services.report import Unit, units
from dtrack.domain.text import fold, one_line


@dataclass(frozen=True, slots=True)
class Overdue:
    unit: Unit
    original: date | None
    current: date | None
    days: int


def overdue_for(directives: Iterable[Directive], keys: set[str], registry: Registry, as_of: date) -> list[Overdue]:
    """The open overdue tasks (and occurrences) the agency leads, oldest deadline first."""
    out = []
    for d in directives:
        for task in d.tasks:
            if not any(registry.as_of(as_of).holds(keys, a) for a in task.lead):
                continue
            for u in units(d, task, as_of):
                if u.state == "open_overdue":
                    original = u.due if u.occurrence else task.original_due
                    out.append(Overdue(u, original, u.due, u.days_overdue(as_of)))
    out.sort(key=lambda o: (o.current or date.min, o.unit.directive.stem, o.unit.task.n))
    return out


def agency_label(keys: set[str], registry: Registry, query: str) -> str:
    for agency in registry.agencies:
        if fold(agency.name) in keys:
            return agency.name
    return one_line(query)
