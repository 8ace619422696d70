"""The command line: thin typer commands over the library, and the one place where errors
become messages and exit codes (DtrackGroup.invoke).

Heavy modules (rich, yaml, the store) are imported inside commands so `dtrack --help`
starts fast.
"""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperGroup

from dtrack.errors import DtrackError, NotFoundError
from dtrack.i18n import t

EXIT_INTERNAL = 70
# typer >= 0.28 vendors click; take click's exception types from wherever typer gets them.
_click_exceptions = sys.modules[typer.BadParameter.__module__]
_PASS_THROUGH = (typer.Exit, typer.Abort, _click_exceptions.ClickException) + tuple(
    getattr(_click_exceptions, name) for name in ("Exit", "Abort") if hasattr(_click_exceptions, name))


def _defuse(e: Exception) -> None:
    """click echoes the user's words in its usage errors ("No such command ..."): show controls visibly."""
    from dtrack.domain.text import safe_display
    if isinstance(getattr(e, "message", None), str):
        e.message = safe_display(e.message)


class DtrackGroup(TyperGroup):
    """Turns every DtrackError into `dtrack: error: ...` on one line and its exit code."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except _click_exceptions.ClickException as e:
            _defuse(e)
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DtrackError as e:
            _report(e.message, e.hint)
            raise typer.Exit(e.exit_code) from None
        except _PASS_THROUGH as e:
            _defuse(e)
            raise
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except OSError as e:
            if os.environ.get("DTRACK_DEBUG"):
                raise
            where = f"{e.filename}: " if e.filename else ""
            _report(t("{where}{error}", where=where, error=e.strerror or e), None)
            raise typer.Exit(1) from None
        except Exception as e:  # noqa: BLE001 - the last line of defence against tracebacks
            if os.environ.get("DTRACK_DEBUG"):
                raise
            _report(t("internal error ({kind}: {error})", kind=type(e).__name__, error=e),
                    t("Run again with DTRACK_DEBUG=1 to see the traceback, and report it."))
            raise typer.Exit(EXIT_INTERNAL) from None


def _report(message: str, hint: str | None) -> None:
    from dtrack.output import render
    render.error(message, hint, render.console(stderr=True))


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


class Env:
    """What every command needs: the store folder and today. The store loads on first use."""

    def __init__(self, dir_option: str | None, today: date):
        self.dir_option = dir_option
        self.today = today
        self._collection = None
        self._store = None

    @property
    def root(self) -> Path:
        from dtrack.store.files import find_root
        return find_root(self.dir_option, os.environ, Path.cwd())

    def collection(self):
        """The store as the index answers it (store.collection), kept on disk unless DTRACK_NO_CACHE."""
        if self._collection is None:
            from dtrack.store.collection import Collection
            self._collection = Collection(self.root, cached=not os.environ.get("DTRACK_NO_CACHE"),
                                          progress=_progress)
        return self._collection

    def store_for(self, refs):
        """A store of only the directives that `refs` name (resolved against the whole store): what
        commands that change a few tasks need, without building every directive."""
        from dtrack.services import queries
        return queries.store_for(self.collection(), refs)

    def store(self):
        if self._store is None:
            self._store = self.collection().store()
        return self._store


_bar = []


def _progress(done: int, total: int) -> None:
    """Progress of a slow first read of a big store, as a bar on a terminal's stderr."""
    if not _bar:
        if done >= total or not _isatty(sys.stderr):
            return
        from dtrack.output import render
        _bar.append(render.progress_bar(total))
    _bar[0].update(done)
    if done >= total:
        _bar.pop().close()


