"""The index: an SQLite database of what the directive files hold, so that a run parses only the
files that changed and `list` selects its rows with SQL instead of building every directive.

It is derived, never the truth. It lives outside git's view (files.cache_dir); a file's rows are
used only while the file keeps the stat key they were built from (size, mtime_ns, inode, ctime_ns,
compared for equality, never against a clock). A file whose mtime is within RACY_NS of the index's
own write is stored with no key ("racy git": a second write within the same timestamp tick would keep
size, mtime and inode), and so is a file with any problem: both are parsed again on the next run, so
warnings stay current and in the user's language. Every update is one transaction, so a run killed
at any moment leaves the index before or after it. A file that is not our index, is damaged, or was
written by another schema, dtrack, Python or source tree (meta `stamp`) is deleted and rebuilt.

Besides the files' facts it keeps blobs that callers derive from a directive (the JSON of its tasks,
its calendar events), per file and kind: they live as long as the file's row.
"""
from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import pickle
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path
from typing import Iterable

from dtrack import __version__
from dtrack.domain.agencies import Registry
from dtrack.domain.labels import clean, ref_label, task_label
from dtrack.domain.text import fold
from dtrack.store.files import AGENCIES_FILE, FileProblem, cache_dir, load_directive, load_registry, scan
from dtrack.store.pool import Progress, run_all

SCHEMA = 6
RACY_NS = 2_000_000_000          # FAT keeps mtimes to 2 s; ext4 to a jiffy
NO_DUE = 4_000_000               # after date.max.toordinal(): tasks without a deadline sort last
BUSY_WAIT = 10.0                 # seconds to wait for another dtrack's update before answering from memory


# list's order, holding every column a listing selects: its rows are read from the index alone (a
# lookup of each row in the table cost a third of the selection).
_ORDER = "CREATE INDEX tasks_order ON tasks(status, due, stem, n, rel, id, ref, label, lead, pos)"
_TABLES = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);
-- A file's stat key is kept once, in meta `keys` (one blob: reading 10,000 rows of it cost 0.02 s).
CREATE TABLE files(id INTEGER PRIMARY KEY, rel TEXT UNIQUE NOT NULL,
    stem TEXT, number TEXT, fstem TEXT, fnumber TEXT, fdoc TEXT);
CREATE TABLE rows(file INTEGER PRIMARY KEY, row BLOB);
CREATE TABLE tasks(id INTEGER PRIMARY KEY, file INT NOT NULL, pos INT, rel TEXT, stem TEXT, n INT, ref TEXT,
    status TEXT, due INT, label TEXT, lead TEXT, ftext TEXT, names TEXT);
{_ORDER};
CREATE TABLE derived(file INT NOT NULL, kind TEXT NOT NULL, value BLOB, PRIMARY KEY(kind, file));
CREATE INDEX derived_file ON derived(file);
"""
# A task's id is its file's id << bits | its position, so a file's tasks are one range of ids: deleted
# without an index of their own. No file holds 4 million tasks.
_TASK_ID_BITS = 22


def index_file(root: Path) -> Path:
    key = hashlib.sha1(str(root).encode("utf-8")).hexdigest()[:12]
    return cache_dir(root) / f"index-{key}.sqlite"


def _stamp(root: Path) -> str:
    """What the rows depend on besides the files: the schema, dtrack, Python, the store's path, and
    the size and mtime of every source file of the package (a developer's edit rebuilds)."""
    parts = [str(SCHEMA), __version__, "%d.%d" % sys.version_info[:2], str(root)]
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("__", ".")))
        for name in sorted(names):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{os.path.relpath(folder, package)}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------- opening

