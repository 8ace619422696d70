"""Pure questions about the store, always relative to a `today` the caller passes in."""
from __future__ import annotations

import difflib
from datetime import date
from typing import Iterable, Iterator, NamedTuple, Sequence

from dtrack.domain.agencies import Registry
from dtrack.errors import NotFoundError, UsageError
from dtrack.i18n import t
from dtrack.domain.model import Directive, Task
from dtrack.domain.states import DEFAULT_WINDOW, state_of
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


def _sort_key(row: Row) -> tuple:
    return (row.task.due is None, row.task.due or date.min, row.directive.stem, row.task.n)


def _matching(directives: Iterable[Directive], today: date, window: int, status: str, agencies: set[str] | None,
              registry: Registry | None, search: str | None) -> Iterator[tuple[Directive, Task, str, int | None]]:
    """(directive, task, state, days left) of every task that passes the status, agency and search filters."""
    registry = registry or Registry()
    phrase = fold(search) if search else ""
    for d in directives:
        haystack_d = None
        for task in d.tasks:
            if status != "all" and task.status != status:
                continue
            if agencies is not None and not any(
                    fold(registry.canonical(a)) in agencies for a in (*task.lead, *task.support)):
                continue
            if phrase:
                if haystack_d is None:
                    haystack_d = fold(f"{d.title} {d.number} {d.stem}")
                if phrase not in haystack_d and phrase not in fold(task.text):
                    continue
            yield (d, task, *evaluate(task, today, window))


def select(directives: Iterable[Directive], today: date, *, window: int = DEFAULT_WINDOW,
           scope: str = "due", status: str = "open", agencies: set[str] | None = None,
           registry: Registry | None = None, search: str | None = None) -> list[Row]:
    """Tasks for `list`.

    scope: "due" (overdue or due within `window` days), "overdue", or "all".
    status: open | done | cancelled | all (scope narrows open tasks only).
    agencies: folded canonical names; a task matches on a lead or support agency.
    search: a phrase that occurs in the task text, title or number (case and diacritics ignored).
    """
    rows = []
    make = Row._make
    for found in _matching(directives, today, window, status, agencies, registry, search):
        if found[1].status == "open":
            state = found[2]
            if scope == "overdue" and state != "overdue":
                continue
            if scope == "due" and state not in ("overdue", "due-soon"):
                continue
        rows.append(make(found))
    rows.sort(key=_sort_key)
    return rows


def summary(rows: Sequence[Row]) -> dict[str, int]:
    counts = {"overdue": 0, "due-soon": 0, "open": 0}
    for row in rows:
        if row.task.status == "open":
            counts["open"] += 1
            if row.state in ("overdue", "due-soon"):
                counts[row.state] += 1
    return counts


def open_summary(directives: Iterable[Directive], today: date, *, window: int = DEFAULT_WINDOW,
                 agencies: set[str] | None = None, registry: Registry | None = None,
                 search: str | None = None) -> dict[str, int]:
    """summary() of every open task the filters keep, without building their rows."""
    counts = {"overdue": 0, "due-soon": 0, "open": 0}
    for _d, _task, state, _left in _matching(directives, today, window, "open", agencies, registry, search):
        counts["open"] += 1
        if state in ("overdue", "due-soon"):
            counts[state] += 1
    return counts


def select_index(index, today: date, *, window: int = DEFAULT_WINDOW, scope: str = "due",
                 agencies: set[str] | None = None, registry: Registry | None = None) -> tuple[list[tuple], dict]:
    """select() and open_summary() of open tasks from the parse cache's index (cache.Index), without
    building directives: (table lines for render.lines_table, summary counts)."""
    from dtrack.store.cache import NO_DUE
    from dtrack.domain.labels import clean, ref_label
    from dtrack.store.files import SUFFIX
    picked, counts = picks_index(index, today, window=window, scope=scope, agencies=agencies, registry=registry)
    t0 = today.toordinal()
    due = index.due
    stems: dict[str, str] = {}
    clean_stem: dict[str, bool] = {}
    days: dict[int, date] = {}
    lines = []
    rels, ns, labels, leads = index.rel, index.n, index.labels, index.lead
    for i in picked:
        rel = rels[i]
        stem = stems.get(rel)
        if stem is None:
            stem = stems[rel] = rel.rsplit("/", 1)[-1][: -len(SUFFIX)]
        # A stem that cleaning leaves as it is (nearly all) gives the reference label by concatenation.
        ref = f"{stem}#{ns[i]}" if clean_stem.get(stem) or clean_stem.setdefault(
            stem, clean(stem) == stem == stem.strip()) else ref_label(stem, ns[i])
        o = due[i]
        if o == NO_DUE:
            lines.append((ref, None, "no-deadline", None, leads[i], labels[i]))
            continue
        day = days.get(o)
        if day is None:
            day = days[o] = date.fromordinal(o)
        left = o - t0
        state = "overdue" if left < 0 else ("due-soon" if left <= window else "upcoming")
        lines.append((ref, day, state, left, leads[i], labels[i]))
    return lines, counts


