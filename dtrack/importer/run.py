"""The import use-case: read documents, propose directive files, refuse duplicates, write, commit."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dtrack.store import transaction
from dtrack.errors import DataError, UsageError
from dtrack.i18n import t
from dtrack.domain.model import InvalidDirective, directive_from_data
from dtrack.domain.text import fold
from dtrack.importer.doctext import read_document
from dtrack.importer.draft import Draft, extract, to_yaml


# The YAML, its check and the review grow with the tasks; a directive has tens of them.
MAX_TASKS = 2_000


@dataclass
class Imported:
    path: Path                 # the input document
    draft: Draft
    yaml: str
    rel: str                   # the directive file, relative to the store


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


def prepare(paths: list[Path], store, today: date) -> list[Imported]:
    """Everything checked before anything is written: readable, valid, not already in the store."""
    items: list[Imported] = []
    issuers = [d.issuer for d in store.directives] if store is not None else []
    registry = store.registry if store is not None else None
    if registry is None:
        from dtrack.domain.agencies import Registry
        registry = Registry()
    for path in paths:
        text = read_document(path)
        draft = extract(text, registry, issuers, source=_source_name(path, store.root if store else None),
                        today=today)
        if not draft.tasks:
            draft.notes.append("Không tìm thấy nhiệm vụ nào trong văn bản.")
        if len(draft.tasks) > MAX_TASKS:
            raise DataError(t("{path}: {count} tasks found; dtrack imports up to {max} tasks from one document",
                              path=path, count=len(draft.tasks), max=MAX_TASKS),
                            hint=t("Import the part of the document that assigns the tasks."))
        body = to_yaml(draft)
        rel = draft.relpath()
        try:
            from dtrack.store import files as store_mod
            directive_from_data(store_mod.parse(body), draft.stem, rel)
        except (InvalidDirective, Exception) as e:  # noqa: BLE001 - a bug here must not write a bad file
            msg = e.problems[0].message if isinstance(e, InvalidDirective) else str(e)
            raise DataError(t("{path}: the proposed directive is not valid ({error}); nothing was written",
                              path=path, error=msg)) from None
        items.append(Imported(path, draft, body, rel))
    _refuse_duplicates(items, store)
    return items


def _refuse_duplicates(items: list[Imported], store) -> None:
    seen: dict[str, Path] = {}
    for item in items:
        h = item.draft.header
        key = fold(h.number) if h.number else item.rel
        if key in seen:
            raise UsageError(t("{a} and {b} are the same document ({what}); nothing was written",
                               a=seen[key], b=item.path, what=h.number or item.rel))
        seen[key] = item.path
        if store is None:
            continue
        for d in store.directives:
            same = (h.number and fold(d.number) == fold(h.number)) or d.path == item.rel or (
                not h.number and not d.number and d.issued == h.issued and fold(d.title) == fold(h.title))
            if same:
                what = t("number {number}", number=h.number) if h.number else d.path
                raise UsageError(t("{path}: already in the store as {file} ({what}); nothing was written",
                                   path=item.path, file=d.path, what=what),
                                 hint=t("Edit that file instead, or remove it first if this import should replace it."))
        if (store.root / item.rel).exists():
            raise UsageError(t("{path}: {file} already exists; nothing was written", path=item.path, file=item.rel))


def write(items: list[Imported], store, commit: bool) -> ImportResult:
    """Every proposed file, new, in one transaction: all written and committed together, or none."""
    result = ImportResult(items)
    with transaction.open(store.root, commit=commit, timeout=store.lock_timeout) as tx:
        result.warnings = tx.warnings
        for item in items:
            target = store.root / item.rel
            if target.exists():
                raise UsageError(t("{file} already exists; nothing was written", file=item.rel))
            tx.write(target, item.yaml.encode("utf-8"), before=None)
            result.written.append(target)
        result.commit = tx.finish(_message(items))
    return result


def _message(items: list[Imported]) -> transaction.Message:
    if len(items) == 1:
        d = items[0].draft
        what = d.header.number or d.stem
        subject = f"import {what} [{d.header.issuer}]: {len(d.tasks)} task(s)"
    else:
        subject = f"import {len(items)} directives: " + ", ".join(i.draft.stem for i in items)
        if len(subject) > 72:
            subject = subject[:69].rsplit(",", 1)[0] + ", …"
    body = [f"- {i.draft.stem}: {i.draft.header.title[:100]} (from {i.draft.source})" for i in items]
    return transaction.Message(subject, "import", [i.draft.stem for i in items], ["\n".join(body)])
