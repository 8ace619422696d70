"""Use-cases of a task's life besides done/reopen: record a directive (`add`), append a task
(`add-task`), move a deadline (`extend`), withdraw a task (`cancel`), edit by hand (`edit`).

Same rules as ops: nothing is written on bad input, writes are atomic, the re-parsed result is
checked against what was meant, and one commit holds exactly the touched files.
"""
from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Sequence

from dtrack.store import transaction
from dtrack.services import guards, ops
from dtrack.store import files as store_mod
from dtrack.domain.agencies import Registry
from dtrack.domain.dates import fmt
from dtrack.errors import DataError, UsageError
from dtrack.i18n import t
from dtrack.domain.model import KINDS, Cancellation, Directive, Extension, InvalidDirective, Task, directive_from_data
from dtrack.domain.recurrence import parse_every
from dtrack.store.files import Store
from dtrack.domain.text import fold, nfc
from dtrack.store.commitmsg import SUBJECT_WIDTH, cut
from dtrack.store.yamledit import Doc, append_task, render_scalar

Result = ops.Result


# ---------------------------------------------------------------------------- extend / cancel

def extend(store: Store, ref: str, today: date, *, to: date | str, reason: str, by: str | None = None,
           earlier: bool = False, force: bool = False, commit: bool = True) -> Result:
    """Move a task's deadline: one `extensions:` entry {from, to, on, by, reason} and the new `due`.
    `to` as typed is read by guards.new_deadline (+1w: a week after the current deadline)."""
    if not reason.strip():
        raise UsageError(t("the reason is empty"), hint=t("Say why the deadline moves, as the document words it."))
    from dtrack.services.queries import resolve_task
    issued = resolve_task(store.directives, ref)[0].issued

    def edit(task: Task, ref: str):
        to = guards.new_deadline(raw, today, issued, task.due)
        guards.check_deadline(to, issued, t("the new deadline"), force)
        if task.status != "open":
            raise UsageError(t("{ref} is {status}; only an open task's deadline can move", ref=ref,
                               status=task.status), hint=t("Reopen it first: dtrack reopen {ref}", ref=ref))
        if task.every:
            raise UsageError(t("{ref} is a recurring task (every {every}); its deadlines follow the series",
                               ref=ref, every=task.every),
                             hint=t("Change 'due:' or 'every:' with 'dtrack edit {ref}'.", ref=ref))
        if task.due == to:
            return t("already due on {date}; nothing changed", date=fmt(to))
        if task.due is not None and to < task.due and not earlier:
            raise UsageError(t("{date} is earlier than the current deadline {due} of {ref}", date=fmt(to),
                               due=fmt(task.due), ref=ref),
                             hint=t("Add --earlier if the deadline really moves forward."))
        record = Extension(to=to, from_=task.due, on=today, by=nfc(by.strip()) if by else None,
                           reason=nfc(reason.strip()))
        return {"due": to, "extensions": (*task.extensions, record)}

    def detail(task: Task, changes: dict) -> str:
        return " " + t("{old} → {new}", old=fmt(task.due) or t("no deadline"), new=fmt(changes["due"]))

    raw = to
    note = _why(reason, by)
    return ops.change_tasks(store, [ref], edit, message=ops._message("extend", store, note, detail), commit=commit)


def cancel(store: Store, refs: Sequence[str], today: date, *, reason: str, by: str | None = None,
           commit: bool = True) -> Result:
    """Withdraw tasks: status cancelled and a `cancelled: {on, by, reason}` record."""
    if not reason.strip():
        raise UsageError(t("the reason is empty"), hint=t("Say why the task is withdrawn."))

    def edit(task: Task, ref: str):
        if task.status == "cancelled":
            return t("already cancelled; nothing changed")
        if task.status == "done":
            raise UsageError(t("{ref} is done; a done task is not cancelled", ref=ref),
                             hint=t("Reopen it first ('dtrack reopen {ref}') if it was not done after all.", ref=ref))
        record = Cancellation(on=today, by=nfc(by.strip()) if by else None, reason=nfc(reason.strip()))
        return {"status": "cancelled", "cancelled": record}

    def detail(task: Task, changes: dict) -> str:
        return ": " + cut(reason, 50)

    return ops.change_tasks(store, refs, edit, message=ops._message("cancel", store, _why(reason, by), detail),
                            commit=commit)


