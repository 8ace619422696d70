"""`dtrack import`: propose directive files from documents (.txt, .md, .docx, .pdf), review, write."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List

import typer

from dtrack.cli.context import env_of
from dtrack.cli.printing import report_change
from dtrack.errors import UsageError
from dtrack.i18n import t

_ANSWERS = {"a": "accept", "accept": "accept", "y": "accept", "yes": "accept", "đ": "accept",
            "e": "edit", "edit": "edit", "s": "edit", "sửa": "edit",
            "c": "cancel", "cancel": "cancel", "n": "cancel", "no": "cancel", "h": "cancel", "hủy": "cancel"}


def _tty() -> bool:
    return sys.stdin.isatty()


def import_command(
    ctx: typer.Context,
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Documents: .txt, .md, .docx, .pdf."),
    stdout: bool = typer.Option(False, "--stdout", help="Print the YAML and touch nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Accept the review as shown, without asking."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the files but make no git commit."),
) -> None:
    """Read directives and write their tasks as directive files, for you to check.

    Finds the number, kind, issuer, date, title and signer, then every task with its lead and
    support agencies and its deadline (the phrase as written is kept in due_text; what it
    inferred or is unsure of goes in the task's import_notes). Shows a review table and asks:
    accept, edit the YAML in $EDITOR, or cancel; nothing is written before you accept. Without
    a terminal, pass --yes (or --no-commit to write the files for review without a commit).
    A document already in the store (same number, or the same text) is not copied: the import
    proposes an update of its file, task by task, keeping status, done dates, notes and
    extensions. .docx and .pdf need: pip install "dtrack-vn[import]"
    (under pipx: pipx inject dtrack-vn python-docx pypdf).

    \b
    Examples:
      dtrack import thong-bao-125.txt
      dtrack import cv-1502.docx --no-commit
      dtrack import ke-hoach-455.pdf --yes
      dtrack --as-of 20/7/2024 import ket-luan.pdf --stdout > draft.yaml
    """
    from dtrack.output import render
    from dtrack.importer.run import prepare, write
    env = env_of(ctx)
    store = None
    try:
        store = env.store()
    except Exception:  # noqa: BLE001 - --stdout works without a store
        if not stdout:
            raise
    items = prepare(list(files), store, env.today)
    registry = store.registry if store is not None else None
    if registry is None:
        from dtrack.domain.agencies import Registry
        registry = Registry()
    err = render.console(stderr=True)
    if stdout:
        for k, item in enumerate(items):
            if k:
                typer.echo("---")
            typer.echo(item.yaml, nl=False)
            _review(item, registry, err, render)
        return
    out = render.console()
    ask = not yes and _tty()
    accepted = []
    for item in items:
        _review(item, registry, out, render)
        if item.content() is not None and (not ask or _ask(item, out, render)):
            accepted.append(item)
    if not any(i.content() is not None for i in items):
        return
    if not yes and not ask and not no_commit:
        raise UsageError(t("no terminal to review the import; nothing was written"),
                         hint=t("Pass --yes to accept it as shown, or --no-commit to write the files for "
                                "review without a commit (--stdout prints them)."))
    if not accepted:
        render.message(t("import cancelled; nothing was written"), out)
        return
    result = write(accepted, store, commit=not no_commit)
    for line in result.warnings: render.message(t("warning: {message}", message=line), render.console(stderr=True), style="yellow")  # noqa: E701
    files_done = ", ".join(render.display_path(p, Path.cwd()) for p in result.written)
    report_change(t("imported {files}", files=files_done), result.commit, out_console=out)


def _review(item, registry, out, render) -> None:
    render.import_review(item.draft, registry, out)
    if item.is_update:
        render.import_changes(item.rel, item.changes, out)


def _ask(item, out, render) -> bool:
    """Accept (True), cancel (False), or edit the YAML and ask again; end of input cancels."""
    while True:
        try:
            # No default: a stray Enter must not accept what the clerk has not read.
            answer = typer.prompt(t("{file}: accept, edit in $EDITOR, or cancel? [a/e/c]", file=item.rel), err=True)
        except typer.Abort:            # end of input, Ctrl-C or Ctrl-D: nothing is written
            return False
        choice = _ANSWERS.get(answer.strip().lower())
        if choice == "accept":
            return True
        if choice == "cancel":
            return False
        if choice == "edit":
            _edit(item, out, render)
        else:
            render.message(t("answer a (accept), e (edit) or c (cancel)"), out, style="yellow")


def _edit(item, out, render) -> None:
    """The clerk's edit of the file the item would write, checked (the editor re-opens on a problem)."""
    from dtrack.services import editor
    from dtrack.importer.run import check_text
    from dtrack.store.files import decode
    current = item.content()
    checked = {}

    def check(data: bytes) -> None:
        checked["directive"] = check_text(decode(data), item.rel, item.rel)

    saved = editor.edit_until_valid(current, Path(item.rel).name, check)
    if saved is None or saved == current:
        render.message(t("{path}: no change", path=item.rel), out)
        return
    if item.is_update:
        item.after = saved
    else:
        item.yaml = decode(saved)
        if item.existing is None:
            d = checked["directive"]
            from dtrack.store.files import stem_for
            item.rel = f"{d.issued.year}/{stem_for(d.number, d.issued, d.title)}.yaml"
    render.message(t("{path}: edited and checked ({count} tasks)", path=item.rel,
                     count=len(checked["directive"].tasks)), out)
