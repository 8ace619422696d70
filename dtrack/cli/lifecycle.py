"""Commands of a task's life: init, add, add-task, edit, extend, cancel (done/reopen are in cli/tasks.py)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from dtrack.cli import completers
from dtrack.cli.context import env_of, resolve_hint
from dtrack.cli.printing import report_result
from dtrack.errors import NotFoundError, UsageError
from dtrack.i18n import t

_NO_COMMIT = "Write the file but make no git commit."
_FORCE = "Accept a deadline before the directive's issue date (the date is otherwise refused)."


def _tty() -> bool:
    return sys.stdin.isatty()


def init_command(
    ctx: typer.Context,
    path: Optional[Path] = typer.Argument(None, metavar="[PATH]", help="The folder of the new store (default: here)."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Create the files but make no git commit."),
    province: Optional[str] = typer.Option(None, "--province", metavar="TỈNH",
                                           help="The province or city (one of the 34), for agencies.yaml."),
    office: Optional[str] = typer.Option(None, "--office", metavar="NAME",
                                         help="The office's name as it heads a letter (asked at a terminal)."),
    signer_title: Optional[str] = typer.Option(None, "--signer-title", metavar="TEXT",
                                               help="The signer's title, above the signature (asked at a terminal)."),
    signer_name: Optional[str] = typer.Option(None, "--signer-name", metavar="NAME",
                                              help="The signer's name (asked at a terminal)."),
    lang: str = typer.Option("vi", "--lang", metavar="vi|en", help="The store's language."),
) -> None:
    """Start a store: directives/ with agencies.yaml and a README, a git repository (or the enclosing
    one), .gitattributes and a pre-commit hook that refuses invalid directive files.

    Running it again changes nothing; files you edited are never overwritten.

    \b
    Examples:
      dtrack init                 here
      dtrack init D:/theo-doi     a new folder
      dtrack init --province "Gia Lai"
    """
    from dtrack import i18n
    from dtrack.store import initstore
    from dtrack.output import render
    if not env_of(ctx).config.lang:
        i18n.set_language(lang)         # the new store's language, unless the clerk chose one
    folder = (path or Path.cwd()).resolve()
    who = _ask_identity(folder) if not no_commit else None       # git's identity first: nothing to ask after a refusal
    if province is None and _tty():
        province = typer.prompt(t("Province or city (e.g. Gia Lai; empty: none)"), default="", show_default=False) or None
    if province is not None:
        from dtrack.domain import provinces
        province = provinces.choose(province).name      # a name the clerk can check before anything is written
    settings = _init_settings(office=office, lang=lang, signer_title=signer_title, signer_name=signer_name,
                              province=province)
    out = render.console()
    result = initstore.init(folder, commit=not no_commit, timeout=env_of(ctx).config.lock_timeout,
                            who=who, settings=settings, province=province)
    for line in result.messages:
        render.message(line, out)
    for line in result.warnings:
        render.message(t("warning: {message}", message=line), render.console(stderr=True), style="yellow")


def _ask_identity(folder: Path) -> tuple[str, str] | None:
    """At a terminal, the name and e-mail git lacks, asked before anything is written (init sets them
    in the repository); elsewhere None, and init says how to set them."""
    from dtrack.store import initstore
    if initstore.identity(folder) or not _tty():
        return None
    typer.echo(t("git does not know who you are yet; your commits will carry this name and address."), err=True)
    return typer.prompt(t("Your name")), typer.prompt(t("Your e-mail"))


def _init_settings(*, office, lang, signer_title, signer_name, province):
    """The settings init writes: the flags, else at a terminal the clerk's answers (empty is fine)."""
    from dtrack.domain.settings import LANGUAGES, Settings, Signer
    if lang not in LANGUAGES:
        raise UsageError(t("--lang must be one of {allowed}", allowed=", ".join(LANGUAGES)))
    asked = {"office": (office, lambda: t("Office name (as it heads a letter)")),
             "title": (signer_title, lambda: t("Signer's title (KT. CHÁNH VĂN PHÒNG ...)")),
             "name": (signer_name, lambda: t("Signer's name"))}
    given = {key: (value if value is not None else typer.prompt(prompt(), default="", show_default=False)
                   if _tty() else "").strip() for key, (value, prompt) in asked.items()}
    return Settings(language=lang, office=given["office"], province=province or "",
                    signer=Signer(given["title"], given["name"]))


