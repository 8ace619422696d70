"""A document imported again: the task-level difference between the directive in the store and what
the document now says, applied as an edit of that file's task lines only.

The document decides a task's text, lead, support and deadline; the clerk's record (status, done,
note, extensions, occurrences, cancelled, import notes already cleared) is kept. A task the document
no longer has is cancelled, not deleted: task numbers are never reused and its history stays.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dtrack.errors import DataError
from dtrack.i18n import t
from dtrack.domain.model import Directive, Task, directive_from_data
from dtrack.domain.text import fold
from dtrack.importer.draft import Draft, import_notes
from dtrack.importer.tasks import DraftTask
from dtrack.store.yamledit import Doc, append_tasks, edit_tasks

# Where a key the task lacks goes (as services/ops.AFTER, which the importer may not import).
_AFTER = {"support": "lead", "due": ("support", "lead"), "due_text": ("due", "support", "lead"),
          "every": ("due_text", "due"), "cancelled": "status", "import_notes": "status"}
_SAME = 0.5          # share of words two tasks have in common to be the same task reworded
_HASH_LINE = re.compile(r"^source_hash:[ \t]*sha256:[0-9a-f]{64}[ \t]*$", re.M)


@dataclass(frozen=True)
class Change:
    kind: str                  # added | changed | removed
    n: int
    fields: tuple[str, ...]    # for changed: the keys the document changed
    text: str                  # the task's text (the new one when it changed)
    detail: str = ""           # old -> new of the short fields, or why a task is kept

    def line(self) -> str:
        sign = {"added": "+", "changed": "~", "removed": "-"}[self.kind]
        fields = f" ({', '.join(self.fields)})" if self.fields else ""
        detail = f" [{self.detail}]" if self.detail else ""
        return f"{sign} #{self.n}{fields}: {' '.join(self.text.split())[:70]}{detail}"


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", fold(text)))


def _similarity(wa: frozenset[str], wb: frozenset[str]) -> float:
    return len(wa & wb) / max(len(wa), len(wb), 1)


# Reworded tasks are looked for among this many comparisons at most (a few per task of a directive
# of hundreds); past it a task is compared with the old tasks near its own place in the list.
_MAX_COMPARISONS = 400_000
_NEAR = 100


def pair_tasks(old: list[Task], new: list[DraftTask]) -> list[tuple[Task | None, DraftTask | None]]:
    """Old and new tasks paired: identical text first, then the most similar (reworded), each once;
    what is left is added (new) or removed (old). Each text is folded once and identical texts are
    found by lookup, so the work grows with the tasks, not with their square."""
    pairs: dict[int, int] = {}                     # new index -> old index
    by_text: dict[str, list[int]] = {}
    for j, o in enumerate(old):
        by_text.setdefault(fold(o.text), []).append(j)
    for i, task in enumerate(new):
        same = by_text.get(fold(task.text))
        if same:
            pairs[i] = same.pop(0)
    taken = set(pairs.values())
    free = [j for j in range(len(old)) if j not in taken]
    rest = [i for i in range(len(new)) if i not in pairs]
    if free and rest:
        old_words = {j: _words(old[j].text) for j in free}
        near = len(free) * len(rest) > _MAX_COMPARISONS
        for i in rest:
            words = _words(new[i].text)
            pool = [j for j in free if abs(j - i) <= _NEAR] if near else free
            if not pool:
                continue
            best = max(pool, key=lambda j: _similarity(old_words[j], words))
            if _similarity(old_words[best], words) >= _SAME:
                pairs[i] = best
                free.remove(best)
    paired = set(pairs.values())
    out: list[tuple[Task | None, DraftTask | None]] = [
        (old[pairs[i]] if i in pairs else None, task) for i, task in enumerate(new)]
    return out + [(o, None) for j, o in enumerate(old) if j not in paired]


def _document_values(task: DraftTask) -> dict:
    return {"text": " ".join(task.text.split()), "lead": tuple(task.lead), "support": tuple(task.support),
            "due": task.due, "due_text": task.due_text, "every": task.every}


def _yaml(key: str, value):
    if key in ("lead",):
        return list(value) if len(value) > 1 else value[0]
    if key == "support":
        return list(value) or None
    return value


def _short(value) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value or "—")


def propose_update(before: bytes, existing: Directive, draft: Draft, today: date) -> tuple[bytes | None, list[Change]]:
    """The updated file's bytes (None when the document changes nothing) and the changes."""
    doc = Doc.decode(before)
    changes: list[Change] = []
    task_edits: dict[int, dict] = {}
    added: list[dict] = []
    next_n = max((x.n for x in existing.tasks), default=0) + 1
    for old, new in pair_tasks(existing.tasks, draft.tasks):
        if old is None:
            fields = {"n": next_n, **{k: _yaml(k, v) for k, v in _document_values(new).items() if v},
                      "status": "open"}
            if import_notes(new):
                fields["import_notes"] = import_notes(new)
            added.append(fields)
            changes.append(Change("added", next_n, (), new.text))
            next_n += 1
        elif new is None:
            if old.status != "open":     # done or already cancelled: the record stands as the clerk left it
                changes.append(Change("removed", old.n, (), old.text, t("(kept: {status})", status=old.status)))
                continue
            reason = f"Không còn trong văn bản nhập lại ({draft.source})" if draft.source else \
                "Không còn trong văn bản nhập lại"
            task_edits[old.n] = {"status": "cancelled", "cancelled": {"on": today, "reason": reason}}
            changes.append(Change("removed", old.n, (), old.text, t("(cancelled)")))
        else:
            edits, shown = _task_edits(old, new)
            if edits:
                notes = import_notes(new) + edits.pop("import_notes", [])
                if notes:
                    edits["import_notes"] = list(dict.fromkeys(notes))
                task_edits[old.n] = edits
                changes.append(Change("changed", old.n, tuple(k for k in edits if k != "import_notes"),
                                      new.text, "; ".join(shown)))
    # Every edit and every new task in one pass over the file each, whatever their number.
    doc = edit_tasks(doc, task_edits, _AFTER)
    if added:
        doc = append_tasks(doc, added)
    if draft.source_hash and existing.source_hash and existing.source_hash != draft.source_hash:
        doc = Doc(_HASH_LINE.sub(f"source_hash: {draft.source_hash}", doc.text, count=1), doc.bom, doc.newline)
    after = doc.encode()
    if after == before:
        return None, []
    _verify(existing, after, changes)
    return after, changes


