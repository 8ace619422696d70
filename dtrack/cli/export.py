"""`dtrack export-ics`: the deadlines as an iCalendar file (logic in dtrack/export.py)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from dtrack.cli import completers
from dtrack.cli.context import env_of, naming
from dtrack.i18n import t

DEFAULT_FILE = "dtrack.ics"


def export_ics_command(
    ctx: typer.Context,
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="The .ics file to write (default: dtrack.ics in the store's "
                                              "top folder, dtrack-<agency>.ics with --agency); '-' for stdout."),
    agency: Optional[str] = typer.Option(None, "--agency", metavar="NAME", click_type=completers.AGENCIES,
                                         help="Only the tasks an agency leads or supports (matched as in "
                                              "'dtrack list --agency')."),
    split: Optional[str] = typer.Option(None, "--split-by-agency", metavar="DIR",
                                        help="Write one <agency>.ics per lead agency, and all.ics, into DIR."),
    alarm: Optional[List[str]] = typer.Option(None, "--alarm", metavar="WHEN",
                                              help="A reminder before each deadline: 3d (08:00 three days "
                                                   "before; the default), 1w, 16h; repeat for several; "
                                                   "0 for none."),
    include_done: bool = typer.Option(False, "--include-done",
                                      help="Also emit done and cancelled tasks, as STATUS:CANCELLED "
                                           "(so calendars that imported them strike or drop them)."),
    name: Optional[str] = typer.Option(None, "--name", metavar="TEXT",
                                       help="The calendar's name after 'dtrack — ' (default: the store's "
                                            "folder, or the agency)."),
    todo: bool = typer.Option(False, "--todo",
                              help="Write the tasks as to-dos (VTODO, for task apps) instead of events."),
) -> None:
    """Export the deadlines of open tasks as an iCalendar (.ics) file.

    One all-day event per open task with a deadline (a recurring task: one repeating event),
    with a reminder. Importing the file again, or refreshing a subscription to it, updates
    the events instead of duplicating them. The same store gives the same bytes.

    \b
    Examples:
      dtrack export-ics                          writes dtrack.ics
      dtrack export-ics -o /srv/lich/vanphong.ics --alarm 3d --alarm 1d
      dtrack export-ics --agency STC -o -        Sở Tài chính's calendar on stdout
      dtrack export-ics --split-by-agency /srv/lich
      dtrack export-ics --todo -o viec.ics       the tasks as to-dos for a task app
    """
    from dtrack.output import export
    from dtrack.services import queries
    from dtrack.output import render
    from dtrack.errors import UsageError
    from dtrack.domain.text import fold
    env = env_of(ctx)
    if split and (output or agency):
        raise UsageError(t("--split-by-agency writes its own files; it cannot be combined with -o or --agency"))
    with naming("--alarm"):
        alarms = export.parse_alarms(alarm or list(export.DEFAULT_ALARMS))
    options = export.Options(alarms=() if todo else alarms, include_done=include_done, todo=todo, day=env.today)
    root = env.root
    target = None
    if not split and output != "-":
        target = Path(output) if output else None
        if target is not None and target.is_dir():
            raise UsageError(t("-o {path} is a folder; give a file name such as {path}/dtrack.ics", path=output))
        if target is not None and not target.parent.is_dir():
            raise UsageError(t("-o {path}: the folder {folder} does not exist", path=output,
                               folder=str(target.parent)), hint=t("Create it first, or choose another file."))
    # The calendar leaves the office: it speaks the store's language, the clerk's messages the clerk's.
    from dtrack import i18n
    from dtrack.store.files import load_settings
    store_language = load_settings(root)[0].language
    with i18n.using(store_language):
        collected = export.collect(root, options, env.collection())
    err = render.console(stderr=True)
    render.problems(collected.problems, Path.cwd(), err)
    title = name or export.store_name(root)

    if split:
        folder = Path(split)
        if folder.exists() and not folder.is_dir():
            raise UsageError(t("--split-by-agency {path} is not a folder", path=split))
        folder.mkdir(parents=True, exist_ok=True)
        files = [("all", title, collected.events)] + [
            (stem, agency_name, events) for stem, agency_name, events in export.split_by_lead(collected)]
        # RFC 5545 wants at least one component: a calendar without an event is not written
        for stem, _, _ in (f for f in files if not f[2]):
            path = folder / f"{stem}.ics"
            render.message(t("{path}: skipped, no event to write", path=str(path)) + (
                t(" (the file there is an older export: delete it, or add --include-done)") if path.exists() else ""),
                err)
        files = [f for f in files if f[2]]
        with i18n.using(store_language):
            calendars = [(stem, export.calendar(events, label)) for stem, label, events in files]
        written = sum(export.write_file(folder / f"{stem}.ics", data) for stem, data in calendars)
        render.message(t("{folder}: {files} calendars ({written} changed), all.ics has {count} events",
                         folder=split, files=len(files), written=written, count=len(collected.events)), err)
        return

    events = collected.events
    if agency:
        keys = collected.registry.widen(queries.agency_keys(agency, collected.registry, collected.names_in_use),
                                        collected.names_in_use)
        events = export.for_agencies(events, keys)
        matched = [a for a in sorted(collected.names_in_use) if fold(a) in keys]
        if not name:
            title = matched[0] if len(matched) == 1 else agency
        if target is None and output != "-":
            target = export.default_target(root, f"dtrack-{export.file_stem(title, set())}.ics")
    if not events:
        # RFC 5545 wants at least one component, and a placeholder would show in every calendar
        raise UsageError(t("no task with a deadline to export; nothing written"),
                         hint=t("Check --agency, or add --include-done for closed tasks."))
    with i18n.using(store_language):
        data = export.calendar(events, title)
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = target or export.default_target(root, DEFAULT_FILE)
    changed = export.write_file(target, data)
    if changed:
        render.message(t("Wrote {path}: {count} events.", path=str(target), count=len(events)), err)
    else:
        render.message(t("{path} is up to date: {count} events.", path=str(target), count=len(events)), err)
