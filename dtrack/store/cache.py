"""The parse cache: repeated runs read one pickle instead of parsing every YAML file.

A file is parsed again when its stat key changed (size, mtime in ns, inode, ctime in ns:
compared for equality, never against a clock), and added or deleted files are picked up
by the directory scan that every run does. A file whose mtime is within RACY_NS of the
moment the cache is written is not cached at all ("racy git"): a second write within the
same timestamp tick would keep size, mtime and inode, so its stat key cannot be trusted.

Files with any problem are not cached either: they are parsed again on every run, so the
warnings `list` prints are always current and in the user's language.

The cache is a derived file, never the truth: it lives outside git's view (store.cache_dir),
is written atomically (temp + replace: a reader sees the old or the new cache, never half),
and is rebuilt silently when missing, unreadable, or written by another dtrack, Python, or
model (the dataclass fields are part of its stamp, and so are the parsing modules' stats).
Directives are stored as tuples in `dataclasses.fields` order (pickling tuples is several
times faster than pickling the objects), so a field added to the model is cached without
a change here.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import re
import sys
import time
import zlib
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple, Sequence

from dtrack import __version__
from dtrack.domain import agencies
from dtrack.domain import labels
from dtrack.domain import model
from dtrack.domain.agencies import Registry
from dtrack.domain.model import Directive, Task
from dtrack.domain.text import fold
from dtrack.store.files import AGENCIES_FILE, SUFFIX, FileProblem, Store, cache_dir, load_directive, load_registry, scan

FORMAT = 3
SHARDS = 32                      # an edit rewrites one shard of full rows (and a small delta of the index)
DELTA_MAX = 64                   # files changed since the index was written, kept in a delta beside it
RACY_NS = 2_000_000_000          # FAT keeps mtimes to 2 s; ext4 to a jiffy
POOL_MIN_FILES = 400 if sys.platform != "win32" else 2000   # below this, starting workers costs more than it saves
PROGRESS_AFTER = 1.0             # seconds: a first build that takes longer shows a progress bar


# ---------------------------------------------------------------------------- encoding

class _Obj(tuple):
    """A nested dataclass value as (class name, field values...) inside a cached row."""
    __slots__ = ()


_CLASSES = {name: cls for name, cls in vars(model).items() if isinstance(cls, type) and is_dataclass(cls)}
_CLASSES.update({"Agency": agencies.Agency})


def _names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _nested_positions(cls) -> tuple[int, ...]:
    """Fields whose annotation names a model dataclass: those values are encoded recursively."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, _CLASSES)) + r")\b")
    return tuple(i for i, f in enumerate(fields(cls)) if f.name != "tasks" and pattern.search(str(f.type)))


_D_NAMES, _T_NAMES = _names(Directive), _names(Task)
_D_GET, _T_GET = attrgetter(*_D_NAMES), attrgetter(*_T_NAMES)
_TASKS = _D_NAMES.index("tasks")
_D_NESTED, _T_NESTED = _nested_positions(Directive), _nested_positions(Task)
_POSITIONAL = all(f.init for c in (Directive, Task) for f in fields(c))


def _enc(value):
    if is_dataclass(value) and not isinstance(value, type):
        return _Obj((type(value).__name__, *(_enc(getattr(value, n)) for n in _names(type(value)))))
    if isinstance(value, (tuple, list)):
        return type(value)(_enc(v) for v in value)
    return value


def _dec(value):
    if type(value) is _Obj:
        return _build(_CLASSES[value[0]], [_dec(v) for v in value[1:]])
    if isinstance(value, (tuple, list)):
        return type(value)(_dec(v) for v in value)
    return value


def _build(cls, values):
    if _POSITIONAL or all(f.init for f in fields(cls)):
        return cls(*values)
    obj = cls.__new__(cls)
    for name, value in zip(_names(cls), values):
        object.__setattr__(obj, name, value)
    return obj


def encode(directive: Directive, memo: dict | None = None) -> tuple:
    """The directive as nested tuples. Equal values share one object through `memo` (agency names,
    dates, statuses repeat across thousands of tasks): pickle then writes each once, which makes
    the cache several times smaller and faster to load."""
    share = _sharer({} if memo is None else memo)
    row = [share(v) for v in _D_GET(directive)]
    tasks = []
    for task in directive.tasks:
        t_row = [share(v) for v in _T_GET(task)]
        for i in _T_NESTED:
            if t_row[i]:
                t_row[i] = _enc(t_row[i])
        tasks.append(tuple(t_row))
    row[_TASKS] = tuple(tasks)
    for i in _D_NESTED:
        row[i] = _enc(row[i])
    return tuple(row)


