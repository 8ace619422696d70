"""The store as services and the command line ask for it: tasks that pass filters, the heads of the
directives for references, whole directives, values derived per file. Whether the index is kept on
disk (`cached`) is the caller's choice; without it the same index is built in memory from the files,
so both give the same answers by the same code. Only this module and index.py know the index."""
from __future__ import annotations

import pickle
import sqlite3
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from dtrack.domain.agencies import Registry
from dtrack.domain.text import fold
from dtrack.store import index
from dtrack.store.files import FileProblem, Store


class Head(NamedTuple):
    """A directive as reference resolution sees it (path, stem and number, no tasks)."""
    path: str
    stem: str
    number: str


class Found(NamedTuple):
    """A task as `list` selects it, without its directive."""
    rel: str
    ref: str            # labels.ref_label of its stem and number
    status: str
    due: date | None
    label: str          # labels.task_label of its text
    lead: tuple
    pos: int            # its position in the file's task list


class Collection:
    def __init__(self, root: Path, *, cached: bool = True, progress: index.Progress | None = None):
        self.root, self.cached, self.progress = Path(root), cached, progress
        self._con: sqlite3.Connection | None = None
        self._registry = Registry()
        self._problems: list[FileProblem] = []
        self._untrusted: dict[str, bytes] = {}
        self.built = 0          # values the last derived() built (the others came from the index)

    # The index is opened and brought up to date on first use. A damage that opening did not see
    # shows as a DatabaseError later: the index is then rebuilt and the question asked again; if that
    # fails too (a read-only cache folder) or another dtrack holds it, it is answered from memory.
    def _ask(self, question: Callable, *args):
        for attempt in range(3):
            try:
                return question(self._connection(), *args)
            except sqlite3.DatabaseError as e:
                if attempt == 2:
                    raise
                if self._con is not None:
                    self._con.close()
                    self._con = None
                if index.busy(e) or attempt == 1:
                    self.cached = False
                else:
                    index.remove(self.root)
        raise AssertionError("unreachable")

    def _connection(self) -> sqlite3.Connection:
        if self._con is None:
            con = index.connect(self.root, self.cached)
            try:
                self._registry, self._problems, self._untrusted = index.refresh(con, self.root, self.progress)
            except BaseException:
                con.close()
                raise
            self._con = con
        return self._con

    def _open(self) -> None:
        self._ask(lambda con: None)

    @property
    def registry(self) -> Registry:
        self._open()
        return self._registry

    @property
    def problems(self) -> list[FileProblem]:
        self._open()
        return self._problems

    def tasks(self, today: date, *, window: int, scope: str = "due", status: str = "open",
              names: set[str] | None = None, phrase: str | None = None, brief: bool = False) -> list[Found]:
        """Tasks of `status` ("all" for any), sorted by deadline (none last), stem, n, path. scope
        narrows open tasks: "overdue", "due" (overdue or due within `window` days) or "all".
        names: raw agency names, a task passes on a lead or support; phrase: folded text that occurs
        in the folded task text, or title, number and stem. Without `brief`, no path or position
        (None); with it only path, status, due and position (the rest None), for a writer that has
        the rest (list --json)."""
        t0 = today.toordinal()
        due_below = {"overdue": t0, "due": t0 + window + 1}.get(scope)
        return list(map(Found._make, self._ask(index.select, status, due_below, names, phrase, brief)))

    def counts(self, today: date, *, window: int, names: set[str] | None = None,
               phrase: str | None = None) -> dict[str, int]:
        """Open tasks that pass the filters: {"overdue", "due-soon", "open"}."""
        t0 = today.toordinal()
        return self._ask(index.count, t0, t0 + window, names, phrase)

    def names_in_use(self) -> set[str]:
        """Every agency name a task of the store leads or supports."""
        return self._ask(index.names_in_use)

    def heads(self, prefix: str | None = None) -> list[Head]:
        """Every usable directive, or those whose folded stem or number starts with `prefix`, in path order."""
        return [Head(*row) for row in self._ask(index.heads, prefix)]

    def rels_of(self, stems) -> dict[str, str]:
        """stem -> path of the directives with these stems."""
        return self._ask(index.rels_of, stems)

    def ref_prefixes(self, prefix: str, *, tasks_only: bool = False, status: str | None = None,
                     limit: int = 200) -> list[str]:
        """References that complete `prefix` (shell completion), case and diacritics ignored: the stems
        of the directives that start with it; once it names one directive (it has its '#', or one stem
        alone matches), that directive's task references stem#n, of `status` only when given. Without
        `tasks_only` the lone stem itself too (a directive is a reference). Sorted, at most `limit`."""
        key, hash_, number = prefix.partition("#")
        args = (fold(key), bool(hash_), number, tasks_only, status, limit)
        con = self._as_written()
        if con is not None:
            try:
                return _ref_prefixes(con, *args)
            except sqlite3.DatabaseError:
                pass
            finally:
                con.close()
        return self._ask(_ref_prefixes, *args)

    def _as_written(self) -> sqlite3.Connection | None:
        """The index on disk without checking each file's stat (0.04 s of a 10,000-file store, a third
        of a completion), when no folder of the store changed since the index was last written (a
        file edited in place shows at the next command that reads the store): a
        file added, removed or replaced (dtrack writes by renaming, so do most editors) changes its
        folder. Else None, and the caller brings the index up to date as usual."""
        if not self.cached or self._con is not None:
            return None
        try:
            written = index.index_file(self.root).stat().st_mtime_ns
            folders = [self.root, *(p for p in self.root.iterdir() if p.is_dir())]
            # Within 2 s of the index's write, a change may not be in it (index.py's racy window).
            if any(f.stat().st_mtime_ns >= written - 2_000_000_000 for f in folders):
                return None
            con = index.connect(self.root, True)
        except (OSError, sqlite3.DatabaseError):
            return None
        if con.execute("SELECT count(*) FROM files").fetchone()[0] == 0:    # a new or rebuilt index
            con.close()
            return None
        return con

    def store(self, paths: Iterable[str] | None = None) -> Store:
        """A Store of the directives at `paths` (relative), or of all; problems and registry are the
        whole store's."""
        rows = self._ask(index.rows, None if paths is None else set(paths))
        directives = [pickle.loads(rows[rel]) for rel in sorted(rows)]
        return Store(self.root, directives, list(self.problems), self.registry)

    def derived(self, kind: str, build: Callable, paths: Iterable[str] | None = None) -> dict[str, object]:
        """path -> build(directive) of the directives at `paths` (or all), kept in the index per file
        while it is unchanged. `kind` names all the value depends on besides the file (options, a
        language); `build` must be picklable (a top-level function or a partial of one): a big first
        build runs on every core."""
        values, self.built = self._ask(index.derived, kind, build, None if paths is None else set(paths),
                                       self._untrusted, self.progress)
        return values


