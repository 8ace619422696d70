"""Commands for supervisors: check, schema, report, log, remind. Logic lives in check.py,
report.py / report_formats.py, audit.py and remind.py; these functions only wire options."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from dtrack.cli import completers
from dtrack.cli.context import env_of, naming
from dtrack.cli.printing import print_json, table_or
from dtrack.errors import UsageError
from dtrack.i18n import t


def _write(data: bytes | str, output: Optional[str]) -> None:
    """To stdout, or atomically to -o FILE (a half-written report is worse than none)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if output and output != "-":
        from dtrack.store.files import write_atomic
        path = Path(output)
        if not path.parent.exists():
            raise UsageError(t("-o {path}: the folder does not exist", path=output))
        write_atomic(path, raw)
        # A file written without a word looks like nothing happened (remind -o, report -o).
        from dtrack.domain.text import safe_display
        sys.stderr.write(t("Wrote {path}.", path=safe_display(output)) + "\n")
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(raw) if hasattr(sys.stdout, "buffer") else sys.stdout.write(raw.decode("utf-8"))
    sys.stdout.flush()


def check_command(
    ctx: typer.Context,
    paths: Optional[List[Path]] = typer.Argument(None, metavar="[PATHS]...",
                                                 help="Only these files (a pre-commit hook passes the changed ones). "
                                                      "Files outside the store are skipped."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: {files, errors, warnings, findings: [{path, "
                                                       "line, col, severity, message}]}."),
) -> None:
    """Validate the store: one line per problem, 'path:line:col: error|warning: message'.

    Checks YAML syntax, UTF-8, git conflict markers, format v1 (required fields, types,
    allowed values, real dates), done dates, task numbers, document numbers and file
    names unique across the store, agency names known to agencies.yaml (with
    did-you-mean), file placement under <year>/ and recurrences. Exit 0 when there is
    no error (warnings allowed), 1 when there is one.

    \b
    Examples:
      dtrack check
      dtrack check directives/2023/1502-UBND-KGVX.yaml
      dtrack check --json
    """
    from dtrack.services import check
    env = env_of(ctx)
    outcome = check.run_check(env.root, env.today, paths or ())
    cwd = Path.cwd()
    if as_json:
        print_json(check.as_json(outcome, cwd))
    else:
        text = "".join(line + "\n" for line in check.lines(outcome, cwd))
        if text:
            _write(text, None)
        sys.stderr.write(t("checked {files} file(s): {errors} error(s), {warnings} warning(s)",
                           files=outcome.files, errors=outcome.errors, warnings=outcome.warnings) + "\n")
    if outcome.errors:
        raise typer.Exit(1)


SCHEMAS = ("directive", "agencies", "settings")


def schema_command(
    name: str = typer.Argument("directive", metavar="[directive|agencies|settings]", help="Which schema."),
) -> None:
    """Print the JSON Schema of directive files (or of agencies.yaml), for editors.

    \b
    Examples:
      dtrack schema > directive.schema.json
      dtrack schema agencies
    """
    if name not in SCHEMAS:
        raise UsageError(t("no schema '{name}'; there are: {names}", name=name, names=", ".join(SCHEMAS)))
    from importlib import resources
    _write(resources.files("dtrack").joinpath("schema", f"{name}.schema.json").read_bytes(), None)


FORMATS = ("table", "tsv", "md", "csv", "json", "html", "xlsx", "docx")


def report_command(
    ctx: typer.Context,
    start: Optional[str] = typer.Option(None, "--from", metavar="DATE", help="Directives issued on or after this day."),
    end: Optional[str] = typer.Option(None, "--to", metavar="DATE",
                                      help="Directives issued on or before this day; also the default --as-of."),
    by: str = typer.Option("agency", "--by", metavar="agency|directive|month", help="One row per lead agency "
                                                                                    "(default), directive or month of issue."),
    due_start: Optional[str] = typer.Option(None, "--due-from", metavar="DATE",
                                            help="Only tasks (and occurrences) due on or after this day."),
    due_end: Optional[str] = typer.Option(None, "--due-to", metavar="DATE",
                                          help="Only tasks (and occurrences) due on or before this day."),
    fmt_: Optional[str] = typer.Option(None, "--format", "-f", metavar="table|tsv|md|csv|json|html|xlsx|docx",
                                       help="Output format (default: table on a terminal, tsv into a pipe, md "
                                            "with -o; xlsx needs dtrack-vn[xlsx], docx dtrack-vn[docx])."),
    with_list: bool = typer.Option(False, "--list", help="List the overdue tasks under each row (html: "
                                                         "shown unfolded)."),
    keys: bool = typer.Option(False, "--keys", help="csv: the JSON's English keys as headers and no Total "
                                                    "row, for programs."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="FILE", help="Write to FILE."),
    as_written: bool = typer.Option(False, "--as-written", help="Group by the lead as the directive names it, "
                                                                "not by the agency in charge on --as-of."),
) -> None:
    """Count assigned tasks per lead agency: done on time / late, open in time / overdue.

    The states of the reports built on Decision 42/2014/QĐ-TTg, evaluated as of --as-of
    (default: --to, or today) from the done dates and extensions in the files, so a
    report of a past day can be made again later. A task with co-leads counts for each
    of them; the total counts it once. Recurring tasks count each occurrence.
    on_time_rate = done_on_time / (done_on_time + done_late + open_overdue).
    --from/--to choose the directives by issue date, --due-from/--due-to the tasks by
    deadline. Files (md, csv, html, xlsx, docx) speak the store's language.

    \b
    Examples:
      dtrack report
      dtrack --as-of 30/6/2024 report --from 1/1/2024 --to 30/6/2024 --format md
      dtrack report --format html -o bao-cao.html
      dtrack report --format csv -o bao-cao.csv      (opens in Excel)
      dtrack report --format xlsx --due-from 1/7/2024 --due-to 30/9/2024 -o quy-3.xlsx
      dtrack report --format docx --list -o bao-cao.docx
      dtrack report --format json
      dtrack report --as-written                    (Sở TTTT's tasks as Sở TTTT's)
    """
    from dtrack.services import report
    from dtrack.output import report_formats
    from dtrack.domain.dates import parse_date
    env = env_of(ctx)
    if by not in report.GROUPINGS:
        raise UsageError(t("--by must be one of {allowed}", allowed=", ".join(report.GROUPINGS)))
    fmt_ = "table" if fmt_ is None and output else table_or(fmt_, False, FORMATS)
    start_d = parse_date(start, env.today) if start else None
    end_d = parse_date(end, env.today) if end else None
    if start_d and end_d and start_d > end_d:
        raise UsageError(t("--from {start} is after --to {end}", start=start, end=end))
    with naming("--due-from"):
        due_start_d = parse_date(due_start, env.today) if due_start else None
    with naming("--due-to"):
        due_end_d = parse_date(due_end, env.today) if due_end else None
    if due_start_d and due_end_d and due_start_d > due_end_d:
        raise UsageError(t("--due-from {start} is after --due-to {end}", start=due_start, end=due_end))
    if fmt_ in ("xlsx", "docx") and not output:
        raise UsageError(t("--format {fmt} writes a file: give it with -o FILE", fmt=fmt_))
    if fmt_ == "xlsx":
        from dtrack.output import xlsx_report
        xlsx_report.require()
    elif fmt_ == "docx":
        from dtrack.output import docx_layout
        docx_layout.require()
    as_of = _report_day(env, end_d)
    st = env.store()
    period = dict(as_of=as_of, start=start_d, end=end_d, due_start=due_start_d, due_end=due_end_d)
    rep = report.build(st.directives, st.registry, by=by, written=as_written, **period)
    _warn_problems(st)
    if fmt_ == "tsv":
        from dtrack.output import porcelain
        _write(porcelain.report_text(rep), output)
        return
    if fmt_ not in ("json", "table"):
        from dtrack.i18n import using
        settings = _settings(env)
        with using(settings.language):
            _write(_report_file(rep, fmt_, with_list, keys, settings, st, period), output)
        return
    if fmt_ == "json":
        data = report.as_json(rep)
        if with_list:
            for row, tally in zip(data["rows"], rep.rows):
                row["overdue"] = [{"ref": u.ref, "due": u.due.isoformat(), "days_overdue": u.days_overdue(as_of),
                                   **({"occurrences": u.count, "through": u.through.isoformat()} if u.count > 1 else {})}
                                  for u in report.overdue_sorted(tally.overdue)]
        import json
        _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)
    else:
        _table(rep, st.registry, with_list, output)


def _report_file(rep, fmt_, with_list, keys, settings, st, period) -> bytes | str:
    from dtrack.output import report_formats
    if fmt_ == "md":
        return report_formats.markdown(rep, with_list)
    if fmt_ == "csv":
        return report_formats.csv_bytes(rep, with_list, keys=keys)
    if fmt_ == "html":
        return report_formats.html_page(rep, with_list)
    if fmt_ == "docx":
        from dtrack.output import docx_report
        return docx_report.docx_bytes(rep, settings, with_list=with_list)
    from dtrack.output import xlsx_report
    from dtrack.services import report
    # The workbook shows both views whatever --by says: a leader turns the sheets, not the options.
    views = {by: rep if rep.by == by else report.build(st.directives, st.registry, by=by, **period)
             for by in ("agency", "directive")}
    return xlsx_report.xlsx_bytes(views["agency"], views["directive"])


def _report_day(env, end):
    """--as-of (or DTRACK_TODAY) when given; else the end of the period, but never after today."""
    if env.config.today_given or end is None:
        return env.today
    return min(end, env.today)


def _table(rep, registry, with_list: bool, output: Optional[str]) -> None:
    from dtrack.output import render
    from dtrack.services import report
    from dtrack.output import report_formats
    if output:
        # A file gets the Markdown table: a terminal table's box characters do not paste well.
        _write(report_formats.markdown(rep, with_list), output)
        return
    out = render.console()
    def short(r) -> str:
        if rep.by != "agency":
            return r.label
        if r.formerly:
            return t("{now} (formerly: {old})", now=registry.short_name(r.label),
                     old=", ".join(registry.short_name(x) for x in r.formerly))
        return registry.short_name(r.label)
    rows = [report_formats.cells(r, short(r)) for r in rep.rows] + [report_formats.cells(rep.total, t("Total"))]
    render.grid(report_formats.short_headers(rep), rows, out, title=report_formats.title(rep), bold_last=True)
    render.nothing(t("Tasks = on time + late + open + overdue + cancelled; 'Open' is open within the deadline; "
                     "'No due' counts those without a deadline; Rate = on time / (on time + late + overdue)."),
                   out)
    if with_list:
        for row in rep.rows:
            if row.overdue:
                render.message("", out)
                render.message(t("{label}: overdue tasks", label=row.label), out, style="bold")
                for u in report.overdue_sorted(row.overdue):
                    render.message("  " + report_formats.overdue_line(u, rep.as_of), out, style="red")


def _warn_problems(st) -> None:
    from dtrack.output import render
    if st.problems:
        render.problems(st.problems, Path.cwd(), render.console(stderr=True))


LOG_FORMATS = ("table", "tsv", "json")


def log_command(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", metavar="DATE|COMMIT",
                                        help="Only changes from this day (01/07/2024) or after this commit."),
    agency: Optional[str] = typer.Option(None, "--agency", metavar="NAME", click_type=completers.AGENCIES,
                                         help="Only changes to tasks this agency leads or supports."),
    limit: Optional[int] = typer.Option(None, "-n", "--limit", metavar="N", help="At most N commits."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of {commit, date, author, action, "
                                                       "refs, files, subject, note}."),
    format_: Optional[str] = typer.Option(None, "--format", "-f", metavar="table|tsv|json",
                                          help="table (the default on a terminal), tsv (one line a change: the "
                                               "default into a pipe; docs/porcelain.md) or json (as --json)."),
) -> None:
    """The audit trail from git: when, who, what (done, extend, cancel, add, ...), which task, note.

    dtrack's own commits are read from their Dtrack-Action / Dtrack-Ref trailers; any other
    commit touching the store is shown as an 'edit' of the files it touches.

    \b
    Examples:
      dtrack log
      dtrack log --since 1/7/2024 --agency STC
      dtrack log --since a1b2c3d --json
    """
    from dtrack.services import audit
    from dtrack.store import gitops
    from dtrack.services import queries
    from dtrack.output import render
    env = env_of(ctx)
    shape = table_or(format_, as_json, LOG_FORMATS)
    st = env.store()
    repo = gitops.find_repo(st.root)
    if repo is None:
        raise UsageError(t("{path} is not in a git repository, so there is no history to show", path=st.root),
                         hint=t("Keep the directives in git: 'git init' in the folder above directives/."))
    with naming("--since"):
        day, commit = audit.resolve_since(repo, since, env.today) if since else (None, None)
    items = audit.events(repo, st.root, since_day=day, since_commit=commit, limit=limit)
    if agency:
        keys = queries.agency_filter(agency, st.registry, st.directives)
        items = audit.for_agency(items, keys, st.directives, st.registry)
    if shape == "json":
        print_json([e.as_json() for e in items])
        return
    if shape == "tsv":
        from dtrack.output import porcelain
        _write(porcelain.log_text(items), None)
        return
    out = render.console()
    if not items:
        render.nothing(t("No changes to show."), out)
        return
    # The time and the action are never wrapped; references and paths wrap between, never inside.
    render.grid(audit.headers(), audit.table_rows(items), out, numeric_from=99, whole=(0, 2))


LETTER_FORMATS = ("md", "docx")


def remind_command(
    ctx: typer.Context,
    agency: Optional[str] = typer.Option(None, "--agency", metavar="NAME", click_type=completers.AGENCIES,
                                         help="The agency to remind (name or abbreviation)."),
    every: bool = typer.Option(False, "--all", help="One letter per agency with overdue tasks, into the folder "
                                                    "given with -o."),
    reply_by: Optional[str] = typer.Option(None, "--reply-by", metavar="DATE", help="Ask for a report by this day."),
    due_soon: bool = typer.Option(False, "--due-soon", help="Also list the open tasks due within remind_days "
                                                            "of the store settings (14 unless set)."),
    within: Optional[int] = typer.Option(None, "--within", metavar="DAYS", min=0,
                                         help="Also list the open tasks due within DAYS days."),
    fmt_: str = typer.Option("md", "--format", "-f", metavar="md|docx",
                             help="md (Markdown, the default) or docx (Word, needs dtrack-vn[docx])."),
    issuer: Optional[str] = typer.Option(None, "--issuer", metavar="NAME", help="The sending office, for the "
                                                                                "letter head (default: settings)."),
    place: Optional[str] = typer.Option(None, "--place", metavar="NAME", help="The place in the date line "
                                                                              "(default: settings)."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="FILE|FOLDER",
                                         help="Write to FILE (with --all: into FOLDER)."),
) -> None:
    """Draft a follow-up letter ("công văn đôn đốc") listing an agency's overdue tasks.

    In the layout of Nghị định 30/2020/NĐ-CP: the office and its parent body, the number,
    Quốc hiệu and Tiêu ngữ, place and date, V/v, Kính gửi, the overdue tasks with their
    directive, original and current deadline and days overdue, a request to report by
    --reply-by, Nơi nhận (the supporting agencies) and the signer of the store settings
    (directives/settings.yaml). The letter speaks the store's language. The clerk fills in
    the number and signs it.

    \b
    Examples:
      dtrack remind --agency STTTT --reply-by 30/8/2024 -o don-doc-stttt.md
      dtrack remind --agency STC --format docx --due-soon -o don-doc-stc.docx
      dtrack remind --all --format docx --within 7 -o don-doc/
      dtrack remind --agency "so tai chinh" --issuer "UBND tỉnh Quảng Ngãi" --place "Quảng Ngãi"
    """
    from dtrack.services import queries
    from dtrack.services import remind
    from dtrack.domain.dates import parse_date
    from dtrack.domain.text import fold
    from dtrack.i18n import using
    env = env_of(ctx)
    if fmt_ not in LETTER_FORMATS:
        raise UsageError(t("--format must be one of {allowed}", allowed=", ".join(LETTER_FORMATS)))
    if every == bool(agency):
        raise UsageError(t("give either --agency NAME or --all"))
    if every and not output:
        raise UsageError(t("--all writes one letter per agency: give the folder with -o FOLDER"))
    if fmt_ == "docx" and not every and not output:
        raise UsageError(t("--format {fmt} writes a file: give it with -o FILE", fmt=fmt_))
    if fmt_ == "docx":
        from dtrack.output import docx_layout
        docx_layout.require()
    reply = parse_date(reply_by, env.today) if reply_by else None
    if reply is not None and reply < env.today:
        raise UsageError(t("--reply-by {date} is before today", date=reply_by))
    st = env.store()
    settings = _settings(env)
    window = within if within is not None else (settings.remind_days if due_soon else None)
    if every:
        letters_by = remind.every_agency(st.directives, st.registry, env.today, window)
    else:
        keys = queries.agency_filter(agency, st.registry, st.directives)
        if len(keys) > 1:
            names = sorted(remind.agency_label({k}, st.registry, k) for k in keys)
            raise UsageError(t("'{query}' matches {count} agencies: {names}", query=agency, count=len(keys),
                               names="; ".join(names)), hint=t("Give the full name or an abbreviation."))
        name = remind.agency_label(keys, st.registry, agency)
        letters_by = {name: items} if (items := remind.overdue_for(st.directives, keys, st.registry, env.today,
                                                                   window)) else {}
    from dtrack.output import render
    if not letters_by:
        what = t("all agencies") if every else name
        render.message(t("{agency} has no overdue task as of {day}; no letter needed.", agency=what,
                         day=env.today.strftime("%d/%m/%Y")), render.console(stderr=True))
        return
    with using(settings.language):
        files = {name: _letter(name, items, settings, st.registry, fmt_, env.today, reply, issuer, place)
                 for name, items in letters_by.items()}
    if not every:
        _write(files[name], output)
        return
    folder = Path(output)
    if not folder.parent.exists():
        raise UsageError(t("-o {path}: the folder does not exist", path=folder.parent))
    if folder.exists() and not folder.is_dir():
        raise UsageError(t("-o {path}: --all writes into a folder, and this is a file", path=output))
    folder.mkdir(exist_ok=True)
    from dtrack.output.export import file_stem
    from dtrack.store.files import write_atomic
    used: set[str] = set()
    for name, data in files.items():
        stem = file_stem(st.registry.short_name(name), used)      # the calendars' rule: Windows-safe, unique
        write_atomic(folder / f"{stem}.{fmt_}", data if isinstance(data, bytes) else data.encode("utf-8"))
    render.message(t("{count} letter(s) written to {folder}", count=len(files), folder=folder),
                   render.console(stderr=True))


def _settings(env):
    """The store settings (directives/settings.yaml); their problems go to standard error, the defaults stand."""
    from dtrack.store.files import load_settings
    from dtrack.output import render
    settings, problems = load_settings(env.root)
    if problems:
        render.problems(problems, Path.cwd(), render.console(stderr=True))
    return settings


def _letter(name, items, settings, registry, fmt_, today, reply, issuer, place):
    from dtrack.output import letters
    from dtrack.services import remind
    from dtrack.domain.text import fold
    copies = remind.supporters(items, registry, {fold(name)})
    letter = letters.compose(name, items, settings, as_of=today, reply_by=reply, issuer=issuer, place=place,
                             copies=copies)
    if fmt_ == "docx":
        from dtrack.output import docx_letter
        return docx_letter.docx_bytes(letter)
    return letters.markdown(letter)
