"""`dtrack help [COMMAND]`: the same help as --help, for those who type it the other way round."""
from __future__ import annotations

from typing import Optional

import typer

from dtrack.i18n import t


def help_command(
    ctx: typer.Context,
    command: Optional[str] = typer.Argument(None, metavar="[COMMAND]", help="A command, such as list."),
) -> None:
    """Show the help of dtrack, or of one command (as --help does).

    \b
    Examples:
      dtrack help
      dtrack help list
    """
    from dtrack.errors import UsageError
    group_ctx = ctx.parent
    if command is None:
        typer.echo(group_ctx.get_help())
        return
    if command not in group_ctx.command.list_commands(group_ctx):
        raise UsageError(t("no command '{name}'", name=command), hint=t("'dtrack help' lists them."))
    sub = group_ctx.command.get_command(group_ctx, command)
    with sub.make_context(command, [], parent=group_ctx, resilient_parsing=True) as sub_ctx:
        typer.echo(sub.get_help(sub_ctx))
