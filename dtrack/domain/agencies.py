"""The agency registry (directives/agencies.yaml): institutions with their names, abbreviations and
history, and the matching of what people type.

Matching ignores case, diacritics, punctuation and 'và'/'&' ("so tn va mt", "Sở TN&MT", "STNMT" are
one agency), and abbreviations made of a name's initials are understood without being listed. An
agency may be `replaced_by` successors from a day on (the 2025 mergers): a task keeps the name its
directive wrote, and `Registry.as_of(day)` answers who is in charge of it on that day.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from dtrack.i18n import t
from dtrack.domain.model import _as_date
from dtrack.domain.text import compact_key, fold, initials, name_key, nfc

# The kinds of body a directive assigns tasks to; `check` warns about any other.
KINDS = ("sở", "ban", "văn phòng", "thanh tra", "công an", "quân sự", "ubnd cấp tỉnh", "ubnd cấp huyện",
         "ubnd cấp xã", "phòng", "đơn vị sự nghiệp", "doanh nghiệp", "cơ quan trung ương", "đoàn thể",
         "nhóm")
# A successor chain longer than this is a cycle the checker reports; resolving stops there.
_MAX_CHAIN = 20
# How like a known name a typed one must be (similarity(), 0-100) to be offered.
SUGGEST_SCORE = 80


@dataclass(frozen=True, slots=True)
class Succession:
    """An agency's tasks pass to `name` from day `on`, decided by document `by`."""
    name: str
    on: date | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class Agency:
    name: str
    aliases: tuple[str, ...] = ()
    short: str | None = None
    kind: str | None = None
    parent: str | None = None
    replaced_by: tuple[Succession, ...] = ()
    established: date | None = None
    dissolved: date | None = None

    @property
    def short_name(self) -> str:
        """The name a calendar summary or a narrow table shows."""
        if self.short:
            return self.short
        compact = [a for a in self.aliases if " " not in a]
        if compact:
            return max(compact, key=len)
        # "Trung tâm CNTT&TT" beats "Trung tâm Công nghệ thông tin và Truyền thông" in a month view.
        return min(self.aliases, key=len) if self.aliases else self.name

    def as_data(self) -> dict:
        """The entry as agencies.yaml writes it (keys in the documented order, empty ones left out)."""
        replaced = [{k: v for k, v in (("name", x.name), ("on", x.on), ("by", x.by)) if v} for x in self.replaced_by]
        data = {"name": self.name, "kind": self.kind, "aliases": list(self.aliases), "short": self.short,
                "parent": self.parent, "established": self.established, "dissolved": self.dissolved,
                "replaced_by": replaced}
        return {k: v for k, v in data.items() if v}


def looks_unaccented(name: str) -> bool:
    """A Vietnamese name typed without its diacritics ("Chi cuc Thuy san"): plain ASCII with a
    lower-case word, which an abbreviation ("UBND", "VPUB") has not."""
    return name.isascii() and any(len(w) > 1 and w.isalpha() and w.islower() for w in name.split())


