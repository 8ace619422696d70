"""`dtrack reassign`: the lead of a task handed to another agency ("chuyển giao nhiệm vụ"), with a
`reassigned:` record {from, to, on, by, reason} kept like an extension, so that who held it before,
and from which day, stays in the file (and `report` as of an earlier day counts the earlier lead)."""
from __future__ import annotations

from datetime import date
from typing import Sequence

from dtrack.domain.dates import fmt
from dtrack.domain.model import Task
from dtrack.domain.records import Reassignment
from dtrack.domain.text import fold, nfc
from dtrack.errors import UsageError
from dtrack.i18n import t
from dtrack.services import ops
from dtrack.services.lifecycle import resolve_agencies
from dtrack.store.files import Store

Result = ops.Result


def reassign(store: Store, ref: str, today: date, *, to: Sequence[str], by: str, reason: str,
             on: date | None = None, commit: bool = True) -> Result:
    """Move the lead of `ref` to the agencies `to` (known ones only) from day `on` (default today)."""
    if not reason.strip():
        raise UsageError(t("the reason is empty"), hint=t("Say why the task changes hands, as the document words it."))
    if not by.strip():
        raise UsageError(t("--by is empty"), hint=t("Name the document that decides it: --by \"Công văn 123/UBND-KGVX\"."))
    on = on or today
    if on > today:
        raise UsageError(t("--on {date} is after today ({today})", date=fmt(on), today=fmt(today)))
    in_use = sorted({a for d in store.directives for x in d.tasks for a in (*x.lead, *x.support)})
    new_lead, _ = resolve_agencies(to, store.registry, in_use, False, "--to")
    if not new_lead:
        raise UsageError(t("--to is empty"), hint=t("Name the agency that takes over the task."))

    def edit(task: Task, ref: str):
        if task.status != "open":
            raise UsageError(t("{ref} is {status}; only an open task changes hands", ref=ref, status=task.status),
                             hint=t("Reopen it first: dtrack reopen {ref}", ref=ref))
        if {fold(store.registry.canonical(a)) for a in task.lead} == {fold(a) for a in new_lead}:
            return t("already led by {names}; nothing changed", names=", ".join(new_lead))
        last = max((r.on for r in task.reassigned if r.on), default=None)
        if last and on < last:
            raise UsageError(t("{ref} was last reassigned on {date}; --on cannot be earlier", ref=ref, date=fmt(last)))
        record = Reassignment(to=tuple(new_lead), from_=task.lead, on=on, by=nfc(by.strip()), reason=nfc(reason.strip()))
        # One agency is written plain (`lead: Sở Tài chính`), as directives write it.
        return {"lead": new_lead[0] if len(new_lead) == 1 else tuple(new_lead),
                "reassigned": (*task.reassigned, record)}

    def detail(task: Task, changes: dict) -> str:
        return " " + t("{old} → {new}", old=", ".join(store.registry.short_name(a) for a in task.lead),
                       new=", ".join(store.registry.short_name(a) for a in new_lead))

    note = nfc(reason.strip()) + f"\n{t('By')}: {nfc(by.strip())}" + f"\n{t('From')}: {fmt(on)}"
    return ops.change_tasks(store, [ref], edit, message=ops._message("reassign", store, note, detail), commit=commit)