def add_command(
    ctx: typer.Context,
    number: Optional[str] = typer.Option(None, "--number", metavar="SỐ",
                                         help="Document number: 1502/UBND-KGVX ('' for an unnumbered notice)."),
    kind: Optional[str] = typer.Option(None, "--kind", metavar="KIND",
                                       help="thong-bao, cong-van, ke-hoach, quyet-dinh, chi-thi or khac."),
    issuer: Optional[str] = typer.Option(None, "--issuer", metavar="AGENCY", help="Who issued it: UBND tỉnh Quảng Ngãi."),
    issued: Optional[str] = typer.Option(None, "--issued", metavar="DATE", help="Date issued: 07/04/2023."),
    title: Optional[str] = typer.Option(None, "--title", metavar="TEXT", help="What it is about (trích yếu)."),
    signer: Optional[str] = typer.Option(None, "--signer", metavar="NAME", help="Who signed it."),
    source: Optional[str] = typer.Option(None, "--source", metavar="TEXT", help="Where the original text is."),
    edit: bool = typer.Option(False, "--edit", help="Write the file in $EDITOR, starting from a filled template."),
    force: bool = typer.Option(False, "--force", help=_FORCE),
    no_commit: bool = typer.Option(False, "--no-commit", help=_NO_COMMIT),
) -> None:
    """Record a new directive: creates directives/<year>/<number>.yaml and commits it.

    At a terminal, missing options are asked for. The file name comes from the number
    (1502/UBND-KGVX -> 1502-UBND-KGVX.yaml), or for an unnumbered notice from the date and
    the title. A number already recorded is refused. Then add its tasks with add-task.

    \b
    Examples:
      dtrack add --number 1502/UBND-KGVX --kind cong-van --issuer "UBND tỉnh Quảng Ngãi" \\
                 --issued 7/4/2023 --title "Phân khai kinh phí chuyển đổi số"
      dtrack add --number "" --kind thong-bao --issuer "UBND tỉnh" --issued 11/3/2024 --title "Kết luận ..."
      dtrack add --edit
    """
    from dtrack.services import editor
    from dtrack.services import lifecycle
    from dtrack.output import render
    from dtrack.domain.dates import parse_date
    from dtrack.domain.model import KINDS
    env = env_of(ctx)
    st = env.store()
    values = {"number": number, "kind": kind, "issuer": issuer, "issued": issued, "title": title}
    missing = [k for k, v in values.items() if v is None]
    if missing and not edit:
        if not _tty():
            raise UsageError(t("missing {options}", options=", ".join(f"--{k}" for k in missing)),
                             hint=t("Give them on the command line (--number '' for an unnumbered notice), "
                                    "or use --edit."))
        issuers = sorted({d.issuer for d in st.directives})
        for key in missing:
            prompt = {"number": t("Number (Số), empty if none"), "kind": t("Kind ({kinds})", kinds=", ".join(KINDS)),
                      "issuer": t("Issuer") + (f" ({issuers[0]}, …)" if issuers else ""),
                      "issued": t("Issued (dd/mm/yyyy)"), "title": t("Title (trích yếu)")}[key]
            default = {"number": "", "kind": "cong-van", "issuer": issuers[0] if len(issuers) == 1 else None}.get(key)
            while True:
                answer = typer.prompt(prompt, default=default, show_default=default not in (None, ""))
                try:
                    if key == "issued":
                        parse_date(answer, env.today)
                    elif key == "kind" and answer not in KINDS:
                        raise UsageError(t("kind must be one of {allowed}", allowed=", ".join(KINDS)))
                    break
                except UsageError as e:
                    render.message(e.message, render.console(stderr=True), style="yellow")
            values[key] = answer
    day = parse_date(values["issued"], env.today) if values["issued"] else env.today
    new = lifecycle.NewDirective(number=(values["number"] or "").strip(), kind=values["kind"] or "cong-van",
                                 issuer=" ".join((values["issuer"] or "").split()),
                                 issued=day, title=" ".join((values["title"] or "").split()),
                                 signer=signer, source=source)
    text = None
    if edit:
        template = lifecycle.edit_template(new, {k for k, v in values.items() if v is None})

        def check(data: bytes) -> None:
            written = data.decode("utf-8")
            header = lifecycle.new_from_text(written)
            lifecycle.check_dates(None, lifecycle.validate_text(written, lifecycle.check_new(st, header)), force)

        saved = editor.edit_until_valid(template.encode("utf-8"), "new-directive.yaml", check)
        if saved is None:
            check(template.encode("utf-8"))
            saved = template.encode("utf-8")
        text = saved.decode("utf-8")
        new = lifecycle.new_from_text(text)
    result = lifecycle.add_directive(st, new, text=text, force=force, commit=not no_commit)
    report_result(result, show_files=True)


