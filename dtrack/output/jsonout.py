"""JSON text exactly as json.dumps(data, ensure_ascii=False, indent=2) writes it, several times faster.

CPython's C encoder only runs without `indent`; with it, every value goes through the pure
Python generator (~1 s for `list --all --json` of 55,000 tasks). The JSON of dtrack is plain
dicts, lists, strings, numbers, booleans and null, so a direct writer that encodes strings
with the C escaper gives the same bytes (a test compares both).
"""
from __future__ import annotations

import json
from datetime import date
from json.encoder import encode_basestring
from typing import Iterable

from dtrack.domain.model import Directive, Task
from dtrack.domain.text import json_safe

_float = json.JSONEncoder(allow_nan=True).encode


def dumps(data, indent: int = 2) -> str:
    out: list[str] = []
    _write(data, out, "\n", " " * indent, {})
    return "".join(out)


def _write(value, out: list, nl: str, step: str, prefixes: dict) -> None:
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = nl + step
        # The text before each value ("{" or ",", newline, indent, key) is the same for every object
        # with these keys at this depth: computed once for thousands of tasks.
        keys = tuple(value)
        pres = prefixes.get((inner, keys))
        if pres is None:
            pres = prefixes[(inner, keys)] = [("{" if i == 0 else ",") + inner + encode_basestring(_key(k)) + ": "
                                              for i, k in enumerate(keys)]
        deeper = inner + step
        for pre, item in zip(pres, value.values()):
            t = type(item)
            if t is str:
                out.append(pre + encode_basestring(item))
            elif item is None:
                out.append(pre + "null")
            elif t is int:
                out.append(pre + int.__repr__(item))
            elif (t is list or t is tuple) and not item:
                out.append(pre + "[]")
            elif (t is list or t is tuple) and all(type(x) is str for x in item):
                out.append(pre + "[" + deeper + ("," + deeper).join(map(encode_basestring, item)) + inner + "]")
            else:
                out.append(pre)
                _write(item, out, inner, step, prefixes)
        out.append(nl + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = nl + step
        first = True
        for item in value:
            out.append(("[" if first else ",") + inner)
            first = False
            _write(item, out, inner, step, prefixes)
        out.append(nl + "]")
    elif kind is float:
        out.append(_float(value))
    else:
        # Anything else (a subclass, a number type) the standard way, so the result never differs.
        out.append(json.dumps(value, ensure_ascii=False, indent=len(step)).replace("\n", nl))


def _key(key) -> str:
    # json.dumps writes a number, boolean or null key as its JSON text.
    return key if isinstance(key, str) else json.dumps(key)


def value_text(value, nl: str, step: str = "  ", prefixes: dict | None = None) -> str:
    """The text of one value as dumps() writes it inside a container whose key lines begin with `nl`
    (a newline and their indent): for writers that splice many objects without building them.
    `prefixes`, kept across calls, saves recomputing the key lines of objects of the same shape."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    out: list[str] = []
    _write(value, out, nl, step, {} if prefixes is None else prefixes)
    return "".join(out)


# ---------------------------------------------------------------------------- the JSON of a task

# The documented object of a task (docs/format.md, 'JSON output'), in this key order: ref, directive,
# number, n, title, kind, issuer, issued, text, lead, support, due, due_text, status, done, note, state,
# days_left, path, every, until, original_due, extensions, occurrences, cancelled, reassigned. `state` and
# `days_left` depend on today; everything else only on the file, so the rest is written once per file
# (task_pieces, kept in the index) and the two are spliced in (task_text).

_NL = "\n    "                  # a key line of a task object inside a list
_DAYS_LEFT = ',\n    "days_left": '


def task_pieces(directive: Directive) -> list[tuple[bytes, bytes]]:
    """(pre, post) of each task of the directive, in order, as dumps() writes the object inside a list:
    pre ends with '"state": ', post begins after the days_left value. Made safe for a terminal
    (text.json_safe changes single characters, so the pieces can be made safe apart), and UTF-8:
    `list --all --json` writes 30 MB of them, which need never be decoded."""
    nl, deeper = _NL, "\n      "
    sep = "," + deeper
    d = directive
    shapes: dict = {}

    def v(value) -> str:
        return value_text(value, nl, "  ", shapes)

    def names(agencies) -> str:
        return "[" + deeper + sep.join(map(v, agencies)) + nl + "]" if agencies else "[]"
    head = (f'{{{nl}"ref": ', f',{nl}"directive": {v(d.stem)},{nl}"number": {v(d.number)},{nl}"n": ',
            f',{nl}"title": {v(d.title)},{nl}"kind": {v(d.kind)},{nl}"issuer": {v(d.issuer)},'
            f'{nl}"issued": {v(_iso(d.issued))},{nl}"text": ', f',{nl}"path": {v(d.path)},{nl}"every": ')
    out = []
    for task in d.tasks:
        x = task.extensions
        pre = (f'{head[0]}{v(d.ref(task))}{head[1]}{v(task.n)}{head[2]}{v(task.text)},{nl}"lead": {names(task.lead)},'
               f'{nl}"support": {names(task.support)},{nl}"due": {v(_iso(task.due))},{nl}"due_text": {v(task.due_text)},'
               f'{nl}"status": {v(task.status)},{nl}"done": {v(_iso(task.done))},{nl}"note": {v(task.note)},'
               f'{nl}"state": ')
        post = (f'{head[3]}{v(task.every)},{nl}"until": {v(_iso(task.until))},'
                f'{nl}"original_due": {v(_iso(task.original_due) if x else _iso(task.due))},'
                f'{nl}"extensions": {v(_extensions(task))},{nl}"occurrences": {v(_occurrences(task))},'
                f'{nl}"cancelled": {v(_cancelled(task))},{nl}"reassigned": {v(_reassigned(task))}\n  }}')
        out.append((json_safe(pre).encode("utf-8"), json_safe(post).encode("utf-8")))
    return out


_STATES: dict[str, bytes] = {}


def task_text(pieces: tuple[bytes, bytes], state: str, days_left: int | None) -> bytes:
    """The object of a task inside a list, from its pieces."""
    middle = _STATES.get(state)
    if middle is None:
        middle = _STATES[state] = (encode_basestring(state) + _DAYS_LEFT).encode("utf-8")
    left = b"null" if days_left is None else b"%d" % days_left
    return b"".join((pieces[0], middle, left, pieces[1]))


def list_text(objects: Iterable[bytes]) -> bytes:
    """A list of task objects (task_text), as dumps() writes a list."""
    objects = list(objects)
    return b"[\n  " + b",\n  ".join(objects) + b"\n]" if objects else b"[]"


def with_history(task_object: bytes, history: list) -> str:
    """A task's object at the top level with "history" added last (`show REF --json`)."""
    text = task_object.decode("utf-8").replace("\n  ", "\n")
    return text[:-2] + ',\n  "history": ' + json_safe(value_text(history, "\n  ")) + "\n}"


def directive_text(task_objects: Iterable[bytes], history: list) -> str:
    """{"tasks": [...], "history": [...]} (`show DIRECTIVE --json`)."""
    tasks = list_text(task_objects).decode("utf-8").replace("\n", "\n  ")
    return '{\n  "tasks": ' + tasks + ',\n  "history": ' + json_safe(value_text(history, "\n  ")) + "\n}"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _extensions(task: Task) -> list[dict]:
    return [{"from": _iso(e.from_), "to": _iso(e.to), "on": _iso(e.on), "by": e.by, "reason": e.reason}
            for e in task.extensions]


def _reassigned(task: Task) -> list[dict]:
    return [{"from": list(r.from_), "to": list(r.to), "on": _iso(r.on), "by": r.by, "reason": r.reason}
            for r in task.reassigned]


def _occurrences(task: Task) -> list[dict]:
    return [{"due": _iso(o.due), "done": _iso(o.done), "note": o.note, "by": o.by} for o in task.occurrences]


def _cancelled(task: Task) -> dict | None:
    return None if task.cancelled is None else {
        "on": _iso(task.cancelled.on), "by": task.cancelled.by, "reason": task.cancelled.reason}


def listing_text(collection, listing) -> bytes:
    """`list --json`: the tasks of a services.queries.Listing, from their pieces kept in the index, as UTF-8."""
    pieces = collection.derived("json", task_pieces, {rel for rel, _pos in listing.tasks})
    return list_text(task_text(pieces[rel][pos], line[2], line[3]) for (rel, pos), line in zip(listing.tasks, listing.lines))
