"""`dtrack agencies`: the registry as a clerk keeps it. list (with each agency's open and overdue
tasks as of today, successions applied), show, and the three changes of agencies.yaml, each one
entry's lines rewritten or appended in one commit: add, rename (the old name stays as an alias, so the
directives that wrote it still resolve), succeed (the old agencies' tasks pass to a successor from a
day, by a document)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Sequence

from dtrack.domain.agencies import KINDS, Agency, Registry, Succession, looks_unaccented
from dtrack.domain.dates import fmt
from dtrack.domain.states import state_of
from dtrack.domain.text import fold, name_key, nfc
from dtrack.errors import NotFoundError, UsageError
from dtrack.i18n import t
from dtrack.services.ops import Result
from dtrack.store import agencyfile, transaction
from dtrack.store import files as store_mod
from dtrack.store.yamledit import Doc


class Line(NamedTuple):
    agency: Agency
    open: int
    overdue: int
    successor: str | None       # the agency in charge now, when another


def listing(collection, today: date) -> list[Line]:
    """Every agency of the registry with the open and overdue tasks it leads today: its own and its
    predecessors' (read from the index, no directive built)."""
    refuse_unreadable(collection.registry, collection.problems, collection.root)
    registry = collection.registry.as_of(today)
    counts: dict[str, list[int]] = {}
    for x in collection.tasks(today, window=0, scope="all", status="open"):
        overdue = state_of(x, today, 0)[0] == "overdue"
        for name in dict.fromkeys(registry.current(a) for a in x.lead):
            c = counts.setdefault(fold(name), [0, 0])
            c[0] += 1
            c[1] += overdue
    out = []
    for agency in registry.agencies:
        now = registry.current(agency.name)
        c = counts.get(fold(agency.name), [0, 0])
        out.append(Line(agency, c[0], c[1], now if now != agency.name else None))
    return out


@dataclass
class Detail:
    agency: Agency
    in_charge: Agency | None            # today, when another
    predecessors: list[Agency]


def show(registry: Registry, name: str, today: date) -> Detail:
    agency = _known(registry, name)
    now = registry.in_charge(agency.name, today)
    return Detail(agency, now if now is not agency else None, registry.predecessors(agency))


def _known(registry: Registry, name: str) -> Agency:
    agency = registry.get(name)
    if agency is None:
        close = registry.suggestions(name)
        raise NotFoundError(t("no agency '{name}' in agencies.yaml", name=name),
                            hint=t("Did you mean: {names}?", names=", ".join(close)) if close else
                            t("'dtrack agencies list' shows them."))
    return agency


def vet_new_name(registry: Registry, name: str, option: str, force: bool) -> None:
    """A name about to enter the registry: refused when it is already there, looks like a misspelling
    of one that is ("so tai chin": Sở Tài chính?) or lacks its diacritics, unless `force`."""
    known = registry.get(name)
    if known is not None:
        raise UsageError(t("{option}: '{name}' is already in agencies.yaml as {known}", option=option, name=name,
                           known=known.name))
    if force:
        return
    close = registry.typo_of(name)
    if close is not None:
        raise UsageError(t("{option}: '{name}' is very like {known}; {known}?", option=option, name=name, known=close),
                         hint=t("Use that name; if it really is another agency, add it with "
                                "'dtrack agencies add \"{name}\" --force'.", name=name))
    if looks_unaccented(name):
        raise UsageError(t("{option}: '{name}' is written without diacritics", option=option, name=name),
                         hint=t("Type it as the documents write it (Chi cục Thủy sản, not Chi cuc Thuy san); "
                                "add --force if it really is written so."))


def add(store, name: str, today: date, *, kind: str | None = None, aliases: Sequence[str] = (),
        short: str | None = None, parent: str | None = None, force: bool = False, commit: bool = True) -> Result:
    name = nfc(" ".join(name.split()))
    if not name:
        raise UsageError(t("the agency name is empty"))
    registry = _fresh(store)
    vet_new_name(registry, name, t("name"), force)
    if kind is not None and fold(kind) not in {fold(k) for k in KINDS}:
        raise UsageError(t("--kind must be one of {allowed}", allowed=", ".join(KINDS)))
    for alias in aliases:
        if registry.get(alias) is not None:
            raise UsageError(t("--alias '{alias}' already names {other}", alias=alias,
                               other=registry.get(alias).name))
    if parent is not None:
        parent = _known(registry, parent).name
    kind = next((k for k in KINDS if fold(k) == fold(kind)), None) if kind else None
    agency = Agency(name, tuple(nfc(a.strip()) for a in aliases if a.strip()), nfc(short) if short else None,
                    kind=kind, parent=parent)
    return _write(store, lambda text: agencyfile.appended(text, agency), f"agencies add {name}",
                  t("New agency: {name}", name=name), commit)