def _version(value: bool) -> None:
    if value:
        from dtrack import __version__
        typer.echo(f"dtrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    dir: Optional[str] = typer.Option(None, "--dir", metavar="PATH",
                                      help="The directives folder (else DTRACK_DIR, else ./directives, "
                                           "else directives/ at the git root)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE",
                                        help="Take this day as today (else DTRACK_TODAY): 20/07/2024, 2024-07-20."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    from dtrack.domain.dates import parse_date
    real_today = date.today()
    raw = as_of or os.environ.get("DTRACK_TODAY")
    try:
        today = parse_date(raw, real_today) if raw else real_today
    except DtrackError as e:
        _report(t("--as-of: {message}", message=e.message), e.hint)
        raise typer.Exit(e.exit_code)
    ctx.obj = Env(dir, today)


def env_of(ctx: typer.Context) -> Env:
    return ctx.find_object(Env)


def print_json(data) -> None:
    from dtrack.output.jsonout import dumps
    print_json_text(dumps(data))


def print_json_text(dumped: str) -> None:
    """JSON text as jsonout.dumps writes it, made safe for a terminal."""
    from dtrack.domain.text import json_safe
    sys.stdout.write(json_safe(dumped) + "\n")


def write_utf8(data: bytes) -> None:
    """UTF-8 text to standard output without decoding it first (main() makes stdout UTF-8)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None or (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") != "utf8":
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


STATUS_CHOICES = ("open", "done", "cancelled", "all")


def list_command(
    ctx: typer.Context,
    within: str = typer.Option("14d", "--within", "-w", metavar="DAYS",
                               help="The due-soon window: 14d, 30d, 2w."),
    all_: bool = typer.Option(False, "--all", "-a", help="Every task of the chosen status, not only those due soon."),
    overdue: bool = typer.Option(False, "--overdue", help="Only overdue tasks."),
    status: str = typer.Option("open", "--status", "-s", metavar="STATUS",
                               help="open, done, cancelled or all. Other than open implies --all."),
    agency: Optional[str] = typer.Option(None, "--agency", metavar="NAME",
                                         help="Tasks an agency leads or supports; a name or abbreviation, "
                                              "case and diacritics ignored: 'so tai chinh', STC."),
    search: Optional[str] = typer.Option(None, "--search", "-q", metavar="TEXT",
                                         help="A phrase in the task text, title or number (case and diacritics ignored)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list (a stable interface: docs/format.md)."),
) -> None:
    """List the open tasks that are overdue or due soon.

    Sorted by deadline, then reference; tasks with no deadline come last. The table shows
    the reference, the deadline (dd/mm/yyyy), days left or late, the lead agency and the
    task, coloured by state, and a summary line.

    \b
    Examples:
      dtrack list                      overdue or due within 14 days
      dtrack list --within 30d
      dtrack list --all --agency STC   every open task of Sở Tài chính
      dtrack list --search "chuyen doi so" --json
    """
    from dtrack.services import queries
    from dtrack.output import jsonout, render
    from dtrack.domain.dates import parse_days
    from dtrack.errors import UsageError
    env = env_of(ctx)
    if status not in STATUS_CHOICES:
        raise UsageError(t("--status must be one of {allowed}", allowed=", ".join(STATUS_CHOICES)))
    window = parse_days(within)
    scope = "overdue" if overdue else ("all" if all_ or status != "open" else "due")
    listing = queries.list_tasks(env.collection(), env.today, window=window, scope=scope, status=status,
                                 agency=agency, search=search)
    render.problems(listing.problems, Path.cwd(), render.console(stderr=True))
    if as_json:
        write_utf8(jsonout.listing_text(env.collection(), listing) + b"\n")
        return
    out = render.console()
    if listing.lines:
        render.lines_table(listing.lines, listing.registry, out)
    else:
        render.nothing(t("No tasks to show."), out)
    render.summary_line(listing.counts, window, out)


app.command("list")(list_command)
app.command("due", help="Same as 'dtrack list'.\n\n\b\nExample:\n  dtrack due --within 30d")(list_command)


def resolve_hint(st, e: NotFoundError) -> NotFoundError:
    if st.problems:
        e.hint = (e.hint + " " if e.hint else "") + t("({n} file(s) could not be read: 'dtrack list' shows them.)",
                                                      n=len({p.path for p in st.problems if p.severity == 'error'}))
    return e


@app.command("show")
def show_command(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="REF", help="A task (1502#2) or a directive (1502-UBND-KGVX, 1502)."),
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
        render.task_detail(directive, task, rows[0], st.registry, out)
    else:
        render.directive_detail(directive, rows, st.registry, out)
    render.history(entries, out)


def report_result(result, out_console=None, show_files: bool = False) -> None:
    """What a changing command did, in one line a change (its commit subject), and what it skipped.
    Without `out_console`, standard output."""
    for line in result.skipped:
        _message(line, out_console, "yellow")
    if result.warnings:
        from dtrack.output import render
        for line in result.warnings:
            render.message(t("warning: {message}", message=line), render.console(stderr=True), style="yellow")
    if result.changed:
        report_change(result.summary or ", ".join(result.changed), result.commit,
                      result.files if show_files else (), out_console)


def report_change(summary: str, commit: str | None, files=(), out_console=None) -> None:
    """The one line every changing command ends with: what it did, and its commit (or that there is none)."""
    if files:
        from dtrack.output.render import display_path
        summary = f"{summary} ({', '.join(display_path(p, Path.cwd()) for p in files)})"
    if commit:
        _message(t("{summary} — committed {commit}", summary=summary, commit=commit[:7]), out_console, "green")
    else:
        _message(t("{summary} — written, not committed", summary=summary), out_console, "green")


def _message(line: str, out_console, style: str) -> None:
    """render.message, or the same bytes without importing rich (~30 ms of a `done`) when standard output
    is not a terminal and nothing forces colours: rich then prints the text as it is (soft wrap)."""
    if out_console is None:
        if not os.environ.get("TTY_COMPATIBLE") and os.environ.get("FORCE_COLOR") is None \
                and not _isatty(sys.stdout):
            from dtrack.domain.text import safe_display
            sys.stdout.write(safe_display(line) + "\n")
            return
        from dtrack.output import render
        out_console = render.console()
    from dtrack.output import render
    render.message(line, out_console, style=style)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@app.command("done")
def done_command(
    ctx: typer.Context,
    refs: List[str] = typer.Argument(..., metavar="REF...", help="Tasks: 1502-UBND-KGVX#2, or a unique prefix: 1502#2."),
    on: Optional[str] = typer.Option(None, "--on", metavar="DATE", help="The day it was done (default: today)."),
    note: Optional[str] = typer.Option(None, "--note", "-m", metavar="TEXT",
                                       help="A note kept in the task and in the commit message."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the file but make no git commit."),
) -> None:
    """Mark tasks done: only their lines change, and one git commit records it.

    The commit holds exactly the touched files, never your other changes. A task that is
    already done is left as it is.

    \b
    Examples:
      dtrack done 1502#2
      dtrack done 1502#2 1502#3 --on 20/4/2023 --note "Công văn 426/STTTT"
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
        result = ops.mark_done(st, refs, env.today, on=when, note=note, commit=not no_commit)
    except NotFoundError as e:
        raise resolve_hint(st, e)
    report_result(result)


@app.command("reopen")
def reopen_command(
    ctx: typer.Context,
    refs: List[str] = typer.Argument(..., metavar="REF...", help="Tasks to open again."),
    note: Optional[str] = typer.Option(None, "--note", "-m", metavar="TEXT", help="Why it is reopened."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the file but make no git commit."),
) -> None:
    """Open a done or cancelled task again (its done date is removed).

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


# Commands of each area live in their own module and register themselves on `app`.
from dtrack.cli import commands as cli_commands  # noqa: E402,F401


def main() -> None:
    for stream in (sys.stdout, sys.stderr):
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError):
                pass
    app()
