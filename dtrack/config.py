"""What one run of dtrack is configured with, read once at the command line's boundary.

The CLI reads the environment once (`Config.from_environ`, the one reader of DTRACK_* variables),
lays its options over it (`with_options`) and passes the Config down; the library takes values,
never the environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from typing import Mapping, Optional

from dtrack.errors import UsageError
from dtrack.i18n import language_code, spoken, t


@dataclass(frozen=True)
class Config:
    today: date
    # --as-of or DTRACK_TODAY as typed; `with_options` turns it into `today`.
    today_text: Optional[str] = None
    # True when --as-of or DTRACK_TODAY named the day (report then keeps it instead of --to).
    today_given: bool = False
    # The store folder asked for, and where it was asked ("--dir" or "DTRACK_DIR"), for messages.
    dir: Optional[str] = None
    dir_origin: str = "--dir"
    # Whether the store's index is kept on disk (DTRACK_NO_CACHE: in memory); Env hands it to store.collection.
    cache: bool = True
    # --lang or DTRACK_LANG as given; the operating system's locale; and the language the run speaks,
    # settled by `speaking` (--lang, else DTRACK_LANG, else the store's settings, else the OS, else en).
    lang: str = ""
    os_lang: str = ""
    language: str = "en"
    # Seconds a writing command waits for another dtrack's store lock (None: the lock's default);
    # DTRACK_LOCK_TIMEOUT as typed is kept until `settled` checks it, once the language is known.
    lock_timeout: Optional[float] = None
    lock_timeout_text: Optional[str] = None
    debug: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, real_today: Optional[date] = None) -> "Config":
        """What the DTRACK_* variables say; reading never fails (the day typed is parsed by
        `with_options`, once the language of its error is set)."""
        return cls(
            today=real_today or date.today(),
            today_text=environ.get("DTRACK_TODAY") or None,
            dir=environ.get("DTRACK_DIR") or None,
            dir_origin="DTRACK_DIR" if environ.get("DTRACK_DIR") else "--dir",
            cache=not environ.get("DTRACK_NO_CACHE"),
            lang=environ.get("DTRACK_LANG") or "",
            os_lang=os_language(environ),
            lock_timeout_text=environ.get("DTRACK_LOCK_TIMEOUT") or None,
            debug=bool(environ.get("DTRACK_DEBUG")),
        )

    def speaking(self, store_language: Optional[str] = None, *, lang: Optional[str] = None) -> "Config":
        """The run's language: `lang` (--lang) or DTRACK_LANG, else the store's settings, else the
        operating system's, else English; a language dtrack does not speak is no choice."""
        lang = lang or self.lang
        chosen = next((language_code(c) for c in (lang, store_language, self.os_lang) if c and spoken(c)), "en")
        return replace(self, lang=lang, language=chosen)

    def settled(self) -> "Config":
        """The settings typed in the environment checked (DTRACK_LOCK_TIMEOUT): a UsageError names the
        variable, so the CLI adds nothing to it."""
        return replace(self, lock_timeout=lock_seconds(self.lock_timeout_text))

    def with_options(self, *, dir: Optional[str] = None, as_of: Optional[str] = None) -> "Config":
        """The command line's --dir and --as-of over the environment's. A day that is not a date
        raises the UsageError of dates.parse_date (the caller names the option)."""
        from dtrack.domain.dates import parse_date
        changes: dict = {}
        if dir:
            changes.update(dir=dir, dir_origin="--dir")
        raw = as_of or self.today_text
        if raw:
            changes.update(today=parse_date(raw, self.today), today_text=raw, today_given=True)
        return replace(self, **changes)


def os_language(environ: Mapping[str, str]) -> str:
    """The user's language as the operating system says it: LC_ALL, LC_MESSAGES, LANG as POSIX reads
    them (the first one set wins); on Windows, the user's UI language."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return environ[name]
    if os.name == "nt":
        import locale
        try:
            import ctypes
            return locale.windows_locale.get(ctypes.windll.kernel32.GetUserDefaultUILanguage(), "")
        except (AttributeError, OSError):
            return locale.getlocale()[0] or ""
    return ""


MAX_LOCK_TIMEOUT = 86_400.0     # a day: anything longer is a typo, and nan/inf/1e400 would wait forever


def lock_seconds(raw: Optional[str]) -> Optional[float]:
    """DTRACK_LOCK_TIMEOUT as seconds from 0 to a day; None when unset. Anything else is a UsageError:
    a setting that silently meant something else would make a clerk wait, or not wait, unawares."""
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0.0 <= seconds <= MAX_LOCK_TIMEOUT:
        raise UsageError(t("DTRACK_LOCK_TIMEOUT={raw}: give a number of seconds from 0 to {max}", raw=raw,
                           max=int(MAX_LOCK_TIMEOUT)))
    return seconds
