"""The `dtrack` command line: the group, its options, and the run's configuration.

The group reads the environment once into a Config (cli/group.py), the callback lays the options
over it and hands it to the commands in an Env; commands live in their modules, listed in cli/commands.py;
errors become messages and exit codes in cli/boundary.py.
"""
from __future__ import annotations

import sys
from typing import Optional

import typer

from dtrack import i18n
from dtrack.cli.context import Env
from dtrack.cli.group import DtrackGroup, speaking
from dtrack.domain.settings import LANGUAGES
from dtrack.errors import DtrackError, UsageError
from dtrack.i18n import t

app = typer.Typer(
    cls=DtrackGroup,
    name="dtrack",
    help=("Follow up the tasks that government directives assign.\n\n"
          "Each directive is one YAML file in a git folder (directives/). "
          "Every command treats --as-of (or DTRACK_TODAY) as today.\n\n"
          "\b\nExamples:\n  dtrack list\n  dtrack --as-of 20/07/2024 list --all\n"
          "  dtrack done 1502#2 --note 'Công văn 426/STTTT'"),
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from dtrack import __version__
        typer.echo(f"dtrack {__version__}")
        raise typer.Exit()


def _lang(ctx: typer.Context, value: Optional[str]) -> Optional[str]:
    # Eager, so that `dtrack --lang vi --help` already speaks it.
    if value is not None:
        if value not in LANGUAGES:
            raise UsageError(t("--lang must be one of {allowed}", allowed=", ".join(LANGUAGES)))
        ctx.obj = ctx.obj.speaking(lang=value)
        i18n.set_language(ctx.obj.language)
    return value


@app.callback()
def main_options(
    ctx: typer.Context,
    dir: Optional[str] = typer.Option(None, "--dir", metavar="PATH",
                                      help="The directives folder (else DTRACK_DIR, else ./directives, "
                                           "else directives/ at the git root)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE",
                                        help="Take this day as today (else DTRACK_TODAY): 20/07/2024, 2024-07-20."),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="vi|en", callback=_lang, is_eager=True,
                                       help="The language to speak (else DTRACK_LANG, else the store's settings, "
                                            "else the system's)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    config = speaking(ctx.obj, dir=dir, lang=lang)
    i18n.set_language(config.language)
    config = config.settled()
    try:
        config = config.with_options(dir=dir, as_of=as_of)
    except DtrackError as e:
        e.message = t("--as-of: {message}", message=e.message)
        raise
    ctx.obj = Env(config)


def main() -> None:
    for stream in (sys.stdout, sys.stderr):
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError):
                pass
    app()