def _task_edits(old: Task, new: DraftTask) -> tuple[dict, list[str]]:
    edits, shown = {}, []
    for key, value in _document_values(new).items():
        have = getattr(old, key)
        if key == "text":
            have = " ".join(have.split())
        if key == "due" and (old.extensions or old.occurrences):
            # The clerk moved this deadline (an extension, occurrences done): theirs stands, and is flagged.
            if value != old.original_due:
                shown.append(t("due: {new} not applied, the task's deadline is {kept} (extended)",
                               new=_short(value), kept=_short(old.due)))
                edits["import_notes"] = list(old.import_notes) + [
                    f"Văn bản nhập lại ghi hạn {_short(value)}; giữ hạn đã gia hạn {_short(old.due)}: cần kiểm tra."]
            continue
        if key == "due":
            have = old.original_due
        if (fold(", ".join(have)) == fold(", ".join(value))) if isinstance(value, tuple) else have == value:
            continue
        if key == "lead" and not value:
            continue     # the document names no lead now: the file's stands
        edits[key] = _yaml(key, value)
        if key != "text":
            shown.append(f"{key}: {_short(have)} → {_short(value)}")
    return edits, shown


def _verify(existing: Directive, after: bytes, changes: list[Change]) -> None:
    """The updated file reads back, with every task the update did not name exactly as it was."""
    from dtrack.store import files as store_mod
    try:
        updated, _ = directive_from_data(store_mod.parse(after.decode("utf-8-sig")), existing.stem, existing.path)
    except Exception as e:  # noqa: BLE001 - a bug here must not write a bad file
        raise DataError(t("internal check failed: the update of {path} does not read back ({error}); nothing "
                          "was written. Please report this with the file.", path=existing.path, error=str(e))) from None
    touched = {c.n for c in changes}
    by_n: dict[int, Task] = {}
    for task in updated.tasks:
        by_n.setdefault(task.n, task)
    for task in existing.tasks:
        kept = by_n.get(task.n)
        if kept is None or (task.n not in touched and kept != _reindexed(task, kept.index)):
            raise DataError(t("internal check failed: the update of {path} would also change task {n}; nothing "
                              "was written. Please report this with the file.", path=existing.path, n=task.n))


def _reindexed(task: Task, index: int) -> Task:
    from dataclasses import replace
    return replace(task, index=index)
