"""The agency registry (directives/agencies.yaml): canonical names, abbreviations, matching.

Matching ignores case and diacritics, so "so tai chinh", "STC" and "Sở Tài chính" are
one agency. Names absent from the registry still work as themselves.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterable

from dtrack.i18n import t
from dtrack.domain.text import fold, nfc


@dataclass(frozen=True, slots=True)
class Agency:
    name: str
    aliases: tuple[str, ...] = ()
    short: str | None = None

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


class Registry:
    def __init__(self, agencies: Iterable[Agency] = ()):
        self.agencies: list[Agency] = list(agencies)
        self._by_key: dict[str, Agency] = {}
        for agency in self.agencies:
            for label in (agency.name, *agency.aliases):
                self._by_key.setdefault(fold(label), agency)

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
            aliases = item.get("aliases") or []
            if isinstance(aliases, str):
                aliases = [aliases]
            short = item.get("short")
            agencies.append(Agency(nfc(item["name"].strip()),
                                   tuple(nfc(str(a).strip()) for a in aliases if str(a).strip()),
                                   nfc(str(short)) if short else None))
        return cls(agencies), problems

    def get(self, label: str) -> Agency | None:
        return self._by_key.get(fold(label))

    def canonical(self, label: str) -> str:
        agency = self.get(label)
        return agency.name if agency else label

    def short_name(self, label: str) -> str:
        agency = self.get(label)
        return agency.short_name if agency else label

    def match(self, query: str, names_in_use: Iterable[str] = ()) -> set[str]:
        """Folded keys of every agency the query names: exact name or alias first, else a part of a name."""
        key = fold(query)
        if not key:
            return set()
        agency = self._by_key.get(key)
        if agency:
            return {fold(agency.name)}
        candidates = {fold(a.name) for a in self.agencies} | {fold(self.canonical(n)) for n in names_in_use}
        return {c for c in candidates if key in c}

    def suggestions(self, query: str, names_in_use: Iterable[str] = ()) -> list[str]:
        labels = {a.name for a in self.agencies} | set(names_in_use)
        by_key = {fold(label): label for label in labels}
        for a in self.agencies:
            for alias in a.aliases:
                by_key.setdefault(fold(alias), a.name)
        close = difflib.get_close_matches(fold(query), list(by_key), n=3, cutoff=0.6)
        return sorted({by_key[c] for c in close})
