"""Everyday commands on tasks: list (and its alias due), show, done, reopen."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from dtrack.cli import completers
from dtrack.cli.context import env_of, resolve_hint
from dtrack.cli.printing import print_json_text, report_result, table_or, write_utf8
from dtrack.errors import NotFoundError
from dtrack.i18n import t

STATUS_CHOICES = ("open", "done", "cancelled", "all")
LIST_FORMATS = ("table", "tsv", "json")


def list_command(
    ctx: typer.Context,
    within: str = typer.Option("14d", "--within", "-w", metavar="DAYS",
                               help="The due-soon window: 14d, 30d, 2w."),
    all_: bool = typer.Option(False, "--all", "-a", help="Every task of the chosen status, not only those due soon."),
    overdue: bool = typer.Option(False, "--overdue", help="Only overdue tasks."),
    status: str = typer.Option("open", "--status", "-s", metavar="STATUS",
                               help="open, done, cancelled or all. Other than open implies --all."),
    agency: Optional[str] = typer.Option(None, "--agency", metavar="NAME", click_type=completers.AGENCIES,
                                         help="Tasks an agency leads or supports; a name or abbreviation, "
                                              "case and diacritics ignored: 'so tai chinh', STC."),
    search: Optional[str] = typer.Option(None, "--search", "-q", metavar="TEXT",
                                         help="A phrase in the task text, title or number (case and diacritics ignored)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list (a stable interface: docs/format.md)."),
    format_: Optional[str] = typer.Option(None, "--format", "-f", metavar="table|tsv|json",
                                          help="table (the default on a terminal), tsv (one line a task, "
                                               "tab-separated: the default into a pipe or a file; "
                                               "docs/porcelain.md) or json (as --json)."),
) -> None:
    """List the open tasks that are overdue or due soon.

    Sorted by deadline, then reference; tasks with no deadline come last. The table shows
    the reference, the deadline (dd/mm/yyyy), days left or late, the lead agency and the
    task, coloured by state, and a summary line. Into a pipe or a file, one line a task
    with its whole text, tab-separated (docs/porcelain.md).

    \b
    Examples:
      dtrack list                      overdue or due within 14 days
      dtrack list --within 30d
      dtrack list --all --agency STC   every open task of Sở Tài chính
      dtrack list --search "chuyen doi so" --json
      dtrack list --all > ds.tsv        every open task, one line each
    """
    from dtrack.services import queries
    from dtrack.domain.dates import parse_days
    from dtrack.errors import UsageError
    env = env_of(ctx)
    if status not in STATUS_CHOICES:
        raise UsageError(t("--status must be one of {allowed}", allowed=", ".join(STATUS_CHOICES)))
    shape = table_or(format_, as_json, LIST_FORMATS)
    window = parse_days(within)
    scope = "overdue" if overdue else ("all" if all_ or status != "open" else "due")
    listing = queries.list_tasks(env.collection(), env.today, window=window, scope=scope, status=status,
                                 agency=agency, search=search, brief=shape == "json")
    if listing.problems:
        from dtrack.output import render
        render.problems(listing.problems, Path.cwd(), render.console(stderr=True))
    if shape == "json":
        from dtrack.output import jsonout
        write_utf8(jsonout.listing_text(env.collection(), listing) + b"\n")
        return
    if shape == "tsv":
        # Records only: no header and no summary line, which a script would have to skip.
        from dtrack.output import porcelain
        write_utf8(porcelain.list_text(listing.lines, listing.registry).encode("utf-8"))
        return
    from dtrack.output import render
    out = render.console()
    if listing.lines:
        render.lines_table(listing.lines, listing.registry, out)
    else:
        render.nothing(t("No tasks to show."), out)
    render.summary_line(listing.counts, window, out)


def show_command(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="REF", click_type=completers.REFERENCES, help="A task (1502#2) or a directive (1502-UBND-KGVX, 1502)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a directive or one task in full, with its git history.

    \b
    Examples:
      dtrack show 1502#2
      dtrack show 1502-UBND-KGVX
    """
    from dtrack.store import gitops
    from dtrack.services import queries
    from dtrack.output import render
    env = env_of(ctx)
    key, n = queries.parse_ref(ref)
    try:
        st = env.collection().store([queries.find_directive(env.collection(), key).path])
        directive, task = st.directives[0], None
        if n is not None:
            directive, task = queries.resolve_task(st.directives, ref)
    except NotFoundError as e:
        raise resolve_hint(env.collection(), e)
    repo = gitops.find_repo(st.root)
    entries = []
    if repo is not None:
        entries = gitops.history(repo, gitops.repo_path(repo, st.file(directive)))
        if task is not None:
            mine = directive.ref(task)
            entries = [e for e in entries if not e.refs or mine in e.refs]
    tasks = [task] if task else directive.tasks
    rows = [queries.Row(directive, x, *queries.evaluate(x, env.today)) for x in tasks]
    if as_json:
        from dtrack.output import jsonout
        pieces = jsonout.task_pieces(directive)
        objects = [jsonout.task_text(pieces[directive.tasks.index(r.task)], r.state, r.days_left) for r in rows]
        history = [{"commit": e.commit, "date": e.date, "author": e.author, "subject": e.subject,
                    "action": e.action, "refs": list(e.refs)} for e in entries]
        print_json_text(jsonout.directive_text(objects, history) if task is None else
                        jsonout.with_history(objects[0], history))
        return
    out = render.console()
    if task is not None:
        render.task_detail(directive, task, rows[0], st.registry.as_of(env.today), out)
    else:
        render.directive_detail(directive, rows, st.registry.as_of(env.today), out)
    render.history(entries, out)


