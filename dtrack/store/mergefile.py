"""Three-way merge of one directive file, task by task (the `dtrack merge-file` driver git calls).

Git merges lines, so two clerks who change different fields of the same task (one marks it done, the
other adds a note) get a textual conflict. Here the three versions are read as tasks: every change of
the other side (B) to a task or field that ours (A) left alone is applied onto A's text with the
line-level edits of yamledit.py, so A's comments, key order, quoting and newlines stay byte for byte;
notes appended on both sides, and extensions or occurrences added on both sides, are combined. Only a
field changed to two different values stays a conflict: the task's lines are written twice between
standard markers, both versions already carrying every change that did merge, and the loader reports
the marker line (path:line) until `dtrack resolve` keeps one side.

A file that is not a directive (agencies.yaml), or a change this module does not read as tasks (a
header field, a task removed while the other side changed it), is merged by git's own line merge.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dtrack.store import yamledit
from dtrack.store.files import _Unreadable, decode, parse, write_atomic
from dtrack.store.yamledit import Doc, Records

MARKER = 7
_N_LINE = re.compile(r"^(\s*-\s*n:\s*)(\d+)", re.M)
_BLOCK = re.compile(r"^<{7} (?P<ours_label>[^\r\n]*)\r?\n(?P<ours>.*?)^={7}\r?\n(?P<theirs>.*?)^>{7}[^\r\n]*(?:\r\n|\n|$)",
                    re.M | re.S)


class NotTasks(Exception):
    """The versions cannot be merged as tasks: git's line merge decides."""


@dataclass
class Merged:
    data: bytes
    conflicts: dict[int, list[str]] = field(default_factory=dict)      # task n -> the fields in conflict
    renumbered: dict[int, int] = field(default_factory=dict)          # B's new task n -> the n it got


def _read(raw: bytes) -> tuple[Doc, dict]:
    try:
        doc = Doc.decode(raw)
        data = parse(decode(raw))
    except (_Unreadable, UnicodeDecodeError, yaml.YAMLError):
        raise NotTasks() from None
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise NotTasks()
    tasks = {}
    for task in data["tasks"]:
        if not isinstance(task, dict) or not isinstance(task.get("n"), int) or task["n"] in tasks:
            raise NotTasks()
        tasks[task["n"]] = task
    return doc, {"head": {k: v for k, v in data.items() if k != "tasks"}, "tasks": tasks}


def _node(text: str, n: int) -> yaml.MappingNode:
    return yamledit.find_task_node(yamledit._compose(text), n)


def task_span(text: str, n: int) -> tuple[int, int]:
    """Character offsets of task n's lines, from its '- ' line to the end of its last key."""
    node = _node(text, n)
    lines = yamledit._Lines(text)
    last = node.value[-1]
    return lines.start(node.start_mark.line), lines.after(yamledit._last_line(*last))


def _key_text(text: str, n: int, key: str, newline: str, column: int) -> str:
    """The lines of one key of task n, re-indented to `column` and in `newline` style."""
    node = _node(text, n)
    lines = yamledit._Lines(text)
    pairs = {k.value: (k, v) for k, v in node.value}
    k, v = pairs[key]
    chunk = text[lines.start(k.start_mark.line):lines.after(yamledit._last_line(k, v))]
    shift = column - k.start_mark.column
    out = []
    for line in yamledit._LINE_BREAK.split(chunk.rstrip("\r\n")):
        out.append((" " * shift + line) if shift >= 0 else line[min(-shift, len(line) - len(line.lstrip(" "))):])
    return "".join(line + newline for line in out)


def _copy_key(doc: Doc, src: str, n: int, key: str, order: list[str]) -> Doc:
    """Doc with task n's `key` as `src` (B's text) writes it: its lines replace A's, or go after the
    nearest key before it in B's order that A has."""
    text = doc.text
    node = _node(text, n)
    lines = yamledit._Lines(text)
    pairs = {k.value: (k, v) for k, v in node.value}
    column = node.value[0][0].start_mark.column
    new = _key_text(src, n, key, doc.newline, column)
    if key in pairs:
        k, v = pairs[key]
        start, end = lines.start(k.start_mark.line), lines.after(yamledit._last_line(k, v))
    else:
        # After the nearest key before it in B that A has, and past the keys A added right after that one.
        akeys = list(pairs)
        at = next((akeys.index(k) for k in reversed(order[:order.index(key)]) if k in pairs), len(akeys) - 1)
        while at + 1 < len(akeys) and akeys[at + 1] not in order:
            at += 1
        start = end = yamledit._insertion_point(text, lines, node, pairs, akeys[at])
        if start and text[start - 1] not in yamledit._BREAKS:
            new = doc.newline + new
    return Doc(text[:start] + new + text[end:], doc.bom, doc.newline)


