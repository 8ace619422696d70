"""Text helpers for Vietnamese: normalisation, diacritic-free matching keys, slugs, safe display."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# C0/C1 controls, DEL, and the bidi embedding/override/isolate controls that can
# make a line read differently from what it contains (Trojan-source style).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@lru_cache(maxsize=65536)
def fold(s: str) -> str:
    """A key for matching that ignores case, diacritics and spacing: 'Sở Tài chính' -> 'so tai chinh'."""
    if s.isascii():     # stems and numbers: nothing to decompose (resolving a reference folds 20,000 of them)
        return " ".join(s.split()).casefold()
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().casefold()


def slugify(s: str, max_words: int = 6) -> str:
    words = re.findall(r"[a-z0-9]+", fold(s))
    return "-".join(words[:max_words])


def safe_display(s: str) -> str:
    """Text as it may be printed to a terminal: escape sequences and bidi controls removed, tabs as spaces."""
    s = _ANSI.sub("", s)
    return _UNSAFE.sub("", s.replace("\t", " "))


def one_line(s: str) -> str:
    return _SPACES.sub(" ", s).strip()


def shorten(s: str, width: int) -> str:
    s = one_line(s)
    if len(s) <= width:
        return s
    cut = s[: max(width - 1, 1)]
    if " " in cut[width // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.") + "…"
