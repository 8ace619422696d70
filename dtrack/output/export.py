"""The calendar export: tasks become all-day events (dtrack.ical), one serialized block per
task, cached per directive file so that a re-export only rebuilds the files that changed.

Decisions (docs/export.md says why):
- UID `<stem>-<n>@dtrack` (the reference, ASCII, percent-encoded where needed), the same on
  every clone; SEQUENCE = number of extensions (+ completed occurrences of a recurring task,
  + 1 once the task is closed) so every move of the deadline is accepted by clients.
- DTSTAMP comes from the task's own dates (issued, extension and occurrence days, done day)
  at 00:00:00Z, never from the clock: the same store gives the same bytes, and a cached
  block stays valid until its file changes.
- Closed tasks with --include-done: STATUS:CANCELLED and a "✓ "/"✗ " prefix.

The cache (one JSON file per set of block-shaping options, in store.cache_dir) is keyed per
file by path, size, mtime_ns and inode. A file modified within RACY_NS of the moment it was
read is "racy" (its timestamp cannot prove a later same-size edit): it is checked by content
hash until it is old enough, as git does with its index.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from dtrack import __version__
from dtrack.store import files as store_mod
from dtrack.domain.agencies import Registry
from dtrack.domain.dates import fmt
from dtrack.errors import UsageError
from dtrack.i18n import t
from dtrack.output.ical import EventSpec, calendar_bytes, event_block
from dtrack.domain.model import Directive, Task
from dtrack.domain.recurrence import rrule
from dtrack.domain.states import is_closed
from dtrack.domain.text import fold, shorten, slugify

CACHE_FORMAT = 2   # 2: agencies without a compact alias are summarised by their shortest alias
RACY_NS = 2_000_000_000            # FAT's 2 s timestamps, and a little clock skew
SUMMARY_WIDTH = 60
WORKDAY_START = timedelta(hours=8)  # a "N days before" reminder fires at 08:00 that day
DEFAULT_ALARMS = ("3d",)
PARALLEL_FROM = 400                 # files to build before a process pool pays for its start-up
_ALARM = re.compile(r"^(\d{1,3})\s*([dwh]?)$")
_UID_SAFE = re.compile(r"[^A-Za-z0-9._-]")
# Windows refuses these as file names, whatever the extension; "all" is ours (all.ics).
_RESERVED = {"con", "prn", "aux", "nul", "all", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


# ---------------------------------------------------------------------------- options

@dataclass(frozen=True)
class Options:
    """What shapes an event block (and so keys the cache)."""
    alarms: tuple[timedelta, ...] = (timedelta(days=3) - WORKDAY_START,)
    include_done: bool = False


def parse_alarms(raws: Sequence[str]) -> tuple[timedelta, ...]:
    """`--alarm` values: 3d / 3 (days), 2w, 16h; `0` alone for none. A reminder given in days or
    weeks fires at 08:00 of that day (3d: 08:00 three days before the deadline); one in hours is
    exact, counted back from 00:00 of the deadline day."""
    out: list[timedelta] = []
    for raw in raws:
        m = _ALARM.match(raw.strip().lower())
        if not m:
            raise UsageError(t("--alarm '{raw}' is not a length of time", raw=raw),
                             hint=t("Write it as 3d, 1w or 16h; --alarm 0 for no reminder."))
        n, unit = int(m[1]), m[2] or "d"
        if n == 0:
            if len(raws) > 1:
                raise UsageError(t("--alarm 0 means no reminder; it cannot be combined with others"))
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


def task_stamp(directive: Directive, task: Task) -> datetime:
    """The latest day the task's own data records a change on, at 00:00:00Z."""
    days = [directive.issued]
    days += [e.on for e in task.extensions if e.on]
    days += [d for o in task.occurrences for d in (o.due, o.done) if d]
    if closed(task) and task.done:
        days.append(task.done)
    return datetime(*max(d for d in days if d).timetuple()[:3], tzinfo=timezone.utc)