def _why(reason: str, by: str | None) -> str:
    return nfc(reason.strip()) + (f"\n{t('By')}: {nfc(by.strip())}" if by else "")


# ---------------------------------------------------------------------------- add a directive

@dataclasses.dataclass
class NewDirective:
    number: str
    kind: str
    issuer: str
    issued: date
    title: str
    signer: str | None = None
    source: str | None = None

    def fields(self) -> dict:
        data = {"number": self.number, "kind": self.kind, "issuer": self.issuer, "issued": self.issued}
        if self.signer:
            data["signer"] = self.signer
        data["title"] = self.title
        if self.source:
            data["source"] = self.source
        return data


def directive_text(new: NewDirective, newline: str = "\n") -> str:
    lines = []
    for key, value in new.fields().items():
        lines.append(f"{key}: " + ('""' if value == "" else render_scalar(value)))
    lines.append("tasks: []")
    return "".join(x + newline for x in lines)


def edit_template(new: NewDirective, blank: set[str]) -> str:
    """The file `add --edit` opens: the options given filled in, the others empty, and guidance in
    '# dtrack:' lines that are removed when it is saved."""
    from dtrack.services.editor import HEADER
    guide = [t("A new directive. Fill in the empty fields; add tasks under 'tasks:' or later with 'dtrack add-task'."),
             t("kind: {kinds}", kinds=" | ".join(KINDS)),
             t("number: as written on the document (1502/UBND-KGVX), \"\" when it has none; dates: YYYY-MM-DD."),
             t("Save an unchanged file to give up.")]
    lines = [HEADER + x for x in guide]
    for key, value in new.fields().items():
        if key in blank and key != "issued":
            lines.append(f"{key}:" + (' ""' if key == "number" else ""))
        else:
            lines.append(f"{key}: " + ('""' if value == "" else render_scalar(value)))
    for key in ("signer", "source"):
        if key not in new.fields():
            lines.append(f"{key}:")
    lines.append("tasks: []")
    return "".join(x + "\n" for x in lines)


def validate_text(text: str, rel: str) -> Directive:
    """Parse a directive file's text; a problem becomes a DataError naming rel:line."""
    stem = rel.rsplit("/", 1)[-1].removesuffix(store_mod.SUFFIX)
    try:
        data = store_mod.parse(text)
        directive, _ = directive_from_data(data, stem, rel)
    except store_mod._Unreadable as e:
        raise DataError(f"{rel}:{e.line}: {e.message}") from None
    except InvalidDirective as e:
        line, _ = store_mod.locate(text, e.problems[0].where) if e.problems[0].where else (1, 1)
        raise DataError(f"{rel}:{line}: {e.problems[0].message}") from None
    return directive


def check_new(store: Store, new: NewDirective) -> str:
    """The new file's path relative to the store; refuses a kind we do not know or a number already recorded."""
    if new.kind not in KINDS:
        raise UsageError(t("the kind must be one of {allowed} (found {value!r})", allowed=", ".join(KINDS),
                           value=new.kind))
    for what, value in ((t("the issuer"), new.issuer), (t("the title"), new.title)):
        if not value.strip():
            raise UsageError(t("{option} is empty", option=what))
    if new.number:
        for d in store.directives:
            if d.number and fold(d.number) == fold(new.number):
                raise UsageError(t("{number} is already recorded in {path}", number=new.number, path=d.path),
                                 hint=t("Add tasks to it with 'dtrack add-task {stem} ...'.", stem=d.stem))
    stem = store_mod.stem_for(new.number, new.issued, new.title)
    taken = {d.stem for d in store.directives} | {rel.rsplit("/", 1)[-1][:-5] for rel, _ in store_mod.iter_files(store.root)}
    if not new.number:
        base, i = stem, 2
        while stem in taken:
            stem, i = f"{base}-{i}", i + 1
    elif stem in taken:
        raise UsageError(t("a file named {stem}.yaml already exists", stem=stem))
    return f"{new.issued.year}/{stem}{store_mod.SUFFIX}"