def connect(root: Path, cached: bool) -> sqlite3.Connection:
    """The index of `root`, valid for this dtrack (rebuilt empty otherwise); in memory when `cached`
    is false or the cache folder cannot be written."""
    if cached:
        stamp = _stamp(root)
        for _attempt in range(2):
            con = None
            try:
                index_file(root).parent.mkdir(parents=True, exist_ok=True)
                con = sqlite3.connect(index_file(root), timeout=BUSY_WAIT, isolation_level=None)
                # No fsync: the index is derived. A killed run is rolled back from the journal all
                # the same; what a power cut could damage reads as malformed, and is rebuilt.
                con.execute("PRAGMA synchronous = OFF")
                if con.execute("PRAGMA page_count").fetchone()[0] == 0:
                    return _create(con, stamp)          # a new, empty file
                row = con.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
                if row is not None and row[0] == stamp:
                    return con
            except sqlite3.DatabaseError as e:      # not an index, or a damaged one
                if busy(e):
                    break
            except OSError:
                break
            if con is not None:
                con.close()
            remove(root)
    return _create(sqlite3.connect(":memory:", isolation_level=None), "memory")


def _create(con: sqlite3.Connection, stamp: str) -> sqlite3.Connection:
    con.executescript(f"BEGIN IMMEDIATE;\n{_TABLES}INSERT INTO meta VALUES ('stamp', '{stamp}');\nCOMMIT;")
    return con


def busy(e: sqlite3.DatabaseError) -> bool:
    """Another dtrack holds the index: answer from memory this time, do not delete it."""
    return isinstance(e, sqlite3.OperationalError) and ("locked" in str(e) or "busy" in str(e))


