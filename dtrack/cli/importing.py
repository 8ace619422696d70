"""`dtrack import`: propose directive files from documents (.txt, .md, .docx, .pdf)."""
from __future__ import annotations

from pathlib import Path
from typing import List

import typer

from dtrack.cli.context import env_of
from dtrack.cli.printing import report_change
from dtrack.i18n import t


def import_command(
    ctx: typer.Context,
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Documents: .txt, .md, .docx, .pdf."),
    stdout: bool = typer.Option(False, "--stdout", help="Print the YAML and touch nothing."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the files but make no git commit."),
) -> None:
    """Read directives and write their tasks as directive files, for you to check.

    Finds the number, kind, issuer, date, title and signer, then every task with its lead and
    support agencies and its deadline (the phrase as written is kept in due_text). Shows a
    review table, writes directives/<year>/<stem>.yaml and commits it. A document whose number
    is already in the store is refused. .docx and .pdf need: pip install "dtrack-vn[import]"
    (under pipx: pipx inject dtrack-vn python-docx pypdf).

    \b
    Examples:
      dtrack import thong-bao-125.txt
      dtrack import cv-1502.docx --no-commit
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
    if stdout:
        err = render.console(stderr=True)
        for k, item in enumerate(items):
            if k:
                typer.echo("---")
            typer.echo(item.yaml, nl=False)
            render.import_review(item.draft, registry, err)
        return
    out = render.console()
    for item in items:
        render.import_review(item.draft, registry, out)
    result = write(items, store, commit=not no_commit)
    for line in result.warnings: render.message(t("warning: {message}", message=line), render.console(stderr=True), style="yellow")  # noqa: E701
    files_done = ", ".join(render.display_path(p, Path.cwd()) for p in result.written)
    report_change(t("imported {files}", files=files_done), result.commit, out_console=out)