def picks_index(index, today: date, *, window: int = DEFAULT_WINDOW, scope: str = "due",
                agencies: set[str] | None = None, registry: Registry | None = None) -> tuple[Sequence[int], dict]:
    """(positions in the index's open-task columns of the tasks select() would give, in its order;
    the summary counts). The index keeps the open tasks sorted as select() sorts them, so a window
    is a prefix found by bisection."""
    from bisect import bisect_left, bisect_right
    due = index.due
    t0 = today.toordinal()
    if agencies is None:
        overdue, soon = bisect_left(due, t0), bisect_right(due, t0 + window)
        counts = {"overdue": overdue, "due-soon": soon - overdue, "open": len(due)}
        stop = {"overdue": overdue, "due": soon}.get(scope, len(due))
        picked = range(stop)
    else:
        registry = registry or Registry()
        keep: dict = {}
        picked = []
        counts = {"overdue": 0, "due-soon": 0, "open": 0}
        for i, (lead, support) in enumerate(zip(index.lead, index.support)):
            ok = keep.get((lead, support))
            if ok is None:
                ok = keep[(lead, support)] = any(fold(registry.canonical(a)) in agencies for a in (*lead, *support))
            if not ok:
                continue
            counts["open"] += 1
            o = due[i]
            if o < t0:
                counts["overdue"] += 1
            elif o <= t0 + window:
                counts["due-soon"] += 1
            if scope == "all" or o <= t0 + window and (scope == "due" or o < t0):
                picked.append(i)
    return picked, counts


def json_parts_of(directive: Directive, parts=None) -> dict[int, tuple[str, str]] | None:
    """n -> (pre, post) of the directive's open tasks (json_parts_writer), made safe for a terminal
    (text.json_safe: it changes single characters, so the pieces can be made safe apart); None
    when two open tasks share a number or a value has a type the model does not give."""
    from dtrack.domain.text import json_safe
    parts = parts or json_parts_writer()
    out: dict[int, tuple[str, str]] = {}
    try:
        for task in directive.tasks:
            if task.status == "open":
                if task.n in out:
                    return None
                pre, post = parts(directive, task)
                out[task.n] = (json_safe(pre), json_safe(post))
    except (TypeError, AttributeError):
        return None
    return out


def json_text_index(index, picked: Sequence[int], parts: dict, today: date,
                    window: int = DEFAULT_WINDOW) -> str | None:
    """The text of print_json_text(as_json_text(rows)) for the open tasks at `picked` in the index
    (picks_index), from their cached pieces (`parts`: rel -> json_parts_of): only `state` and
    `days_left` are written here. None when a task has no pieces."""
    from dtrack.store.cache import NO_DUE
    t0 = today.toordinal()
    due, rels, ns = index.due, index.rel, index.n
    texts = {s: value_text_of(s) + _DAYS_LEFT for s in ("overdue", "due-soon", "upcoming", "no-deadline")}
    overdue, soon, upcoming = texts["overdue"], texts["due-soon"], texts["upcoming"]
    none = texts["no-deadline"] + "null"
    out = []
    try:
        for i in picked:
            pre, post = parts[rels[i]][ns[i]]
            o = due[i]
            if o == NO_DUE:
                out.append(pre + none + post)
                continue
            left = o - t0
            out.append(f'{pre}{overdue if left < 0 else (soon if left <= window else upcoming)}{left}{post}')
    except (KeyError, TypeError):
        return None
    return "[\n  " + ",\n  ".join(out) + "\n]" if out else "[]"


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


def as_json(row: Row) -> dict:
    """The documented JSON object of a task (docs/format.md, 'JSON output')."""
    d, task = row.directive, row.task
    return {
        "ref": row.ref, "directive": d.stem, "number": d.number, "n": task.n, "title": d.title,
        "kind": d.kind, "issuer": d.issuer, "issued": d.issued.isoformat() if d.issued else None,
        "text": task.text, "lead": list(task.lead), "support": list(task.support),
        "due": task.due.isoformat() if task.due else None, "due_text": task.due_text,
        "status": task.status, "done": task.done.isoformat() if task.done else None,
        "note": task.note, "state": row.state, "days_left": row.days_left, "path": d.path,
        "every": task.every, "until": _iso(task.until), "original_due": _iso(task.original_due),
        "extensions": _extensions(task), "occurrences": _occurrences(task), "cancelled": _cancelled(task),
    }


def _extensions(task: Task) -> list[dict]:
    return [{"from": _iso(e.from_), "to": _iso(e.to), "on": _iso(e.on), "by": e.by, "reason": e.reason}
            for e in task.extensions]


def _occurrences(task: Task) -> list[dict]:
    return [{"due": _iso(o.due), "done": _iso(o.done)} for o in task.occurrences]


