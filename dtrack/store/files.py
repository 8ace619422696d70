"""The store: a folder of directive YAML files (and agencies.yaml). Owns reading, parsing and writing.

Reading never stops at a bad file: it becomes a FileProblem (path:line: message) and the
other files load. Writing is atomic (temp file in the same folder, fsync, rename) and
refuses to overwrite a file that changed on disk since it was read.
"""
from __future__ import annotations

import functools
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from dtrack.domain.agencies import Registry
from dtrack.errors import BusyError, UsageError
from dtrack.i18n import t
from dtrack.domain.model import Directive, InvalidDirective, Problem, directive_from_data
from dtrack.domain.settings import Settings, from_data as settings_from_data
from dtrack.store import yamlfast

AGENCIES_FILE = "agencies.yaml"
SETTINGS_FILE = "settings.yaml"      # the store's settings (domain/settings.py), beside the registry
SUFFIX = ".yaml"
MAX_FILE_BYTES = 4 * 1024 * 1024     # a directive is a few KB; anything near this is not one
MAX_DEPTH = 6                        # folders below the root: directives/<year>/<stem>.yaml needs 1
MAX_EXPANSION = 100_000              # values an aliased document may expand to (see _check_expansion)
MAX_YAML_DEPTH = 100                 # levels the careful composer opens (the model allows 20 in a value)
MAX_VALUES = 200_000                 # values a file may hold: 2,000 tasks with long histories (see _counting)
MAX_EXPANDED_CHARS = 2 * MAX_FILE_BYTES   # and characters: no alias makes a file bigger than two of the largest
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |\r?$)", re.M)
_CONFLICT_MARKERS = ("<" * 7, "=" * 7, ">" * 7, "|" * 7)
_MARKED_TASK = re.compile(r"ours: task (\d+)")
# An anchor (&a) or alias (*a) token; "Sở KH&ĐT" is not one (no space or indicator before the &).
_ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s\[{,:])[&*][^\s,\[\]{}]")
# Files with this many structure characters go through the careful loader: libyaml's C composer
# crashes (SIGSEGV) on nesting near 100,000 levels, and the careful one stops at Python's recursion
# limit (~1,000), so every file that could nest that deep takes the careful path and gets the same
# one-line error. Directive files have 50-150.
_CAREFUL_ABOVE = 1_000


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
    # Seconds a writing command waits for another dtrack's lock (None: lock.DEFAULT_TIMEOUT); the CLI sets
    # it from its Config, so the library never reads DTRACK_LOCK_TIMEOUT itself.
    lock_timeout: float | None = None

    def file(self, directive: Directive) -> Path:
        return self.root / directive.path


# ---------------------------------------------------------------------------- discovery

