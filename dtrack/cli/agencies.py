"""`dtrack agencies list|show|add|rename|succeed`: the registry (services/agencies.py)."""
from __future__ import annotations

from typing import List, Optional

import typer

from dtrack.cli.context import env_of
from dtrack.cli.printing import report_result
from dtrack.errors import UsageError
from dtrack.i18n import t

ACTIONS = ("list", "show", "add", "rename", "succeed")


def agencies_command(
    ctx: typer.Context,
    action: str = typer.Argument("list", metavar="list|show|add|rename|succeed"),
    names: Optional[List[str]] = typer.Argument(None, metavar="[NAME...]",
                                                help="show/add: one agency; rename: OLD NEW; succeed: the old ones."),
    kind: Optional[str] = typer.Option(None, "--kind", metavar="KIND", help="add: sở, ban, ubnd cấp xã, ..."),
    alias: Optional[List[str]] = typer.Option(None, "--alias", metavar="NAME", help="add: an abbreviation (repeat)."),
    short: Optional[str] = typer.Option(None, "--short", metavar="NAME", help="add: the short name for tables."),
    parent: Optional[str] = typer.Option(None, "--parent", metavar="AGENCY", help="add: the agency it belongs to."),
    to: Optional[str] = typer.Option(None, "--to", metavar="AGENCY", help="succeed: the successor."),
    on: Optional[str] = typer.Option(None, "--on", metavar="DATE", help="succeed: the day it takes over (default: today)."),
    by: Optional[str] = typer.Option(None, "--by", metavar="DOCUMENT", help="rename/succeed: the deciding document."),
    force: bool = typer.Option(False, "--force", help="add: accept a name close to a known one or without diacritics."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the file but make no git commit."),
) -> None:
    """The agency registry: list, show, add, rename, succeed (mergers from a day, by a document).

    list shows each agency with the open and overdue tasks it leads today (those of the
    agencies it took over included); a task keeps the name its directive wrote.

    \b
    Examples:
      dtrack agencies list
      dtrack agencies show STTTT
      dtrack agencies add "Chi cục Thủy sản" --kind "đơn vị sự nghiệp" --alias CCTS
      dtrack agencies rename "Ban Dân tộc tỉnh" "Ban Dân tộc và Tôn giáo tỉnh" --by "Quyết định 12/QĐ-UBND"
      dtrack agencies succeed "Sở TTTT" --to "Sở KH&CN" --on 1/3/2025 --by "Nghị định 45/2025/NĐ-CP"
    """
    from dtrack.domain.dates import parse_date
    from dtrack.output import render
    from dtrack.services import agencies
    env = env_of(ctx)
    names = names or []
    if action not in ACTIONS:
        raise UsageError(t("unknown action '{action}'; use one of {allowed}", action=action, allowed=", ".join(ACTIONS)))
    wanted = {"list": (0, 0), "show": (1, 1), "add": (1, 1), "rename": (2, 2), "succeed": (1, 99)}[action]
    if not wanted[0] <= len(names) <= wanted[1]:
        usage = {"list": "dtrack agencies list", "show": "dtrack agencies show NAME", "add": "dtrack agencies add NAME",
                 "rename": "dtrack agencies rename OLD NEW",
                 "succeed": "dtrack agencies succeed OLD... --to NEW --on DATE --by DOCUMENT"}[action]
        raise UsageError(t("wrong number of names for '{action}'", action=action), hint=t("Usage: {usage}", usage=usage))
    out = render.console()
    if action == "list":
        lines = agencies.listing(env.collection(), env.today)
        rows = [[x.agency.name, x.agency.kind or "", x.agency.short_name, str(x.open), str(x.overdue),
                 t("→ {name}", name=x.successor) if x.successor else ""] for x in lines]
        render.grid([t("Agency"), t("Kind"), t("Short"), t("Open"), t("Overdue"), t("In charge now")], rows, out,
                    numeric_from=3)
        return
    st = env.store()
    if action == "show":
        agencies.refuse_unreadable(st.registry, st.problems, st.root)
        d = agencies.show(st.registry, names[0], env.today)
        a = d.agency
        rows = [[t("Name"), a.name], [t("Kind"), a.kind or ""], [t("Short"), a.short_name],
                [t("Aliases"), ", ".join(a.aliases)], [t("Parent"), a.parent or ""],
                [t("Established"), _day(a.established)], [t("Dissolved"), _day(a.dissolved)]]
        rows += [[t("Replaced by"), "; ".join(x for x in (s.name, _day(s.on), s.by or "") if x)] for s in a.replaced_by]
        if d.in_charge is not None:
            rows.append([t("In charge now"), d.in_charge.name])
        rows += [[t("Predecessor"), p.name] for p in d.predecessors]
        render.grid([t("Field"), t("Value")], [r for r in rows if r[1]], out, numeric_from=2)
        return
    commit = not no_commit
    if action == "add":
        result = agencies.add(st, names[0], env.today, kind=kind, aliases=alias or (), short=short, parent=parent,
                              force=force, commit=commit)
    elif action == "rename":
        result = agencies.rename(st, names[0], names[1], env.today, by=by, commit=commit)
    else:
        if not to:
            raise UsageError(t("succeed needs --to, the successor"),
                             hint=t("Usage: {usage}", usage="dtrack agencies succeed OLD... --to NEW --on DATE"))
        day = parse_date(on, env.today) if on else env.today
        result = agencies.succeed(st, names, to, env.today, on=day, by=by, commit=commit)
    report_result(result, out, show_files=True)


def _day(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
