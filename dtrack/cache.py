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
from dataclasses import fields, is_dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path

from . import __version__, agencies, model
from .agencies import Registry
from .model import Directive, Task
from .store import AGENCIES_FILE, FileProblem, Store, cache_dir, load_directive, load_registry, scan

FORMAT = 1
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


# ---------------------------------------------------------------------------- the cache file

def _stat_key(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def _stamp(root: Path) -> tuple:
    """What the cached rows depend on besides the files: any difference rebuilds the cache.
    The parsing modules' own stats catch a developer's edit that keeps the version number."""
    code = []
    for module in (sys.modules[__name__], model, agencies, sys.modules["dtrack.store"], sys.modules["dtrack.text"]):
        try:
            code.append(_stat_key(os.stat(module.__file__))[:2])
        except (OSError, TypeError):
            code.append(None)
    shape = tuple((name, _names(cls)) for name, cls in sorted(_CLASSES.items()))
    return (FORMAT, __version__, sys.version_info[:2], str(root), shape, tuple(code))


def cache_file(root: Path) -> Path:
    key = hashlib.sha1(str(root).encode("utf-8")).hexdigest()[:12]
    return cache_dir(root) / f"load-{key}.pickle"


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


def _write(path: Path, stamp: tuple, body_for) -> None:
    """Write atomically. `body_for(now_ns)` builds the body once the file system's own clock
    (the new file's mtime) is known, so that racy entries can be left out."""
    import tempfile
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError:
        return      # a read-only place: run without a cache
    try:
        with os.fdopen(fd, "wb") as f:
            now_ns = os.fstat(f.fileno()).st_mtime_ns
            pickle.dump(stamp, f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(body_for(now_ns), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


# ---------------------------------------------------------------------------- parsing

def _parse_one(rel: str, path: str, memo: dict) -> tuple[str, tuple | None, tuple]:
    """(rel, cached row, ()) for a good file; (rel, None, (directive or None, problems)) otherwise."""
    directive, problems = load_directive(Path(path), rel)
    if directive is not None and not problems:
        return rel, encode(directive, memo), ()
    return rel, None, (directive, problems)


def _parse_chunk(items: list[tuple[str, str]]) -> list:
    gc.disable()        # a bulk load makes only long-lived objects: collecting is wasted work
    memo: dict = {}
    return [_parse_one(rel, path, memo) for rel, path in items]


def _parse_all(todo: list[tuple[str, str]]):
    """Yield (rel, row or None, [directive, problems] or []) for every file to parse, in any order.
    Both cores are used for a big first build; a progress bar appears when it is slow."""
    started = time.perf_counter()
    bar = None
    try:
        if len(todo) >= POOL_MIN_FILES and (os.cpu_count() or 1) > 1:
            results = _pooled(todo)
        else:
            memo: dict = {}
            results = (_parse_one(rel, path, memo) for rel, path in todo)
        for done, item in enumerate(results, 1):
            yield item
            if bar is None and time.perf_counter() - started > PROGRESS_AFTER and sys.stderr.isatty():
                from . import render
                bar = render.progress_bar(len(todo))
            if bar is not None:
                bar.update(done)
    finally:
        if bar is not None:
            bar.close()


def _pooled(todo: list[tuple[str, str]]):
    import multiprocessing
    workers = min(os.cpu_count() or 1, 8)
    size = max(50, min(500, len(todo) // (workers * 8)))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin" else "spawn"
    with multiprocessing.get_context(method).Pool(workers) as pool:
        for chunk in pool.imap_unordered(_parse_chunk, chunks):
            yield from chunk


# ---------------------------------------------------------------------------- load

def load(root: Path) -> Store:
    """The same Store as store.load_uncached(root), from the cache where the files did not change."""
    root = Path(root)
    stamp = _stamp(root)
    where = cache_file(root)
    old = _read(where, stamp) or {"files": {}, "agencies": None}
    old_files: dict = old["files"]
    enabled = gc.isenabled()
    gc.disable()
    try:
        registry, problems, agencies_entry, changed = _registry(root, old.get("agencies"))
        entries = scan(root)
        keys: dict[str, tuple] = {}
        rows: dict[str, tuple] = {}
        todo: list[tuple[str, str]] = []
        for rel, entry in entries:
            try:
                key = _stat_key(entry.stat())
            except OSError:
                key = None
            keys[rel] = key
            hit = old_files.get(rel)
            if hit is not None and key is not None and hit[0] == key:
                rows[rel] = hit[1]
            else:
                todo.append((rel, entry.path))
        fresh: dict[str, tuple] = {}
        found: dict[str, tuple] = {}
        for rel, row, bad in _parse_all(todo):
            if row is not None:
                rows[rel] = fresh[rel] = row
            else:
                found[rel] = bad
        directives: list[Directive] = []
        for rel, _entry in entries:
            if rel in found:
                directive, file_problems = found[rel]
                problems.extend(file_problems)
                if directive is not None:
                    directives.append(directive)
            elif rel in rows:
                directives.append(decode(rows[rel]))
        changed = changed or bool(fresh) or len(rows) != len(old_files)
        if changed:
            def body(now_ns: int) -> dict:
                kept = {rel: (keys[rel], row) for rel, row in rows.items()
                        if keys[rel] is not None and keys[rel][1] < now_ns - RACY_NS}
                ag = agencies_entry if agencies_entry and agencies_entry[0][1] < now_ns - RACY_NS else None
                return {"files": kept, "agencies": ag}
            _write(where, stamp, body)
    finally:
        if enabled:
            gc.enable()
    return Store(root, directives, problems, registry)


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