def _append_task(doc: Doc, src: str, n: int, new_n: int) -> Doc:
    """Doc with B's task n (its own lines, numbered new_n) after A's last task."""
    text = doc.text
    start, end = task_span(src, n)
    chunk = src[start:end]
    if new_n != n:
        chunk = _N_LINE.sub(lambda m: m.group(1) + str(new_n), chunk, count=1)
    chunk = "".join(line + doc.newline for line in yamledit._LINE_BREAK.split(chunk.rstrip("\r\n")))
    root = yamledit._compose(text)
    seq = next(v for k, v in root.value if k.value == "tasks")
    if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
        raise NotTasks()
    last = seq.value[-1]
    at = yamledit._Lines(text).after(yamledit._last_line(last, last))
    if at and text[at - 1] not in yamledit._BREAKS:
        chunk = doc.newline + chunk
    return Doc(text[:at] + chunk + text[at:], doc.bom, doc.newline)


_CONFLICT = object()


def _combine(key: str, o, a, b):
    """One value from both sides' changes to a field, where the two can both hold; else _CONFLICT."""
    if key == "note" and isinstance(a, str) and isinstance(b, str) and isinstance(o, (str, type(None))):
        base = o or ""
        if a.startswith(base) and b.startswith(base):
            added = b[len(base):].lstrip("\n")
            return a if not added or added in a else f"{a}\n{added}" if a else added
        return _CONFLICT
    if isinstance(a, list) and isinstance(b, list) and isinstance(o, (list, type(None))):
        base = o or []
        if a[:len(base)] != base or b[:len(base)] != base or not all(isinstance(x, dict) for x in a + b):
            return _CONFLICT
        ours_new = a[len(base):]
        theirs_new = [x for x in b[len(base):] if x not in ours_new]
        # The same occurrence (its due date) recorded differently on the two sides is one conflict.
        dues = {x.get("due") for x in ours_new if "due" in x}
        if key == "occurrences" and any(x.get("due") in dues for x in theirs_new):
            return _CONFLICT
        return Records(tuple(a + theirs_new))
    return _CONFLICT


def _flow(text: str, n: int, key: str) -> bool:
    """Whether A writes the entries of `key` in flow style, so that the added ones look the same."""
    seq = next(v for k, v in _node(text, n).value if k.value == key)
    return isinstance(seq, yaml.SequenceNode) and bool(seq.value) and bool(seq.value[0].flow_style)


def merge(base: bytes, ours: bytes, theirs: bytes) -> Merged:
    """B's task-level changes applied onto A; NotTasks when the versions do not read as directives."""
    _, o = _read(base)
    doc, a = _read(ours)
    bdoc, b = _read(theirs)
    for key in set(o["head"]) | set(a["head"]) | set(b["head"]):
        if b["head"].get(key) != o["head"].get(key) and b["head"].get(key) != a["head"].get(key):
            raise NotTasks()
    result = Merged(b"")
    conflicts: dict[int, list[tuple[str, object]]] = {}
    for n, otask in o["tasks"].items():
        atask, btask = a["tasks"].get(n), b["tasks"].get(n)
        if atask is None or btask is None:
            if (btask if atask is None else atask) not in (None, otask):
                raise NotTasks()            # removed on one side, changed on the other
            if btask is None and atask is not None:
                start, end = task_span(doc.text, n)
                doc = Doc(doc.text[:start] + doc.text[end:], doc.bom, doc.newline)
            continue
        if atask == btask or btask == otask:
            continue
        order = list(btask)
        for key in [*atask, *(k for k in btask if k not in atask)]:
            ov, av, bv = otask.get(key), atask.get(key), btask.get(key)
            if av == bv or bv == ov:
                continue
            if av == ov:
                doc = yamledit.edit_task(doc, n, {key: None}) if key not in btask else \
                    _copy_key(doc, bdoc.text, n, key, order)
                continue
            value = _combine(key, ov, av, bv)
            if value is _CONFLICT:
                conflicts.setdefault(n, []).append((key, order))
            else:
                if isinstance(value, Records):
                    value = Records(value.items, flow=_flow(doc.text, n, key))
                doc = yamledit.edit_task(doc, n, {key: value})
    taken = set(a["tasks"]) | set(o["tasks"])
    for n, btask in b["tasks"].items():
        if n in o["tasks"] or a["tasks"].get(n) == btask:
            continue
        new_n = n
        if n in taken:
            new_n = max(taken | set(b["tasks"])) + 1
            result.renumbered[n] = new_n
        taken.add(new_n)
        doc = _append_task(doc, bdoc.text, n, new_n)
    if conflicts:
        doc = _mark_conflicts(doc, bdoc.text, b["tasks"], conflicts)
    result.data = doc.encode()
    result.conflicts = {n: [k for k, _ in keys] for n, keys in conflicts.items()}
    return result