def _git_top(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_root(dir_option: str | None, cwd: Path, origin: str = "--dir") -> Path:
    """The folder of directive files. `--dir` (or DTRACK_DIR, named by `origin`) may be that folder or
    the folder `dtrack init` made around it (its directives/ is then the store: agencies.yaml and
    settings.yaml are never read as directives). Without it: the nearest of the current folder and
    those above it (up to the top of the enclosing git repository) that has directives/ or is a store
    (holds agencies.yaml)."""
    if dir_option:
        try:
            path = (cwd / dir_option).resolve()
            is_dir = path.is_dir()
        except (OSError, ValueError):       # a NUL byte, a name too long, a loop of links
            is_dir = False
        if not is_dir:
            raise UsageError(t("{origin} {path}: no such folder", origin=origin, path=dir_option),
                             hint=t("Point it at a folder of directive files, or create one with 'dtrack init'."))
        return _store_in(path) or path
    start = cwd.resolve()
    for folder in (start, *start.parents):
        if found := _store_in(folder):
            return found
        if (folder / AGENCIES_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            break
    raise UsageError(t("no directives folder here"),
                     hint=t("Run dtrack inside a store (the folder 'dtrack init' made, or its directives/), "
                            "pass --dir PATH or set DTRACK_DIR; 'dtrack init' starts a new store here."))


def _store_in(folder: Path) -> Path | None:
    """folder/directives when `folder` is the one `init` made around a store (not a store itself)."""
    inner = folder / "directives"
    if inner.is_dir() and not (folder / AGENCIES_FILE).is_file():
        return inner
    return None


def store_top(root: Path) -> Path:
    """Where files dtrack generates go (the calendar of export-ics): the folder `init` made, the parent
    of directives/, ignored by git through its .gitignore; else the top of the git repository; else the
    store itself. Never among the directives."""
    root = root.resolve()
    if root.name == "directives":
        return root.parent
    return _git_top(root) or root


def iter_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative posix path, absolute path) of every directive file, sorted; hidden folders skipped."""
    return iter([(rel, Path(entry.path)) for rel, entry in scan(root)])


def scan(root: Path) -> list[tuple[str, os.DirEntry]]:
    """(relative posix path, directory entry) of every directive file, sorted by path. The entries
    let the index stat files without building a Path for each (on Windows the stat is free)."""
    found: list[tuple[str, os.DirEntry]] = []
    stack = [(str(root), "", 0)]
    while stack:
        folder, prefix, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if not name.isascii():
                name = _shown_name(name)
            if entry.is_dir(follow_symlinks=False):
                # Bounded, so that --dir / or a deep tree cannot make dtrack walk the whole disk.
                if depth < MAX_DEPTH:
                    stack.append((entry.path, f"{prefix}{name}/", depth + 1))
            elif name.endswith(SUFFIX) and not (prefix == "" and name in (AGENCIES_FILE, SETTINGS_FILE)):
                found.append((prefix + name, entry))
    found.sort(key=lambda item: item[0])
    return found


def _shown_name(name: str) -> str:
    """A name as text: a name in another encoding (a colleague's Latin-1 or CP1258 file) reaches Python
    with lone surrogates, which the index, the terminal and git's UTF-8 cannot take (every command exit
    70): shown with U+FFFD, and load_directive refuses the file."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
        raise _Unreadable(0, 0, _too_big(len(raw)))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1      # in bytes: the text is not decodable
        raise _Unreadable(line, col, t("not UTF-8 text (byte {byte} of line {line}); save the file as UTF-8",
                                     byte=f"0x{raw[e.start]:02x}", line=line)) from None
    return text[1:] if text.startswith("\ufeff") else text


_loaders = None
_INT = "tag:yaml.org,2002:int"
# The only integers a directive file holds: plain decimal, at most 18 digits (so any int64 column
# holds them). YAML 1.1 would also read 0x10, 0o17, 1_000 and 1:30 as numbers that no edit finds
# again; those, and longer digit strings, stay text, and the model says what it expected.
_DECIMAL = re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,17})$")


def _yaml():
    """PyYAML and its two loaders, imported on first parse (a run served from the cache never pays for
    PyYAML): the fast C loader, and a careful one for files that could hurt the fast one. Both use
    libyaml's parser where PyYAML has it, and the same resolver and constructor."""
    global _loaders
    import yaml
    if _loaders is None:
        _loaders = _make_loaders(yaml)
    return (yaml, *_loaders)


def _make_loaders(yaml):
    class Resolver(yaml.resolver.Resolver):
        pass

    Resolver.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in pairs if tag != _INT]
        for first, pairs in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
    Resolver.add_implicit_resolver(_INT, _DECIMAL, list("-+0123456789"))
    Resolver.resolve = yamlfast.resolver(Resolver.yaml_implicit_resolvers, yaml.ScalarNode, yaml.SequenceNode)

    class Constructor(yaml.constructor.SafeConstructor):
        """The safe constructor (no tag builds an object) that also refuses a key written twice in
        one mapping: YAML would keep the last one and silently drop the first (a whole task list)."""

        def construct_mapping(self, node, deep=False):
            written = node.value        # flatten_mapping deletes merge keys from this very list
            mapping = super().construct_mapping(node, deep=deep)
            if node.value is not written or len(mapping) < len(written):
                _refuse_duplicate(self, written)
            return mapping

        def construct_yaml_int(self, node):
            # An explicit `!!int 0x10` or `!!int` of 5,000 digits keeps the plain-decimal rule: text
            # the model names, not a number no edit finds again (or int()'s ValueError, read as a date).
            value = self.construct_scalar(node)
            return int(value) if _DECIMAL.match(value) else value

    Constructor.add_constructor(_INT, Constructor.construct_yaml_int)

    # PyYAML 6 keeps libyaml's parser in yaml.cyaml (from yaml._yaml), not at the top level.
    cparser = getattr(getattr(yaml, "cyaml", None), "CParser", None)
    if cparser is not None:
        class Fast(cparser, Constructor, Resolver):
            def __init__(self, stream):
                cparser.__init__(self, stream)
                Constructor.__init__(self)
                Resolver.__init__(self)

        class Careful(_counting(yaml.composer.Composer), cparser, Constructor, Resolver):
            """libyaml's parser (events) with PyYAML's Python composer, which raises RecursionError on
            deep nesting where libyaml's C composer crashes the process, and stops at MAX_VALUES."""

            def __init__(self, stream):
                cparser.__init__(self, stream)
                Constructor.__init__(self)
                Resolver.__init__(self)
                yaml.composer.Composer.__init__(self)
    else:                                # pragma: no cover - PyYAML built without libyaml
        class Fast(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                   Constructor, Resolver):
            def __init__(self, stream):
                for base in (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                             yaml.composer.Composer, Constructor, Resolver):
                    base.__init__(self, *((stream,) if base is yaml.reader.Reader else ()))
        Careful = Fast
    return Fast, Careful