def task_summary(task: Task, registry: Registry) -> str:
    lead = ", ".join(registry.short_name(a) for a in task.lead)
    mark = {"done": "✓ ", "cancelled": "✗ "}.get(task.status, "")
    return f"{mark}[{lead}] {shorten(task.text, SUMMARY_WIDTH)}"


def task_description(directive: Directive, task: Task, registry: Registry) -> str:
    lines = [task.text, "", t("Reference: {ref}", ref=directive.ref(task))]
    doc = f"{directive.number} — {directive.title}" if directive.number else directive.title
    lines.append(t("Directive: {doc}", doc=doc))
    lines.append(t("Issued by: {issuer}, {day}", issuer=directive.issuer, day=fmt(directive.issued)))
    lines.append(t("Lead: {names}", names="; ".join(registry.canonical(a) for a in task.lead)))
    if task.support:
        lines.append(t("Support: {names}", names="; ".join(registry.canonical(a) for a in task.support)))
    deadline = fmt(task.due) + (f" ({task.due_text})" if task.due_text else "")
    lines.append(t("Deadline: {deadline}", deadline=deadline))
    for ext in task.extensions:
        lines.append(t("Extended: {old} → {new}{by}", old=fmt(ext.from_) or "?", new=fmt(ext.to),
                       by=f" ({ext.by})" if ext.by else ""))
    if task.every:
        lines.append(t("Repeats: every {every}{until}", every=task.every,
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
        status="CANCELLED" if closed(task) else None,
    )


# The labels of task_description: a change of language must not reuse cached blocks.
_LABELS = ("Reference: {ref}", "Directive: {doc}", "Issued by: {issuer}, {day}", "Lead: {names}",
           "Support: {names}", "Deadline: {deadline}", "Extended: {old} → {new}{by}",
           "Repeats: every {every}{until}", " until {day}", "Done: {day}", "Cancelled", "Note: {note}")


# ---------------------------------------------------------------------------- one file -> cache entry

class Event(NamedTuple):
    due: str            # ISO, for sorting
    stem: str
    rel: str
    n: int
    leads: tuple        # canonical lead names (CATEGORIES, split files)
    agencies: tuple     # canonical lead and support names (--agency)
    data: bytes         # the serialized VEVENT block, UTF-8 (a memoryview into the cache)


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def build_file(rel: str, path: Path, registry: Registry, options: Options, qualifier: str,
               started_ns: int, cached: tuple | None = None) -> tuple[dict | None, list]:
    """(cache entry or None, FileProblems) for one directive file. The entry is None when the
    file cannot be used, or changed while it was read (then it is rebuilt next time)."""
    try:
        before = os.stat(path)
        raw = path.read_bytes()
    except OSError as e:
        return None, [store_mod.FileProblem(path, 0, 0, t("cannot read the file: {error}", error=e.strerror or e))]
    from dtrack.store import cache as parse_cache
    if cached is not None and cached[0] == parse_cache.stat_key_of(before):
        # The parse cache holds this very file (same stat key): no YAML to parse.
        directive, problems = parse_cache.decode(cached[1]), []
    else:
        directive, problems = store_mod.load_directive(path, rel)
    if directive is None:
        return None, problems
    events, text = [], None
    for task in directive.tasks:
        if not wanted(task, options):
            continue
        stamp = task_stamp(directive, task)
        try:
            block = event_block(task_spec(directive, task, registry, options, qualifier), stamp)
        except UsageError as e:
            text = text if text is not None else store_mod.decode(raw)
            line, col = store_mod.locate(text, ("tasks", task.index, "every"))
            problems.append(store_mod.FileProblem(path, line, col, t(
                "task {n}: {message}; the task is left out of the calendar", n=task.n, message=e.message),
                "warning"))
            continue
        leads = tuple(dict.fromkeys(registry.canonical(a) for a in task.lead))
        agencies = tuple(dict.fromkeys(registry.canonical(a) for a in (*task.lead, *task.support)))
        events.append((task.due.isoformat(), task.n, leads, agencies, block.encode("utf-8")))
    try:
        unchanged = _stat_key(os.stat(path)) == _stat_key(before)
    except OSError:
        unchanged = False
    return {
        # no stat: the file changed while it was read, so the entry is used once, not saved
        "stat": _stat_key(before) if unchanged else None,
        "hash": _digest(raw), "built_ns": started_ns, "qualifier": qualifier,
        "names": sorted({registry.canonical(a) for x in directive.tasks for a in (*x.lead, *x.support)}),
        "leads": sorted({registry.canonical(a) for x in directive.tasks for a in x.lead}),
        "problems": [[p.line, p.col, p.message, p.severity] for p in problems],
        "events": events,
    }, problems


def _build_many(jobs: list, registry: Registry, options: Options, started_ns: int) -> list:
    """Worker entry point (top level so a process pool can import it)."""
    return [(rel, *build_file(rel, Path(path), registry, options, q, started_ns, row)) for rel, path, q, row in jobs]


def _build_all(jobs: list, registry: Registry, options: Options, started_ns: int, workers: int | None) -> list:
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(jobs) >= PARALLEL_FROM else 1
    if workers <= 1 or len(jobs) < 2:
        return _build_many(jobs, registry, options, started_ns)
    # Parsing YAML and serializing events is CPU-bound and per file: spread it over the cores.
    from concurrent.futures import ProcessPoolExecutor
    size = max(1, -(-len(jobs) // (workers * 4)))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [item for part in pool.map(_build_many, chunks, [registry] * len(chunks),
                                           [options] * len(chunks), [started_ns] * len(chunks))
                for item in part]


# ---------------------------------------------------------------------------- the store -> events

@dataclass
class Collected:
    events: list[Event]
    registry: Registry
    problems: list = field(default_factory=list)
    names_in_use: set[str] = field(default_factory=set)
    leads: set[str] = field(default_factory=set)       # lead agencies of every task, any status
    built: int = 0                                      # files (re)built
    reused: int = 0                                     # files served from the cache


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


class _Cache:
    """Two files per set of options: an index (JSON: per file its stat key, content hash,
    agencies and events) and a blob of the serialized blocks the index points into. The index
    records the blob's stat key, so a pair that does not match (an interrupted or concurrent
    write) reads as empty: everything is rebuilt."""

    def __init__(self, root: Path, options: Options, registry_raw: bytes):
        key = json.dumps([CACHE_FORMAT, __version__, _ics_version(), [a.total_seconds() for a in options.alarms],
                          options.include_done, _digest(registry_raw), [t(x) for x in _LABELS]],
                         ensure_ascii=False)
        name = "export-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
        folder = store_mod.cache_dir(root)
        self.index, self.blob, self.key = folder / f"{name}.json", folder / f"{name}.blob", key

    def read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.index.read_bytes())
            if not (isinstance(data, dict) and data.get("key") == self.key):
                return {}
            with open(self.blob, "rb") as f:
                if _stat_key(os.fstat(f.fileno())) != data["blob"]:
                    return {}
                blob = memoryview(f.read())
            names = data["names"]
            groups: dict[tuple, tuple] = {}

            def group(ix: list[int]) -> tuple:
                k = tuple(ix)
                if k not in groups:
                    groups[k] = tuple(names[i] for i in k)
                return groups[k]

            files = data["files"]
            for entry in files.values():
                entry["names"] = group(entry["names"])
                entry["leads"] = group(entry["leads"])
                entry["events"] = [(due, n, group(ls), group(ags), blob[off:off + size])
                                   for due, n, off, size, ls, ags in entry["events"]]
            return files
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return {}  # missing, corrupt, or from another version or options: rebuild silently

    def write(self, files: dict[str, dict]) -> None:
        table: dict[str, int] = {}

        def ix(items) -> list[int]:
            return [table.setdefault(a, len(table)) for a in items]

        chunks, out, offset = [], {}, 0
        for rel, entry in files.items():
            events = []
            for due, n, leads, agencies, data in entry["events"]:
                chunks.append(data)
                events.append([due, n, offset, len(data), ix(leads), ix(agencies)])
                offset += len(data)
            out[rel] = {**{k: entry[k] for k in ("stat", "hash", "built_ns", "qualifier", "problems")},
                        "names": ix(entry["names"]), "leads": ix(entry["leads"]), "events": events}
        try:
            self.index.parent.mkdir(parents=True, exist_ok=True)
            store_mod.write_atomic(self.blob, b"".join(chunks))
            index = {"key": self.key, "blob": _stat_key(os.stat(self.blob)), "names": list(table),
                     "files": out}
            store_mod.write_atomic(self.index, json.dumps(index, ensure_ascii=False,
                                                          separators=(",", ":")).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs time


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


def collect(root: Path, options: Options, workers: int | None = None) -> Collected:
    """Every wanted event of the store at `root`, sorted by deadline then reference, with the
    problems found. Files whose cache entry is valid are neither read nor parsed."""
    started_ns = time.time_ns()
    registry, problems = store_mod.load_registry(root)
    try:
        registry_raw = (root / store_mod.AGENCIES_FILE).read_bytes()
    except OSError:
        registry_raw = b""
    cache = _Cache(root, options, registry_raw)
    cached = cache.read()
    files = list(store_mod.iter_files(root))
    qualifiers = _qualifiers(files)
    entries: dict[str, dict] = {}
    jobs = []
    dirty = False
    for rel, path in files:
        entry = cached.get(rel)
        try:
            st = os.stat(path)
        except OSError:
            entry = None
        if entry and entry["stat"] == _stat_key(st) and entry["qualifier"] == qualifiers[rel]:
            if st.st_mtime_ns < entry["built_ns"] - RACY_NS:
                entries[rel] = entry
                continue
            try:
                same = _digest(path.read_bytes()) == entry["hash"]
            except OSError:
                same = False
            if same:
                if st.st_mtime_ns < started_ns - RACY_NS:
                    entry["built_ns"] = started_ns   # old enough now: trust the timestamp next time
                    dirty = True
                entries[rel] = entry
                continue
        jobs.append((rel, str(path), qualifiers[rel], None))
    if jobs and not os.environ.get("DTRACK_NO_CACHE"):
        from dtrack.store import cache as parse_cache
        rows = parse_cache.rows_for(root, [job[0] for job in jobs])
        jobs = [(rel, path, q, rows.get(rel)) for rel, path, q, _row in jobs]
    reused = len(entries)
    fresh: dict[str, list] = {}
    for rel, entry, found in _build_all(jobs, registry, options, started_ns, workers):
        fresh[rel] = found
        if entry is not None:
            entries[rel] = entry
            dirty = dirty or bool(entry["stat"])
    out = Collected([], registry, problems, built=len(jobs), reused=reused)
    for rel, path in files:
        entry = entries.get(rel)
        if rel in fresh:
            problems.extend(fresh[rel])
        elif entry is not None:
            problems.extend(store_mod.FileProblem(path, *p) for p in entry["problems"])
        if entry is None:
            continue
        out.names_in_use.update(entry["names"])
        out.leads.update(entry["leads"])
        stem = rel.rsplit("/", 1)[-1][: -len(store_mod.SUFFIX)]
        out.events.extend(Event(due, stem, rel, n, leads, agencies, data)
                          for due, n, leads, agencies, data in entry["events"])
    out.events.sort(key=lambda e: (e.due, e.stem, e.rel, e.n))
    keep = {rel: e for rel, e in entries.items() if e["stat"]}
    if dirty or keep.keys() != cached.keys():
        cache.write(keep)
    return out


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
    order, so a file stays (empty) when its agency's last task is closed."""
    out = []
    taken: set[str] = set()
    for agency in sorted(collected.leads, key=lambda a: (fold(a), a)):
        out.append((file_stem(agency, taken), agency, [e for e in collected.events if agency in e.leads]))
    return out


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
