"""The store's settings (`directives/settings.yaml`): what an office sets once for everything it sends.

Language first: reports, letters and calendars that leave the office speak the store's language
whatever the clerk's computer. The rest fills the letters' and reports' administrative header.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from dtrack.i18n import t

VERSION = 1
LANGUAGES = ("vi", "en")
KEYS = ("version", "language", "office", "parent", "province", "place", "remind_days", "signer")


@dataclass(frozen=True)
class Signer:
    title: str = ""       # "KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG": the lines above the signature
    name: str = ""


@dataclass(frozen=True)
class Settings:
    version: int = VERSION
    language: str | None = None      # None: no store settings; the clerk's choice or the OS decides
    office: str = ""                 # "VĂN PHÒNG UBND TỈNH ..." as it heads a letter
    parent: str = ""                 # the body above the office: "UBND TỈNH ..."
    province: str = ""               # one of the 34 provinces (post-July-2025 names)
    place: str = ""                  # the place name before the date of a letter ("Huế, ngày ...")
    remind_days: int = 14            # "due soon" in reminders and the list's summary
    signer: Signer = Signer()


def from_data(data: object) -> tuple[Settings, list[tuple[str, str]]]:
    """Settings from the parsed YAML, and the problems found as (key, message) pairs; a bad value
    is reported and left at its default, so one typo never stops the office's work."""
    if data is None:
        return Settings(), []
    if not isinstance(data, dict):
        return Settings(), [("", t("the settings file must be a mapping of keys to values"))]
    problems: list[tuple[str, str]] = []
    values: dict = {}
    for key in data:
        if key not in KEYS:
            problems.append((str(key), t("unknown setting '{key}'; the settings are: {keys}", key=key,
                                         keys=", ".join(KEYS))))
    for key in ("office", "parent", "province", "place"):
        if key in data:
            if isinstance(data[key], str):
                values[key] = data[key].strip()
            else:
                problems.append((key, t("'{key}' must be text", key=key)))
    if "language" in data:
        if data["language"] in LANGUAGES:
            values["language"] = data["language"]
        else:
            problems.append(("language", t("'language' must be one of: {choices}", choices=", ".join(LANGUAGES))))
    if "remind_days" in data:
        days = data["remind_days"]
        if isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 366:
            values["remind_days"] = days
        else:
            problems.append(("remind_days", t("'remind_days' must be a whole number of days from 0 to 366")))
    signer = data.get("signer")
    if isinstance(signer, dict) and all(isinstance(signer.get(k, ""), str) for k in ("title", "name")):
        values["signer"] = Signer(signer.get("title", "").strip(), signer.get("name", "").strip())
    elif signer is not None:
        problems.append(("signer", t("'signer' must have a text 'title' and 'name'")))
    version = data.get("version", VERSION)
    if version != VERSION:
        problems.append(("version", t("settings version {version} is not known to this dtrack (it reads {known})",
                                      version=version, known=VERSION)))
    return Settings(**values), problems


def _scalar(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's): any office name or title is safe."""
    return json.dumps(text, ensure_ascii=False)


def to_yaml(settings: Settings) -> str:
    """The settings file `dtrack init` writes: every key, with a comment saying what it is for.
    `language` is a plain top-level line, the form store/files.settings_language reads fast."""
    return (
        "# dtrack: the store's settings (docs/format.md); dtrack check validates this file.\n"
        f"version: {settings.version}\n"
        "# vi or en: reports, letters and calendars speak it, and so does dtrack in this store\n"
        f"language: {settings.language or 'vi'}\n"
        "# the office, as it heads a letter, and the body above it\n"
        f"office: {_scalar(settings.office)}\n"
        f"parent: {_scalar(settings.parent)}\n"
        f"province: {_scalar(settings.province)}\n"
        "# the place name before the date of a letter\n"
        f"place: {_scalar(settings.place)}\n"
        "# days before a deadline that count as due soon in reminders\n"
        f"remind_days: {settings.remind_days}\n"
        "# the lines above the signature, and the signer's name\n"
        "signer:\n"
        f"  title: {_scalar(settings.signer.title)}\n"
        f"  name: {_scalar(settings.signer.name)}\n"
    )
