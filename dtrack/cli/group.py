"""The `dtrack` command group: commands come from the registry (cli/commands.py) and are imported only
when used, and every run goes through the error boundary (cli/boundary.py). The language a run speaks
is settled here (`speaking`); help is drawn in it by cli/helptext.py."""
from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path

import typer
from typer.core import TyperCommand, TyperGroup

from dtrack import i18n
from dtrack.cli import boundary
from dtrack.cli.commands import CommandInfo, commands_dict
from dtrack.cli.helptext import Translated
from dtrack.config import Config
from dtrack.errors import DtrackError
from dtrack.i18n import spoken, t

_click_utils = importlib.import_module(boundary.click_exceptions.__name__.rsplit(".", 1)[0] + ".utils")


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
        with formatter.section("Commands"):
            # Whole summaries, wrapped under their column: a cut one ("…") hides what the command does.
            formatter.write_dl([(name, t(info.summary)) for name, info in shown])

    def shell_complete(self, ctx, incomplete: str):
        """Command names from the registry too (with their summaries): completing imports no command module."""
        item = importlib.import_module(_click_utils.__name__.rsplit(".", 1)[0] + ".shell_completion").CompletionItem
        names = [item(name, help=t(info.summary)) for name, info in commands_dict.items()
                 if not info.hidden and name.startswith(incomplete)]
        return names + super(TyperGroup, self).shell_complete(ctx, incomplete)

    def _main_shell_completion(self, ctx_args, prog_name, complete_var=None) -> None:
        # The variable typer reads; its completion classes are registered only when a shell asks.
        if os.environ.get(complete_var or f"_{prog_name}_COMPLETE".replace("-", "_").upper()):
            from dtrack.cli import completion
            completion.enable()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)

    def invoke(self, ctx):
        if not ctx._protected_args and not ctx.args:
            # `dtrack --dir X` with no command is asking what there is to do, as `dtrack` alone.
            typer.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().invoke(ctx)

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