def remove(root: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(str(index_file(root)) + suffix)
        except OSError:
            pass


# ---------------------------------------------------------------------------- parsing

def _stat_key(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def _parse(item: tuple[str, str]) -> tuple:
    """(rel, pickled directive or None, problems, file facts, task rows) of one file: the work a
    worker of the pool does, so that folding and labels are computed on every core."""
    rel, path = item
    directive, problems = load_directive(Path(path), rel)
    if directive is None:
        return rel, None, problems, None, ()
    d = directive
    facts = (d.stem, d.number, fold(d.stem), fold(d.number) if d.number else None,
             fold(f"{d.title} {d.number} {d.stem}"))
    # A stem that cleaning leaves as it is (nearly all) gives the reference labels by concatenation.
    stem = d.stem if clean(d.stem) == d.stem == d.stem.strip() else None
    tasks = tuple((pos, x.n, f"{stem}#{x.n}" if stem is not None else ref_label(d.stem, x.n), x.status, x.due.toordinal() if x.due else NO_DUE, task_label(x.text, x.every),
                   _lead(x.lead), fold(x.text), _names(tuple(dict.fromkeys((*x.lead, *x.support)))))
                  for pos, x in enumerate(d.tasks))
    return rel, pickle.dumps(directive, protocol=pickle.HIGHEST_PROTOCOL), problems, facts, tasks


_SEP = "\x1f"


def _names(names: tuple[str, ...]) -> str:
    """A task's lead and support names as one text that instr() can search for one name: each name
    JSON-encoded (so never holding the separator, a control character), between separators."""
    return _SEP.join(("", *map(_encoded, names), ""))


# A store names a few hundred agencies across 55,000 tasks: each name, and each list of leads, is
# encoded once per process. (Lead and support lists together are too many to keep: ~10,000 at
# 10,000 directives, so a cache of them missed every other time.)
@functools.lru_cache(maxsize=4096)
def _encoded(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


@functools.lru_cache(maxsize=4096)
def _lead(names: tuple[str, ...]) -> str:
    return json.dumps(names, ensure_ascii=False)


# ---------------------------------------------------------------------------- updating

def refresh(con: sqlite3.Connection, root: Path, progress: Progress | None = None
            ) -> tuple[Registry, list[FileProblem], dict[str, bytes]]:
    """Bring the index up to date with the files, in one transaction: (registry, problems, the pickled
    directives parsed in this run that the index keeps no key for)."""
    registry, problems, agencies_entry = _registry(con, root)
    entries = scan(root)
    keys: dict[str, tuple | None] = {}
    for rel, entry in entries:
        try:
            keys[rel] = _stat_key(entry.stat())
        except OSError:         # deleted during the scan: parsed, and reported
            keys[rel] = None
    # The usual run: nothing changed since an update that left every file trusted. One digest of
    # all stat keys says so without reading the 10,000 keys from the index.
    scanned = hashlib.sha1(pickle.dumps(keys, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    seen = con.execute("SELECT value FROM meta WHERE key = 'scan'").fetchone()
    if seen is not None and seen[0] == scanned and agencies_entry is None:
        return registry, problems, {}
    # The stat keys the files table holds, as one blob: reading them as 10,000 rows cost 0.02 s.
    saved = con.execute("SELECT value FROM meta WHERE key = 'keys'").fetchone()
    old: dict[str, tuple] = pickle.loads(saved[0]) if saved else {}
    todo = [(rel, entry.path) for rel, entry in entries if keys[rel] is None or old.get(rel) != keys[rel]]
    gone = [rel for rel in old if rel not in keys]
    if not todo and not gone and agencies_entry is None:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('scan', ?)", (scanned,))
        return registry, problems, {}
    now = time.time_ns()
    untrusted: dict[str, bytes] = {}
    found_problems: list[tuple[str, list]] = []
    kept = 0
    enabled = gc.isenabled()
    gc.disable()
    try:
        # One transaction; the rows go in as the workers deliver them, so writing overlaps parsing.
        con.execute("BEGIN IMMEDIATE")
        _drop(con, gone + [rel for rel, _p in todo])
        # A first build sorts the index once at the end instead of inserting into it row by row.
        bulk = not old
        dropped = {*gone, *(rel for rel, _p in todo)}
        stored = {rel: key for rel, key in old.items() if rel not in dropped}
        if bulk:
            con.execute("DROP INDEX tasks_order")
        # Ids are never reused, so that a value derived from an older row can never attach to a newer one.
        row = con.execute("SELECT value FROM meta WHERE key = 'next_id'").fetchone()
        next_id = int(row[0]) if row else 1
        for rel, blob, found, facts, tasks in run_all(_parse, todo, progress if len(todo) > 1 else None):
            if found:
                found_problems.append((rel, found))
            if blob is None:
                continue
            key = keys[rel]
            if found or key is None or key[1] >= now - RACY_NS:
                untrusted[rel] = blob
                key = (None, None, None, None)
            file_id, next_id = next_id, next_id + 1
            kept += 1
            con.execute("INSERT INTO files VALUES (?,?,?,?,?,?,?)", (file_id, rel, *facts))
            stored[rel] = key
            con.execute("INSERT INTO rows VALUES (?,?)", (file_id, blob))
            base = file_id << _TASK_ID_BITS
            con.executemany("INSERT INTO tasks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            [(base | pos, file_id, pos, rel, facts[0], *rest) for pos, *rest in tasks])
        if bulk:
            con.execute(_ORDER)
        if agencies_entry is not None:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('agencies', ?)", (agencies_entry,))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('next_id', ?)", (next_id,))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('keys', ?)",
                    (pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL),))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('scan', ?)",
                    (None if untrusted or kept < len(todo) else scanned,))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        if enabled:
            gc.enable()
    for _rel, found in sorted(found_problems, key=lambda item: item[0]):
        problems.extend(found)
    return registry, problems, untrusted


def _drop(con: sqlite3.Connection, rels: list[str]) -> None:
    ids = [i for (i,) in con.execute("SELECT id FROM files WHERE rel IN (SELECT value FROM json_each(?))",
                                     (json.dumps(rels),))] if rels else []
    ranges = [(i << _TASK_ID_BITS, (i + 1) << _TASK_ID_BITS) for i in ids]
    con.executemany("DELETE FROM tasks WHERE id >= ? AND id < ?", ranges)
    for table in ("derived", "rows"):
        con.executemany(f"DELETE FROM {table} WHERE file = ?", [(i,) for i in ids])
    con.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in ids])


