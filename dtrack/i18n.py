"""Every user-facing sentence goes through `t()`.

The English text is the message id, as with gettext: commands stay readable, and a translation
is a gettext catalogue, `locales/<lang>/LC_MESSAGES/dtrack.po`, compiled to the `dtrack.mo` beside
it (`python -m dtrack.locales.compile`) and read with the standard library. The CLI picks the
language once (`set_language`); until then, and for a language dtrack does not have, the text
is English. Adding a language never touches a command. `recording_misses` lets a test see every id
looked up that the catalogue lacks (tests/cli/test_i18n_catalogue.py runs every help and read command).
"""
from __future__ import annotations

import gettext
from contextlib import contextmanager
from importlib import resources

_catalog: gettext.NullTranslations = gettext.NullTranslations()
# The ids looked up in a language that lacks them, while a test records (`recording_misses`).
_misses: set[str] | None = None


def _localedir():
    # A real folder in every install mode (dtrack is never imported from a zip).
    return resources.files("dtrack").joinpath("locales")


def language_code(lang: str) -> str:
    """vi_VN.UTF-8, vi-VN, VI -> vi."""
    return (lang or "").split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()


def spoken(lang: str) -> bool:
    """Whether dtrack speaks `lang` (English, or a language with a compiled catalogue)."""
    code = language_code(lang)
    return code == "en" or (code.isalpha() and _localedir().joinpath(code, "LC_MESSAGES", "dtrack.mo").is_file())


def _load_catalog(lang: str) -> gettext.NullTranslations:
    code = language_code(lang)
    if not code or code == "en":
        return gettext.NullTranslations()
    return gettext.translation("dtrack", localedir=str(_localedir()), languages=[code], fallback=True)


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
    if _misses is not None and text is msgid and type(_catalog) is not gettext.NullTranslations:
        _misses.add(msgid)
    return text.format(**values) if values else text


@contextmanager
def recording_misses():
    """Collect, in the set it yields, every id looked up in a language whose catalogue lacks it
    (English speaks the ids themselves, so nothing is missed there)."""
    global _misses
    before, _misses = _misses, set()
    try:
        yield _misses
    finally:
        _misses = before


def reset() -> None:
    """Back to English (tests that switched the language)."""
    set_language("")