def add_directive(store: Store, new: NewDirective, *, text: str | None = None, force: bool = False,
                  commit: bool = True) -> Result:
    """Create directives/<year>/<stem>.yaml (from `new`, or from `text` the user wrote) and commit it."""
    rel = check_new(store, new)
    text = text if text is not None else directive_text(new)
    check_dates(None, validate_text(text, rel), force)
    path = store.root / rel
    if path.exists():
        raise UsageError(t("{path} already exists; nothing was written", path=rel))
    result = Result(changed=[rel.rsplit("/", 1)[-1][:-5]], files=[path])
    message = transaction.Message(t("add {ref}: {title}", ref=new.number or result.changed[0], title=cut(new.title, 60)), "add",
                                  [result.changed[0]], [f"{new.issuer}, {fmt(new.issued)}"])
    result.summary = message.subject
    with transaction.open(store.root, commit=commit, timeout=store.lock_timeout) as tx:
        result.warnings = tx.warnings
        tx.write(path, text.encode("utf-8"), before=None)
        result.commit = tx.finish(message)
    return result


def new_from_text(text: str) -> NewDirective:
    """The header of a directive the user wrote in the editor (validated by the caller)."""
    data = store_mod.parse(text) or {}
    if not isinstance(data, dict):
        raise DataError(t("not a directive: the file must be a mapping with number, kind, issuer, issued, title"))
    issued = data.get("issued")
    if not isinstance(issued, date):
        raise DataError(t("'issued' is missing or not a date; write it as YYYY-MM-DD (2024-07-23)"))
    number = data.get("number")
    return NewDirective(number="" if number is None else nfc(str(number)).strip(), kind=str(data.get("kind") or ""),
                        issuer=nfc(str(data.get("issuer") or "")), issued=issued,
                        title=nfc(" ".join(str(data.get("title") or "").split())))


# ---------------------------------------------------------------------------- add a task

def resolve_agencies(names: Sequence[str], registry: Registry, names_in_use: Sequence[str], new_agency: bool,
                     option: str) -> tuple[list[str], list[str]]:
    """Canonical names for what the user typed, and the names not in the registry (accepted only with
    --new-agency: a typo is how an agency disappears from reports)."""
    out, unknown = [], []
    for raw in names:
        name = nfc(" ".join(raw.split()))
        if not name:
            continue
        agency = registry.get(name)
        if agency is not None:
            out.append(agency.name)
            continue
        if not new_agency:
            close = registry.suggestions(name, names_in_use)
            hint = (t("Did you mean: {names}?", names=", ".join(close)) + " ") if close else ""
            raise UsageError(t("{option}: '{name}' is not in agencies.yaml", option=option, name=name),
                             hint=hint + t("If it is a new agency, add --new-agency (it is added to agencies.yaml)."))
        from dtrack.services.agencies import vet_new_name
        vet_new_name(registry, name, option, force=False)
        out.append(name)
        unknown.append(name)
    return out, unknown


