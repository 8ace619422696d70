"""Pure questions about the store, always relative to a `today` the caller passes in."""
from __future__ import annotations

import difflib
from datetime import date
from typing import Iterable, NamedTuple, Sequence

from dtrack.domain.agencies import Registry
from dtrack.errors import NotFoundError, UsageError
from dtrack.i18n import t
from dtrack.domain.model import Directive, Task
from dtrack.domain.labels import RECURRING
from dtrack.domain.recurrence import series_start
from dtrack.domain.states import DEFAULT_WINDOW, missed_count, state_of
from dtrack.domain.text import fold


class Row(NamedTuple):
    """A task as `list` shows it. A named tuple, not a frozen dataclass: `list --all` makes ~37,000
    of them, and a frozen dataclass's __init__ cost 3 µs each (0.1 s)."""
    directive: Directive
    task: Task
    state: str
    days_left: int | None

    @property
    def ref(self) -> str:
        return self.directive.ref(self.task)


def evaluate(task: Task, today: date, window: int = DEFAULT_WINDOW) -> tuple[str, int | None]:
    """The task's state and, for an open task with a deadline, days until it (negative: overdue)."""
    return state_of(task, today, window)


class Listing(NamedTuple):
    """What `list` prints: one line a task for render.lines_table (reference label, due date or None,
    state, days left, lead names, task label), the (path, position) of each line's task for the JSON
    writer (list_tasks(brief=True) only), the summary counts of the open tasks the filters keep, and
    the store's problems."""
    lines: list[tuple]
    tasks: list[tuple[str, int]]
    counts: dict[str, int]
    problems: list
    registry: Registry


def list_tasks(collection, today: date, *, window: int = DEFAULT_WINDOW, scope: str = "due",
               status: str = "open", agency: str | None = None, search: str | None = None,
               brief: bool = False) -> Listing:
    """The tasks `list` shows, from a store.collection.Collection, without building a directive.

    scope: "due" (overdue or due within `window` days), "overdue", or "all".
    status: open | done | cancelled | all (scope narrows open tasks only).
    agency: a name or abbreviation; a task matches on a lead or support agency.
    search: a phrase that occurs in the task text, title or number (case and diacritics ignored).
    brief: lines without the reference, lead and task labels (None), for the JSON writer.
    """
    registry = collection.registry.as_of(today)
    names = None
    if agency:
        in_use = collection.names_in_use()
        keys = agency_keys(agency, registry, in_use)
        names = {a for a in in_use if registry.holds(keys, a)}
    phrase = fold(search) if search else None
    found = collection.tasks(today, window=window, scope=scope, status=status, names=names, phrase=phrase,
                             brief=brief)
    # A state depends on the status and deadline alone, and thousands of tasks share a deadline.
    states: dict[tuple, tuple] = {}

    def state(x) -> tuple:
        key = (x.status, x.due)
        found_state = states.get(key)
        if found_state is None:
            found_state = states[key] = state_of(x, today, window)
        return found_state
    if brief:
        lines = [(None, x.due, *state(x), None, None) for x in found]
    else:
        behind = periods_behind(collection, found, today)
        lines = [(x.ref, x.due, *state(x), x.lead, _behind_label(x.label, behind.get(x.ref))) for x in found]
    counts = collection.counts(today, window=window, names=names, phrase=phrase)
    return Listing(lines, [(x.rel, x.pos) for x in found] if brief else [], counts, collection.problems, registry)


def periods_behind(collection, found, today: date) -> dict[str, int]:
    """ref -> how many occurrences an overdue recurring task has missed, when more than one
    (the rule of states.missed_split). The index rows carry the recurring mark in the label, not
    the series: each series (every, start, until) is a value derived per file and kept in the index,
    so a list of thousands of late series reads them without building a directive."""
    late = [x for x in found if x.status == "open" and x.due is not None and x.due < today
            and x.label.startswith(RECURRING + " ")]
    if not late:
        return {}
    rel_of = collection.rels_of([x.ref.rpartition("#")[0] for x in late])
    wanted = {x.ref: (rel_of.get(x.ref.rpartition("#")[0]), x) for x in late}
    series = collection.derived(SERIES_KIND, series_of, {rel for rel, _ in wanted.values() if rel})
    out = {}
    for ref, (rel, x) in wanted.items():
        one = series.get(rel, {}).get(int(ref.rpartition("#")[2])) if rel else None
        if one is not None and (missed := missed_count(x.due, today, *one)) > 1:
            out[ref] = missed
    return out