def _registry(con: sqlite3.Connection, root: Path) -> tuple[Registry, list[FileProblem], bytes | None]:
    """The agency registry, from the index while agencies.yaml keeps its stat key; the entry to save
    when it changed (else None)."""
    try:
        key = _stat_key(os.stat(root / AGENCIES_FILE))
    except OSError:
        key = None
    row = con.execute("SELECT value FROM meta WHERE key = 'agencies'").fetchone()
    if row is not None and key is not None:
        saved_key, agencies = pickle.loads(row[0])
        if saved_key == key:
            return Registry(agencies), [], None
    registry, problems = load_registry(root)
    trusted = key is not None and not problems and key[1] < time.time_ns() - RACY_NS
    entry = pickle.dumps((key if trusted else None, tuple(registry.agencies)))
    return registry, problems, entry if row is None or row[0] != entry else None


# ---------------------------------------------------------------------------- questions

def _bindable(text: str) -> str:
    """An argument in another encoding reaches Python as lone surrogates, which sqlite3 cannot bind
    (`show`, `list --search` exit 70): as U+FFFD it matches nothing, as nothing stored has one."""
    return text if text.isascii() else text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _where(status: str, due_below: int | None, names: set[str] | None, phrase: str | None) -> tuple[str, list]:
    """FROM and WHERE of the tasks that pass the filters: status (or "all"), an open task's deadline
    before `due_below`, a lead or support among `names`, `phrase` in the folded task text or title,
    number and stem."""
    where, args = [], []
    if status != "all":
        where.append("t.status = ?")
        args.append(status)
    if due_below is not None:
        # Open tasks alone: a range of the (status, due) index.
        where.append("t.due < ?" if status == "open" else "(t.status != 'open' OR t.due < ?)")
        args.append(due_below)
    if names is not None:
        where.append("(" + (" OR ".join(["instr(t.names, ?) > 0"] * len(names)) or "0") + ")")
        args += [_bindable(_names((name,))) for name in sorted(names)]
    join = ""
    if phrase:
        join = " JOIN files f ON f.id = t.file"
        where.append("(instr(t.ftext, ?) > 0 OR instr(f.fdoc, ?) > 0)")
        args += [_bindable(phrase)] * 2
    return f"FROM tasks t{join} WHERE {' AND '.join(where) or '1'}", args


def select(con: sqlite3.Connection, status: str, due_below: int | None, names: set[str] | None,
           phrase: str | None, brief: bool = False) -> list[tuple]:
    """(rel, reference label, status, due date or None, label, lead names, position in the file) of
    the tasks that pass the filters (_where), sorted by deadline (none last), stem, n and path. Each
    row costs ~0.5 µs a column, so a table gets no path or position (None) and `brief` (a writer that
    keeps the rest elsewhere) only path, status, due and position."""
    sql, args = _where(status, due_below, names, phrase)
    order = " ORDER BY t.due, t.stem, t.n, t.rel, t.id"
    # Thousands of tasks share a deadline and a lead: each is decoded once.
    days: dict[int, date | None] = {NO_DUE: None}
    out: list[tuple] = []
    append = out.append
    enabled = gc.isenabled()
    gc.disable()        # the rows outlive the selection: collecting while they are made is wasted work
    try:
        if brief:
            for rel, st, due, pos in con.execute(f"SELECT t.rel, t.status, t.due, t.pos {sql}{order}", args):
                day = days.get(due, 0)
                if day == 0:
                    day = days[due] = date.fromordinal(due)
                append((rel, None, st, day, None, None, pos))
            return out
        leads: dict[str, tuple] = {}
        for ref, st, due, label, lead in con.execute(
                f"SELECT t.ref, t.status, t.due, t.label, t.lead {sql}{order}", args):
            names_ = leads.get(lead)
            if names_ is None:
                names_ = leads[lead] = tuple(json.loads(lead))
            day = days.get(due, 0)
            if day == 0:
                day = days[due] = date.fromordinal(due)
            append((None, ref, st, day, label, names_, None))
        return out
    finally:
        if enabled:
            gc.enable()


def count(con: sqlite3.Connection, t0: int, last: int, names: set[str] | None, phrase: str | None) -> dict[str, int]:
    """Open tasks that pass the filters: in all, overdue (before t0), due soon (t0 to last)."""
    sql, args = _where("open", None, names, phrase)
    total, overdue, soon = con.execute(f"SELECT count(*), total(t.due < ?), total(t.due >= ? AND t.due <= ?) {sql}",
                                       [t0, t0, last, *args]).fetchone()
    return {"overdue": int(overdue), "due-soon": int(soon), "open": total}


