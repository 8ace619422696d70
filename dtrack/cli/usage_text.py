"""click's usage errors in the run's language.

The click that typer vendors words its errors in English f-strings, with no gettext: the
message is rebuilt here from the exception's fields (the option, the parameter), and the few
sentences click words itself are recognised by their shape and said again through `t()`.
Anything not recognised is shown as click wrote it.
"""
from __future__ import annotations

import re
import sys
from typing import Callable

import typer

from dtrack.i18n import t

_ce = sys.modules[typer.BadParameter.__module__]        # the click typer vendors, as cli/boundary.py

# The sentences click and typer fail with (parser.py, core.py, types.py), by their English shape.
_SENTENCES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (re.compile(r"Got unexpected extra argument\(s\) \((.*)\)", re.S),
     lambda m: t("Got unexpected extra argument(s) ({args})", args=m[1])),
    (re.compile(r"No such command (.+?)\. Did you mean (.+)\?", re.S),
     lambda m: t("No such command {name}. Did you mean {names}?", name=m[1], names=m[2])),
    (re.compile(r"No such command (.+)\.", re.S), lambda m: t("No such command {name}.", name=m[1])),
    (re.compile(r"Missing command\."), lambda m: t("Missing command.")),
    (re.compile(r"Option (.+) requires an argument\.", re.S),
     lambda m: t("Option {name} requires an argument.", name=m[1])),
    (re.compile(r"Option (.+) requires (\d+) arguments\.", re.S),
     lambda m: t("Option {name} requires {n} arguments.", name=m[1], n=m[2])),
    (re.compile(r"Option (.+) does not take a value\.", re.S),
     lambda m: t("Option {name} does not take a value.", name=m[1])),
    (re.compile(r"(.+) is not a valid int\.", re.S), lambda m: t("{value} is not a valid int.", value=m[1])),
    (re.compile(r"(.+) is not a valid float\.", re.S), lambda m: t("{value} is not a valid float.", value=m[1])),
    (re.compile(r"(.+) is not in the range (.+)\.", re.S),
     lambda m: t("{value} is not in the range {range}.", value=m[1], range=m[2])),
]


def _sentence(text: str) -> str:
    for pattern, say in _SENTENCES:
        match = pattern.fullmatch(text)
        if match:
            return say(match)
    return text


def _hint(e) -> str:
    if e.param_hint is not None:
        hint = e.param_hint
    elif e.param is not None:
        hint = e.param.get_error_hint(e.ctx)
    else:
        return ""
    return " / ".join(repr(h) for h in hint) if isinstance(hint, (list, tuple)) else str(hint)


def message(e) -> str:
    """The text of click's usage error `e`, as `e.format_message()` words it in English."""
    if isinstance(e, _ce.MissingParameter):
        kind = e.param_type or (e.param.param_type_name if e.param is not None else "parameter")
        name = _hint(e)
        said = {"argument": t("Missing argument {name}.", name=name),
                "option": t("Missing option {name}.", name=name)}.get(kind, t("Missing parameter {name}.", name=name))
        extra = e.param.type.get_missing_message(param=e.param, ctx=e.ctx) if e.param is not None else ""
        return " ".join(x for x in (said, _sentence(e.message) if e.message else "", extra) if x)
    if isinstance(e, _ce.BadParameter):
        hint = _hint(e)
        text = _sentence(e.message)
        return t("Invalid value for {name}: {message}", name=hint, message=text) if hint \
            else t("Invalid value: {message}", message=text)
    if isinstance(e, _ce.NoSuchOption):
        said = t("No such option: {name}", name=e.option_name) if e.message.startswith("No such option") \
            else _sentence(e.message)
        if e.possibilities:
            said += " " + t("(Possible options: {names})", names=", ".join(sorted(e.possibilities)))
        return said
    return _sentence(e.message)