class Registry:
    def __init__(self, agencies: Iterable[Agency] = ()):
        self.agencies: list[Agency] = list(agencies)
        self.day: date | None = None
        self._by_key: dict[str, Agency] = {}
        compact: dict[str, Agency | None] = {}
        for agency in self.agencies:
            for label in (agency.name, *agency.aliases):
                self._by_key.setdefault(name_key(label), agency)
        for agency in self.agencies:
            for label in (agency.name, *agency.aliases):
                compact.setdefault(compact_key(label), agency)
        # Abbreviations nobody listed: "STNMT", "TNMT", "Sở TNMT" for "Sở Tài nguyên và Môi trường".
        # One that two agencies would share names neither.
        made: dict[str, Agency | None] = {}
        for agency in self.agencies:
            words = [w for w in name_key(agency.name).split() if w != "va"]
            if len(words) < 3:
                continue
            rest = initials(" ".join(words[1:]))
            for key in (initials(agency.name), words[0] + rest, rest):
                if len(key) >= 3 and key not in compact:
                    made[key] = agency if made.get(key, agency) is agency else None
        compact.update(made)
        self._by_compact = {k: a for k, a in compact.items() if a is not None}

    @classmethod
    def from_data(cls, data: Any) -> tuple["Registry", list[str]]:
        """Build from the parsed agencies.yaml; returns the registry and messages about bad entries."""
        problems: list[str] = []
        agencies = []
        if data is None:
            data = []
        if not isinstance(data, list):
            return cls(), [t("agencies.yaml must be a list of '- name: ...' entries")]
        for i, item in enumerate(data):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                problems.append(t("entry {i} has no name", i=i + 1))
                continue
            agencies.append(agency_from_data(item))
        return cls(agencies), problems

    # ------------------------------------------------------------------ names

    def get(self, label: str) -> Agency | None:
        key = name_key(label)
        return self._by_key.get(key) or self._by_compact.get(key.replace(" va ", " ").replace(" ", ""))

    def canonical(self, label: str) -> str:
        agency = self.get(label)
        return agency.name if agency else label

    def short_name(self, label: str) -> str:
        agency = self.get(label)
        return agency.short_name if agency else label

    # ------------------------------------------------------------------ history

    def as_of(self, day: date | None) -> "Registry":
        """The same registry answering for `day`: in_charge, current and label follow the successions
        decided by then."""
        view = copy.copy(self)
        view.day = day
        return view

    def in_charge(self, label: str, day: date | None = None) -> Agency | None:
        """The agency that holds `label`'s tasks on `day` (the registry's day by default): the first
        successor of each succession in force, followed to the end of the chain."""
        day = day or self.day
        agency = self.get(label)
        if agency is None or day is None:
            return agency
        for _ in range(_MAX_CHAIN):
            nxt = next((s for s in agency.replaced_by if s.on is None or s.on <= day), None)
            successor = self.get(nxt.name) if nxt else None
            if successor is None or successor is agency:
                return agency
            agency = successor
        return agency

    def current(self, label: str) -> str:
        """The canonical name of the agency in charge of `label` (the label itself when unknown)."""
        agency = self.in_charge(label)
        return agency.name if agency else label

    def label(self, name: str, short: bool) -> str:
        """A name as views print it: 'Sở KH&CN (trước: Sở TTTT)' when another agency holds it now."""
        own = self.short_name(name) if short else name
        agency = self.in_charge(name)
        if agency is None or agency is self.get(name):
            return own
        return t("{now} (formerly: {old})", now=agency.short_name if short else agency.name,
                 old=self.short_name(name))

    def predecessors(self, agency: Agency) -> list[Agency]:
        """The agencies whose tasks pass, directly or through others, to `agency` (any day)."""
        out: list[Agency] = []
        todo = [agency]
        while todo:
            now = todo.pop()
            for a in self.agencies:
                if a not in out and a is not agency and any(self.get(s.name) is now for s in a.replaced_by):
                    out.append(a)
                    todo.append(a)
        return out

    # ------------------------------------------------------------------ matching

    def match(self, query: str, names_in_use: Iterable[str] = ()) -> set[str]:
        """Folded canonical names of every agency the query names: exact name or abbreviation first,
        else a part of a name."""
        key = name_key(query)
        if not key:
            return set()
        agency = self.get(query)
        if agency:
            found = {agency.name}
        else:
            labels = {a.name for a in self.agencies} | {self.canonical(n) for n in names_in_use}
            found = {label for label in labels if key in name_key(label)}
        return {fold(n) for n in found}

    def holds(self, keys: set[str], name: str) -> bool:
        """Whether a task written to `name` belongs to one of the matched agencies (keys from match):
        as written, or through its successor in charge on the registry's day ('--agency "Sở KH&CN"'
        finds what Sở TTTT was given)."""
        return fold(self.canonical(name)) in keys or fold(self.current(name)) in keys

    def widen(self, keys: set[str], names: Iterable[str]) -> set[str]:
        """keys with the folded canonical names among `names` that hold for them."""
        return keys | {fold(self.canonical(n)) for n in names if self.holds(keys, n)}

    def suggestions(self, query: str, names_in_use: Iterable[str] = ()) -> list[str]:
        """Up to three known names most like the query, the closest first."""
        from rapidfuzz import fuzz, process     # 30 ms to import: only when a name is not known

        by_key: dict[str, str] = {name_key(label): label for label in names_in_use}
        for a in self.agencies:
            by_key[name_key(a.name)] = a.name
            for alias in a.aliases:
                by_key.setdefault(name_key(alias), a.name)
        query_key = name_key(query)
        if not query_key:
            return []
        scored = process.extract(query_key, list(by_key), scorer=similarity, limit=12,
                                 score_cutoff=SUGGEST_SCORE)
        scored.sort(key=lambda x: (-x[1], -fuzz.ratio(query_key, x[0])))
        # Only the near-best: a far second ("Sở Y tế" for "Sở Tài chnh") would only mislead.
        scored = [x for x in scored if x[1] >= scored[0][1] - 6]
        return list(dict.fromkeys(by_key[label] for label, _score, _i in scored))[:3]

    def typo_of(self, name: str) -> str | None:
        """The known agency a new name is most probably a misspelling of: one or two letters away (two
        only in a longer name), so "Sở Ngoại vụ" is not taken for "Sở Nội vụ"."""
        from rapidfuzz.distance import Levenshtein

        key = name_key(name)
        allowed = 2 if len(key) >= 15 else 1
        best, least = None, allowed + 1
        for a in self.agencies:
            for label in (a.name, *a.aliases):
                d = Levenshtein.distance(key, name_key(label), score_cutoff=allowed)
                if d < least:
                    best, least = a.name, d
        return best


