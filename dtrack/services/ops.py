"""Use-cases that change the store: each edits only the touched tasks' lines, writes atomically,
checks the result, and records one git commit of exactly the touched files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from dtrack.store import transaction
from dtrack.domain import recurrence
from dtrack.store import files as store_mod
from dtrack.domain.dates import fmt
from dtrack.errors import DataError, UsageError
from dtrack.i18n import t
from dtrack.domain.model import Directive, InvalidDirective, Occurrence, Task, directive_from_data
from dtrack.domain.text import nfc
from dtrack.services import guards
from dtrack.services.queries import resolve_task
from dtrack.store.files import Store
from dtrack.store.yamledit import Doc, Records, edit_task

Edit = Callable[[Task, str], "dict | str"]   # (task as on disk, ref) -> key changes, or why it is left as it is


@dataclass
class Result:
    changed: list[str] = field(default_factory=list)     # one line per changed task, for the user
    skipped: list[str] = field(default_factory=list)     # why a task was left as it was
    files: list[Path] = field(default_factory=list)
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)
    summary: str = ""                                    # what was done, in the commit subject's words


@dataclass
class _Planned:
    directive: Directive
    task: Task
    ref: str


def _reparse(raw_or_text: str, directive: Directive) -> Directive:
    try:
        parsed, _ = directive_from_data(store_mod.parse(raw_or_text), directive.stem, directive.path)
    except InvalidDirective as e:
        raise DataError(t("{path}: {message}; fix the file first ('dtrack list' shows where)",
                          path=directive.path, message=e.problems[0].message)) from None
    except store_mod._Unreadable as e:
        raise DataError(t("{path}:{line}: {message}", path=directive.path, line=e.line, message=e.message)) from None
    return parsed


AFTER = {"done": "status", "note": "done", "status": "n", "due": ("support", "lead")}


def _yaml_value(value):
    """A model value as yamledit writes it: records (extensions, occurrences) and a cancellation
    become mappings; occurrences, dates only, take one line each."""
    if isinstance(value, tuple) and value and all(hasattr(x, "as_data") for x in value):
        # Occurrences, dates only, take one line each; one with its own note or document is a block.
        flow = all(isinstance(x, Occurrence) and x.note is None and x.by is None for x in value)
        return Records(tuple(x.as_data() for x in value), flow=flow)
    if hasattr(value, "as_data"):
        return value.as_data()
    return value


def _apply(text: str, newline: str, edits: dict[int, dict]) -> str:
    doc = Doc(text, newline=newline)
    for n, changes in edits.items():
        after = {k: ("status" if k == "note" and "done" not in changes else v) for k, v in AFTER.items()}
        doc = edit_task(doc, n, {k: _yaml_value(v) for k, v in changes.items()}, after)
    return doc.text


def _verify(before: Directive, after: Directive, edits: dict[int, dict]) -> None:
    """The edited file must differ from the old one in exactly the intended values."""
    problem = None
    if [x.n for x in before.tasks] != [x.n for x in after.tasks]:
        problem = "task list"
    for old in before.tasks:
        new = after.task(old.n)
        changes = edits.get(old.n, {})
        for key in ("text", "lead", "support", "due", "due_text", "status", "done", "note", "extensions",
                    "every", "until", "occurrences", "cancelled", "reassigned"):
            want = changes[key] if key in changes else getattr(old, key)
            if isinstance(want, list):
                want = tuple(want)
            if want is None and key in ("extensions", "occurrences"):
                want = ()                       # the key removed: no records
            if isinstance(want, str) and key in ("lead", "support"):     # one agency, written plain
                want = (want,)
            if getattr(new, key) != want:
                problem = f"task {old.n} {key}"
        if new.extra != old.extra:
            problem = f"task {old.n} extra keys"
    for key in ("number", "kind", "issuer", "issued", "title", "signer", "source", "extra"):
        if getattr(before, key) != getattr(after, key):
            problem = key
    if problem:
        raise DataError(t("internal check failed: the edit of {path} would also change {what}; nothing was "
                          "written. Please report this with the file.", path=before.path, what=problem))


def change_tasks(store: Store, refs: Sequence[str], edit: Edit, *, message: Callable[[list[tuple[str, Task, dict]]], transaction.Message],
                 commit: bool = True) -> Result:
    """Resolve every reference first, then edit file by file; nothing is written if any reference is bad."""
    planned: list[_Planned] = []
    for ref in refs:
        directive, task = resolve_task(store.directives, ref)
        if not any(p.directive.path == directive.path and p.task.n == task.n for p in planned):
            planned.append(_Planned(directive, task, directive.ref(task)))
    by_file: dict[str, list[_Planned]] = {}
    for p in planned:
        by_file.setdefault(p.directive.path, []).append(p)

    result = Result()
    # The files are read inside the transaction (under the store lock): a second dtrack waits, then
    # reads the file as the first one left it, so no update is lost (docs/reliability.md).
    with transaction.open(store.root, commit=commit, timeout=store.lock_timeout) as tx:
        result.warnings = tx.warnings
        staged: list[tuple[Path, bytes, bytes, str, Directive, dict]] = []
        log: list[tuple[str, Task, dict]] = []
        for rel, items in by_file.items():
            path = store.root / rel
            raw = tx.read(path, rel)
            doc = Doc.decode(raw)
            current = _reparse(doc.text, items[0].directive)
            edits: dict[int, dict] = {}
            for p in items:
                task = current.task(p.task.n)
                if task is None:
                    raise DataError(t("{ref}: the task is no longer in {path}", ref=p.ref, path=rel))
                changes = edit(task, p.ref)
                if isinstance(changes, str):
                    result.skipped.append(f"{p.ref}: {changes}")
                    continue
                edits[task.n] = changes
                log.append((p.ref, task, changes))
            if not edits:
                continue
            new_text = _apply(doc.text, doc.newline, edits)
            _verify(current, _reparse(new_text, current), edits)
            staged.append((path, raw, Doc(new_text, doc.bom, doc.newline).encode(), rel, current, edits))
        result.changed = [ref for ref, _, _ in log]
        if not staged:
            return result
        bases = tx.committed(path for path, *_ in staged)
        for path, raw, new, rel, current, edits in staged:
            kept = _committed_version(bases[path], raw, new, current, edits, rel, result) if path in bases else None
            tx.write(path, new, before=raw, commit=kept)
        msg = message(log)
        result.summary = msg.subject
        result.commit = tx.finish(msg)
        result.files = [path for path, *_ in staged]
    return result


def _committed_version(base: bytes | None, raw: bytes, new: bytes, current: Directive, edits: dict, rel: str,
                       result: Result) -> bytes:
    """What to commit for a touched file: our edit applied to HEAD's version, so that the user's own
    uncommitted edits of the same file stay uncommitted."""
    if base is None or base == raw:
        return new
    try:
        doc = Doc.decode(base)
        committed = _reparse(doc.text, current)
        text = _apply(doc.text, doc.newline, edits)
        _verify(committed, _reparse(text, committed), edits)
        return Doc(text, doc.bom, doc.newline).encode()
    except (DataError, UsageError, UnicodeDecodeError):
        result.warnings.append(t("{path} had other uncommitted changes that dtrack could not keep apart; "
                                 "they are in this commit too", path=rel))
        return new


# ---------------------------------------------------------------------------- done / reopen

# A commit subject speaks the clerk's language (`dtrack log` reads the Dtrack-* trailers, never the subject).
_SUBJECTS: dict[str, Callable[..., str]] = {
    "done": lambda **v: t("done {ref} [{lead}]{detail}", **v),
    "reopen": lambda **v: t("reopen {ref} [{lead}]{detail}", **v),
    "extend": lambda **v: t("extend {ref} [{lead}]{detail}", **v),
    "cancel": lambda **v: t("cancel {ref} [{lead}]{detail}", **v),
    "reassign": lambda **v: t("reassign {ref} [{lead}]{detail}", **v),
}
_SUBJECTS_MANY: dict[str, Callable[..., str]] = {
    "done": lambda **v: t("done {count} tasks: {refs}", **v),
    "reopen": lambda **v: t("reopen {count} tasks: {refs}", **v),
    "extend": lambda **v: t("extend {count} tasks: {refs}", **v),
    "cancel": lambda **v: t("cancel {count} tasks: {refs}", **v),
    "reassign": lambda **v: t("reassign {count} tasks: {refs}", **v),
}


def _subject(action: str, log: list[tuple[str, Task, dict]], registry, detail: Callable[[Task, dict], str]) -> str:
    if len(log) == 1:
        ref, task, changes = log[0]
        lead = ", ".join(registry.short_name(a) for a in task.lead)
        return _SUBJECTS[action](ref=ref, lead=lead, detail=detail(task, changes))
    refs = ", ".join(ref for ref, _, _ in log)
    if len(refs) > 60:
        refs = refs[:57].rsplit(",", 1)[0] + ", …"
    return _SUBJECTS_MANY[action](count=len(log), refs=refs)


def _message(action: str, store: Store, note: str | None, detail) -> Callable:
    def build(log) -> transaction.Message:
        tasks = []
        if len(log) > 1:
            for ref, task, changes in log:
                lead = ", ".join(store.registry.short_name(a) for a in task.lead)
                tasks.append(f"- {ref} [{lead}]{detail(task, changes)}")
        return transaction.Message(_subject(action, log, store.registry, detail), action,
                                   [ref for ref, _, _ in log], ["\n".join(tasks), note or ""])
    return build


def mark_done(store: Store, refs: Sequence[str], today: date, *, on: date | None = None, note: str | None = None,
              by: str | None = None, force: bool = False, commit: bool = True) -> Result:
    """Mark tasks done on `on` (refused before a directive was issued or after today unless `force`).
    For a recurring task the note and the reply document `by` go on the occurrence it completes; for a
    one-off task they are added to its note."""
    on = on or today
    note, by = (nfc(x.strip()) or None if x else None for x in (note, by))
    for ref in refs:
        directive, task = resolve_task(store.directives, ref)
        guards.check_done(on, today, directive.issued, directive.ref(task), force)

    def edit(task: Task, ref: str):
        if task.status == "done":
            return t("already done on {date}; nothing changed", date=fmt(task.done) or "?")
        if task.status == "cancelled":
            raise UsageError(t("{ref} is cancelled; nothing was changed", ref=ref),
                             hint=t("Reopen it first ('dtrack reopen {ref}') if it was done after all.", ref=ref))
        if task.every:
            return recurrence.complete(task, on, note, by)
        changes: dict = {"status": "done", "done": on}
        if text := "; ".join(x for x in (note, by) if x):
            changes["note"] = _noted(task, text)
        return changes

    def detail(task: Task, changes: dict) -> str:
        if "occurrences" in changes:
            nxt = t(", next {date}", date=fmt(changes["due"])) if "due" in changes else t(", series ended")
            return " " + t("occurrence {due} on {date}{next}", due=fmt(task.due), date=fmt(changes["occurrences"][-1].done),
                           next=nxt)
        return " " + t("on {date}", date=fmt(changes["done"]))

    said = "\n".join(x for x in (note, by and f"{t('By')}: {by}") if x)
    return change_tasks(store, refs, edit, message=_message("done", store, said, detail), commit=commit)


def _noted(task: Task, note: str) -> str:
    return f"{task.note}\n{note}" if task.note and task.note != note else note


def reopen(store: Store, refs: Sequence[str], today: date, *, note: str | None = None, commit: bool = True) -> Result:
    def edit(task: Task, ref: str):
        # A series undoes its last occurrence (unless it was cancelled: reopening undoes the cancellation).
        changes = recurrence.undo_last(task) if task.every and task.status != "cancelled" else None
        if changes is None:
            if task.status == "open":
                return t("already open; nothing changed")
            changes = {"status": "open", "done": None}
        if task.cancelled is not None:
            changes["cancelled"] = None         # the record of the cancellation stays in git history
        if note:
            changes["note"] = _noted(task, note)
        return changes

    def detail(task: Task, changes: dict) -> str:
        if "occurrences" in changes:
            last = task.occurrences[-1]
            return " " + t("occurrence {due} (done {date}) undone", due=fmt(last.due), date=fmt(last.done) or "?")
        return " " + t("(was {status})", status=task.status)

    return change_tasks(store, refs, edit, message=_message("reopen", store, note, detail), commit=commit)