def _mark_conflicts(doc: Doc, src: str, btasks: dict, conflicts: dict) -> Doc:
    """Each conflicted task written twice between markers: ours as merged, then the same with B's values
    of the conflicting fields."""
    theirs = doc
    for n, keys in conflicts.items():
        for key, order in keys:
            theirs = yamledit.edit_task(theirs, n, {key: None}) if key not in btasks[n] else \
                _copy_key(theirs, src, n, key, order)
    text, nl = doc.text, doc.newline
    spans = sorted(((task_span(text, n), task_span(theirs.text, n), n) for n in conflicts), reverse=True)
    for (start, end), (tstart, tend), n in spans:
        fields = ", ".join(k for k, _ in conflicts[n])
        block = (f"{'<' * MARKER} ours: task {n} ({fields}){nl}{text[start:end]}{'=' * MARKER}{nl}"
                 f"{theirs.text[tstart:tend]}{'>' * MARKER} theirs: task {n}{nl}")
        text = text[:start] + block + text[end:]
    return Doc(text, doc.bom, doc.newline)


def line_merge(base: Path, ours: Path, theirs: Path) -> int:
    """git's own line merge into `ours`; the number of conflicts."""
    proc = subprocess.run(["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs",
                           str(ours), str(base), str(theirs)], capture_output=True)
    return proc.returncode


def run_driver(base: Path, ours: Path, theirs: Path) -> tuple[int, Merged | None]:
    """What `dtrack merge-file %O %A %B` does: the merge written into `ours`; 0 clean, 1 conflicts."""
    try:
        merged = merge(base.read_bytes(), ours.read_bytes(), theirs.read_bytes())
    except Exception:      # noqa: BLE001 - NotTasks or any surprise: git's line merge, never a lost side
        return (1 if line_merge(base, ours, theirs) else 0), None
    # Atomic like every write of ours: a killed driver leaves git the file as it was, never half of it.
    write_atomic(ours, merged.data)
    return (1 if merged.conflicts else 0), merged


def resolve_text(text: str, n: int | None, side: str) -> tuple[str, int, int]:
    """`text` with the conflict blocks of task n (every block when n is None) settled on `side`
    ('ours' or 'theirs'); the new text, how many blocks were settled and how many remain."""
    settled = 0

    def pick(m: re.Match) -> str:
        nonlocal settled
        if n is not None and block_task(m) != n:
            return m.group(0)
        settled += 1
        return m.group(side)

    out = _BLOCK.sub(pick, text)
    return out, settled, len(_BLOCK.findall(out))


def block_task(m: re.Match) -> int | None:
    label = re.match(r"ours: task (\d+)", m.group("ours_label"))
    if label:
        return int(label.group(1))
    found = _N_LINE.search(m.group("ours")) or _N_LINE.search(m.group("theirs"))
    return int(found.group(2)) if found else None


def conflicted_tasks(text: str) -> list[tuple[int, int | None]]:
    """(line, task n) of each conflict block in `text`."""
    return [(text.count("\n", 0, m.start()) + 1, block_task(m)) for m in _BLOCK.finditer(text)]