def add_task_command(
    ctx: typer.Context,
    directive: str = typer.Argument(..., metavar="DIRECTIVE", click_type=completers.DIRECTIVES, help="The directive: 1502-UBND-KGVX, or a unique prefix."),
    text: Optional[str] = typer.Option(None, "--text", metavar="TEXT", help="The task as the document words it."),
    lead: List[str] = typer.Option([], "--lead", metavar="AGENCY", click_type=completers.AGENCIES,
                                   help="Agency in charge (chủ trì); repeat for co-leads. Names or abbreviations."),
    support: List[str] = typer.Option([], "--support", metavar="AGENCY", click_type=completers.AGENCIES, help="Supporting agency (phối hợp); repeat."),
    due: Optional[str] = typer.Option(None, "--due", metavar="DATE",
                                      help="Deadline (for --every: the first occurrence): 22/4/2023; 22/4 is "
                                           "the next 22 April on or after the directive's issue date."),
    due_text: Optional[str] = typer.Option(None, "--due-text", metavar="TEXT",
                                           help="The deadline as written: 'trước ngày 22/4/2023'."),
    every: Optional[str] = typer.Option(None, "--every", metavar="PERIOD",
                                        help="Recurring: '2 weeks', '1 month', '1 month on day 20', '1 year'."),
    until: Optional[str] = typer.Option(None, "--until", metavar="DATE", help="Last day of a recurring series."),
    new_agency: bool = typer.Option(False, "--new-agency",
                                    help="Accept an agency not in agencies.yaml, and add it there."),
    force: bool = typer.Option(False, "--force", help=_FORCE),
    no_commit: bool = typer.Option(False, "--no-commit", help=_NO_COMMIT),
) -> None:
    """Add a task to a directive, numbered after the last one.

    Agencies are checked against agencies.yaml (abbreviations are written as the full
    name); an unknown name is refused with suggestions unless --new-agency.

    \b
    Examples:
      dtrack add-task 1502 --text "Rà soát, báo cáo ..." --lead STTTT --support STC --due 22/4/2023 \\
                      --due-text "trước ngày 22/4/2023"
      dtrack add-task 2024-03-11 --text "Báo cáo định kỳ" --lead STTTT --every "2 weeks" --due 25/3/2024
    """
    from dtrack.services import lifecycle
    env = env_of(ctx)
    st = env.store()
    if text is None or not lead:
        missing = [o for o, v in (("--text", text), ("--lead", lead)) if not v]
        if not _tty():
            raise UsageError(t("missing {options}", options=", ".join(missing)))
        text = text or typer.prompt(t("Task (text)"))
        lead = lead or [typer.prompt(t("Lead agency (chủ trì)"))]
    try:
        result = lifecycle.add_task(
            st, directive, env.today, text=text, lead=lead, support=support,
            due=due or None, due_text=due_text, every=every, until=until or None, new_agency=new_agency,
            force=force, commit=not no_commit)
    except NotFoundError as e:
        raise resolve_hint(st, e)
    report_result(result, show_files=True)


