"""Every user-facing sentence goes through `t()`.

The English text is the message id, as with gettext: commands stay readable, and a
translation is a dict from those ids to translated templates, picked by DTRACK_LANG
(`vi`, ...). Adding a language never touches a command.
"""
from __future__ import annotations

import importlib
import os

_catalog: dict[str, str] | None = None


def _load_catalog() -> dict[str, str]:
    lang = (os.environ.get("DTRACK_LANG") or "").split(".")[0].split("_")[0].lower()
    if not lang or lang == "en":
        return {}
    try:
        return importlib.import_module(f"dtrack.locales.{lang}").MESSAGES
    except (ImportError, AttributeError):
        return {}


def t(msgid: str, /, **values: object) -> str:
    """Translate `msgid` and fill its `{placeholders}` from `values`."""
    global _catalog
    if _catalog is None:
        _catalog = _load_catalog()
    text = _catalog.get(msgid, msgid)
    return text.format(**values) if values else text


def reset() -> None:
    """Forget the loaded catalog (tests switch DTRACK_LANG)."""
    global _catalog
    _catalog = None