def add_task(store: Store, directive_key: str, today: date, *, text: str, lead: Sequence[str],
             support: Sequence[str] = (), due: date | str | None = None, due_text: str | None = None,
             every: str | None = None, until: date | str | None = None, new_agency: bool = False,
             force: bool = False, commit: bool = True) -> Result:
    """Append a task. `due` and `until` as typed are read against the directive (guards.entry_date: 23/7
    is the next 23 July on or after its issue date) and refused before that date unless `force`."""
    from dtrack.services.queries import resolve_directive
    directive = resolve_directive(store.directives, directive_key)
    due = guards.entry_date(due, today, directive.issued)
    until = guards.entry_date(until, today, directive.issued)
    guards.check_deadline(due, directive.issued, t("the deadline"), force)
    guards.check_deadline(until, directive.issued, t("the end of the series"), force)
    text = nfc(" ".join(text.split()))
    if not text:
        raise UsageError(t("the task's text is empty"), hint=t("Give the task as the document words it."))
    in_use = [a for d in store.directives for x in d.tasks for a in (*x.lead, *x.support)]
    leads, unknown = resolve_agencies(lead, store.registry, in_use, new_agency, t("lead agency"))
    supports, unknown2 = resolve_agencies(support, store.registry, in_use, new_agency, t("support agency"))
    if not leads:
        raise UsageError(t("the lead agency is empty"), hint=t("Name the agency in charge (chủ trì)."))
    if every is not None:
        every = str(parse_every(every))
        if due is None:
            raise UsageError(t("a recurring task needs a due date, the date of its first occurrence"))
    if until is not None and every is None:
        raise UsageError(t("an end date (until) goes only with a recurring task (every)"))

    path = store.file(directive)
    with transaction.open(store.root, commit=commit, timeout=store.lock_timeout) as tx:
        raw = tx.read(path, directive.path)
        doc = Doc.decode(raw)
        current = ops._reparse(doc.text, directive)
        n = max((x.n for x in current.tasks), default=0) + 1
        fields: dict = {"n": n, "text": text, "lead": leads[0] if len(leads) == 1 else leads}
        if supports:
            fields["support"] = supports
        for key, value in (("due", due), ("due_text", nfc(due_text.strip()) if due_text else None),
                           ("every", every), ("until", until)):
            if value is not None:
                fields[key] = value
        fields["status"] = "open"
        new_text = append_task(doc, fields).text
        after = ops._reparse(new_text, current)
        expected = Task(n=n, text=text, lead=tuple(leads), support=tuple(supports), due=due,
                        due_text=fields.get("due_text"), every=every, until=until, index=len(current.tasks))
        got = after.task(n)
        ops._verify(current, dataclasses.replace(after, tasks=[x for x in after.tasks if x.n != n]), {})
        if got is None or dataclasses.replace(got, index=expected.index) != expected:
            raise DataError(t("internal check failed: the new task did not read back as written; nothing was "
                              "written. Please report this with the file."))

        tx.write(path, Doc(new_text, doc.bom, doc.newline).encode(), before=raw)
        new_names = list(dict.fromkeys(unknown + unknown2))
        if new_names:
            agencies, old, data = _agencies_appended(store.root, new_names)
            tx.write(agencies, data, before=old)
        ref = f"{directive.stem}#{n}"
        lead_short = ", ".join(store.registry.short_name(a) for a in leads)
        note = t("New agency in agencies.yaml: {names}", names=", ".join(new_names)) if new_names else ""
        subject = t("add-task {ref} [{lead}]", ref=ref, lead=lead_short) + (f" {t('due')} {fmt(due)}" if due else "") + \
            (f" ({t('every')} {every})" if every else "")
        result = Result(changed=[ref], files=[path] + ([agencies] if new_names else []), warnings=tx.warnings,
                        summary=subject)
        result.commit = tx.finish(transaction.Message(subject, "add-task", [ref], [text, note]))
    return result


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _agencies_appended(root: Path, names: Sequence[str]) -> tuple[Path, bytes | None, bytes]:
    """agencies.yaml, its bytes now (None: there is none) and with `- name: ...` entries added at its end,
    in its own newline style."""
    path = root / store_mod.AGENCIES_FILE
    old = _read(path)
    doc = Doc.decode(old or b"")
    from dtrack.store.yamledit import flow_item
    text = doc.text
    if text and not text.endswith("\n"):
        text += doc.newline
    text += "".join(f"- name: {flow_item(name)}{doc.newline}" for name in names)
    registry, problems = Registry.from_data(store_mod.parse(text))
    if problems or any(registry.get(n) is None for n in names):
        raise DataError(t("cannot add to agencies.yaml: {problem}", problem=(problems or ["?"])[0]))
    return path, old, Doc(text, doc.bom, doc.newline).encode()