def done_command(
    ctx: typer.Context,
    refs: List[str] = typer.Argument(..., metavar="REF...", click_type=completers.OPEN_TASKS,
                                    help="Tasks: 1502-UBND-KGVX#2, or a unique prefix: 1502#2."),
    on: Optional[str] = typer.Option(None, "--on", metavar="DATE", help="The day it was done (default: today)."),
    note: Optional[str] = typer.Option(None, "--note", "-m", metavar="TEXT",
                                       help="A note kept in the task (for a recurring task: in this "
                                            "occurrence) and in the commit message."),
    by: Optional[str] = typer.Option(None, "--by", metavar="DOCUMENT",
                                     help="The reply document: 'Báo cáo số 12/BC-STTTT'."),
    force: bool = typer.Option(False, "--force", help="Accept a done date before the directive was issued "
                                                      "or after today."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the file but make no git commit."),
) -> None:
    """Mark tasks done: only their lines change, and one git commit records it.

    The commit holds exactly the touched files, never your other changes. A task that is
    already done is left as it is. For a recurring task, the occurrence due is recorded
    with its own note and reply document, and the deadline moves to the next one.

    \b
    Examples:
      dtrack done 1502#2
      dtrack done 1502#2 1502#3 --on 20/4/2023 --note "Công văn 426/STTTT"
      dtrack done 2024-03-11#3 --note "Báo cáo tuần 12" --by "Báo cáo số 45/BC-STTTT"
    """
    from dtrack.services import ops
    from dtrack.domain.dates import parse_date
    env = env_of(ctx)
    when = parse_date(on, env.today) if on else None
    try:
        st = env.store_for(refs)
    except NotFoundError as e:
        raise resolve_hint(env.collection(), e)
    try:
        result = ops.mark_done(st, refs, env.today, on=when, note=note, by=by, force=force, commit=not no_commit)
    except NotFoundError as e:
        raise resolve_hint(st, e)
    report_result(result)


def reopen_command(
    ctx: typer.Context,
    refs: List[str] = typer.Argument(..., metavar="REF...", click_type=completers.TASKS,
                                    help="Tasks to open again."),
    note: Optional[str] = typer.Option(None, "--note", "-m", metavar="TEXT", help="Why it is reopened."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the file but make no git commit."),
) -> None:
    """Open a done or cancelled task again (its done date is removed).

    For a recurring task it undoes the last recorded occurrence: its record goes and the
    deadline is that occurrence's again.

    \b
    Example:
      dtrack reopen 1502#2 --note "Báo cáo chưa đạt yêu cầu"
    """
    from dtrack.services import ops
    env = env_of(ctx)
    try:
        st = env.store_for(refs)
    except NotFoundError as e:
        raise resolve_hint(env.collection(), e)
    try:
        result = ops.reopen(st, refs, env.today, note=note, commit=not no_commit)
    except NotFoundError as e:
        raise resolve_hint(st, e)
    report_result(result)