def _ref_prefixes(con: sqlite3.Connection, key: str, named: bool, number: str, tasks_only: bool,
                  status: str | None, limit: int) -> list[str]:
    files = con.execute("SELECT id, stem, fstem FROM files WHERE substr(fstem, 1, :k) = :p ORDER BY stem LIMIT :l",
                        {"k": len(key), "p": key, "l": limit + 1}).fetchall()
    if named and len(files) > 1:            # "1502#" names 1502-UBND-KGVX#, and "7#" names 7 over 7-UBND
        files = [f for f in files if f[2] == key] or files
    if len(files) != 1:
        return sorted({stem for _id, stem, _f in files})[:limit]
    file, stem, _f = files[0]
    # A file's tasks are one range of ids (index.py): read through the primary key, not a scan.
    sql, args = "SELECT n FROM tasks WHERE id BETWEEN :lo AND :hi", {"lo": file << index._TASK_ID_BITS,
                                                                      "hi": ((file + 1) << index._TASK_ID_BITS) - 1}
    if status is not None:
        sql, args = sql + " AND status = :s", {**args, "s": status}
    refs = [f"{stem}#{n}" for (n,) in con.execute(sql + " ORDER BY n", args) if str(n).startswith(number)]
    return (refs if tasks_only or named else [stem, *refs])[:limit]
