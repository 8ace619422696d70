"""Help in the run's language.

The English help texts of the code (help= literals, command docstrings, the registry's summaries)
are the message ids; they are translated when help is drawn, never when a command is built, so the
one cached command serves every language. click's own words (Usage, the headings, an option's
"[default: ...; required]") are translated here too: the click typer vendors has no gettext.
"""
from __future__ import annotations

import importlib
import inspect

from dtrack.cli import boundary
from dtrack.i18n import t

_click = boundary.click_exceptions.__name__.rsplit(".", 1)[0]
_click_core = importlib.import_module(_click + ".core")
_click_formatting = importlib.import_module(_click + ".formatting")


def help_key(text: str) -> str:
    """The message id of a command's help: the text click shows (cleaned, cut at a form feed)."""
    return inspect.cleandoc(text).partition("\f")[0]


# click and typer word their headings and the extras of an option's help in English literals.
_HEADINGS = {"Options": lambda: t("Options"), "Arguments": lambda: t("Arguments"),
             "Commands": lambda: t("Commands")}


class HelpFormatter(_click_formatting.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, t("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_HEADINGS[heading]() if heading in _HEADINGS else heading)


class Context(_click_core.Context):
    formatter_class = HelpFormatter


def _param_help(text: str) -> str:
    """An option's help as typer words it ("help  [default: 14d; required]"), translated piece by piece."""
    main, sep, extras = text.rpartition("  [") if text.endswith("]") else (text, "", "")
    if not sep:
        if text.startswith("[") and text.endswith("]"):
            main, extras = "", text[1:]
        else:
            return t(text) if text else text
    pieces = []
    for piece in extras[:-1].split("; "):
        if piece.startswith("default: "):
            pieces.append(t("default: {default}", default=piece[len("default: "):]))
        elif piece == "required":
            pieces.append(t("required"))
        else:
            pieces.append(piece)
    extra = "[" + "; ".join(pieces) + "]"
    return f"{t(main)}  {extra}" if main else extra


class Translated:
    """The help of a command or of the group, in the run's language."""

    context_class = Context

    def format_help_text(self, ctx, formatter) -> None:
        english = self.help
        self.help = t(help_key(english)) if english else english
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = english

    def format_options(self, ctx, formatter) -> None:
        sections: dict[str, list] = {"argument": [], "option": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None and param.param_type_name in sections:
                sections[param.param_type_name].append((record[0], _param_help(record[1])))
        for kind, heading in (("argument", "Arguments"), ("option", "Options")):
            if sections[kind]:
                with formatter.section(heading):
                    formatter.write_dl(sections[kind])
