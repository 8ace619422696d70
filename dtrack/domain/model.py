"""The domain: directives, their tasks and the states a task can be in.

Pure: no files, no clock. `directive_from_data` turns one parsed YAML document into a
Directive or reports what is wrong, each problem with the key path it concerns so the
store can point at the file's line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dtrack.errors import UsageError
from dtrack.i18n import t
from dtrack.domain.records import Cancellation, Extension, Occurrence, Reassignment
from dtrack.domain.recurrence import parse_every
from dtrack.domain.text import nfc

KINDS = ("thong-bao", "cong-van", "ke-hoach", "quyet-dinh", "chi-thi", "khac")
STATUSES = ("open", "done", "cancelled")

DIRECTIVE_KEYS = ("number", "kind", "issuer", "issued", "signer", "title", "source", "source_hash", "tasks")
TASK_KEYS = ("n", "text", "lead", "support", "due", "due_text", "status", "done", "note",
             "extensions", "every", "until", "occurrences", "cancelled", "reassigned", "import_notes")

Path_ = tuple  # a path of keys/indexes into the YAML document, e.g. ("tasks", 2, "due")

MAX_TASK_N = 99_999      # task numbers: a directive has tens of tasks; anything larger is a typo
MAX_TASKS = 2_000        # tasks in one file: a directive has tens; past this every command on the file slows down
MAX_AGENCIES = 200       # names in one task's lead or support: each is a row of a report, a letter, a lookup
MAX_NESTING = 20         # levels inside a key dtrack keeps but does not know (the cache and exports walk it)


@dataclass(slots=True)
class Task:
    n: int
    text: str
    lead: tuple[str, ...]
    support: tuple[str, ...] = ()
    due: date | None = None
    due_text: str | None = None
    status: str = "open"
    done: date | None = None
    note: str | None = None
    index: int = 0                      # position in the file's task list
    extra: dict[str, Any] = field(default_factory=dict)
    extensions: tuple[Extension, ...] = ()
    every: str | None = None            # recurrence, e.g. "2 weeks", "1 month"
    until: date | None = None
    occurrences: tuple[Occurrence, ...] = ()
    cancelled: Cancellation | None = None
    reassigned: tuple[Reassignment, ...] = ()
    import_notes: tuple[str, ...] = ()  # what `import` inferred and the clerk should verify

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def original_due(self) -> date | None:
        """The deadline as first assigned, before any extension."""
        if self.extensions and self.extensions[0].from_ is not None:
            return self.extensions[0].from_
        return self.due

    def due_on(self, day: date) -> date | None:
        """The deadline in force on `day`: extensions decided after that day do not count yet."""
        if not self.extensions:
            return self.due
        due = self.original_due
        for ext in self.extensions:
            if ext.on is None or ext.on <= day:
                due = ext.to
        return due


    def lead_on(self, day: date) -> tuple[str, ...]:
        """The lead in charge on `day`: reassignments decided after that day do not count yet."""
        if not self.reassigned:
            return self.lead
        lead = self.reassigned[0].from_ or self.lead
        for r in self.reassigned:
            if r.on is None or r.on <= day:
                lead = r.to
        return lead


@dataclass(slots=True)
class Directive:
    stem: str
    path: str                           # relative to the store root, with '/' separators
    number: str
    kind: str
    issuer: str
    issued: date
    title: str
    tasks: list[Task]
    signer: str | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    source_hash: str | None = None      # the imported text's fingerprint: a re-import finds this file

    def ref(self, task: Task) -> str:
        return f"{self.stem}#{task.n}"

    def task(self, n: int) -> Task | None:
        for task in self.tasks:
            if task.n == n:
                return task
        return None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a document, located by key path; the store turns it into path:line."""
    message: str
    where: Path_ = ()
    severity: str = "error"             # "error" skips the file, "warning" does not


class InvalidDirective(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].message)
        self.problems = problems