def similarity(a: str, b: str, **_kw) -> float:
    """How alike two name keys are (0-100): the edit-distance ratio, or, a little lower, the words of
    one all found in the other ("Sở Nông nghiệp và Môi" cut from a longer name)."""
    from rapidfuzz import fuzz

    return max(fuzz.ratio(a, b), 0.95 * fuzz.token_set_ratio(a, b))


def agency_from_data(item: dict) -> Agency:
    aliases = item.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    short = item.get("short")
    return Agency(nfc(item["name"].strip()),
                  tuple(nfc(str(a).strip()) for a in aliases if str(a).strip()),
                  nfc(str(short)) if short else None,
                  kind=_text(item.get("kind")), parent=_text(item.get("parent")),
                  replaced_by=tuple(_successions(item.get("replaced_by"))),
                  established=_day(item.get("established")), dissolved=_day(item.get("dissolved")))


def _text(value: Any) -> str | None:
    return nfc(str(value).strip()) if isinstance(value, str) and value.strip() else None


def _day(value: Any) -> date | None:
    """A date of the file, or None (check reports a bad one, with its place)."""
    return _as_date(value, (), [], "") if isinstance(value, (date, str)) else None


def _on(item: dict) -> Any:
    # YAML 1.1 (PyYAML) reads an unquoted `on:` key as the boolean true.
    return item["on"] if "on" in item else item.get(True)


def _successions(value: Any) -> list[Succession]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    out = []
    for item in items:
        if isinstance(item, str) and item.strip():
            out.append(Succession(nfc(item.strip())))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append(Succession(nfc(item["name"].strip()), _day(_on(item)), _text(item.get("by"))))
    return out


def entry_problems(data: Any) -> list[tuple[tuple, str, str]]:
    """What `check` says about the history of agencies.yaml's entries: (key path, message, severity).
    Successors must be agencies of the file, their days real, no agency its own successor through a
    chain, and an agency not dissolved before it was established."""
    if not isinstance(data, list):
        return []
    registry = Registry.from_data(data)[0]
    out: list[tuple[tuple, str, str]] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = nfc(item["name"].strip())
        kind = item.get("kind")
        if kind is not None and (not isinstance(kind, str) or kind.strip().casefold() not in KINDS):
            out.append(((i, "kind"), t("unknown kind '{kind}' (known: {kinds})", kind=kind,
                                       kinds=", ".join(KINDS)), "warning"))
        for key in ("established", "dissolved"):
            if item.get(key) is not None and _day(item[key]) is None:
                out.append(((i, key), t("{key} must be a date written YYYY-MM-DD", key=key), "error"))
        start, end = _day(item.get("established")), _day(item.get("dissolved"))
        if start and end and end < start:
            out.append(((i, "dissolved"), t("{name} is dissolved before it is established", name=name), "error"))
        parent = item.get("parent")
        if isinstance(parent, str) and parent.strip() and registry.get(parent) is None:
            out.append(((i, "parent"), t("parent '{name}' is not an agency of this file", name=parent), "warning"))
        out += _succession_problems(registry, item, i, name)
    return out


def _succession_problems(registry: Registry, item: dict, i: int, name: str) -> list[tuple[tuple, str, str]]:
    value = item.get("replaced_by")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for j, entry in enumerate(items):
        at = (i, "replaced_by", j) if isinstance(value, list) else (i, "replaced_by")
        successor = entry if isinstance(entry, str) else entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(successor, str) or not successor.strip():
            out.append((at, t("replaced_by entries are '- name: ..., on: YYYY-MM-DD'"), "error"))
            continue
        if registry.get(successor) is None:
            close = registry.suggestions(successor)
            hint = (" " + t("Did you mean: {names}?", names=", ".join(close))) if close else ""
            out.append((at, t("successor '{name}' is not an agency of this file", name=successor) + hint, "error"))
            continue
        on = _on(entry) if isinstance(entry, dict) else None
        if on is None:
            out.append((at, t("the succession of {name} needs 'on:', the day it took effect", name=name), "warning"))
        elif _day(on) is None:
            out.append((at + ("on",), t("{key} must be a date written YYYY-MM-DD", key="on"), "error"))
    agency = registry.get(name)
    if agency is not None and agency.replaced_by:
        seen, now = [agency], agency
        for _ in range(_MAX_CHAIN):
            nxt = registry.get(now.replaced_by[0].name) if now.replaced_by else None
            if nxt is None:
                break
            if nxt in seen:
                chain = " → ".join(a.name for a in seen + [nxt])
                out.append(((i, "replaced_by"), t("the successions go round in a circle: {chain}", chain=chain),
                            "error"))
                break
            seen.append(nxt)
            now = nxt
    return out
