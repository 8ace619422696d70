"""`dtrack reassign`: hand a task's lead to another agency, with the record kept in the task."""
from __future__ import annotations

from typing import List, Optional

import typer

from dtrack.cli.context import env_of, resolve_hint
from dtrack.cli.printing import report_result
from dtrack.errors import NotFoundError


def reassign_command(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="REF", help="The task: 1502#2."),
    to: List[str] = typer.Option(..., "--to", metavar="AGENCY", help="The agency that takes the lead (repeat for co-leads)."),
    by: str = typer.Option(..., "--by", metavar="DOCUMENT", help="The document that decides it: 'Công văn 99/UBND-KGVX'."),
    reason: str = typer.Option(..., "--reason", "-m", metavar="TEXT", help="Why (kept in the task and the commit)."),
    on: Optional[str] = typer.Option(None, "--on", metavar="DATE", help="The day it takes effect (default: today)."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the file but make no git commit."),
) -> None:
    """Hand a task's lead to another agency (chuyển giao nhiệm vụ), keeping who held it before.

    Sets lead and appends {from, to, on, by, reason} to the task's reassigned: list; show and
    log show it, and report as of a day before it still counts the earlier lead.

    \b
    Example:
      dtrack reassign 1502#2 --to "Sở Khoa học và Công nghệ" --by "Công văn 99/UBND-KGVX" --reason "Chuyển giao chức năng"
    """
    from dtrack.services import reassign
    from dtrack.domain.dates import parse_date
    from dtrack.output import render
    env = env_of(ctx)
    day = parse_date(on, env.today) if on else None
    st = env.store()
    try:
        result = reassign.reassign(st, ref, env.today, to=to, by=by, reason=reason, on=day, commit=not no_commit)
    except NotFoundError as e:
        raise resolve_hint(st, e)
    report_result(result, render.console())
