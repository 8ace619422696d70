"""Minimal, in-place edits of one task in a directive file's text.

Only the lines of the edited keys change: every other byte (comments, quoting, key
order, blank lines, CRLF) stays as it was. Node marks from `yaml.compose` give the
character offsets to splice (marks count characters, so we work on decoded text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from dtrack.domain.text import safe_display
from dtrack.errors import DataError, UsageError
from dtrack.i18n import t

_BOM = "\ufeff"
# What YAML (and so every node mark) counts as a line break: CR alone too (old Mac files), and NEL,
# LS and PS. re's "^" knows only LF.
_BREAKS = "\r\n\x85\u2028\u2029"
_LINE_BREAK = re.compile("\r\n|[" + _BREAKS + "]")


def newline_of(text: str) -> str:
    """The file's own line break: CRLF wherever it appears, else the first one (LF, CR, NEL, LS or PS:
    a NEL file got LF lines from every edit)."""
    if "\r\n" in text:
        return "\r\n"
    m = re.search("[" + _BREAKS + "]", text)
    return m.group() if m else "\n"


@dataclass
class Doc:
    """A file's text as edited: without its BOM, remembering it and the newline style."""
    text: str
    bom: bool = False
    newline: str = "\n"

    @classmethod
    def decode(cls, raw: bytes) -> "Doc":
        text = raw.decode("utf-8")
        bom = text.startswith(_BOM)
        if bom:
            text = text[1:]
        return cls(text, bom, newline_of(text))

    def encode(self) -> bytes:
        return ((_BOM if self.bom else "") + self.text).encode("utf-8")


def _needs_double_quotes(s: str) -> bool:
    return any(c in s for c in "\n\r\t\\\"") or any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in s)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(s: str) -> str:
    """Text that can be written as UTF-8. An argument in another encoding (a terminal set to
    Windows-1258 or Latin-1, a script's raw bytes) reaches Python as lone surrogates: say so, rather
    than write a file that does not read back."""
    if m := _LONE_SURROGATE.search(s):
        code = ord(m.group())
        byte = f"0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        raise UsageError(t("the text '{text}' is not valid UTF-8 ({byte}); nothing was written",
                           text=safe_display(s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")),
                           byte=byte),
                         hint=t("Set the terminal or the script that runs dtrack to UTF-8, then give the text again."))
    return s