# ---------------------------------------------------------------------------- edit by hand

def changed_refs(before: Directive, after: Directive) -> tuple[list[str], list[str]]:
    """References of the tasks an edit changed (added or removed too), and what changed, for the commit."""
    refs, what = [], []
    keys = ("text", "lead", "support", "due", "due_text", "status", "done", "note", "extensions", "every", "until",
            "occurrences", "cancelled", "extra")
    old = {x.n: x for x in before.tasks}
    new = {x.n: x for x in after.tasks}
    for n in sorted(old.keys() | new.keys()):
        a, b = old.get(n), new.get(n)
        if a is None or b is None:
            refs.append(f"{after.stem}#{n}")
            what.append(t("task {n} added", n=n) if a is None else t("task {n} removed", n=n))
            continue
        diff = [k for k in keys if getattr(a, k) != getattr(b, k)]
        if diff:
            refs.append(f"{after.stem}#{n}")
            what.append(f"#{n}: " + ", ".join(diff))
    header = [k for k in ("number", "kind", "issuer", "issued", "signer", "title", "source", "extra")
              if getattr(before, k) != getattr(after, k)]
    if header:
        what.append(t("header: {keys}", keys=", ".join(header)))
    return refs, what


def check_dates(before: Directive | None, after: Directive, force: bool) -> None:
    """The deadlines an edit (or a new directive) sets must not fall before the issue date; the dates
    it leaves as they were are not judged again."""
    old = {x.n: x for x in before.tasks} if before is not None else {}
    for task in after.tasks:
        was = old.get(task.n)
        for what, key in ((t("the deadline"), "due"), (t("the end of the series"), "until")):
            day = getattr(task, key)
            if was is None or getattr(was, key) != day or (before is not None and before.issued != after.issued):
                try:
                    guards.check_deadline(day, after.issued, what, force)
                except UsageError as e:
                    e.message = f"{after.ref(task)}: {e.message}"
                    raise


def commit_edit(store: Store, directive: Directive, task: Task | None, before_raw: bytes, after_raw: bytes,
                commit: bool, force: bool = False) -> Result:
    """Write the user's edited file (already validated) and commit it alone."""
    rel = directive.path
    after = validate_text(Doc.decode(after_raw).text, rel)
    before = validate_text(Doc.decode(before_raw).text, rel)
    check_dates(before, after, force)
    refs, what = changed_refs(before, after)
    path = store.file(directive)
    label = directive.ref(task) if task is not None and (not refs or refs == [directive.ref(task)]) else \
        (", ".join(refs[:3]) + (" …" if len(refs) > 3 else "") if refs else directive.stem)
    lead = ""
    if task is not None and label == directive.ref(task):
        lead = " [" + ", ".join(store.registry.short_name(a) for a in task.lead) + "]"
    subject = t("edit {ref}{lead}: {what}", ref=label, lead=lead, what="; ".join(what) if what else t("layout or comments"))
    result = Result(changed=refs or [label], files=[path], summary=cut(subject, SUBJECT_WIDTH))
    # The user edited a copy, outside the lock: under it, the file must still be what the editor started from.
    with transaction.open(store.root, commit=commit, timeout=store.lock_timeout) as tx:
        result.warnings = tx.warnings
        tx.write(path, after_raw, before=before_raw)
        result.commit = tx.finish(transaction.Message(result.summary, "edit", refs or (
            [directive.ref(task)] if task else [directive.stem])))
    return result