def _sharer(memo: dict):
    # Only types whose equality implies identity of meaning (1 == True == 1.0 must not merge).
    def share(value):
        kind = type(value)
        if kind is str or kind is date or (kind is tuple and all(type(x) is str for x in value)):
            return memo.setdefault(value, value)
        return value
    return share


def decode(row: tuple) -> Directive:
    row = list(row)
    tasks = []
    for t_row in row[_TASKS]:
        if any(t_row[i] for i in _T_NESTED):
            t_row = list(t_row)
            for i in _T_NESTED:
                t_row[i] = _dec(t_row[i])
        tasks.append(_build(Task, t_row))
    row[_TASKS] = tasks
    for i in _D_NESTED:
        row[i] = _dec(row[i])
    return _build(Directive, row)


# ---------------------------------------------------------------------------- index facts

NO_DUE = 4_000_000          # after date.max.toordinal(): open tasks without a deadline sort last


def _facts(directive: Directive, share) -> tuple[tuple, list[tuple]]:
    """(per-file facts: number, agency names in use, folded stem and number; open-task entries) of one
    directive.
    An entry sorts as `list` does: deadline (none last), stem, n, then the path for equal stems."""
    names = share(tuple(sorted({a for x in directive.tasks for a in (*x.lead, *x.support)})))
    stem, rel = directive.stem, directive.path
    facts = (directive.number, names, fold(stem), fold(directive.number))
    entries = [(x.due.toordinal() if x.due else NO_DUE, stem, x.n, rel, labels.task_label(x.text, x.every),
                share(x.lead), share(x.support)) for x in directive.tasks if x.status == "open"]
    return facts, entries


def _facts_columns(facts: dict[str, tuple]) -> dict:
    """rel -> (number, names, folded stem, folded number) as columns (lists and an array of ids into
    a table of name tuples): a few ms to load and to write, where a dict of tuples took ~50 ms."""
    table: dict[tuple, int] = {}
    return {"rels": _pack(list(facts)), "numbers": _pack([f[0] for f in facts.values()]),
            "names": array("l", [table.setdefault(f[1], len(table)) for f in facts.values()]),
            "table": _shared(table), "fstems": _pack([f[2] for f in facts.values()]),
            "fnumbers": _pack([f[3] for f in facts.values()])}


def _facts_dict(columns: dict) -> dict[str, tuple]:
    table = columns["table"]
    rels, numbers, fstems, fnumbers = (_unpack(columns[k]) for k in ("rels", "numbers", "fstems", "fnumbers"))
    return dict(zip(rels, zip(numbers, [table[i] for i in columns["names"]], fstems, fnumbers)))


def _pack(strings: list[str]) -> str | list[str]:
    """Strings as one string with NUL between them (one object to unpickle, not 10,000), unless one holds NUL."""
    joined = "\0".join(strings)
    return joined if joined.count("\0") == len(strings) - 1 and strings else strings


def _unpack(packed: str | list[str]) -> list[str]:
    return packed.split("\0") if isinstance(packed, str) else packed


# The open tasks in memory: sorted columns ("due" and "n" arrays; "rel", "label", "lead", "support"
# lists). On disk the labels are one joined string and the agency tuples ids into a table: arrays
# and one string unpickle ~5x faster than 37,000 tuples.
_COLUMNS = ("due", "stem", "n", "rel", "label", "lead", "support")   # an entry's fields, in order
PATCH_MAX = 256          # entries: a change this small is patched into the columns, not re-sorted


def _columns(entries: list[tuple]) -> dict:
    """Columns of sorted entries."""
    return {"due": array("l", [e[0] for e in entries]), "n": array("l", [e[2] for e in entries]),
            "rel": [e[3] for e in entries], "label": [e[4] for e in entries],
            "lead": [e[5] for e in entries], "support": [e[6] for e in entries]}


def _entries(columns: dict) -> list[tuple]:
    rels = columns["rel"]
    stems: dict[str, str] = {}
    for rel in rels:
        if rel not in stems:
            stems[rel] = _stem(rel)
    return list(zip(columns["due"], [stems[r] for r in rels], columns["n"], rels, columns["label"],
                    columns["lead"], columns["support"]))


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1][: -len(SUFFIX)]


def _changed_columns(columns: dict, stale: set, new: list[tuple]) -> dict:
    """The columns without the entries of `stale` files and with `new` entries, in order. A small
    change (one edited file) is patched in place of re-sorting 37,000 entries."""
    rels = columns["rel"]
    drop = [i for i, rel in enumerate(rels) if rel in stale] if stale else []
    if len(drop) + len(new) > PATCH_MAX:
        kept = _entries(columns)
        if stale:
            kept = [e for e in kept if e[3] not in stale]
        kept += new
        kept.sort()
        return _columns(kept)
    for i in reversed(drop):
        for column in columns.values():
            del column[i]
    due, ns = columns["due"], columns["n"]
    def order(i: int) -> tuple:
        return _stem(rels[i]), ns[i], rels[i]
    for e in sorted(new):
        lo, hi = bisect_left(due, e[0]), bisect_right(due, e[0])
        # thousands of tasks can share a deadline: bisect among them too
        at = lo + bisect_left(range(lo, hi), e[1:4], key=order)
        for name, value in zip(_COLUMNS, e):
            if name != "stem":
                columns[name].insert(at, value)
    return columns


