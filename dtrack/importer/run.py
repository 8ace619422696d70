"""The import use-case: read documents, propose directive files or updates of the ones already in the
store, and write what the clerk accepted in one transaction.

A document already in the store (same number, normalised; for an unnumbered one the same normalised
text, or the same date and title) is never copied twice: `prepare` proposes an update of that file,
task by task (added, changed, removed), which keeps everything the clerk recorded (status, done,
notes, extensions, occurrences).
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dtrack.store import transaction
from dtrack.errors import DataError, UsageError
from dtrack.i18n import t
# MAX_TASKS: the YAML, its check and the review grow with the tasks; an import never writes a file the
# store would refuse (a directive file's own bound).
from dtrack.domain.model import MAX_TASKS, Directive, InvalidDirective, directive_from_data
from dtrack.domain.text import fold
from dtrack.importer.doctext import read_document
from dtrack.importer.draft import Draft, extract, to_yaml
from dtrack.importer.paragraphs import Bound
from dtrack.importer.update import Change, propose_update


@dataclass
class Imported:
    path: Path                 # the input document
    draft: Draft
    yaml: str                  # the directive the document proposes, as a new file
    rel: str                   # the directive file, relative to the store
    existing: Directive | None = None      # set: the document is already in the store, as this file
    before: bytes | None = None            # that file's bytes when the update was proposed
    after: bytes | None = None             # the updated file (None: nothing to change)
    changes: list[Change] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.existing is not None

    def content(self) -> bytes | None:
        """What accepting this item writes (None: nothing)."""
        return self.after if self.is_update else self.yaml.encode("utf-8")


@dataclass
class ImportResult:
    items: list[Imported] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)


def _source_name(path: Path, root: Path | None) -> str:
    base = root.parent if root is not None else None
    try:
        if base is not None:
            rel = os.path.relpath(path.resolve(), base.resolve())
            if not rel.startswith(".."):
                return Path(rel).as_posix()
    except ValueError:
        pass
    return path.name


def fingerprint(text: str) -> str:
    """The same document however it arrived (.txt or .docx, CRLF, rewrapped lines, other spacing or
    case): its words, folded, in order."""
    words = re.findall(r"\w+", fold(text))
    return "sha256:" + hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def number_key(number: str) -> str:
    """'212/TB-UBND', '212 / TB–UBND' and '212/tb-ubnd' are one number."""
    return re.sub(r"\s+", "", fold(number)).replace("–", "-").replace("—", "-")


def prepare(paths: list[Path], store, today: date) -> list[Imported]:
    """Everything checked before anything is written: readable, valid; a document already in the
    store becomes a proposed update of its file."""
    items: list[Imported] = []
    issuers = [d.issuer for d in store.directives] if store is not None else []
    registry = store.registry if store is not None else None
    if registry is None:
        from dtrack.domain.agencies import Registry
        registry = Registry()
    for path in paths:
        text = read_document(path)
        try:
            draft = extract(text, registry, issuers, source=_source_name(path, store.root if store else None),
                            today=today)
        except Bound as e:
            raise _too_much(path, e) from None
        draft.source_hash = fingerprint(text)
        if not draft.tasks:
            draft.notes.append("Không tìm thấy nhiệm vụ nào trong văn bản.")
        if len(draft.tasks) > MAX_TASKS:
            raise DataError(t("{path}: {count} tasks found; dtrack imports up to {max} tasks from one document",
                              path=path, count=len(draft.tasks), max=MAX_TASKS),
                            hint=t("Import the part of the document that assigns the tasks."))
        body = to_yaml(draft)
        rel = draft.relpath()
        check_text(body, rel, path)
        items.append(Imported(path, draft, body, rel))
    _refuse_twice_in_batch(items)
    if store is not None:
        for item in items:
            _match_store(item, store, today)
    return items


def _too_much(path: Path, bound: Bound) -> DataError:
    hint = t("Import the part of the document that assigns the tasks.")
    if bound.what == "paragraph":
        return DataError(t("{path}:{line}: a paragraph of more than {max} characters; dtrack reads paragraphs of up "
                           "to {max} characters (a task is a few sentences)", path=path, line=bound.line,
                           max=bound.limit), hint=t("Break it into paragraphs, or import the part of the document "
                                                    "that assigns the tasks."))
    return DataError(t("{path}: the body has {count} paragraphs and clauses to read; dtrack reads up to {max} "
                       "(a directive has tens of tasks)", path=path, count=bound.found, max=bound.limit), hint=hint)


def check_text(text: str, rel: str, path) -> Directive:
    """The directive a proposed (or clerk-edited) file holds; a DataError naming `path` if invalid."""
    from dtrack.store import files as store_mod
    try:
        return directive_from_data(store_mod.parse(text), Path(rel).stem, rel)[0]
    except (InvalidDirective, Exception) as e:  # noqa: BLE001 - a bug here must not write a bad file
        msg = e.problems[0].message if isinstance(e, InvalidDirective) else str(e)
        raise DataError(t("{path}: the proposed directive is not valid ({error}); nothing was written",
                          path=path, error=msg)) from None


def _refuse_twice_in_batch(items: list[Imported]) -> None:
    seen: dict[str, Path] = {}
    for item in items:
        h = item.draft.header
        for key in {number_key(h.number) if h.number else item.rel, item.draft.source_hash}:
            if key in seen:
                raise UsageError(t("{a} and {b} are the same document ({what}); nothing was written",
                                   a=seen[key], b=item.path, what=h.number or item.rel))
            seen[key] = item.path


def same_document(d: Directive, draft: Draft) -> bool:
    h = draft.header
    if h.number or d.number:
        return bool(h.number and d.number) and number_key(d.number) == number_key(h.number)
    return d.source_hash == draft.source_hash or (
        d.issued == h.issued and fold(d.title) == fold(h.title))


def _match_store(item: Imported, store, today: date) -> None:
    existing = next((d for d in store.directives if same_document(d, item.draft)), None)
    if existing is None:
        if (store.root / item.rel).exists():
            raise UsageError(t("{path}: {file} already exists and holds another document; nothing was written",
                               path=item.path, file=item.rel),
                             hint=t("Check that file: if it is this document, give it the document's number."))
        return
    before = store.file(existing).read_bytes()
    item.existing, item.before = existing, before
    item.after, item.changes = propose_update(before, existing, item.draft, today)
    item.rel = existing.path


def write(items: list[Imported], store, commit: bool) -> ImportResult:
    """Every accepted item in one transaction: new files and updates, all written and committed
    together, or none."""
    result = ImportResult(items)
    todo = [i for i in items if i.content() is not None]
    if not todo:
        return result
    with transaction.open(store.root, commit=commit, timeout=store.lock_timeout) as tx:
        result.warnings = tx.warnings
        for item in todo:
            target = store.root / item.rel
            if item.is_update:
                if tx.read(target) != item.before:
                    raise DataError(t("{file} changed while the import was under review; nothing was written",
                                      file=item.rel), hint=t("Run the import again."))
                tx.write(target, item.after, before=item.before)
            else:
                if target.exists():
                    raise UsageError(t("{file} already exists; nothing was written", file=item.rel))
                tx.write(target, item.content(), before=None)
            result.written.append(target)
        result.commit = tx.finish(_message(todo))
    return result


def _counts(item: Imported) -> str:
    if not item.is_update:
        return t("{n} task(s)", n=len(item.draft.tasks))
    n = {k: sum(c.kind == k for c in item.changes) for k in ("added", "changed", "removed")}
    return t("+{added} ~{changed} -{removed} task(s)", **n)


def _message(items: list[Imported]) -> transaction.Message:
    stems = [i.existing.stem if i.is_update else i.draft.stem for i in items]
    if len(items) == 1:
        item, d = items[0], items[0].draft
        what = d.header.number or stems[0]
        issuer = item.existing.issuer if item.is_update else d.header.issuer
        subject = (t("import update {ref} [{issuer}]: {counts}", ref=what, issuer=issuer, counts=_counts(item))
                   if item.is_update else t("import {ref} [{issuer}]: {counts}", ref=what, issuer=issuer, counts=_counts(item)))
    else:
        subject = t("import {n} directives: {stems}", n=len(items), stems=", ".join(stems))
        if len(subject) > 72:
            subject = subject[:69].rsplit(",", 1)[0] + ", …"
    body = [f"- {stem}: {_counts(i)}, {i.draft.header.title[:100]} (from {i.draft.source})"
            for stem, i in zip(stems, items)]
    body += [f"  {c.line()}" for i in items for c in i.changes]
    return transaction.Message(subject, "import", stems, ["\n".join(body)])
