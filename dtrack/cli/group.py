"""The `dtrack` command group: commands come from the registry (cli/commands.py) and are imported only
when used, and every run goes through the error boundary (cli/boundary.py).

Help speaks the run's language: the English help texts of the code (help= literals, docstrings, the
registry's summaries) are the message ids, translated when help is drawn (`help_key`), never when a
command is built, so the cached command serves every language."""
from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Mapping
from pathlib import Path

import typer
from typer.core import TyperCommand, TyperGroup

from dtrack import i18n
from dtrack.cli import boundary
from dtrack.cli.commands import CommandInfo, commands_dict
from dtrack.config import Config
from dtrack.errors import DtrackError
from dtrack.i18n import spoken, t

_click = boundary.click_exceptions.__name__.rsplit(".", 1)[0]
_click_utils = importlib.import_module(_click + ".utils")
_click_core = importlib.import_module(_click + ".core")
_click_formatting = importlib.import_module(_click + ".formatting")


class LazyCommands(Mapping):
    """The group's `commands`: every registered name, a command built on first look-up."""

    def __init__(self, registry: dict[str, CommandInfo]):
        self._registry = registry
        self._built: dict = {}

    def __getitem__(self, name: str):
        if name not in self._built:
            self._built[name] = load(name, self._registry[name])
        return self._built[name]

    def __iter__(self):
        return iter(self._registry)

    def __len__(self) -> int:
        return len(self._registry)


def store_language(dir: str | None, origin: str) -> str | None:
    """The language of the store's settings; None when there is no store (init, a typo in --dir:
    the command itself reports that)."""
    from dtrack.store import files
    try:
        return files.settings_language(files.find_root(dir, Path.cwd(), origin))
    except DtrackError:
        return None


def speaking(config: Config, *, dir: str | None = None, lang: str | None = None) -> Config:
    """`config` settled on the language the run speaks; the store is read only when neither --lang nor
    DTRACK_LANG chose one."""
    chosen = lang or config.lang
    store = None if chosen and spoken(chosen) else \
        store_language(dir or config.dir, "--dir" if dir else config.dir_origin)
    return config.speaking(store, lang=lang)


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


class DtrackCommand(Translated, TyperCommand):
    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except boundary.click_exceptions.UsageError as e:
            # click's parser leaves some errors (an option missing its value) without a command:
            # they are this one's, and the boundary's hint points at its help.
            if e.ctx is None:
                e.ctx = ctx
            raise


def load(name: str, info: CommandInfo):
    """The click command of a registered function: its module is imported here and only here."""
    function = getattr(importlib.import_module(info.module), info.attr)
    single = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False)
    single.command(name, cls=DtrackCommand, help=info.help, hidden=info.hidden)(function)
    return typer.main.get_command(single)


class DtrackGroup(Translated, TyperGroup):
    def __init__(self, **attrs):
        super().__init__(**attrs)
        self.commands = LazyCommands(commands_dict)

    def list_commands(self, ctx) -> list[str]:
        return list(commands_dict)

    def format_help(self, ctx, formatter) -> None:
        # `dtrack --help` stops before the group's callback: the store's language is looked up here.
        config = ctx.obj if isinstance(ctx.obj, Config) else Config.from_environ(os.environ)
        with i18n.using(speaking(config).language):
            super().format_help(ctx, formatter)

    def format_options(self, ctx, formatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter) -> None:
        """From the registry's summaries: `dtrack --help` imports no command module."""
        shown = [(name, info) for name, info in commands_dict.items() if not info.hidden]
        limit = formatter.width - 6 - max(len(name) for name, _info in shown)
        with formatter.section("Commands"):
            formatter.write_dl([(name, _click_utils.make_default_short_help(t(info.summary), limit))
                                for name, info in shown])

    def parse_args(self, ctx, args):
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            typer.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        # The environment, read once; the app's callback lays the options over it (ctx.obj).
        config = Config.from_environ(os.environ).speaking()
        i18n.set_language(config.language)      # before any message is worded, usage errors too
        code = boundary.run(
            lambda: super(DtrackGroup, self).main(args, prog_name, complete_var, standalone_mode=False,
                                                  obj=config, **extra),
            debug=config.debug)
        if standalone_mode:
            raise SystemExit(code)
        return code
