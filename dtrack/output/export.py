"""The calendar export: tasks become all-day events (dtrack.ical), one serialized block per
task, cached per directive file so that a re-export only rebuilds the files that changed.

Decisions (docs/export.md says why):
- UID `<stem>-<n>@dtrack` (the reference, ASCII, percent-encoded where needed), the same on
  every clone; SEQUENCE = the revisions of the file in git (commits that touched it, + 1 while
  it differs from the last one, - 1), so any change, a hand edit too, is accepted by clients;
  outside git, the number of extensions + completed occurrences + 1 once closed.
- DTSTAMP comes from the task's own dates (issued, extension and occurrence days, done day)
  at 00:00:00Z, never later than the day of the export: the same store gives the same bytes.
- Closed tasks with --include-done: STATUS:CANCELLED and a "✓ "/"✗ " prefix; as to-dos
  (--todo) STATUS:COMPLETED / CANCELLED with COMPLETED.

The events of each file are kept in the store's index (store.collection, derived values keyed by
the set of block-shaping options), valid while the file keeps its stat key, by the index's rules.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from dtrack.store import files as store_mod
from dtrack.domain.agencies import Registry
from dtrack.domain import wording
from dtrack.domain.dates import fmt
from dtrack.errors import UsageError
from dtrack.i18n import language, t
from dtrack.output.ical import EventSpec, calendar_bytes, event_block, todo_block
from dtrack.domain.model import Directive, Task
from dtrack.domain.recurrence import rdates, rrule
from dtrack.domain.states import is_closed
from dtrack.domain.text import fold, shorten, slugify

CACHE_FORMAT = 3   # 3: RDATEs of day-29/30 series, DTSTAMP never in the future, to-dos
SUMMARY_WIDTH = 60
WORKDAY_START = timedelta(hours=8)  # a "N days before" reminder fires at 08:00 that day
DEFAULT_ALARMS = ("3d",)
_ALARM = re.compile(r"^(\d{1,3})\s*([dwh]?)$")
_UID_SAFE = re.compile(r"[^A-Za-z0-9._-]")
# Windows refuses these as file names, whatever the extension; "all" is ours (all.ics).
_RESERVED = {"con", "prn", "aux", "nul", "all", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


# ---------------------------------------------------------------------------- options

@dataclass(frozen=True)
class Options:
    """What shapes an event block (and so keys the events kept in the index)."""
    alarms: tuple[timedelta, ...] = (timedelta(days=3) - WORKDAY_START,)
    include_done: bool = False
    todo: bool = False          # VTODOs (task apps) instead of VEVENTs
    day: date | None = None     # successions in force on this day name the lead ("Sở KH&CN (trước: STTTT)")


def parse_alarms(raws: Sequence[str]) -> tuple[timedelta, ...]:
    """`--alarm` values: 3d / 3 (days), 2w, 16h; `0` alone for none. A reminder given in days or
    weeks fires at 08:00 of that day (3d: 08:00 three days before the deadline); one in hours is
    exact, counted back from 00:00 of the deadline day."""
    out: list[timedelta] = []
    for raw in raws:
        m = _ALARM.match(raw.strip().lower())
        if not m:
            raise UsageError(t("'{raw}' is not a length of time", raw=raw),
                             hint=t("Write it as 3d, 1w or 16h; 0 for no reminder."))
        n, unit = int(m[1]), m[2] or "d"
        if n == 0:
            if len(raws) > 1:
                raise UsageError(t("0 means no reminder; it cannot be combined with other reminders"))
            return ()
        before = timedelta(hours=n) if unit == "h" else timedelta(days=n * (7 if unit == "w" else 1)) - WORKDAY_START
        if before not in out:
            out.append(before)
    return tuple(out)


# ---------------------------------------------------------------------------- one task -> one event

def task_uid(directive: Directive, task: Task, qualifier: str = "") -> str:
    """`<stem>-<n>@dtrack`, ASCII only: any other character of the stem is percent-encoded
    (UTF-8), which keeps the mapping one-to-one. `qualifier` (the year folder) only when two
    files share a stem."""
    def safe(s: str) -> str:
        return _UID_SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode("utf-8")), s)
    return f"{safe(directive.stem)}-{task.n}{'.' + safe(qualifier) if qualifier else ''}@dtrack"


def closed(task: Task) -> bool:
    return is_closed(task.status)


def task_sequence(task: Task) -> int:
    return len(task.extensions) + len(task.occurrences) + (1 if closed(task) else 0)


def task_stamp(directive: Directive, task: Task, today: date | None = None) -> datetime:
    """The latest day the task's own data records a change on, at 00:00:00Z, and never after
    `today` (UTC, the clock's by default): DTSTAMP is when the object was written, and data can
    carry future days (an occurrence's due, a date typed ahead)."""
    days = [directive.issued]
    days += [e.on for e in task.extensions if e.on]
    days += [d for o in task.occurrences for d in (o.due, o.done) if d]
    if closed(task) and task.done:
        days.append(task.done)
    day = min(max(d for d in days if d), today or datetime.now(timezone.utc).date())
    return datetime(*day.timetuple()[:3], tzinfo=timezone.utc)


def task_summary(task: Task, registry: Registry) -> str:
    lead = ", ".join(registry.label(a, short=True) for a in task.lead)
    mark = {"done": "✓ ", "cancelled": "✗ "}.get(task.status, "")
    return f"{mark}[{lead}] {shorten(task.text, SUMMARY_WIDTH)}"


def task_description(directive: Directive, task: Task, registry: Registry) -> str:
    lines = [task.text, "", t("Reference: {ref}", ref=directive.ref(task))]
    doc = f"{directive.number} — {directive.title}" if directive.number else directive.title
    lines.append(t("Directive: {doc}", doc=doc))
    lines.append(t("Issued by: {issuer}, {day}", issuer=directive.issuer, day=fmt(directive.issued)))
    lines.append(t("Lead: {names}", names="; ".join(registry.label(a, short=False) for a in task.lead)))
    if task.support:
        lines.append(t("Support: {names}", names="; ".join(registry.canonical(a) for a in task.support)))
    deadline = fmt(task.due) + (f" ({task.due_text})" if task.due_text else "")
    lines.append(t("Deadline: {deadline}", deadline=deadline))
    for ext in task.extensions:
        lines.append(t("Extended: {old} → {new}{by}", old=fmt(ext.from_) or "?", new=fmt(ext.to),
                       by=f" ({ext.by})" if ext.by else ""))
    if task.every:
        lines.append(t("Repeats: every {every}{until}", every=wording.every(task.every, language()),
                       until=t(" until {day}", day=fmt(task.until)) if task.until else ""))
    if task.status == "done":
        lines.append(t("Done: {day}", day=fmt(task.done) or "?"))
    elif task.status == "cancelled":
        lines.append(t("Cancelled"))
    if task.note:
        lines.append(t("Note: {note}", note=task.note))
    return "\n".join(lines)


def wanted(task: Task, options: Options) -> bool:
    return task.due is not None and (task.is_open or (options.include_done and closed(task)))


def task_spec(directive: Directive, task: Task, registry: Registry, options: Options,
              qualifier: str = "") -> EventSpec:
    """The event of one dated task. Raises UsageError when its `every:` cannot be read."""
    return EventSpec(
        uid=task_uid(directive, task, qualifier),
        day=task.due,
        summary=task_summary(task, registry),
        description=task_description(directive, task, registry),
        categories=tuple(dict.fromkeys(registry.canonical(a) for a in task.lead)),
        sequence=task_sequence(task),
        alarms=options.alarms if task.is_open else (),
        rrule=rrule(task),
        rdates=rdates(task),
        status="CANCELLED" if closed(task) else None,
    )


def todo_spec(directive: Directive, task: Task, registry: Registry, options: Options,
              qualifier: str = "") -> EventSpec:
    """The to-do of one dated task: its current occurrence (a late one stays overdue in task apps),
    DUE = the deadline, NEEDS-ACTION / COMPLETED / CANCELLED."""
    event = task_spec(directive, task, registry, options, qualifier)
    status = {"done": "COMPLETED", "cancelled": "CANCELLED"}.get(task.status, "NEEDS-ACTION")
    completed = (datetime(*task.done.timetuple()[:3], tzinfo=timezone.utc)
                 if status == "COMPLETED" and task.done else None)
    return replace(event, alarms=(), rrule=None, rdates=(), status=status, completed=completed)


# The labels of task_description: a change of language must not reuse kept blocks.
_LABELS = ("Reference: {ref}", "Directive: {doc}", "Issued by: {issuer}, {day}", "Lead: {names}",
           "Support: {names}", "Deadline: {deadline}", "Extended: {old} → {new}{by}",
           "Repeats: every {every}{until}", " until {day}", "Done: {day}", "Cancelled", "Note: {note}")


# ---------------------------------------------------------------------------- one file -> its events

class Event(NamedTuple):
    due: str            # ISO, for sorting
    stem: str
    rel: str
    n: int
    leads: tuple        # canonical lead names (CATEGORIES, split files)
    agencies: tuple     # canonical lead and support names (--agency)
    data: bytes         # the serialized VEVENT block, UTF-8


def file_events(root: Path, registry: Registry, options: Options, qualifier: str, directive: Directive) -> dict:
    """The events of one directive, with the agency names it uses and the warnings about tasks left
    out: what the index keeps per file (store.collection's derived values), so that a re-export only
    rebuilds the files that changed."""
    events, problems, text = [], [], None
    for task in directive.tasks:
        if not wanted(task, options):
            continue
        stamp = task_stamp(directive, task)
        try:
            if options.todo:
                block = todo_block(todo_spec(directive, task, registry, options, qualifier), stamp)
            else:
                block = event_block(task_spec(directive, task, registry, options, qualifier), stamp)
        except UsageError as e:
            path = root / directive.path
            try:
                text = text if text is not None else store_mod.decode(store_mod.read_bytes(path))
                line, col = store_mod.locate(text, ("tasks", task.index, "every"))
            except Exception:  # noqa: BLE001 - the file changed since it was read: no line to give
                line, col = 0, 0
            problems.append((line, col, t("task {n}: {message}; the task is left out of the calendar",
                                          n=task.n, message=e.message), "warning"))
            continue
        leads = tuple(dict.fromkeys(registry.current(a) for a in task.lead))
        agencies = tuple(dict.fromkeys(registry.canonical(a) for a in (*task.lead, *task.support)))
        events.append((task.due.isoformat(), task.n, leads, agencies, block.encode("utf-8")))
    return {
        "names": sorted({registry.canonical(a) for x in directive.tasks for a in (*x.lead, *x.support)}),
        "leads": sorted({registry.current(a) for x in directive.tasks for a in x.lead}),
        "problems": problems, "events": events,
    }


# ---------------------------------------------------------------------------- the store -> events

@dataclass
class Collected:
    events: list[Event]
    registry: Registry
    problems: list = field(default_factory=list)
    names_in_use: set[str] = field(default_factory=set)
    leads: set[str] = field(default_factory=set)       # lead agencies of every task, any status
    built: int = 0                                      # files (re)built
    reused: int = 0                                     # files served from the index


def _ics_version() -> str:
    # Read, not imported: importing ics costs ~0.1-0.2 s that a warm export does not need.
    import importlib.util
    spec = importlib.util.find_spec("ics")
    try:
        text = (Path(spec.origin).parent / "__meta__.py").read_text(encoding="utf-8")
        return re.search(r"__version__\s*=\s*['\"]([^'\"]+)", text)[1]
    except (AttributeError, OSError, TypeError):
        import ics
        return ics.__version__


def _in_force(registry: Registry, day: date | None) -> list:
    """The successions in force on `day`: the events' lead names change only when these do."""
    return sorted((a.name, registry.current(a.name)) for a in registry.agencies
                  if day and a.replaced_by and registry.current(a.name) != a.name)


def _kind(root: Path, registry: Registry, options: Options, qualifier: str) -> str:
    """Everything besides the file that its events depend on, for the index's derived values."""
    try:
        registry_raw = (root / store_mod.AGENCIES_FILE).read_bytes()
    except OSError:
        registry_raw = b""
    key = json.dumps([CACHE_FORMAT, _ics_version(), [a.total_seconds() for a in options.alarms],
                      options.include_done, options.todo, _digest(registry_raw), [t(x) for x in _LABELS], qualifier,
                      _in_force(registry, options.day)],
                     ensure_ascii=False)
    return "export-" + hashlib.sha1(key.encode("utf-8")).hexdigest()


def _digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _qualifiers(files: list[tuple[str, Path]]) -> dict[str, str]:
    """Two files with the same stem (numbers restart each year) would share UIDs: all but the
    first (in path order) get their folder in the UID."""
    seen: set[str] = set()
    out = {}
    for rel, _ in files:
        stem = rel.rsplit("/", 1)[-1]
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        out[rel] = folder.replace("/", ".") or "root" if stem in seen else ""
        seen.add(stem)
    return out


def collect(root: Path, options: Options, collection=None) -> Collected:
    """Every wanted event of the store at `root`, sorted by deadline then reference, with the
    problems found. `collection` (store.collection.Collection of `root`) is the CLI's, which says
    whether the index is kept on disk; files whose events the index holds are neither read nor parsed."""
    from functools import partial
    from dtrack.store.collection import Collection
    collection = collection if collection is not None else Collection(root)
    registry = collection.registry.as_of(options.day)
    files = list(store_mod.iter_files(root))
    qualifiers = _qualifiers(files)
    entries: dict[str, dict] = {}
    built = 0
    for qualifier in sorted(set(qualifiers.values())):
        rels = [rel for rel, q in qualifiers.items() if q == qualifier]
        entries.update(collection.derived(_kind(root, registry, options, qualifier),
                                          partial(file_events, root, registry, options, qualifier), rels))
        built += collection.built
    by_path: dict[Path, list] = {}
    for p in collection.problems:
        by_path.setdefault(p.path, []).append(p)
    problems = by_path.pop(root / store_mod.AGENCIES_FILE, [])
    out = Collected([], registry, problems, built=built, reused=len(entries) - built)
    for rel, path in files:
        problems.extend(by_path.pop(path, []))
        entry = entries.get(rel)
        if entry is None:
            continue
        problems.extend(store_mod.FileProblem(path, *p) for p in entry["problems"])
        out.names_in_use.update(entry["names"])
        out.leads.update(entry["leads"])
        stem = rel.rsplit("/", 1)[-1][: -len(store_mod.SUFFIX)]
        out.events.extend(Event(due, stem, rel, n, leads, agencies, data)
                          for due, n, leads, agencies, data in entry["events"])
    for rest in by_path.values():
        problems.extend(rest)
    revisions = file_revisions(root)
    if revisions is not None:
        out.events = [e._replace(data=_with_sequence(e.data, max(revisions.get(e.rel, 0) - 1, 0)))
                      for e in out.events]
    out.events.sort(key=lambda e: (e.due, e.stem, e.rel, e.n))
    return out


# ---------------------------------------------------------------------------- SEQUENCE from git

_SEQUENCE = re.compile(rb"\r\nSEQUENCE:\d+\r\n")


def _with_sequence(block: bytes, sequence: int) -> bytes:
    return _SEQUENCE.sub(b"\r\nSEQUENCE:%d\r\n" % sequence, block, count=1)


def file_revisions(root: Path) -> dict[str, int] | None:
    """The revisions of each directive file (path relative to `root`): the commits that touched
    it, + 1 while the file differs from its last commit (or is not committed yet). It only grows,
    whatever changed the file (dtrack, a hand edit, a merge), so revisions - 1 is a SEQUENCE every
    client takes as newer; the same on every full clone. None outside git (or without git)."""
    from dtrack.errors import GitError
    from dtrack.store import gitops
    if gitops.find_repo(root) is None:
        return None
    try:
        # paths relative to `root`, whatever folder of the work tree holds the store
        log = gitops.run(root, "log", "--format=", "--name-only", "--relative", "-z", "--", ".")
        status = gitops.run(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".")
        prefix = gitops.run(root, "rev-parse", "--show-prefix").strip()
    except GitError:
        return None
    counts: dict[str, int] = {}
    for rel in filter(None, (x.strip("\n") for x in log.split("\0"))):
        counts[rel] = counts.get(rel, 0) + 1
    for entry in filter(None, status.split("\0")):
        rel = entry[3:]
        if rel.startswith(prefix):   # status names paths from the top of the work tree
            rel = rel[len(prefix):]
        counts[rel] = counts.get(rel, 0) + 1
    return counts


# ---------------------------------------------------------------------------- events -> calendars

def store_name(root: Path) -> str:
    """The folder that holds the store (`office/` for office/directives)."""
    root = root.resolve()
    return root.parent.name if root.name == "directives" and root.parent.name else root.name


def calendar(events: Iterable[Event], name: str) -> bytes:
    """The VCALENDAR of `events`. The blocks are final (event_block folded them, CRLF, NFC),
    so they are spliced into the ics-built wrapper as bytes: the same result as
    ical.calendar_bytes(blocks) (a test checks it) without re-folding megabytes on every run."""
    wrapper = calendar_bytes((), t("dtrack — {name}", name=name),
                             t("Deadlines of the tasks that the directives assign ({name}), exported by dtrack. "
                               "Refreshed after every change; do not edit.", name=name))
    end = b"END:VCALENDAR\r\n"
    assert wrapper.endswith(end)
    return b"".join((wrapper[: -len(end)], *(e.data for e in events), end))


def for_agencies(events: Iterable[Event], keys: set[str]) -> list[Event]:
    """The events an agency leads or supports; `keys` from queries.agency_keys."""
    return [e for e in events if any(fold(a) in keys for a in e.agencies)]


def file_stem(name: str, taken: set[str]) -> str:
    """A file name (without .ics) safe on Windows, Linux and in a URL, unique among `taken`."""
    slug = slugify(name, max_words=12)[:60].strip("-")
    if not slug:
        slug = "agency-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    if slug in _RESERVED:
        slug += "-agency"
    base, i = slug, 2
    while slug in taken:
        slug, i = f"{base}-{i}", i + 1
    taken.add(slug)
    return slug


def split_by_lead(collected: Collected) -> list[tuple[str, str, list[Event]]]:
    """(file stem, agency, its events) for every agency that leads a task of the store, in name
    order, so a file keeps its name whatever the other agencies do (the CLI skips those without
    an event: a calendar needs one)."""
    out = []
    taken: set[str] = set()
    for agency in sorted(collected.leads, key=lambda a: (fold(a), a)):
        out.append((file_stem(agency, taken), agency, [e for e in collected.events if agency in e.leads]))
    return out


def default_target(root: Path, name: str) -> Path:
    """Where `export-ics` writes without -o: the store's top folder (ignored by git through init's
    .gitignore), wherever the command runs, never among the directives."""
    return store_mod.store_top(root) / name


def write_file(path: Path, data: bytes) -> bool:
    """Atomically replace `path` with `data` unless it already holds them (a subscribed
    calendar served from it then keeps its date). True when written."""
    try:
        existed = True
        if path.read_bytes() == data:
            return False
    except OSError:
        existed = False
    store_mod.write_atomic(path, data)
    if not existed:
        # the temp file was private (0600); a published calendar must be readable as any new file is
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(path, 0o666 & ~mask)
    return True
