"""The store: a folder of directive YAML files (and agencies.yaml). Owns reading, parsing and writing.

Reading never stops at a bad file: it becomes a FileProblem (path:line: message) and the
other files load. Writing is atomic (temp file in the same folder, fsync, rename) and
refuses to overwrite a file that changed on disk since it was read.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from .agencies import Registry
from .errors import BusyError, UsageError
from .i18n import t
from .model import Directive, InvalidDirective, Problem, directive_from_data

AGENCIES_FILE = "agencies.yaml"
SUFFIX = ".yaml"
MAX_FILE_BYTES = 4 * 1024 * 1024     # a directive is a few KB; anything near this is not one
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.M)


@dataclass(frozen=True, slots=True)
class FileProblem:
    path: Path
    line: int            # 1-based; 0 when unknown
    col: int             # 1-based; 0 when unknown
    message: str
    severity: str = "error"


@dataclass
class Store:
    root: Path
    directives: list[Directive]
    problems: list[FileProblem] = field(default_factory=list)
    registry: Registry = field(default_factory=Registry)

    def file(self, directive: Directive) -> Path:
        return self.root / directive.path


# ---------------------------------------------------------------------------- discovery

def _git_top(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_root(dir_option: str | None, environ: Mapping[str, str], cwd: Path) -> Path:
    """--dir, else DTRACK_DIR, else ./directives, else the current folder if it is a store,
    else directives/ at the top of the enclosing git repository."""
    for raw, origin in ((dir_option, "--dir"), (environ.get("DTRACK_DIR"), "DTRACK_DIR")):
        if raw:
            path = (cwd / raw).resolve()
            if not path.is_dir():
                raise UsageError(t("{origin} {path}: no such folder", origin=origin, path=raw),
                                 hint=t("Point it at a folder of directive files, or create one with 'dtrack init'."))
            return path
    if (cwd / "directives").is_dir():
        return (cwd / "directives").resolve()
    if (cwd / AGENCIES_FILE).is_file():
        return cwd.resolve()
    top = _git_top(cwd.resolve())
    if top and (top / "directives").is_dir():
        return top / "directives"
    raise UsageError(t("no directives folder here"),
                     hint=t("Run dtrack in a folder that has directives/, or pass --dir PATH (or set DTRACK_DIR)."))


def iter_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative posix path, absolute path) of every directive file, sorted; hidden folders skipped."""
    return iter([(rel, Path(entry.path)) for rel, entry in scan(root)])


def scan(root: Path) -> list[tuple[str, os.DirEntry]]:
    """(relative posix path, directory entry) of every directive file, sorted by path. The entries
    let the cache stat files without building a Path for each (on Windows the stat is free)."""
    found: list[tuple[str, os.DirEntry]] = []
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, f"{prefix}{name}/"))
            elif name.endswith(SUFFIX) and not (prefix == "" and name == AGENCIES_FILE):
                found.append((prefix + name, entry))
    found.sort(key=lambda item: item[0])
    return found