def rename(store, old: str, new: str, today: date, *, by: str | None = None, commit: bool = True) -> Result:
    """The agency's canonical name becomes `new`; the old one is kept as its first alias."""
    registry = _fresh(store)
    agency = _known(registry, old)
    new = nfc(" ".join(new.split()))
    other = registry.get(new)
    if other is not None and other is not agency:
        raise UsageError(t("'{name}' already names {other}", name=new, other=other.name))
    if new == agency.name:
        raise UsageError(t("{name} is already its name", name=new))
    if other is None:
        vet_new_name(Registry(a for a in registry.agencies if a is not agency), new, t("new name"), True)
    aliases = tuple(dict.fromkeys(a for a in (agency.name, *agency.aliases) if name_key(a) != name_key(new)))
    renamed = dataclasses.replace(agency, name=new, aliases=aliases)
    # Successions that named the old agency by its old name still resolve: it is an alias now.
    i = registry.agencies.index(agency)
    return _write(store, lambda text: agencyfile.replaced(text, i, renamed), f"agencies rename {agency.name} → {new}",
                  t("By: {document}", document=by) if by else "", commit)


def succeed(store, olds: Sequence[str], new: str, today: date, *, on: date, by: str | None = None,
            commit: bool = True) -> Result:
    """The tasks of `olds` pass to `new` from `on` (a merger when several): each gets a replaced_by entry
    and `dissolved: on` unless it already has one."""
    registry = _fresh(store)
    successor = _known(registry, new)
    entries = []
    for old in olds:
        agency = _known(registry, old)
        if agency is successor:
            raise UsageError(t("{name} cannot succeed itself", name=agency.name))
        if any(registry.get(s.name) is successor for s in agency.replaced_by):
            raise UsageError(t("{old} is already succeeded by {new}", old=agency.name, new=successor.name))
        if successor in registry.predecessors(agency):
            raise UsageError(t("{new} is a predecessor of {old}: the successions would go round in a circle",
                               new=successor.name, old=agency.name))
        record = Succession(successor.name, on, nfc(by.strip()) if by else None)
        entries.append((registry.agencies.index(agency), dataclasses.replace(
            agency, replaced_by=(record, *agency.replaced_by), dissolved=agency.dissolved or on)))

    def edit(text: str) -> str:
        for i, agency in sorted(entries, reverse=True):     # from the end: earlier offsets stay valid
            text = agencyfile.replaced(text, i, agency)
        return text
    names = ", ".join(registry.agencies[i].name for i, _ in entries)
    note = t("From {date}", date=fmt(on)) + (f"\n{t('By')}: {by}" if by else "")
    return _write(store, edit, f"agencies succeed {names} → {successor.name}", note, commit)


def refuse_unreadable(registry: Registry, problems, root) -> None:
    """list and show on an agencies.yaml the loader could not read: one located line, never an empty
    table or "no agency 'STC'" (a file with some bad entries still lists the others)."""
    if not registry.agencies:
        _refuse([p for p in problems if p.path == root / store_mod.AGENCIES_FILE])


def _refuse(problems) -> None:
    if problems:
        p = problems[0]
        where = store_mod.AGENCIES_FILE + "".join(f":{x}" for x in (p.line, p.col) if x)
        raise UsageError(t("{path}: {message}; fix the file first ('dtrack check')", path=where, message=p.message))


def _fresh(store) -> Registry:
    registry, problems = store_mod.load_registry(store.root)
    _refuse(problems)
    return registry


def _write(store, change, subject: str, note: str, commit: bool) -> Result:
    """One change of agencies.yaml through the one transaction, re-read under the lock and checked
    to read back as a registry before it is written."""
    path = store.root / store_mod.AGENCIES_FILE
    with transaction.open(store.root, commit=commit, timeout=store.lock_timeout) as tx:
        raw = tx.read(path) if path.exists() else b""
        doc = Doc.decode(raw)
        text = change(doc.text)
        registry, problems = Registry.from_data(store_mod.parse(text))
        if problems:
            raise UsageError(t("cannot change agencies.yaml: {problem}", problem=problems[0]))
        tx.write(path, Doc(text, doc.bom, doc.newline).encode(), before=raw if path.exists() else None)
        result = Result(changed=[subject], files=[path], warnings=tx.warnings, summary=subject)
        result.commit = tx.finish(transaction.Message(subject, "agencies", [], [note]))
    return result