def _cancelled(task: Task) -> dict | None:
    return None if task.cancelled is None else {
        "on": _iso(task.cancelled.on), "by": task.cancelled.by, "reason": task.cancelled.reason}


def as_json_text(rows: Sequence[Row]) -> str:
    """jsonout.dumps([as_json(row) for row in rows]), byte for byte, without building the objects:
    `list --all --json` writes ~37,000 of them. A directive's own keys are encoded once for all its
    tasks; agency lists and days once for all. The key order is as_json's (a test compares both on
    every kind of value). Values of a type the model does not give (the C escaper refuses them)
    send the rows the general way."""
    from dtrack.output.jsonout import dumps
    try:
        return _json_text(rows)
    except (TypeError, AttributeError):
        return dumps([as_json(r) for r in rows])


_DAYS_LEFT = ',\n    "days_left": '


def _json_text(rows: Sequence[Row]) -> str:
    if not rows:
        return "[]"
    parts = json_parts_writer()
    states: dict = {}
    out = []
    for row in rows:
        pre, post = parts(row.directive, row.task)
        state, left = row.state, row.days_left
        state_text = states.get(state)
        if state_text is None:
            state_text = states[state] = value_text_of(state)
        out.append(f'{pre}{state_text}{_DAYS_LEFT}{"null" if left is None else int.__repr__(left)}{post}')
    return "[\n  " + ",\n  ".join(out) + "\n]"


def value_text_of(value) -> str:
    from dtrack.output.jsonout import value_text
    return value_text(value, "\n    ")


def json_parts_writer():
    """A function (directive, task) -> (pre, post): the task's object in the JSON list as as_json and
    jsonout.dumps write it, without its `state` and `days_left`, which depend on today: pre ends with
    '"state": ', post begins after the days_left value. It raises TypeError on a value of a type the
    model does not give. It remembers what repeats (a directive's keys, agency lists, days)."""
    from json.encoder import encode_basestring as e
    from dtrack.output.jsonout import value_text
    nl = "\n    "
    deeper = "\n      "
    sep = "," + deeper
    heads: dict[int, tuple[str, str, str, str]] = {}
    texts: dict = {}
    days: dict = {}
    shapes: dict = {}

    # Agency lists and days repeat across thousands of tasks: each is encoded once.
    def names(agencies: tuple) -> str:
        text = texts.get(agencies)
        if text is None:
            text = texts[agencies] = "[" + deeper + sep.join(map(e, agencies)) + nl + "]" if agencies else "[]"
        return text

    def day(value: date | None) -> str:
        text = days.get(value)
        if text is None:
            text = days[value] = "null" if value is None else '"' + value.isoformat() + '"'
        return text

    def parts(d: Directive, task: Task) -> tuple[str, str]:
        head = heads.get(id(d))
        if head is None:
            stem = e(d.stem)
            issued = "null" if d.issued is None else '"' + d.issued.isoformat() + '"'
            number = "null" if d.number is None else e(d.number)
            # '#' and digits need no escaping: the reference is the encoded stem with "#n" spliced in.
            head = heads[id(d)] = (
                f'{{{nl}"ref": {stem[:-1]}#',
                f'",{nl}"directive": {stem},{nl}"number": {number},{nl}"n": ',
                f',{nl}"title": {value_text(d.title, nl)},{nl}"kind": {value_text(d.kind, nl)},'
                f'{nl}"issuer": {value_text(d.issuer, nl)},{nl}"issued": {issued},{nl}"text": ',
                f',{nl}"path": {e(d.path)},{nl}"every": ')
        n = task.n
        if type(n) is not int:
            raise TypeError(n)
        due, x = task.due, task.extensions
        lead_text, support_text, due_text = names(task.lead), names(task.support), day(due)
        status = task.status
        status_text = texts.get(status)
        if status_text is None:
            status_text = texts[status] = e(status)
        every, note, written = task.every, task.note, task.due_text
        return (
            f'{head[0]}{n}{head[1]}{n}{head[2]}{e(task.text)},{nl}"lead": {lead_text},{nl}"support": {support_text},'
            f'{nl}"due": {due_text},{nl}"due_text": {"null" if written is None else e(written)},'
            f'{nl}"status": {status_text},{nl}"done": {day(task.done)},{nl}"note": {"null" if note is None else e(note)},'
            f'{nl}"state": ',
            f'{head[3]}{"null" if every is None else e(every)},{nl}"until": {day(task.until)},'
            f'{nl}"original_due": {value_text(_iso(task.original_due), nl) if x else due_text},'
            f'{nl}"extensions": {value_text(_extensions(task), nl, "  ", shapes) if x else "[]"},'
            f'{nl}"occurrences": {value_text(_occurrences(task), nl, "  ", shapes) if task.occurrences else "[]"},'
            f'{nl}"cancelled": {"null" if task.cancelled is None else value_text(_cancelled(task), nl, "  ", shapes)}'
            '\n  }')
    return parts


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
