"""`dtrack log`: the audit trail of a store, read from git.

A commit made by dtrack carries trailers (`Dtrack-Action: done`, one `Dtrack-Ref:` per task),
so what happened to which task is read from them, never guessed from the subject. Any other
commit that touches the store is shown as an "edit" of the files it touches.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Sequence

from dtrack.store import commitmsg, gitops
from dtrack.domain.agencies import Registry
from dtrack.errors import UsageError
from dtrack.i18n import t
from dtrack.domain.model import Directive
from dtrack.domain.text import fold

@dataclass(frozen=True, slots=True)
class Event:
    commit: str
    when: datetime
    author: str
    action: str               # the trailer's action (done, reopen, extend, cancel, add, import, ...) or "edit"
    refs: tuple[str, ...]     # tasks, for dtrack commits
    files: tuple[str, ...]    # store-relative paths the commit touches
    subject: str
    note: str                 # the body without the trailers and dtrack's per-task list

    def as_json(self) -> dict:
        return {"commit": self.commit, "date": self.when.isoformat(), "author": self.author,
                "action": self.action, "refs": list(self.refs), "files": list(self.files),
                "subject": self.subject, "note": self.note}


def _parse_body(body: str) -> tuple[str | None, list[str], str]:
    # Trailers only from the final paragraph, which dtrack alone writes (store/commitmsg.py).
    trailers, text = commitmsg.read(body)
    action, refs = trailers.get(gitops.TRAILER_ACTION, [None])[-1], trailers.get(gitops.TRAILER_REF, [])
    kept = text.splitlines() if action is not None else body.splitlines()
    if action is not None:
        # dtrack lists the tasks of a many-task commit as "- ref [lead] ..." lines; the refs say it already.
        kept = [x for x in kept if not (x.startswith("- ") and any(x[2:].startswith(r + " ") for r in refs))]
    return action, refs, "\n".join(kept).strip()


def resolve_since(repo: Path, since: str, today: date) -> tuple[date | None, str | None]:
    """--since is a day (any form dtrack reads) or a commit; returns (day, commit)."""
    from dtrack.domain.dates import parse_date
    try:
        return parse_date(since, today), None
    except UsageError:
        pass
    try:
        commit = gitops.run(repo, "rev-parse", "--verify", "-q", f"{since}^{{commit}}").strip()
    except Exception:
        commit = ""
    if not commit:
        raise UsageError(t("'{value}' is neither a date nor a commit of this repository", value=since),
                         hint=t("Give a date (01/07/2024, 2024-07-01) or a commit id."))
    return None, commit


def events(repo: Path, store_root: Path, *, since_day: date | None = None, since_commit: str | None = None,
           limit: int | None = None) -> list[Event]:
    """Commits touching the store, newest first."""
    prefix = gitops.repo_path(repo, store_root)
    prefix = "" if prefix == "." else prefix + "/"
    args = [f"-n{limit}"] if limit else []
    if since_commit:
        args.append(f"{since_commit}..HEAD")
    if gitops.head(repo) is None:
        return []
    found = []
    for (commit, when, author, subject), body, names in gitops.log(repo, ["%H", "%aI", "%an", "%s"], "%b", *args, "--",
                                                                   prefix or ".", names=True):
        stamp = datetime.fromisoformat(when.strip())
        if since_day and stamp.date() < since_day:
            continue
        files = tuple(n[len(prefix):] for n in names if n.startswith(prefix))
        action, refs, note = _parse_body(body)
        found.append(Event(commit, stamp, author, action or "edit", tuple(refs), files, subject, note))
    return found


def for_agency(items: Sequence[Event], keys: set[str], directives: Sequence[Directive],
               registry: Registry) -> list[Event]:
    """Events about an agency's tasks (lead or support), as the tasks are now. A hand edit counts
    when a file it touches has a task of the agency: an audit shows too much rather than hide an edit."""
    by_stem = {d.stem: d for d in directives}
    by_path = {d.path: d for d in directives}

    def concerns(d: Directive | None, n: int | None) -> bool:
        if d is None:
            return False
        tasks = [d.task(n)] if n is not None else d.tasks
        return any(task is not None and any(fold(registry.canonical(a)) in keys for a in (*task.lead, *task.support))
                   for task in tasks)

    out = []
    for e in items:
        if e.refs:
            hit = False
            for ref in e.refs:
                stem, _, n = ref.rpartition("#")
                hit = hit or concerns(by_stem.get(stem), int(n) if n.isdigit() else None)
        else:
            hit = any(concerns(by_path.get(f), None) for f in e.files)
        if hit:
            out.append(e)
    return out


def table_rows(items: Sequence[Event]) -> list[list[str]]:
    rows = []
    for e in items:
        if e.refs:
            what = ", ".join(e.refs)
        else:
            what = (e.files[0] if e.files else "") + (t(" (+{n} more)", n=len(e.files) - 1) if len(e.files) > 1 else "")
        rows.append([e.when.strftime("%d/%m/%Y %H:%M"), e.author, e.action, what, e.note or e.subject])
    return rows


def headers() -> list[str]:
    return [t("When"), t("Who"), t("What"), t("Task or file"), t("Note")]