def _shown(value: Any) -> str:
    """A found value in a message, cut short: a 5,000-digit "number" must not fill the screen."""
    s = repr(value)
    return s if len(s) <= 30 else s[:30] + "…"


def _check_nesting(extra: dict, where: Path_, problems: list[Problem]) -> None:
    """Unknown keys are kept as they are, so their values must stay shallow: the cache, JSON and
    comparisons walk them recursively. Iterative, so that the check itself cannot overflow."""
    stack = [(value, 1, key) for key, value in extra.items()]
    while stack:
        value, depth, key = stack.pop()
        if depth > MAX_NESTING:
            problems.append(Problem(t("{key} is nested more than {n} levels deep; a directive file does not "
                                      "need that: flatten it", key=key, n=MAX_NESTING), where + (key,)))
            return
        if isinstance(value, dict):
            stack.extend((v, depth + 1, key) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, key) for v in value)


def _as_date(value: Any, where: Path_, problems: list[Problem], key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(Problem(t("{key}: '{value}' is not a date; write it as YYYY-MM-DD (2024-07-23)",
                              key=key, value=value), where))
    return None


def _as_text(value: Any, where: Path_, problems: list[Problem], key: str, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            problems.append(Problem(t("'{key}' is missing; add it", key=key), where[:-1] or where))
        return None if value is None else ""
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        problems.append(Problem(t("{key} must be text", key=key), where))
        return None
    return nfc(str(value))


def _as_agencies(value: Any, where: Path_, problems: list[Problem], key: str, required: bool) -> tuple[str, ...]:
    if value is None or value == [] or value == "":
        if required:
            problems.append(Problem(t("'{key}' is missing; name the agency", key=key), where[:-1]))
        return ()
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_AGENCIES:
        # 5,000 co-leads in one task made `report` 34 s and its .docx 57 s (a row per agency).
        problems.append(Problem(t("{key} names {count} agencies; a task names at most {max}: name the group "
                                  "instead (for example 'UBND các xã, phường')", key=key, count=len(items),
                                  max=MAX_AGENCIES), where + (MAX_AGENCIES,)))
        return ()
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            problems.append(Problem(t("{key} must be an agency name or a list of names", key=key),
                                    where + ((i,) if isinstance(value, list) else ())))
            continue
        out.append(nfc(item.strip()))
    return tuple(out)


def task_from_data(data: Any, index: int, problems: list[Problem]) -> Task | None:
    where: Path_ = ("tasks", index)
    if not isinstance(data, dict):
        problems.append(Problem(t("a task must be a mapping with n, text, lead, status"), where))
        return None
    start = len(problems)
    n = data.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_TASK_N:
        problems.append(Problem(t("task n must be a whole number from 1 to {max} (found {value})",
                                  max=MAX_TASK_N, value=_shown(n)), where + (("n",) if "n" in data else ())))
    text = _as_text(data.get("text"), where + ("text",), problems, "text", True)
    lead = _as_agencies(data.get("lead"), where + ("lead",), problems, "lead", True)
    support = _as_agencies(data.get("support"), where + ("support",), problems, "support", False)
    due = _as_date(data.get("due"), where + ("due",), problems, "due")
    done = _as_date(data.get("done"), where + ("done",), problems, "done")
    due_text = _as_text(data.get("due_text"), where + ("due_text",), problems, "due_text", False)
    note = _as_text(data.get("note"), where + ("note",), problems, "note", False)
    status = data.get("status", "open")
    if status not in STATUSES:
        problems.append(Problem(t("status must be one of {allowed} (found {value!r})",
                                  allowed=", ".join(STATUSES), value=status), where + ("status",)))
    elif status == "done" and done is None and "done" not in data:
        problems.append(Problem(t("task {n} is done but has no 'done:' date; add the day it was done",
                                  n=n), where + ("status",), "warning"))
    extensions = _extensions(data.get("extensions"), where + ("extensions",), problems)
    every = _as_text(data.get("every"), where + ("every",), problems, "every", False)
    until = _as_date(data.get("until"), where + ("until",), problems, "until")
    occurrences = _occurrences(data.get("occurrences"), where + ("occurrences",), problems)
    if every is not None:
        _check_every(every, due, where, problems)
    cancelled = _cancellation(data.get("cancelled"), where + ("cancelled",), problems)
    if cancelled is not None and status != "cancelled":
        problems.append(Problem(t("task {n} has a 'cancelled:' record but its status is {status}; remove the "
                                  "record or set status: cancelled", n=n, status=status), where + ("cancelled",),
                                "warning"))
    reassigned = _reassignments(data.get("reassigned"), where + ("reassigned",), problems)
    import_notes = _import_notes(data.get("import_notes"), where + ("import_notes",), problems)
    extra = {k: v for k, v in data.items() if k not in TASK_KEYS}
    _check_nesting(extra, where, problems)
    if any(p.severity == "error" for p in problems[start:]):
        return None
    return Task(n=n, text=text or "", lead=lead, support=support, due=due, due_text=due_text,
                status=status, done=done, note=note, index=index, extra=extra, extensions=extensions,
                every=every, until=until, occurrences=occurrences, cancelled=cancelled,
                reassigned=reassigned, import_notes=import_notes)


def _import_notes(value: Any, where: Path_, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        if isinstance(item, (dict, list)) or item is None:
            # A malformed note is the clerk's to mend; it must not make the task unusable.
            at = where + ((i,) if isinstance(value, list) else ())
            problems.append(Problem(t("import_notes must be a list of texts"), at, "warning"))
            continue
        out.append(nfc(str(item).strip()))
    return tuple(out)


def _check_every(every: str, due: date | None, where: Path_, problems: list[Problem]) -> None:
    try:
        parse_every(every)
    except UsageError as e:
        problems.append(Problem(f"every: {e.message}. {e.hint or ''}".strip(), where + ("every",)))
        return
    if due is None:
        problems.append(Problem(t("a recurring task needs 'due:', the date of its next occurrence"),
                                where + ("every",)))


def _cancellation(value: Any, where: Path_, problems: list[Problem]) -> Cancellation | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(Problem(t("cancelled must be a mapping with on, by, reason"), where))
        return None
    return Cancellation(on=_as_date(_on(value), where + ("on",), problems, "on"),
                        by=_as_text(value.get("by"), where + ("by",), problems, "by", False),
                        reason=_as_text(value.get("reason"), where + ("reason",), problems, "reason", False))


def _records(value: Any, where: Path_, problems: list[Problem], key: str) -> list[tuple[int, dict]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        problems.append(Problem(t("{key} must be a list of mappings", key=key), where))
        return []
    return list(enumerate(value))


def _on(item: dict) -> Any:
    # YAML 1.1 (PyYAML) reads an unquoted `on:` key as the boolean true: accept both spellings.
    return item["on"] if "on" in item else item.get(True)


def _extensions(value: Any, where: Path_, problems: list[Problem]) -> tuple[Extension, ...]:
    out = []
    for i, item in _records(value, where, problems, "extensions"):
        at = where + (i,)
        to = _as_date(item.get("to"), at + ("to",), problems, "to")
        if to is None:
            if "to" not in item:
                problems.append(Problem(t("an extension needs 'to:', the new deadline"), at))
            continue
        out.append(Extension(to=to, from_=_as_date(item.get("from"), at + ("from",), problems, "from"),
                             on=_as_date(_on(item), at + ("on",), problems, "on"),
                             by=_as_text(item.get("by"), at + ("by",), problems, "by", False),
                             reason=_as_text(item.get("reason"), at + ("reason",), problems, "reason", False)))
    return tuple(out)


def _reassignments(value: Any, where: Path_, problems: list[Problem]) -> tuple[Reassignment, ...]:
    out = []
    for i, item in _records(value, where, problems, "reassigned"):
        at = where + (i,)
        to = _as_agencies(item.get("to"), at + ("to",), problems, "to", True)
        if not to:
            continue
        out.append(Reassignment(to=to, from_=_as_agencies(item.get("from"), at + ("from",), problems, "from", False),
                                on=_as_date(_on(item), at + ("on",), problems, "on"),
                                by=_as_text(item.get("by"), at + ("by",), problems, "by", False),
                                reason=_as_text(item.get("reason"), at + ("reason",), problems, "reason", False)))
    return tuple(out)


def _occurrences(value: Any, where: Path_, problems: list[Problem]) -> tuple[Occurrence, ...]:
    out = []
    for i, item in _records(value, where, problems, "occurrences"):
        at = where + (i,)
        due = _as_date(item.get("due"), at + ("due",), problems, "due")
        if due is None:
            if "due" not in item:
                problems.append(Problem(t("an occurrence needs 'due:', the deadline it satisfied"), at))
            continue
        out.append(Occurrence(due=due, done=_as_date(item.get("done"), at + ("done",), problems, "done"),
                              note=_as_text(item.get("note"), at + ("note",), problems, "note", False),
                              by=_as_text(item.get("by"), at + ("by",), problems, "by", False)))
    return tuple(out)


def directive_from_data(data: Any, stem: str, path: str) -> tuple[Directive, list[Problem]]:
    """Build a Directive; raise InvalidDirective when it cannot be used (warnings are returned)."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InvalidDirective([Problem(t("not a directive: the file must be a mapping with number, kind, "
                                          "issuer, issued, title and tasks"))])
    number = data.get("number")
    number = "" if number is None else nfc(str(number)).strip()
    kind = data.get("kind")
    if kind not in KINDS:
        problems.append(Problem(t("kind must be one of {allowed} (found {value!r})",
                                  allowed=", ".join(KINDS), value=kind), ("kind",) if "kind" in data else ()))
    issuer = _as_text(data.get("issuer"), ("issuer",), problems, "issuer", True)
    title = _as_text(data.get("title"), ("title",), problems, "title", True)
    if "issued" not in data:
        problems.append(Problem(t("'issued' is missing; add the date the document was issued")))
    issued = _as_date(data.get("issued"), ("issued",), problems, "issued")
    signer = _as_text(data.get("signer"), ("signer",), problems, "signer", False)
    source = _as_text(data.get("source"), ("source",), problems, "source", False)
    source_hash = _as_text(data.get("source_hash"), ("source_hash",), problems, "source_hash", False)
    raw_tasks = data.get("tasks")
    tasks: list[Task] = []
    if raw_tasks is None:
        raw_tasks = []
    if not isinstance(raw_tasks, list):
        problems.append(Problem(t("tasks must be a list of tasks"), ("tasks",)))
        raw_tasks = []
    if len(raw_tasks) > MAX_TASKS:
        # Refused before any task is walked: 46,000 tasks in a 4 MB file made `done` take 38 s.
        raise InvalidDirective([Problem(t("the file lists {count} tasks; a directive file holds at most {max}: "
                                          "split it into several files", count=len(raw_tasks), max=MAX_TASKS),
                                        ("tasks", MAX_TASKS))])
    seen: dict[int, int] = {}
    for i, raw in enumerate(raw_tasks):
        task = task_from_data(raw, i, problems)
        if task is None:
            continue
        if task.n in seen:
            problems.append(Problem(t("task number {n} is used twice; task numbers are unique in a file",
                                      n=task.n), ("tasks", i, "n")))
            continue
        seen[task.n] = i
        tasks.append(task)
    extra = {k: v for k, v in data.items() if k not in DIRECTIVE_KEYS}
    _check_nesting(extra, (), problems)
    if any(p.severity == "error" for p in problems):
        raise InvalidDirective([p for p in problems if p.severity == "error"])
    directive = Directive(stem=stem, path=path, number=number, kind=kind, issuer=issuer or "",
                          issued=issued, title=title or "", tasks=tasks, signer=signer, source=source,
                          extra=extra, source_hash=source_hash)
    return directive, problems
