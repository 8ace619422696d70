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

from .errors import DataError
from .i18n import t

_BOM = "\ufeff"
_LINE_START = re.compile(r"^", re.M)


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
        newline = "\r\n" if "\r\n" in text else "\n"
        return cls(text, bom, newline)

    def encode(self) -> bytes:
        return ((_BOM if self.bom else "") + self.text).encode("utf-8")


def _needs_double_quotes(s: str) -> bool:
    return any(c in s for c in "\n\r\t\\\"") or any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in s)


def render_scalar(value: Any) -> str:
    """A value as a one-line YAML scalar: plain where YAML reads it back unchanged, quoted otherwise."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return yaml.safe_dump(value).split("\n", 1)[0]
    s = str(value)
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
    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise DataError(t("cannot edit: the file is not valid YAML ({error})", error=str(e).splitlines()[0])) from None


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
                if k.value == "n" and isinstance(v, yaml.ScalarNode) and v.value.strip() == str(n):
                    if item.flow_style:
                        raise DataError(t("task {n} is written in flow style ({{...}}); dtrack edits block-style "
                                          "tasks only: rewrite it as one key per line", n=n))
                    return item
    raise DataError(t("cannot edit: task {n} is not in the file", n=n))


class _Lines:
    def __init__(self, text: str):
        self.starts = [m.start() for m in _LINE_START.finditer(text)]
        self.text = text

    def start(self, line: int) -> int:
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def after(self, line: int) -> int:
        """Offset just past the line break that ends `line`."""
        return self.start(line + 1)


def _last_line(key: yaml.Node, value: yaml.Node) -> int:
    end = value.end_mark
    # Block scalars end after their line break, at column 0 of the next line.
    if end.column == 0 and end.line > key.start_mark.line:
        return end.line - 1
    return end.line


def edit_task(doc: Doc, n: int, changes: dict[str, Any], after: dict[str, str] | None = None) -> Doc:
    """Set (or, with value None, remove) keys of task `n`; returns the edited Doc.

    A new key goes right after the key named in `after[key]` when present, else at the end
    of the task. Each change re-composes the text, so offsets are always fresh.
    """
    text = doc.text
    for key, value in changes.items():
        node = find_task_node(_compose(text), n)
        lines = _Lines(text)
        pairs = {k.value: (k, v) for k, v in node.value}
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
                text = text[:v.start_mark.index] + render_scalar(value) + text[v.end_mark.index:]
            else:
                indent = text[lines.start(first):k.start_mark.index]
                line = f"{indent}{key}: {render_scalar(value)}{doc.newline}"
                text = text[:lines.start(first)] + line + text[lines.after(last):]
        elif value is not None:
            anchor_key = (after or {}).get(key)
            if anchor_key in pairs:
                ak, av = pairs[anchor_key]
            else:
                ak, av = node.value[-1]
            column = node.value[0][0].start_mark.column
            at = lines.after(_last_line(ak, av))
            prefix = "" if at == 0 or text[at - 1] == "\n" else doc.newline
            line = f"{prefix}{' ' * column}{key}: {render_scalar(value)}{doc.newline}"
            text = text[:at] + line + text[at:]
    return Doc(text, doc.bom, doc.newline)
