"""Every user-facing sentence goes through `t()`.

The English text is the message id, as with gettext: commands stay readable, and a
translation is a dict from those ids to translated templates. The CLI picks the language
once (`set_language`, from DTRACK_LANG: `vi`, ...); until then, and for a language dtrack
does not have, the text is English. Adding a language never touches a command.
"""
from __future__ import annotations

import importlib

_catalog: dict[str, str] = {}


def _load_catalog(lang: str) -> dict[str, str]:
    code = (lang or "").split(".")[0].split("_")[0].lower()
    if not code or code == "en":
        return {}
    try:
        return importlib.import_module(f"dtrack.locales.{code}").MESSAGES
    except (ImportError, AttributeError):
        return {}


def set_language(lang: str) -> None:
    """Speak `lang` (a locale name such as vi, vi_VN.UTF-8) from now on; English when unknown or empty."""
    global _catalog
    _catalog = _load_catalog(lang)


def t(msgid: str, /, **values: object) -> str:
    """Translate `msgid` and fill its `{placeholders}` from `values`."""
    text = _catalog.get(msgid, msgid)
    return text.format(**values) if values else text


def reset() -> None:
    """Back to English (tests that switched the language)."""
    set_language("")
