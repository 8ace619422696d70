"""JSON text exactly as json.dumps(data, ensure_ascii=False, indent=2) writes it, several times faster.

CPython's C encoder only runs without `indent`; with it, every value goes through the pure
Python generator (~1 s for `list --all --json` of 55,000 tasks). The JSON of dtrack is plain
dicts, lists, strings, numbers, booleans and null, so a direct writer that encodes strings
with the C escaper gives the same bytes (a test compares both).
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring

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