def cache_dir(root: Path) -> Path:
    """Where dtrack keeps caches for a store: inside the git folder (outside git's view) when there is one,
    else the user's cache folder keyed by the store's path. Never inside the store itself."""
    import hashlib
    top = _git_top(root.resolve())
    if top is not None and (top / ".git").is_dir():
        return top / ".git" / "dtrack"
    base = os.environ.get("XDG_CACHE_HOME") or os.environ.get("LOCALAPPDATA") or str(Path.home() / ".cache")
    key = hashlib.sha1(str(root.resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(base) / "dtrack" / key


# ---------------------------------------------------------------------------- parsing

class _Unreadable(Exception):
    def __init__(self, line: int, col: int, message: str):
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


def decode(raw: bytes) -> str:
    """UTF-8 text without a BOM; a non-UTF-8 file is refused with the line of the first bad byte."""
    if len(raw) > MAX_FILE_BYTES:
        raise _Unreadable(0, 0, t("the file is {size} MB; a directive file is a few KB, so this is not one",
                                  size=len(raw) // (1024 * 1024)))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1      # in bytes: the text is not decodable
        raise _Unreadable(line, col, t("not UTF-8 text (byte {byte} of line {line}); save the file as UTF-8",
                                     byte=f"0x{raw[e.start]:02x}", line=line)) from None
    return text[1:] if text.startswith("\ufeff") else text


def _yaml():
    # Imported on first parse: a run served from the cache never pays for PyYAML.
    import yaml
    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    yaml, loader = _yaml()
    if m := _CONFLICT.search(text):
        line = text.count("\n", 0, m.start()) + 1
        raise _Unreadable(line, 1, t("git conflict marker '{marker}': resolve the merge, keeping the right "
                                     "version of the task, then remove the markers", marker=m.group(1)))
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark and e.problem and "end of stream" in e.problem:
            # An unclosed quote or bracket fails at the end of the file; where it opened is what to fix.
            mark = e.context_mark
        what = e.problem or str(e)
        if isinstance(e, yaml.constructor.ConstructorError) and "tag" in what:
            tag = what.rsplit("tag ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
            raise _Unreadable(mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                              t("the YAML tag '{tag}' is not allowed in a directive file; remove it", tag=tag)) from None
        raise _Unreadable(mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                          t("not valid YAML: {what}", what=what)) from None
    except yaml.YAMLError as e:
        raise _Unreadable(0, 0, t("not valid YAML: {what}", what=str(e).splitlines()[0])) from None
    except ValueError as e:
        # e.g. "due: 2024-02-30" matches YAML's date pattern but is not a date.
        line, col = _find_bad_timestamp(text)
        raise _Unreadable(line, col, t("not a real date ({error}); fix the date", error=e)) from None
    except RecursionError:
        raise _Unreadable(0, 0, t("nested too deeply to be a directive file")) from None


def _find_bad_timestamp(text: str) -> tuple[int, int]:
    from datetime import date
    for m in re.finditer(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])", text):
        try:
            date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            line = text.count("\n", 0, m.start()) + 1
            return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return 0, 0


def locate(text: str, where: tuple) -> tuple[int, int]:
    """1-based line and column of the node at key path `where`, or of the deepest part of it that exists."""
    yaml, loader = _yaml()
    try:
        node = yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return 0, 0
    if node is None:
        return 1, 1
    for step in where:
        nxt = None
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            nxt = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            nxt = node.value[step]
        if nxt is None:
            break
        node = nxt
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_directive(path: Path, rel: str) -> tuple[Directive | None, list[FileProblem]]:
    """Read and build one directive file; problems carry the file's line numbers."""
    text = ""
    try:
        raw = path.read_bytes()
        text = decode(raw)
        data = parse(text)
    except OSError as e:
        return None, [FileProblem(path, 0, 0, t("cannot read the file: {error}", error=e.strerror or e))]
    except _Unreadable as e:
        return None, [FileProblem(path, e.line, e.col, e.message)]
    stem = rel.rsplit("/", 1)[-1][: -len(SUFFIX)]
    try:
        directive, warnings = directive_from_data(data, stem, rel)
    except InvalidDirective as e:
        return None, [_located(path, text, p) for p in e.problems]
    return directive, [_located(path, text, p) for p in warnings]


def _located(path: Path, text: str, problem: Problem) -> FileProblem:
    line, col = locate(text, problem.where) if problem.where else (1, 1)
    return FileProblem(path, line, col, problem.message, problem.severity)


def load_registry(root: Path) -> tuple[Registry, list[FileProblem]]:
    path = root / AGENCIES_FILE
    if not path.is_file():
        return Registry(), []
    try:
        data = parse(decode(path.read_bytes()))
    except OSError as e:
        return Registry(), [FileProblem(path, 0, 0, t("cannot read the file: {error}", error=e.strerror or e))]
    except _Unreadable as e:
        return Registry(), [FileProblem(path, e.line, e.col, e.message)]
    registry, messages = Registry.from_data(data)
    return registry, [FileProblem(path, 0, 0, m) for m in messages]


def load(root: Path, *, cached: bool = True) -> Store:
    """Every directive of the store. Through the parse cache (cache.py) unless `cached` is false
    or DTRACK_NO_CACHE is set; both give the same Store."""
    if cached and not os.environ.get("DTRACK_NO_CACHE"):
        from . import cache
        return cache.load(root)
    return load_uncached(root)


def load_uncached(root: Path) -> Store:
    registry, problems = load_registry(root)
    directives: list[Directive] = []
    for rel, path in iter_files(root):
        directive, found = load_directive(path, rel)
        problems.extend(found)
        if directive is not None:
            directives.append(directive)
    return Store(root, directives, problems, registry)


# ---------------------------------------------------------------------------- writing

def write_atomic(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Replace `path` with `data` all at once; with `expected`, only if the file still holds those bytes."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        except FileNotFoundError:
            # A new file: the permissions any other program would give it, not mkstemp's 0600.
            umask = os.umask(0o022)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if expected is not None:
            try:
                current = path.read_bytes()
            except FileNotFoundError:
                current = None
            if current != expected:
                raise BusyError(t("{path} changed on disk while dtrack was working; nothing was written",
                                  path=path), hint=t("Run the command again."))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