def render_scalar(value: Any) -> str:
    """A value as a one-line YAML scalar: plain where YAML reads it back unchanged, quoted otherwise."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return yaml.safe_dump(value).split("\n", 1)[0]
    s = _encodable(str(value))
    if _needs_double_quotes(s):
        out = ['"']
        for c in s:
            if c == "\\":
                out.append("\\\\")
            elif c == '"':
                out.append('\\"')
            elif c == "\n":
                out.append("\\n")
            elif c == "\t":
                out.append("\\t")
            elif ord(c) < 32 or 0x7F <= ord(c) <= 0x9F:
                out.append(f"\\x{ord(c):02x}")
            else:
                out.append(c)
        return "".join(out) + '"'
    dumped = yaml.safe_dump(s, allow_unicode=True, default_flow_style=True, width=10**9)
    return dumped[:-5] if dumped.endswith("\n...\n") else dumped.rstrip("\n")


def _compose(text: str) -> yaml.Node:
    from dtrack.store.files import _needs_care, _Unreadable, _yaml
    try:
        _, fast, careful = _yaml()
        return yaml.compose(text, Loader=careful if _needs_care(text) else fast)
    except yaml.YAMLError as e:
        raise DataError(t("cannot edit: the file is not valid YAML ({error})", error=str(e).splitlines()[0])) from None
    except _Unreadable as e:        # an edit that takes the file past a limit of the loader
        raise DataError(t("cannot edit: {error}", error=e.message)) from None


def _number(node: yaml.ScalarNode) -> int | None:
    """The task number as the loader reads it (`+7`, `!!int 7` included), so every task listed is found."""
    from dtrack.store.files import _DECIMAL
    return int(node.value) if node.tag == "tag:yaml.org,2002:int" and _DECIMAL.match(node.value) else None


def find_task_node(root: yaml.Node, n: int) -> yaml.MappingNode:
    tasks = None
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == "tasks":
                tasks = v
    if not isinstance(tasks, yaml.SequenceNode):
        raise DataError(t("cannot edit: the file has no task list"))
    for item in tasks.value:
        if isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                if k.value == "n" and isinstance(v, yaml.ScalarNode) and _number(v) == n:
                    if item.flow_style:
                        raise DataError(t("task {n} is written in flow style ({{...}}); dtrack edits block-style "
                                          "tasks only: rewrite it as one key per line", n=n))
                    return item
    raise DataError(t("cannot edit: task {n} is not in the file", n=n))


class _Lines:
    def __init__(self, text: str):
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        self.text = text

    def start(self, line: int) -> int:
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def after(self, line: int) -> int:
        """Offset just past the line break that ends `line`."""
        return self.start(line + 1)


def _last_line(key: yaml.Node, value: yaml.Node) -> int:
    # A block collection ends where the next key starts; its own last line is its last child's.
    if isinstance(value, (yaml.MappingNode, yaml.SequenceNode)) and not value.flow_style and value.value:
        last = value.value[-1]
        return _last_line(*last) if isinstance(value, yaml.MappingNode) else _last_line(last, last)
    end = value.end_mark
    # Block scalars end after their line break, at column 0 of the next line.
    if end.column == 0 and end.line > key.start_mark.line:
        return end.line - 1
    return end.line


def edit_task(doc: Doc, n: int, changes: dict[str, Any], after: dict[str, str] | None = None) -> Doc:
    """Set (or, with value None, remove) keys of task `n`; returns the edited Doc.

    A value may be a mapping (written as a block under the key) or `Records` (a list of
    mappings: only the entries past those already in the file are appended). A new key goes
    right after the first key of `after[key]` (a name or a tuple of names) that the task has,
    else at the end of the task. Each change re-composes the text, so offsets are always fresh.
    """
    text = doc.text
    for key, value in changes.items():
        node = find_task_node(_compose(text), n)
        lines = _Lines(text)
        pairs = {k.value: (k, v) for k, v in node.value}
        column = node.value[0][0].start_mark.column
        if isinstance(value, (Records, dict)):
            text = _set_block(text, lines, doc.newline, node, pairs, key, value, (after or {}).get(key), n)
            continue
        if key in pairs:
            k, v = pairs[key]
            first, last = k.start_mark.line, _last_line(k, v)
            if text[lines.start(first):k.start_mark.index].strip():
                raise DataError(t("cannot edit '{key}' of task {n}: it shares a line with the item marker; "
                                  "put '- n: {n}' first", key=key, n=n))
            if value is None:
                text = text[:lines.start(first)] + text[lines.after(last):]
            elif isinstance(v, yaml.ScalarNode) and v.style != "|" and v.style != ">" and \
                    v.start_mark.line == v.end_mark.line:
                text = text[:v.start_mark.index] + _inline(value) + text[v.end_mark.index:]
            else:
                indent = text[lines.start(first):k.start_mark.index]
                line = f"{indent}{key}: {_inline(value)}{doc.newline}"
                text = text[:lines.start(first)] + line + text[lines.after(last):]
        elif value is not None:
            at = _insertion_point(text, lines, node, pairs, (after or {}).get(key))
            prefix = "" if at == 0 or text[at - 1] in _BREAKS else doc.newline
            line = f"{prefix}{' ' * column}{key}: {_inline(value)}{doc.newline}"
            text = text[:at] + line + text[at:]
    return Doc(text, doc.bom, doc.newline)



def edit_tasks(doc: Doc, edits: dict[int, dict[str, Any]], after: dict[str, str] | None = None) -> Doc:
    """edit_task for many tasks of one file in time linear in the file (a re-imported document may
    change thousands): the file is composed once and each task's own lines are edited on their own,
    as edit_task edits only those lines."""
    if not edits:
        return doc
    text = doc.text
    root = _compose(text)
    lines = _Lines(text)
    items: dict[str, yaml.MappingNode] = {}
    tasks = next((v for k, v in root.value if k.value == "tasks"), None) if isinstance(root, yaml.MappingNode) else None
    for item in tasks.value if isinstance(tasks, yaml.SequenceNode) else ():
        n = next((v.value.strip() for k, v in item.value if k.value == "n" and isinstance(v, yaml.ScalarNode)),
                 None) if isinstance(item, yaml.MappingNode) else None
        items.setdefault(n, item)
    spans, whole = [], []
    head = "tasks:" + doc.newline
    for n, changes in edits.items():
        item = items.get(str(n))
        start = lines.start(item.start_mark.line) if item is not None else 0
        if item is None or item.flow_style or "-" not in text[start:item.start_mark.index]:
            whole.append((n, changes))     # not in the file, flow style, a dash on its own line: as one edit
            continue
        end = lines.after(_last_line(item, item))
        own = edit_task(Doc(head + text[start:end], False, doc.newline), n, changes, after)
        spans.append((start, end, own.text[len(head):]))
    out, at = [], 0
    for start, end, new in sorted(spans):
        out += [text[at:start], new]
        at = end
    doc = Doc("".join(out) + text[at:], doc.bom, doc.newline)
    for n, changes in whole:
        doc = edit_task(doc, n, changes, after)
    return doc


def _inline(value: Any) -> str:
    # A list of scalars (co-leads, import notes) on one line, in flow style.
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow_item(v) for v in value) + "]"
    return render_scalar(value)


@dataclass(frozen=True)
class Records:
    """The whole new value of a list-of-mappings key (extensions:, occurrences:). The entries the
    file already has are left byte-for-byte as they are; only the new ones are appended, flow
    style (`- {due: 2024-03-25, done: 2024-03-26}`) or block style (one key per line)."""
    items: tuple
    flow: bool = False


def _insertion_point(text: str, lines: _Lines, node: yaml.MappingNode, pairs: dict, anchors) -> int:
    for name in (anchors,) if isinstance(anchors, str) else (anchors or ()):
        if name in pairs:
            return lines.after(_last_line(*pairs[name]))
    return lines.after(_last_line(*node.value[-1]))


def _mapping_lines(record: dict, first: str, rest: str, flow: bool) -> list[str]:
    items = [(k, v) for k, v in record.items()]
    if flow:
        return [first + "{" + ", ".join(f"{k}: {flow_item(v)}" for k, v in items) + "}"]
    return [(first if i == 0 else rest) + f"{k}: {_inline(v)}" for i, (k, v) in enumerate(items)]


def _set_block(text: str, lines: _Lines, newline: str, node: yaml.MappingNode, pairs: dict, key: str,
               value, anchors, n: int) -> str:
    column = node.value[0][0].start_mark.column
    pad = " " * column
    if key in pairs and isinstance(value, Records) and isinstance(pairs[key][1], yaml.SequenceNode) \
            and not pairs[key][1].flow_style and pairs[key][1].value:
        k, seq = pairs[key]
        have = len(seq.value)
        if have > len(value.items) and value.items:
            # The last entries go (reopen undoes a series' last occurrence); the others keep their bytes.
            cut = lines.start(seq.value[len(value.items)].start_mark.line)
            return text[:cut] + text[lines.after(_last_line(k, seq)):]
        if have > len(value.items):
            raise DataError(t("cannot edit '{key}' of task {n}: the file has more entries than expected",
                              key=key, n=n))
        first_item = seq.value[0]
        dash = text[lines.start(first_item.start_mark.line):first_item.start_mark.index]
        dash_col = dash.index("-") if "-" in dash else first_item.start_mark.column - 2
        out = []
        for record in value.items[have:]:
            out += _mapping_lines(record, " " * dash_col + "- ", " " * (dash_col + 2), value.flow)
        at = lines.after(_last_line(k, seq))
        prefix = "" if at == 0 or text[at - 1] in _BREAKS else newline
        return text[:at] + prefix + "".join(x + newline for x in out) + text[at:]
    if isinstance(value, Records):
        body = []
        for record in value.items:
            body += _mapping_lines(record, pad + "  - ", pad + "    ", value.flow)
    else:
        body = _mapping_lines(value, pad + "  ", pad + "  ", False)
    block = "".join(x + newline for x in [f"{pad}{key}:", *body])
    if key in pairs:
        # An empty or flow-style value (`extensions: []`) is rewritten as a block.
        k, v = pairs[key]
        first, last = k.start_mark.line, _last_line(k, v)
        return text[:lines.start(first)] + block + text[lines.after(last):]
    at = _insertion_point(text, lines, node, pairs, anchors)
    prefix = "" if at == 0 or text[at - 1] in _BREAKS else newline
    return text[:at] + prefix + block + text[at:]


_FLOW_UNSAFE = re.compile(r"[,\[\]{}#&*!|>'\"%@`]|: |:$|^[-?:]\s|^\s|\s$")


def flow_item(value: Any) -> str:
    """A scalar as an item of a flow collection ([a, b] or {k: v}): quoted where a comma or a bracket
    would otherwise split it ("UBND các huyện, thị xã, thành phố")."""
    plain = render_scalar(value)
    if isinstance(value, str) and (_FLOW_UNSAFE.search(value) or plain != value):
        import json
        return json.dumps(value, ensure_ascii=False)
    return plain


def render_value(key: str, value: Any, pad: str, newline: str, width: int = 88) -> list[str]:
    """The lines of `key: value` for a new task: a list in flow style, long plain text folded (>-)."""
    if isinstance(value, (list, tuple)):
        return [f"{pad}{key}: [" + ", ".join(flow_item(v) for v in value) + "]"]
    if isinstance(value, str) and len(_encodable(value)) > width - len(pad) - len(key) - 2 and _foldable(value):
        out, line = [], ""
        for word in value.split(" "):
            if line and len(pad) + 2 + len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
        return [f"{pad}{key}: >-"] + [f"{pad}  {x}" for x in out]
    return [f"{pad}{key}: {render_scalar(value)}"]


def _foldable(s: str) -> bool:
    # Folding joins lines with one space: only text without line breaks, tabs or runs of spaces survives.
    return s == s.strip() and "  " not in s and not any(c in s for c in "\n\r\t") and \
        not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in s)


def append_task(doc: Doc, fields: dict[str, Any]) -> Doc:
    """Append a task (fields in the order given) at the end of the task list, in the file's own
    indentation and newline style; the rest of the file is left byte-identical."""
    return append_tasks(doc, [fields])


def append_tasks(doc: Doc, many: list[dict[str, Any]]) -> Doc:
    """append_task for several tasks, in that order: the file is composed once, not once a task."""
    text = doc.text
    root = _compose(text)
    if not isinstance(root, yaml.MappingNode):
        raise DataError(t("cannot edit: the file is not a directive"))
    lines = _Lines(text)
    pair = next(((k, v) for k, v in root.value if k.value == "tasks"), None)
    if pair is not None and isinstance(pair[1], yaml.SequenceNode) and pair[1].value and not pair[1].flow_style:
        first = pair[1].value[0]
        head = text[lines.start(first.start_mark.line):first.start_mark.index]
        dash_col = head.index("-") if "-" in head else max(first.start_mark.column - 2, 0)
        key_col = first.start_mark.column
        last = pair[1].value[-1]
        at = lines.after(_last_line(last, last))
        block = "".join(_task_lines(fields, dash_col, key_col, doc.newline) for fields in many)
        prefix = "" if at == 0 or text[at - 1] in _BREAKS else doc.newline
        return Doc(text[:at] + prefix + block + text[at:], doc.bom, doc.newline)
    if pair is not None and not (isinstance(pair[1], yaml.SequenceNode) and not pair[1].value) and \
            not (isinstance(pair[1], yaml.ScalarNode) and pair[1].tag.endswith(":null")):
        raise DataError(t("cannot add a task: 'tasks:' is not a block list; write it as '- n: 1' items"))
    if pair is None:
        col, start, end = 0, len(text), len(text)
        if text and text[-1] not in _BREAKS:
            text += doc.newline
            start = end = len(text)
    else:
        k, v = pair
        col = k.start_mark.column
        start, end = lines.start(k.start_mark.line), lines.after(_last_line(k, v))
    block = " " * col + "tasks:" + doc.newline + "".join(_task_lines(fields, col + 2, col + 4, doc.newline)
                                                        for fields in many)
    return Doc(text[:start] + block + text[end:], doc.bom, doc.newline)


def _task_lines(fields: dict[str, Any], dash_col: int, key_col: int, newline: str) -> str:
    out = []
    for key, value in fields.items():
        out += render_value(key, value, " " * key_col, newline)
    # The item marker keeps the file's own gap ("-   n: 1"), so every key lines up under the first.
    out[0] = " " * dash_col + "-" + " " * max(key_col - dash_col - 1, 1) + out[0][key_col:]
    return "".join(x + newline for x in out)