def _counting(composer):
    """The composer that refuses a file of more than MAX_VALUES values as it reads them, before the
    data exists: a 3.8 MB list of 1,900,000 numbers under an unknown key cost every `list` 10 s and
    600 MB. Files that could hold that many values all come here (_needs_care counts the characters
    every value needs one of)."""
    class Counting(composer):
        _values = 0
        _depth = 0

        def compose_node(self, parent, index):
            self._values += 1
            # MAX_YAML_DEPTH levels: with the line (490 levels with an anchor hit Python's RecursionError,
            # "nested too deeply" with none).
            if self._values > MAX_VALUES or self._depth >= MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise _Unreadable(mark.line + 1, mark.column + 1, t("nested too deeply to be a directive file")
                                  if self._depth >= MAX_YAML_DEPTH else
                                  t("the file holds more than {n} values; a directive file holds a few "
                                    "thousand: split it or remove what is not a directive", n=MAX_VALUES))
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
    return Counting


def _refuse_duplicate(constructor, pairs) -> None:
    seen = set()
    for key_node, _ in pairs:
        key = constructor.construct_object(key_node)
        if key in seen:
            mark = key_node.start_mark
            raise _Unreadable(mark.line + 1, mark.column + 1,
                              t("the key '{key}' is written twice in the same mapping; YAML would keep only "
                                "the last one: merge them into one", key=_short(key)))
        seen.add(key)


def _short(value) -> str:
    s = str(value)
    return s if len(s) <= 40 else s[:40] + "…"


def _needs_care(text: str) -> bool:
    """Anchors/aliases (a "billion laughs" must be measured before anything walks the data), or enough
    structure to nest deeper than the C composer survives or to hold more than MAX_VALUES values. Each
    level of nesting needs one of these characters and each value one of them or a comma, so their
    count bounds both; directive files have a few hundred."""
    # The `in` tests (C speed) spare most files the regex, a tenth of the first build's parsing.
    if ("&" in text or "*" in text) and _ANCHOR_OR_ALIAS.search(text):
        return True
    if len(text) < _CAREFUL_ABOVE:
        return False
    return sum(text.count(c) for c in "[{-:?,") >= _CAREFUL_ABOVE


