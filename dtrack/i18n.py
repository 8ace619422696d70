"""Every user-facing sentence goes through `t()`.

The English text is the message id, as with gettext: commands stay readable, and a translation
is a gettext catalogue, `locales/<lang>/LC_MESSAGES/dtrack.po`, compiled to the `dtrack.mo` beside
it (`python -m dtrack.locales.compile`) and read with the standard library. The CLI picks the
language once (`set_language`); until then, and for a language dtrack does not have, the text
is English. Adding a language never touches a command.
"""
from __future__ import annotations

import gettext
from contextlib import contextmanager
from importlib import resources

_catalog: gettext.NullTranslations = gettext.NullTranslations()


def _load_catalog(lang: str) -> gettext.NullTranslations:
    code = (lang or "").split(".")[0].split("_")[0].split("-")[0].lower()
    if not code or code == "en":
        return gettext.NullTranslations()
    # A real folder in every install mode (dtrack is never imported from a zip).
    localedir = str(resources.files("dtrack").joinpath("locales"))
    return gettext.translation("dtrack", localedir=localedir, languages=[code], fallback=True)


def set_language(lang: str) -> None:
    """Speak `lang` (a locale name such as vi, vi_VN.UTF-8) from now on; English when unknown or empty."""
    global _catalog
    _catalog = _load_catalog(lang)


def language() -> str:
    """The code of the language spoken now ('en' when no catalogue is loaded)."""
    return (_catalog.info().get("language") or "en").lower()


@contextmanager
def using(lang: str | None):
    """Speak `lang` inside the block, then the language spoken before: what leaves the office (reports,
    letters, calendars) speaks the store's language whatever the clerk's. None changes nothing."""
    global _catalog
    before = _catalog
    if lang is not None:
        _catalog = _load_catalog(lang)
    try:
        yield
    finally:
        _catalog = before


def t(msgid: str, /, **values: object) -> str:
    """Translate `msgid` and fill its `{placeholders}` from `values`."""
    text = _catalog.gettext(msgid)
    return text.format(**values) if values else text


def reset() -> None:
    """Back to English (tests that switched the language)."""
    set_language("")