def edit_command(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="REF", click_type=completers.REFERENCES,
                             help="A task (1502#2) or a directive (1502-UBND-KGVX)."),
    force: bool = typer.Option(False, "--force", help=_FORCE),
    no_commit: bool = typer.Option(False, "--no-commit", help=_NO_COMMIT),
) -> None:
    """Edit a directive file in $EDITOR, at the task's line; it is checked before it is saved.

    You edit a copy: if it does not validate, the editor opens again with the error at the
    top (save it unchanged to give up; the file stays as it was). A change is committed.

    \b
    Examples:
      dtrack edit 1502#2
      EDITOR=nano dtrack edit 2024-03-11-du-an-cntt
    """
    from dtrack.services import editor
    from dtrack.services import lifecycle
    from dtrack.services import queries
    from dtrack.output import render
    from dtrack.store import files as store_mod
    env = env_of(ctx)
    st = env.store()
    key, n = queries.parse_ref(ref)
    try:
        directive = queries.resolve_directive(st.directives, key)
        task = queries.resolve_task(st.directives, ref)[1] if n is not None else None
    except NotFoundError as e:
        raise resolve_hint(st, e)
    path = st.file(directive)
    before = path.read_bytes()
    line = None
    if task is not None:
        line = store_mod.locate(store_mod.decode(before), ("tasks", task.index))[0] or None

    def check(data: bytes) -> None:
        lifecycle.check_dates(directive, lifecycle.validate_text(store_mod.decode(data), directive.path), force)

    saved = editor.edit_until_valid(before, path.name, check, line=line)
    if saved is None or saved == before:
        render.message(t("{path}: no change", path=directive.path), render.console())
        return
    result = lifecycle.commit_edit(st, directive, task, before, saved, commit=not no_commit, force=force)
    report_result(result, render.console())


def extend_command(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="REF", click_type=completers.OPEN_TASKS, help="The task: 1502#2."),
    to: str = typer.Option(..., "--to", metavar="DATE",
                           help="The new deadline: 15/5/2023, or +1w, +10d, +1m after the current one."),
    reason: str = typer.Option(..., "--reason", "-m", metavar="TEXT", help="Why (kept in the task and the commit)."),
    by: Optional[str] = typer.Option(None, "--by", metavar="DOCUMENT", help="The document that grants it: "
                                                                            "'Công văn 99/UBND-KGVX'."),
    earlier: bool = typer.Option(False, "--earlier", help="Allow a date before the current deadline."),
    force: bool = typer.Option(False, "--force", help=_FORCE),
    no_commit: bool = typer.Option(False, "--no-commit", help=_NO_COMMIT),
) -> None:
    """Move a task's deadline (gia hạn), keeping the history in the task.

    Appends {from, to, on, by, reason} to the task's extensions: and sets due; the original
    deadline is never lost. Whether a task was on time is judged against the deadline in
    force when it was done. A relative date counts from the current deadline: --to +1w
    is one week after it.

    \b
    Examples:
      dtrack extend 1502#2 --to 15/5/2023 --reason "Chờ số liệu của các huyện" --by "Công văn 99/UBND-KGVX"
      dtrack extend 1502#2 --to +10d --reason "Gia hạn 10 ngày"
    """
    from dtrack.services import lifecycle
    _change(ctx, lambda st, today: lifecycle.extend(st, ref, today, to=to, reason=reason, by=by, earlier=earlier,
                                                    force=force, commit=not no_commit))


def cancel_command(
    ctx: typer.Context,
    refs: List[str] = typer.Argument(..., metavar="REF...", click_type=completers.OPEN_TASKS, help="Tasks: 1502#2."),
    reason: str = typer.Option(..., "--reason", "-m", metavar="TEXT", help="Why it is withdrawn."),
    by: Optional[str] = typer.Option(None, "--by", metavar="DOCUMENT",
                                     help="The later directive that withdraws it."),
    no_commit: bool = typer.Option(False, "--no-commit", help=_NO_COMMIT),
) -> None:
    """Cancel tasks withdrawn by a later directive (status cancelled, with when, why and by what).

    'dtrack reopen REF' undoes it; the record stays in git history.

    \b
    Example:
      dtrack cancel 1502#4 --reason "Không thực hiện nữa" --by "Công văn 120/UBND-KGVX"
    """
    from dtrack.services import lifecycle
    _change(ctx, lambda st, today: lifecycle.cancel(st, refs, today, reason=reason, by=by, commit=not no_commit))


def _change(ctx: typer.Context, action) -> None:
    """Run a use-case that changes tasks, with the store's unreadable files named on a bad reference."""
    from dtrack.output import render
    env = env_of(ctx)
    st = env.store()
    try:
        result = action(st, env.today)
    except NotFoundError as e:
        raise resolve_hint(st, e)
    report_result(result, render.console())


def hook_check_command(ctx: typer.Context) -> None:
    """Validate the staged directive files (the pre-commit hook runs this).

    \b
    Example:
      dtrack --dir directives hook-check
    """
    from dtrack.services import precommit
    problems = precommit.staged_problems(env_of(ctx).root)
    if problems:
        typer.echo(precommit.report(problems), err=True)
        raise typer.Exit(1)