SERIES_KIND = "series"


def series_of(directive: Directive) -> dict[int, tuple]:
    """n -> (every, series start, until) of each recurring task of a directive (kept in the index)."""
    return {x.n: (x.every, series_start(x), x.until) for x in directive.tasks if x.every}


def _behind_label(label: str, missed: int | None) -> str:
    if not missed:
        return label
    return f"{RECURRING} ({t('{n} periods overdue', n=missed)}) {label[len(RECURRING) + 1:]}"


def find_directive(collection, key: str):
    """resolve_directive against every directive of a store.collection.Collection, reading only their
    heads: any exact or prefix match starts with the folded key, so it resolves among those, and
    among all only for the error message's suggestions."""
    return resolve_directive(collection.heads(fold(key.strip())) or collection.heads(), key)


def store_for(collection, refs: Sequence[str]):
    """A Store of only the directives that `refs` name, resolved as resolve_task does against every
    directive of the collection: for commands that change a few tasks. Problems and registry are the
    whole store's. Stops at the first reference without a task number (the command reports it)."""
    chosen: set[str] = set()
    for ref in refs:
        key, n = parse_ref(ref)
        if n is None:
            break
        chosen.add(find_directive(collection, key).path)
    return collection.store(chosen)


def agency_filter(query: str, registry: Registry, directives: Sequence[Directive]) -> set[str]:
    in_use = {a for d in directives for task in d.tasks for a in (*task.lead, *task.support)}
    return agency_keys(query, registry, in_use)


def agency_keys(query: str, registry: Registry, in_use: Iterable[str]) -> set[str]:
    """agency_filter for callers that know the agency names in use without the directives
    (export-ics reads them from its cache)."""
    in_use = set(in_use)
    keys = registry.match(query, in_use)
    if not keys:
        close = registry.suggestions(query, in_use)
        hint = t("Did you mean: {names}?", names=", ".join(close)) if close else \
            t("The agencies are listed in agencies.yaml of the store.")
        raise UsageError(t("no agency matches '{query}'", query=query), hint=hint)
    return keys


# ---------------------------------------------------------------------------- references

def _directive_matches(directives: Sequence[Directive], key: str) -> list[Directive]:
    k = fold(key)
    exact = [d for d in directives if k in (fold(d.stem), fold(d.number))]
    if exact:
        return exact
    return [d for d in directives if fold(d.stem).startswith(k) or (d.number and fold(d.number).startswith(k))]


def resolve_directive(directives: Sequence[Directive], key: str) -> Directive:
    key = key.strip()
    if not key:
        raise UsageError(t("empty reference"), hint=t("A reference looks like 1502-UBND-KGVX#2 or 1502#2."))
    found = _directive_matches(directives, key)
    if len(found) == 1:
        return found[0]
    if not found:
        close = difflib.get_close_matches(fold(key), [fold(d.stem) for d in directives], n=3, cutoff=0.5)
        hint = t("Did you mean: {names}?", names=", ".join(close)) if close else \
            t("'dtrack list --all' shows every reference.")
        raise NotFoundError(t("no directive matches '{key}'", key=key), hint=hint)
    names = ", ".join(sorted(d.stem for d in found)[:8]) + (" …" if len(found) > 8 else "")
    raise NotFoundError(t("'{key}' matches {count} directives: {names}", key=key, count=len(found), names=names),
                        hint=t("Type more of the number or the file name."))


def parse_ref(ref: str) -> tuple[str, int | None]:
    if "#" not in ref:
        return ref, None
    key, _, n = ref.rpartition("#")
    if not n.strip().isdecimal() or len(n.strip()) > 9:      # int() refuses 4,300+ digits and "²"
        raise UsageError(t("'{ref}': the part after '#' must be a task number", ref=ref),
                         hint=t("A reference looks like 1502-UBND-KGVX#2 or 1502#2."))
    return key, int(n)


def resolve_task(directives: Sequence[Directive], ref: str) -> tuple[Directive, Task]:
    key, n = parse_ref(ref)
    if n is None:
        raise UsageError(t("'{ref}' names a directive, not a task", ref=ref),
                         hint=t("Add the task number: {ref}#1.", ref=ref))
    directive = resolve_directive(directives, key)
    task = directive.task(n)
    if task is None:
        numbers = ", ".join(str(x.n) for x in directive.tasks) or "-"
        raise NotFoundError(t("{stem} has no task {n} (its tasks: {numbers})", stem=directive.stem, n=n,
                              numbers=numbers))
    return directive, task