def _dump_columns(columns: dict) -> dict:
    table: dict[tuple, int] = {}
    return {"due": columns["due"], "n": columns["n"], "rel": columns["rel"], "label": "\n".join(columns["label"]),
            "lead": array("l", [table.setdefault(x, len(table)) for x in columns["lead"]]),
            "support": array("l", [table.setdefault(x, len(table)) for x in columns["support"]]),
            "groups": _shared(table)}


def _shared(tuples) -> list[tuple]:
    """Tuples of strings whose equal strings are one object, so that pickle writes each agency name
    once: the ~10,000 name tuples of a store unpickle in ~3 ms instead of ~30 ms (workers of a first
    build each made their own copies of the names)."""
    memo: dict[str, str] = {}
    return [tuple([memo.setdefault(s, s) for s in x]) for x in tuples]


def _load_columns(saved: dict) -> dict:
    groups = saved["groups"]
    # Labels are one line each (labels.clean), so a newline separates them safely.
    return {"due": saved["due"], "n": saved["n"], "rel": saved["rel"],
            "label": saved["label"].split("\n") if saved["rel"] else [],
            "lead": [groups[i] for i in saved["lead"]], "support": [groups[i] for i in saved["support"]]}




# ---------------------------------------------------------------------------- the cache files

def _stat_key(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def _stat_keys(entries: list) -> dict[str, tuple | None]:
    try:
        return {rel: _stat_key(entry.stat()) for rel, entry in entries}
    except OSError:     # a file deleted during the scan: None makes it parsed, and reported
        keys = {}
        for rel, entry in entries:
            try:
                keys[rel] = _stat_key(entry.stat())
            except OSError:
                keys[rel] = None
        return keys


_MODULES = ("store/cache", "domain/model", "domain/agencies", "store/files", "domain/text", "domain/labels")


def _stamp(root: Path) -> tuple:
    """What the cached rows depend on besides the files: any difference rebuilds the cache.
    The parsing modules' own stats catch a developer's edit that keeps the version number."""
    code = []
    package = os.path.dirname(os.path.dirname(__file__))
    for name in _MODULES:
        try:
            code.append(_stat_key(os.stat(os.path.join(package, name + ".py")))[:2])
        except OSError:
            code.append(None)
    shape = tuple((name, _names(cls)) for name, cls in sorted(_CLASSES.items()))
    return (FORMAT, __version__, sys.version_info[:2], str(root), shape, tuple(code), SHARDS)


def cache_file(root: Path) -> Path:
    """The index: per file its stat key and facts, and the open tasks `list` prints."""
    key = hashlib.sha1(str(root).encode("utf-8")).hexdigest()[:12]
    return cache_dir(root) / f"load-{key}.pickle"


def shard_file(root: Path, i: int) -> Path:
    """Full rows of the files whose path hashes to shard `i`: an edit rewrites one shard, not all."""
    index = cache_file(root)
    return index.with_name(f"{index.stem}-{i:02d}.pickle")


def cache_files(root: Path) -> list[Path]:
    return [cache_file(root), _delta_file(cache_file(root))] + [shard_file(root, i) for i in range(SHARDS)] + \
        [_json_file(root, i) for i in range(SHARDS)]


def _shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8")) % SHARDS


def _read(path: Path, stamp: tuple) -> dict | None:
    try:
        with open(path, "rb") as f:
            if pickle.load(f) != stamp:
                return None
            body = pickle.load(f)
        if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
            return None
        return body
    except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
        return None


def _write(path: Path, stamp: tuple, body_for) -> bool:
    """Write atomically; True when written. `body_for(now_ns)` builds the body (a tuple: one pickle
    each part) once the file system's own clock (the new file's mtime) is known, so that racy
    entries can be left out."""
    import tempfile
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError:
        return False    # a read-only place: run without a cache
    try:
        with os.fdopen(fd, "wb") as f:
            now_ns = os.fstat(f.fileno()).st_mtime_ns
            pickle.dump(stamp, f, protocol=pickle.HIGHEST_PROTOCOL)
            body = body_for(now_ns)
            for part in body if isinstance(body, tuple) else (body,):
                if type(part) is _Raw:
                    f.write(part)
                else:
                    pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


class _Raw(bytes):
    """A part of a cache file already pickled (the writer needed its size first)."""


def _trusted(key: tuple | None, now_ns: int) -> bool:
    return key is not None and key[1] < now_ns - RACY_NS


# ---------------------------------------------------------------------------- parsing

def _parse_one(rel: str, path: str, memo: dict) -> tuple:
    """(rel, cached row, facts, entries) for a good file; (rel, None, (directive or None, problems), ())
    otherwise."""
    directive, problems = load_directive(Path(path), rel)
    if directive is not None and not problems:
        share = _sharer(memo)
        facts, entries = _facts(directive, share)
        return rel, encode(directive, memo), facts, entries
    return rel, None, (directive, problems), ()


def _parse_chunk(items: list[tuple[str, str]]) -> list:
    gc.disable()        # a bulk load makes only long-lived objects: collecting is wasted work
    memo: dict = {}
    return [_parse_one(rel, path, memo) for rel, path in items]


STORED = "stored in its shard"     # in place of a row that a worker wrote to its shard itself


def _parse_shard(job: tuple) -> list:
    """A first build's worker: parse one shard's files and write that shard, so the rows never
    travel back to the parent (pickling them twice cost more than the parent's whole share of the
    work). Rows too new to be trusted (racy), or all if the shard cannot be written, go back."""
    items, path, stamp, keys = job
    results = _parse_chunk(items)
    trusted: set[str] = set()

    def body(now_ns: int) -> dict:
        rows = {rel: (keys[rel], row) for rel, row, _f, _e in results
                if row is not None and _trusted(keys[rel], now_ns)}
        trusted.update(rows)
        return {"files": rows}
    if not _write(Path(path), stamp, body):
        trusted.clear()
    return [(rel, STORED if rel in trusted else row, found, entries) for rel, row, found, entries in results]


def _parse_all(todo: list[tuple[str, str]], shards: tuple | None = None):
    """Yield _parse_one's result for every file to parse, in any order (with `shards` = (root,
    stamp, stat keys) on a first build, workers write the shards: a row may then be STORED).
    Both cores are used for a big first build; a progress bar appears when it is slow."""
    started = time.perf_counter()
    bar = None
    try:
        if len(todo) >= POOL_MIN_FILES and (os.cpu_count() or 1) > 1:
            results = _pooled(todo, shards)
        else:
            memo: dict = {}
            results = (_parse_one(rel, path, memo) for rel, path in todo)
        for done, item in enumerate(results, 1):
            yield item
            if bar is None and time.perf_counter() - started > PROGRESS_AFTER and sys.stderr.isatty():
                from dtrack.output import render
                bar = render.progress_bar(len(todo))
            if bar is not None:
                bar.update(done)
    finally:
        if bar is not None:
            bar.close()


def _pooled(todo: list[tuple[str, str]], shards: tuple | None):
    import multiprocessing
    workers = min(os.cpu_count() or 1, 8)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin" else "spawn"
    with multiprocessing.get_context(method).Pool(workers) as pool:
        if shards is not None:
            root, stamp, keys = shards
            groups: dict[int, list] = {i: [] for i in range(SHARDS)}
            for item in todo:
                groups[_shard_of(item[0])].append(item)
            jobs = [(items, str(shard_file(root, i)), stamp, {rel: keys[rel] for rel, _p in items})
                    for i, items in groups.items()]
            for chunk in pool.imap_unordered(_parse_shard, jobs):
                yield from chunk
            return
        size = max(50, min(500, len(todo) // (workers * 8)))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        for chunk in pool.imap_unordered(_parse_chunk, chunks):
            yield from chunk


# ---------------------------------------------------------------------------- the index

@dataclass
class Index:
    """What `list` and reference resolution need, without building the directives: the files in
    path order, the open tasks as sorted columns (due ordinals, path, n, task label, lead and
    support tuples), the problems. Per-file facts (number, agency names) are read on demand."""
    root: Path
    registry: Registry
    problems: list[FileProblem]
    rels: list[str]
    due: array
    rel: list[str]
    n: array
    labels: list[str]
    lead: list[tuple]
    support: list[tuple]
    _facts: dict = field(default_factory=dict, repr=False)
    _more: object = field(default=None, repr=False)       # reads the cached facts, once
    # for load(): the rows parsed in this run, the unusable files, the stat keys
    fresh: dict = field(default_factory=dict, repr=False)
    bad: dict = field(default_factory=dict, repr=False)
    keys: dict = field(default_factory=dict, repr=False)
    stamp: tuple = ()
    stale: set = field(default_factory=set, repr=False)    # files whose cached facts no longer hold

    def facts(self) -> dict[str, tuple]:
        """rel -> (number, agency names in use) of every usable file."""
        if self._more is not None:
            cached, self._more = self._more(), None
            self._facts.update({rel: f for rel, f in cached.items()
                                if rel not in self._facts and rel in self.keys and rel not in self.stale
                                and rel not in self.bad})
            memo: dict = {}
            for rel in self.rels:
                if rel not in self._facts and rel not in self.bad:
                    # facts lost with a damaged index tail: read them from the file itself
                    directive, _problems = load_directive(self.root / rel, rel)
                    if directive is not None:
                        self._facts[rel] = _facts(directive, _sharer(memo))[0]
        return self._facts

    def directives(self) -> list[tuple[str, str, str]]:
        """(rel, stem, number) of every usable file, in path order."""
        facts = self.facts()
        return [(rel, rel.rsplit("/", 1)[-1][: -len(SUFFIX)], facts[rel][0]) for rel in self.rels if rel in facts]

    def names_in_use(self) -> set[str]:
        return {a for f in self.facts().values() for a in f[1]}


class _Unreadable(Exception):
    """The index head was good but its open-task columns are not: the index is rebuilt."""


def load_index(root: Path, open_tasks: bool = True) -> Index:
    """The index of the store at `root`, brought up to date: files whose stat key changed, new
    files and deleted ones are parsed or dropped, and the changed shards and index rewritten.
    Without `open_tasks` (reference resolution), the open-task columns are read only if the index
    must be rewritten, and the Index has none."""
    try:
        return _load_index(Path(root), open_tasks)
    except _Unreadable:
        try:
            os.unlink(cache_file(Path(root)))
        except OSError:
            pass
        return _load_index(Path(root), open_tasks)


def _load_index(root: Path, open_tasks: bool) -> Index:
    stamp = _stamp(root)
    where = cache_file(root)
    reader = _Reader(where, stamp)
    old = reader.head() or {"files": {}, "agencies": None}
    old_keys: dict = old["files"]
    delta = reader.delta() if old_keys else None
    delta_facts: dict = {}
    if delta:
        # The small changes saved since the head was written (see _save_delta).
        old_keys = {**old_keys, **{rel: key for rel, key in delta["files"].items() if key is not None}}
        for rel in [rel for rel, key in delta["files"].items() if key is None]:
            old_keys.pop(rel, None)
        delta_facts = delta["facts"]
    patched: list[dict] = []

    def columns() -> dict:
        """The open-task columns: the head's, with the delta and this run's changes applied."""
        if not patched:
            saved = reader.columns() if old_keys else _dump_columns(_columns([]))
            if saved is None:
                raise _Unreadable()
            cols = _load_columns(saved)
            if delta:
                cols = _changed_columns(cols, set(delta["files"]), delta["entries"])
            if stale or new_entries:
                cols = _changed_columns(cols, stale, new_entries)
            patched.append(cols)
        return patched[0]
    enabled = gc.isenabled()
    gc.disable()
    try:
        registry, problems, agencies_entry, changed = _registry(root, old.get("agencies"))
        entries = scan(root)
        keys = _stat_keys(entries)
        if keys == old_keys:        # the usual run: nothing changed (one C-level comparison)
            todo, hits = [], len(keys)
        else:
            todo = [(rel, entry.path) for rel, entry in entries
                    if keys[rel] is None or old_keys.get(rel) != keys[rel]]
            hits = len(keys) - len(todo)
        # changed or deleted since the index was written
        stale = {rel for rel in old_keys if old_keys[rel] != keys.get(rel)} if hits < len(old_keys) else set()
        deleted = stale.difference(keys)
        fresh: dict[str, tuple] = {}
        bad: dict[str, tuple] = {}
        facts = {rel: f for rel, f in delta_facts.items() if rel not in stale}
        new_entries: list[tuple] = []
        rebuild = not old_keys
        stored = 0
        for rel, row, found, file_entries in _parse_all(todo, (root, stamp, keys) if rebuild else None):
            if type(row) is str:        # STORED, by a worker
                stored += 1
                facts[rel] = found
                new_entries.extend(file_entries)
            elif row is not None:
                fresh[rel] = row
                facts[rel] = found
                new_entries.extend(file_entries)
            else:
                bad[rel] = found
        memo: dict = {}
        for rel, (directive, file_problems) in bad.items():
            if directive is not None:
                facts[rel], file_entries = _facts(directive, _sharer(memo))
                new_entries.extend(file_entries)
        for rel, _entry in entries:
            if rel in bad:
                problems.extend(bad[rel][1])
        cols = columns() if open_tasks else _columns([])
        rels = [rel for rel, _entry in entries]
        index = Index(root, registry, problems, rels, cols["due"], cols["rel"], cols["n"],
                      cols["label"], cols["lead"], cols["support"], facts, reader.facts if hits else None,
                      fresh, bad, keys, stamp, stale | set(delta["files"] if delta else ()))
        # Rewrite only when something cacheable changed: a file edited this very second (racy) is
        # parsed again on the next run anyway, so rewriting the index for it alone is wasted work.
        now = time.time_ns()
        if changed or rebuild or len(fresh) > DELTA_MAX:
            # After workers wrote the shards, only the rows they sent back go into them.
            _save(index, kept_entries=columns(), deleted=deleted, agencies_entry=agencies_entry,
                  rebuild=rebuild and not stored)
        elif deleted or bad.keys() & old_keys.keys() or any(_trusted(keys[rel], now) for rel in fresh):
            if not _save_delta(index, delta, stale, new_entries, where):
                _save(index, kept_entries=columns(), deleted=deleted, agencies_entry=agencies_entry, rebuild=False)
    finally:
        if enabled:
            gc.enable()
    return index


def _save_delta(index: Index, delta: dict | None, stale: set, new_entries: list[tuple], where: Path) -> bool:
    """Save a small change (an edited, added or deleted file) as a delta beside the head, so that
    one edit rewrites a few KB and one shard, not the whole index. False when the delta would grow
    past DELTA_MAX files: then the caller rewrites the index (which also retires the delta)."""
    try:
        st = os.stat(where)
    except OSError:
        return False
    base = _stat_key(st)
    files = dict(delta["files"]) if delta else {}
    facts = {rel: f for rel, f in delta["facts"].items() if rel not in stale} if delta else {}
    entries = [e for e in delta["entries"] if e[3] not in stale] if delta else []
    keys, bad = index.keys, index.bad
    changed = stale | index.fresh.keys()
    if len(changed.union(files)) > DELTA_MAX:
        return False
    _update_shards(index.root, index.stamp, {rel: (keys[rel], row) for rel, row in index.fresh.items()},
                   (stale - keys.keys()) | set(bad), False)

    def body(now_ns: int) -> dict:
        out_files, out_facts = dict(files), dict(facts)
        for rel in changed:
            if rel in index.fresh and _trusted(keys.get(rel), now_ns):
                out_files[rel] = keys[rel]
                out_facts[rel] = index._facts[rel]
            else:
                out_files[rel] = None       # deleted, unusable or racy: parsed again next time
                out_facts.pop(rel, None)
        cached = {rel for rel, key in out_files.items() if key is not None}
        return {"base": base, "files": out_files, "facts": out_facts,
                "entries": entries + [e for e in new_entries if e[3] in cached and e[3] in changed]}
    _write(_delta_file(where), index.stamp, body)
    return True


def _delta_file(index_file: Path) -> Path:
    return index_file.with_name(f"{index_file.stem}-delta.pickle")


class _Reader:
    """The index file: the stamp, the head (stat keys, agencies, the size of the next part) that every
    run reads, the open-task columns that `list` reads, then the per-file facts that only reference
    resolution and --agency need. The head gives the columns' size so that `done` skips them."""

    def __init__(self, path: Path, stamp: tuple):
        self.path, self.stamp, self._offset, self._open_size = path, stamp, None, 0

    def head(self) -> dict | None:
        try:
            with open(self.path, "rb") as f:
                if pickle.load(f) != self.stamp:
                    return None
                body = pickle.load(f)
                self._offset = f.tell()
            if not isinstance(body, dict) or not isinstance(body.get("files"), dict) \
                    or not isinstance(body.get("open_size"), int):
                return None
            self._open_size = body["open_size"]
            return body
        except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
            return None

    def columns(self) -> dict | None:
        """The open-task columns as saved (_dump_columns), or None; after head()."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self._offset)
                saved = pickle.load(f)
            return saved if isinstance(saved, dict) else None
        except Exception:  # noqa: BLE001
            return None

    def delta(self) -> dict | None:
        """The delta saved after the head, if it was saved after this very head (its stat key)."""
        try:
            base = _stat_key(os.stat(self.path))
            with open(_delta_file(self.path), "rb") as f:
                if pickle.load(f) != self.stamp:
                    return None
                delta = pickle.load(f)
            return delta if isinstance(delta, dict) and delta.get("base") == base else None
        except Exception:  # noqa: BLE001 - no delta, or an unusable one: the files are checked anyway
            return None

    def facts(self) -> dict:
        try:
            with open(self.path, "rb") as f:
                if self._offset is None:
                    if self.head() is None:
                        return {}
                f.seek(self._offset + self._open_size)      # after the head and the columns
                return _facts_dict(pickle.load(f))
        except Exception:  # noqa: BLE001
            return {}


def _save(index: Index, *, kept_entries: dict, deleted: set, agencies_entry, rebuild: bool) -> None:
    """Shards first, then the index: each entry is checked against the file's stat key when used,
    so an interrupted save costs a re-parse, never a stale answer."""
    keys, bad = index.keys, index.bad
    _update_shards(index.root, index.stamp, {rel: (keys[rel], row) for rel, row in index.fresh.items()},
                   deleted | set(bad), rebuild)
    facts = index.facts()

    def body(now_ns: int) -> tuple:
        kept = {rel: key for rel, key in keys.items() if rel in facts and rel not in bad and _trusted(key, now_ns)}
        ag = agencies_entry if agencies_entry and _trusted(agencies_entry[0], now_ns) else None
        columns = kept_entries
        if len(kept) < len(facts):
            columns = _columns([e for e in _entries(kept_entries) if e[3] in kept])
        open_part = _Raw(pickle.dumps(_dump_columns(columns), protocol=pickle.HIGHEST_PROTOCOL))
        return ({"files": kept, "agencies": ag, "open_size": len(open_part)}, open_part,
                _facts_columns({rel: facts[rel] for rel in kept}))
    _write(cache_file(index.root), index.stamp, body)


def _update_shards(root: Path, stamp: tuple, rows: dict, dropped: set, rebuild: bool) -> None:
    """Put `rows` (rel -> (stat key, row)) into their shards and drop `dropped`; with `rebuild`,
    the shards are written from `rows` alone (a first build)."""
    touched: dict[int, dict] = {i: {} for i in range(SHARDS)} if rebuild else {}
    for rel in (*rows, *dropped):
        i = _shard_of(rel)
        if i not in touched:
            touched[i] = (_read(shard_file(root, i), stamp) or {"files": {}})["files"]
    for rel in dropped:
        touched[_shard_of(rel)].pop(rel, None)
    for rel, item in rows.items():
        touched[_shard_of(rel)][rel] = item
    for i, content in touched.items():
        def body(now_ns: int, content=content) -> dict:
            return {"files": {rel: item for rel, item in content.items() if _trusted(item[0], now_ns)}}
        _write(shard_file(root, i), stamp, body)


# ---------------------------------------------------------------------------- load

def load(root: Path) -> Store:
    """The same Store as store.load_uncached(root), from the cache where the files did not change."""
    index = load_index(root)
    enabled = gc.isenabled()
    gc.disable()
    try:
        shards: dict[int, dict] = {}
        repaired: dict[str, tuple] = {}
        directives: list[Directive] = []
        memo: dict = {}
        for rel, _stem, _number in index.directives():
            if rel in index.bad:
                directives.append(index.bad[rel][0])
                continue
            row = index.fresh.get(rel)
            if row is None:
                i = _shard_of(rel)
                if i not in shards:
                    shards[i] = (_read(shard_file(index.root, i), index.stamp) or {"files": {}})["files"]
                hit = shards[i].get(rel)
                if hit is not None and hit[0] == index.keys[rel]:
                    row = hit[1]
                else:
                    # A shard lost or older than the index: parse the file, and mend the shard.
                    _rel, row, found, _entries = _parse_one(rel, str(index.root / rel), memo)
                    if row is None:
                        index.problems.extend(found[1])
                        if found[0] is not None:
                            directives.append(found[0])
                        continue
                    repaired[rel] = (index.keys[rel], row)
            directives.append(decode(row))
        if repaired:
            _update_shards(index.root, index.stamp, repaired, set(), False)
    finally:
        if enabled:
            gc.enable()
    return Store(index.root, directives, index.problems, index.registry)


def rows_for(root: Path, rels: Sequence[str]) -> dict[str, tuple]:
    """rel -> (stat key, cached row) of those files that the shards hold, without parsing anything:
    for export-ics, which rebuilds a file's events from the cached row when the key still matches
    the file (stat_key_of), and parses it otherwise."""
    root = Path(root)
    stamp = _stamp(root)
    wanted: dict[int, list[str]] = {}
    for rel in rels:
        wanted.setdefault(_shard_of(rel), []).append(rel)
    out = {}
    for i, names in wanted.items():
        content = (_read(shard_file(root, i), stamp) or {"files": {}})["files"]
        out.update({rel: content[rel] for rel in names if rel in content})
    return out


stat_key_of = _stat_key


# ---------------------------------------------------------------------------- JSON pieces

_JSON_MODULES = ("queries", "jsonout")     # the pieces are their output: an edit of either retires them


def _json_file(root: Path, i: int) -> Path:
    index = cache_file(root)
    return index.with_name(f"{index.stem}-json{i:02d}.pickle")


def _json_stamp(stamp: tuple) -> tuple:
    package = os.path.dirname(os.path.dirname(__file__))
    code = []
    for name in _JSON_MODULES:
        try:
            code.append(_stat_key(os.stat(os.path.join(package, name + ".py")))[:2])
        except OSError:
            code.append(None)
    return (*stamp, "json", tuple(code))


def json_parts(index: Index, rels: set[str], build) -> dict[str, dict] | None:
    """rel -> build(directive) for the files `rels` (the JSON pieces of their open tasks, which do not
    depend on today), for `list --json`: from 32 files of pieces beside the index, each entry kept
    with the stat key of the file it was built from and used only while the file still has that
    key (the same rule as the shards; unusable files are never kept, nor racy ones). The others are
    built from the cached row or the file, and saved. None when build gives None (the caller then
    writes the JSON the general way)."""
    root = index.root
    stamp = _json_stamp(index.stamp)
    wanted: dict[int, list[str]] = {}
    for rel in rels:
        wanted.setdefault(_shard_of(rel), []).append(rel)
    out: dict[str, dict] = {}
    changed: dict[int, dict] = {}
    keys, bad = index.keys, index.bad
    enabled = gc.isenabled()
    gc.disable()
    try:
        for i, names in wanted.items():
            content = (_read(_json_file(root, i), stamp) or {"files": {}})["files"]
            missing = []
            for rel in names:
                hit = content.get(rel)
                if hit is not None and rel not in bad and hit[0] == keys.get(rel):
                    out[rel] = hit[1]
                else:
                    missing.append(rel)
            if not missing:
                continue
            rows = None
            for rel in missing:
                key = keys.get(rel)
                if rel in bad:
                    directive, key = bad[rel][0], None
                elif rel in index.fresh:
                    directive = decode(index.fresh[rel])
                else:
                    if rows is None:
                        rows = (_read(shard_file(root, i), index.stamp) or {"files": {}})["files"]
                    hit = rows.get(rel)
                    if hit is not None and key is not None and hit[0] == key:
                        directive = decode(hit[1])
                    else:
                        directive, problems = load_directive(root / rel, rel)
                        if problems:
                            key = None
                if directive is None:
                    return None
                pieces = build(directive)
                if pieces is None:
                    return None
                out[rel] = pieces
                if key is not None:
                    changed.setdefault(i, content)[rel] = (key, pieces)
        for i, content in changed.items():
            def body(now_ns: int, content=content) -> dict:
                return {"files": {rel: item for rel, item in content.items()
                                  if keys.get(rel) == item[0] and rel not in bad and _trusted(item[0], now_ns)}}
            _write(_json_file(root, i), stamp, body)
    finally:
        if enabled:
            gc.enable()
    return out


class _Named(NamedTuple):
    """A directive as reference resolution sees it (queries.resolve_directive reads stem and number)."""
    path: str
    stem: str
    number: str


def load_for(root: Path, refs: Sequence[str]) -> Store:
    """A Store of only the directives that `refs` name, for commands that change a few tasks: each
    reference is resolved against every file of the store (stems from the file names, numbers from
    the index, the same rules and messages as queries.resolve_task), then only those files are read.
    Problems and registry are the whole store's."""
    from dtrack.services.queries import parse_ref, resolve_directive
    index = load_index(root, open_tasks=False)
    facts = index.facts()

    def named(rels) -> list[_Named]:
        return [_Named(rel, _stem(rel), facts[rel][0]) for rel in rels]
    chosen: set[str] = set()
    for ref in refs:
        key, n = parse_ref(ref)
        if n is None:
            break       # change_tasks reports this reference, after the ones before it, as it always did
        # Any exact or prefix match starts with the folded key: resolve among those (the folded stems
        # and numbers are cached), and among all files only for the error message's suggestions.
        k = fold(key.strip())
        candidates = sorted(rel for rel, f in facts.items() if f[2].startswith(k) or (f[3] and f[3].startswith(k)))
        chosen.add(resolve_directive(named(candidates or [r for r in index.rels if r in facts]), key).path)
    directives = []
    for rel in index.rels:
        if rel not in chosen:
            continue
        if rel in index.bad:
            directive = index.bad[rel][0]
        elif rel in index.fresh:
            directive = decode(index.fresh[rel])
        else:
            directive = load_directive(index.root / rel, rel)[0]
        if directive is not None:
            directives.append(directive)
    return Store(index.root, directives, index.problems, index.registry)


def _registry(root: Path, cached) -> tuple[Registry, list[FileProblem], tuple | None, bool]:
    """The agency registry, from the cache when agencies.yaml did not change."""
    try:
        key = _stat_key(os.stat(root / AGENCIES_FILE))
    except OSError:
        key = None
    if cached is not None and key is not None and cached[0] == key:
        return Registry(_dec(cached[1])), [], cached, False
    registry, problems = load_registry(root)
    entry = (key, _enc(tuple(registry.agencies))) if key is not None and not problems else None
    return registry, problems, entry, entry != cached