def read_bytes(path: Path) -> bytes:
    """A store file's bytes, refusing what is not a plain file of sane size before reading any of it:
    a symbolic link (it may point outside the store; editing would replace the link), a FIFO or device
    (reading would block or never end), a huge file (it would fill memory)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise _Unreadable(0, 0, t("a symbolic link; dtrack reads and writes only regular files inside the "
                                  "store: put the file itself here"))
    if not stat.S_ISREG(st.st_mode):
        raise _Unreadable(0, 0, t("not a regular file"))
    if st.st_size > MAX_FILE_BYTES:
        raise _Unreadable(0, 0, _too_big(st.st_size))
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)      # it may have grown since the stat
    if len(raw) > MAX_FILE_BYTES:
        raise _Unreadable(0, 0, _too_big(len(raw)))
    return raw


def _too_big(size: int) -> str:
    return t("the file is {size} MB; a directive file is a few KB, so this is not one",
             size=f"{size / (1024 * 1024):.1f}")


def _check_expansion(root) -> None:
    """Refuse a document whose anchors and aliases multiply it ("billion laughs"): PyYAML shares the
    aliased objects, so loading is cheap, but anything that walks the data (JSON, comparison, export,
    the cache) would expand it. Measured in values and in characters: one long string used by many
    aliases is as bad as many values. Also refuses a recursive alias. Iterative: the graph may be deep."""
    sizes: dict[int, tuple[int, int]] = {}      # id(node) -> (values, characters) once expanded
    distinct = 0
    stack: list[tuple[object, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            values = 1 + sum(sizes[id(c)][0] for c in children)
            chars = (len(node.value) if isinstance(node.value, str) else 0) + sum(sizes[id(c)][1] for c in children)
            sizes[key] = (values, chars)
            if values > MAX_EXPANSION and values > 2 * distinct:
                raise _Unreadable(node.start_mark.line + 1, node.start_mark.column + 1,
                                  t("YAML anchors and aliases expand this file to more than {n} values; a "
                                    "directive file does not need them: write the values out", n=MAX_EXPANSION))
            if chars > MAX_EXPANDED_CHARS:
                raise _Unreadable(node.start_mark.line + 1, node.start_mark.column + 1,
                                  t("YAML anchors and aliases expand this file to more than {n} MB of text; a "
                                    "directive file does not need them: write the values out",
                                    n=MAX_EXPANDED_CHARS // (1024 * 1024)))
            continue
        if key in sizes:
            continue
        if key in active:
            raise _Unreadable(node.start_mark.line + 1, node.start_mark.column + 1,
                              t("a YAML alias refers to the value that contains it; write the values out"))
        active.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)


def _children(node) -> list:
    yaml = _yaml()[0]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


def parse(text: str) -> Any:
    yaml, fast, careful = _yaml()
    if any(marker in text for marker in _CONFLICT_MARKERS) and (m := _CONFLICT.search(text)):
        line = text.count("\n", 0, m.start()) + 1
        message = t("git conflict marker '{marker}': resolve the merge, keeping the right "
                    "version of the task, then remove the markers", marker=m.group(1))
        # The task-level merge driver (mergefile.py) names the task on its marker line.
        if task := _MARKED_TASK.match(text, m.end()):
            message += t(" (task {n}: dtrack resolve <directive>#{n} --ours or --theirs)", n=task.group(1))
        raise _Unreadable(line, 1, message)
    try:
        if not _needs_care(text):
            return _fast_load(yaml, fast, text)
        loader = careful(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if _ANCHOR_OR_ALIAS.search(text):      # without anchors nothing can expand
                _check_expansion(node)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark and e.problem and "end of stream" in e.problem:
            # An unclosed quote or bracket fails at the end of the file; where it opened is what to fix.
            mark = e.context_mark
        what = e.problem or str(e)
        if "maximum nesting depth" in what:         # libyaml >= 0.2.6 stops at 1,000 levels itself
            raise _Unreadable(mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                              t("nested too deeply to be a directive file")) from None
        if isinstance(e, yaml.constructor.ConstructorError) and "tag" in what:
            tag = what.rsplit("tag ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
            raise _Unreadable(mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                              t("the YAML tag '{tag}' is not allowed in a directive file; remove it", tag=tag)) from None
        raise _Unreadable(mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                          t("not valid YAML: {what}", what=what)) from None
    except yaml.YAMLError as e:
        line = getattr(e, "position", None)      # ReaderError (a NUL or other control character)
        where = text.count("\n", 0, line) + 1 if isinstance(line, int) else 0
        raise _Unreadable(where, 0, t("not valid YAML: {what}", what=str(e).splitlines()[0])) from None
    except ValueError as e:
        # e.g. "due: 2024-02-30" matches YAML's date pattern but is not a date.
        line, col = _find_bad_timestamp(text)
        said = {"day is out of range for month": t("day is out of range for month"),        # Python's words
                "month must be in 1..12": t("month must be in 1..12")}.get(str(e), e)
        raise _Unreadable(line, col, t("not a real date ({error}); fix the date", error=said)) from None
    except RecursionError:
        raise _Unreadable(0, 0, t("nested too deeply to be a directive file")) from None


def _fast_load(yaml, fast, text: str):
    loader = fast(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return yamlfast.build(node, loader, _DECIMAL, lambda pairs: _refuse_duplicate(loader, pairs),
                                  (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode))
        except yamlfast.Fallback:
            return loader.construct_document(node)
    finally:
        loader.dispose()


def _find_bad_timestamp(text: str) -> tuple[int, int]:
    from datetime import date
    for m in re.finditer(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])", text):
        try:
            date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            line = text.count("\n", 0, m.start()) + 1
            return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return 0, 0


@functools.lru_cache(maxsize=1)
def _composed(text: str):
    """The file's node tree for `locate`, composed once per text: `check` locates every problem of a
    file, and composing it again for each made 10,000 problems of one 150 KB file take minutes. One
    file at a time (check goes file by file): a 4 MB file's tree is not kept once the next is located."""
    yaml, fast, careful = _yaml()
    try:
        return yaml.compose(text, Loader=careful if _needs_care(text) else fast)
    except (yaml.YAMLError, ValueError, RecursionError, AttributeError, _Unreadable):
        return False