def heads(con: sqlite3.Connection, prefix: str | None = None) -> list[tuple[str, str, str]]:
    """(rel, stem, number) of every usable file, or of those whose folded stem or number starts
    with `prefix`, in path order."""
    if prefix is None:
        return con.execute("SELECT rel, stem, number FROM files ORDER BY rel").fetchall()
    return con.execute("SELECT rel, stem, number FROM files WHERE substr(fstem, 1, :k) = :p "
                       "OR substr(fnumber, 1, :k) = :p ORDER BY rel", {"k": len(prefix), "p": _bindable(prefix)}).fetchall()


def rels_of(con: sqlite3.Connection, stems: Iterable[str]) -> dict[str, str]:
    """stem -> rel of the usable files with these stems (the last in path order, as heads() gives them)."""
    stems = list(dict.fromkeys(map(_bindable, stems)))
    out: dict[str, str] = {}
    for i in range(0, len(stems), 500):          # SQLite's limit on bound parameters is 999 on old builds
        chunk = stems[i:i + 500]
        out.update(con.execute(f"SELECT stem, rel FROM files WHERE stem IN ({','.join('?' * len(chunk))}) "
                               "ORDER BY rel", chunk))
    return out


def rows(con: sqlite3.Connection, rels: Iterable[str] | None = None) -> dict[str, bytes]:
    """rel -> pickled directive, of `rels` or of every usable file."""
    if rels is None:
        return dict(con.execute("SELECT f.rel, r.row FROM files f JOIN rows r ON r.file = f.id"))
    return dict(con.execute("SELECT f.rel, r.row FROM files f JOIN rows r ON r.file = f.id "
                            "WHERE f.rel IN (SELECT value FROM json_each(?))",
                            (json.dumps(sorted(rels)),)))


def names_in_use(con: sqlite3.Connection) -> set[str]:
    out: set[str] = set()
    for (names,) in con.execute("SELECT DISTINCT names FROM tasks"):
        out.update(json.loads(name) for name in names.split(_SEP) if name)
    return out


def _derive(build, item: tuple[str, int, bytes]):
    rel, file_id, blob = item
    return rel, file_id, pickle.dumps(build(pickle.loads(blob)), protocol=pickle.HIGHEST_PROTOCOL)


def derived(con: sqlite3.Connection, kind: str, build, rels: Iterable[str] | None,
            untrusted: dict[str, bytes], progress: Progress | None = None) -> tuple[dict[str, object], int]:
    """rel -> build(directive) of `rels` (or of every usable file), kept per file under `kind` (which
    names everything besides the file that the value depends on). Values of files the index keeps no
    key for are built every time and never saved. Also gives how many were built."""
    wanted = None if rels is None else set(rels)
    out: dict[str, bytes] = {}
    for rel, value in con.execute("SELECT f.rel, d.value FROM derived d JOIN files f ON f.id = d.file "
                                  "WHERE d.kind = ?", (kind,)):
        if wanted is None or rel in wanted:
            out[rel] = value
    missing = [row for row in con.execute("SELECT f.rel, f.id, r.row FROM files f JOIN rows r ON r.file = f.id" + (
        " WHERE f.rel IN (SELECT value FROM json_each(?))" if wanted is not None else ""),
        () if wanted is None else (json.dumps(sorted(wanted - out.keys())),)) if row[0] not in out]
    if missing:
        built = list(run_all(functools.partial(_derive, build), missing, progress))
        # Kept under the row it was built from: if another dtrack replaced that row meanwhile, nothing is.
        keep = [(file_id, kind, blob, file_id) for rel, file_id, blob in built if rel not in untrusted]
        if keep:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany("INSERT OR REPLACE INTO derived SELECT ?, ?, ? WHERE EXISTS "
                                "(SELECT 1 FROM files WHERE id = ?)", keep)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        out.update((rel, blob) for rel, _id, blob in built)
    return {rel: pickle.loads(value) for rel, value in out.items()}, len(missing)