def locate(text: str, where: tuple) -> tuple[int, int]:
    """1-based line and column of the node at key path `where`, or of the deepest part of it that exists."""
    yaml, _, _ = _yaml()
    node = _composed(text)
    if node is False:
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
    if (shown := _shown_name(str(path))) != str(path):
        return None, [FileProblem(Path(shown), 0, 0, t("the file name is not UTF-8 text; rename it (only its "
                                                       "readable part is shown here)"))]
    try:
        raw = read_bytes(path)
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
        data = parse(decode(read_bytes(path)))
    except OSError as e:
        return Registry(), [FileProblem(path, 0, 0, t("cannot read the file: {error}", error=e.strerror or e))]
    except _Unreadable as e:
        return Registry(), [FileProblem(path, e.line, e.col, e.message)]
    registry, messages = Registry.from_data(data)
    return registry, [FileProblem(path, 0, 0, m) for m in messages]


def load_settings(root: Path) -> tuple[Settings, list[FileProblem]]:
    """The store's settings; defaults (language None) when the store has no settings file."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return Settings(), []
    try:
        text = decode(read_bytes(path))
        data = parse(text)
    except OSError as e:
        return Settings(), [FileProblem(path, 0, 0, t("cannot read the file: {error}", error=e.strerror or e))]
    except _Unreadable as e:
        return Settings(), [FileProblem(path, e.line, e.col, e.message)]
    settings, problems = settings_from_data(data)
    return settings, [FileProblem(path, *locate(text, (key,) if key else ()), message) for key, message in problems]


_LANGUAGE_KEY = re.compile(rb"^language:", re.M)
_LANGUAGE_LINE = re.compile(rb"^language:[ \t]*([a-z]{2})[ \t]*(?:#.*)?\r?$", re.M)


def settings_language(root: Path) -> str | None:
    """The store's language, read at the start of every run: the one top-level `language: vi` line
    that init writes is read without loading YAML (a warm `list` never loads it); a file written any
    other way is read by `load_settings`."""
    try:
        data = read_bytes(root / SETTINGS_FILE)
    except (OSError, _Unreadable):
        return load_settings(root)[0].language if (root / SETTINGS_FILE).exists() else None
    found = _LANGUAGE_LINE.findall(data)
    if len(found) == 1 and len(_LANGUAGE_KEY.findall(data)) == 1:
        return found[0].decode("ascii")
    return load_settings(root)[0].language


def load(root: Path) -> Store:
    """Every directive of the store, parsed from its files (store.collection answers from the index)."""
    registry, problems = load_registry(root)
    directives: list[Directive] = []
    for rel, path in iter_files(root):
        directive, found = load_directive(path, rel)
        problems.extend(found)
        if directive is not None:
            directives.append(directive)
    return Store(root, directives, problems, registry)


# ---------------------------------------------------------------------------- writing

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_BAD_NAME_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def inside(root: Path, path: Path) -> Path:
    """`path` resolved, if it lies inside the store `root` (after following every link); else UsageError.

    The one check every write goes through (write_atomic calls it): no reference, name or option
    can make dtrack write outside the store."""
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    if real != real_root and real_root not in real.parents:
        raise UsageError(t("{path} is outside the store {root}; dtrack writes only inside the store",
                           path=path, root=root))
    return real


def check_name(name: str) -> str:
    """A file or folder name that a command makes from user input (a stem, a year), checked to be one
    plain name that is valid on Windows, macOS and Linux; UsageError otherwise."""
    stripped = name.strip()
    problem = None
    if not stripped or stripped in (".", ".."):
        problem = t("it is empty")
    elif _BAD_NAME_CHARS.search(name):
        problem = t("it contains a character not allowed in file names (< > : \" / \\ | ? * or a control "
                    "character)")
    elif name != stripped or name.endswith("."):
        problem = t("it starts or ends with a space or ends with a dot")
    elif name.split(".")[0].upper() in _WINDOWS_RESERVED:
        problem = t("it is a reserved device name on Windows")
    elif len(name.encode("utf-8")) > 200:
        problem = t("it is too long")
    if problem:
        raise UsageError(t("cannot use {name!r} as a file name: {problem}", name=name, problem=problem))
    return name


# Words that say nothing about a document's subject, left out of an unnumbered file's name.
_SLUG_SKIP = {"y", "kien", "ket", "luan", "cua", "ve", "viec", "va", "cac", "trong", "nam", "tai", "the", "v",
              "mot", "so", "nhung", "de", "o", "cho", "voi", "tren", "dia", "ban", "thong", "bao", "theo"}
_MEETING = re.compile(r"\b(?:cuộc họp|buổi làm việc|hội nghị|phiên họp)\b(.*)", re.I)


STEM_BYTES = 120            # a numbered stem; file systems allow 255, and paths add the folders
STEM_WORDS_CHARS = 48       # the title words of an unnumbered stem


def stem_for(number: str, issued, title: str) -> str:
    """The file name (without .yaml) of a directive, the one rule `add` and `import` share:
    `1502/UBND-KGVX` -> `1502-UBND-KGVX`; unnumbered (or a number with nothing usable in it): the date
    and up to four telling words of the title (`Kết luận ... tại cuộc họp về X` keeps what follows
    "cuộc họp"). Characters no file system accepts become '-', so any number gives a valid name
    (the `number:` field keeps it exactly as written)."""
    from dtrack.domain.text import nfc, slugify
    # Lone surrogates (an argument in another encoding) too: the `number:` line then says what is wrong.
    stem = re.sub(r'[\\/\s<>:"|?*\x00-\x1f\x7f\ud800-\udfff]+', "-", nfc(number.strip())).strip("-.")
    if len(stem.encode("utf-8")) > STEM_BYTES:
        head = stem.encode("utf-8")[:STEM_BYTES + 1].decode("utf-8", "ignore")
        # At a word boundary ('-' or '.') when there is one in the second half; a number with none is cut.
        at = max(head.rfind("-"), head.rfind("."))
        stem = (head[:at] if at > STEM_BYTES // 2 else head[:-1]).rstrip("-.")
    head, dot, rest = stem.partition(".")
    if head.upper() in _WINDOWS_RESERVED:       # Windows reserves NUL.txt as it reserves NUL
        stem = f"{head}-vb{dot}{rest}"
    if not stem:
        m = _MEETING.search(title)
        source = m.group(1) if m and len(m.group(1)) > 20 else title
        words = [w for w in slugify(source, 40).split("-") if w and w not in _SLUG_SKIP and not w.isdigit()][:4]
        while len("-".join(words)) > STEM_WORDS_CHARS and len(words) > 1:
            words.pop()                 # whole words only: a shorter name, never a cut one
        stem = f"{issued.isoformat()}-{'-'.join(words) or 'van-ban'}"
    return check_name(stem)


def write_atomic(path: Path, data: bytes, expected: bytes | None = None, *, root: Path | None = None) -> None:
    """Replace `path` with `data` all at once; with `expected`, only if the file still holds those bytes.

    With `root` (every command passes it), refuse a path outside the store. Never writes through a
    symbolic link. The check of `expected` happens after the new content is safely on disk and
    immediately before the rename, under the store lock (dtrack/lock.py), so no other dtrack can
    slip in; the remaining window against a hand edit is the few microseconds of one read and one
    rename (docs/reliability.md).
    """
    if root is not None:
        inside(root, path.parent)
    if path.is_symlink():
        raise UsageError(t("{path} is a symbolic link; dtrack does not write through links", path=path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
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
    _fsync_folder(path.parent)


TEMP_SUFFIX = ".tmp"


def stale_temps(path: Path) -> list[Path]:
    """Temp files that a killed write_atomic of `path` left beside it (hidden, so never loaded).
    Only safe to delete under the store lock, when no other dtrack can be writing them."""
    prefix = f".{path.name}."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.parent / n for n in names if n.startswith(prefix) and n.endswith(TEMP_SUFFIX)]


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder, and does not need to."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
