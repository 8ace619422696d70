"""Text helpers for Vietnamese: normalisation, diacritic-free matching keys, slugs, safe display."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# C0/C1 controls (ESC starts every ANSI/OSC sequence: colours, cursor moves, OSC 8 links, OSC 52
# clipboard writes), DEL, the bidi marks, embeddings, overrides and isolates that can make a line read
# differently from what it contains (Trojan source), the Unicode line/paragraph separators, and
# U+FFFE/U+FFFF: a YAML escape can write them, and XML (.docx, .xlsx) refuses the whole document.
UNSAFE_CHARS = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                "\ufffe\uffff")
_UNSAFE = re.compile(f"[{UNSAFE_CHARS}]")


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _base_letters() -> dict[int, str]:
    """Each precomposed Latin letter (Vietnamese's among them) -> its letter without diacritics."""
    table = {}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if base.isascii() and base != chr(code):
            table[code] = base
    table[ord("đ")], table[ord("Đ")] = "d", "D"
    return table


_BASE_LETTERS = _base_letters()


@lru_cache(maxsize=65536)
def fold(s: str) -> str:
    """A key for matching that ignores case, diacritics and spacing: 'Sở Tài chính' -> 'so tai chinh'."""
    if s.isascii():     # stems and numbers: nothing to decompose (resolving a reference folds 20,000 of them)
        return " ".join(s.split()).casefold()
    # Precomposed letters (NFC text, as dtrack writes it) by table: a first build folds 65,000 texts.
    # Anything else (combining marks, other scripts) takes the full decomposition below.
    plain = s.translate(_BASE_LETTERS)
    if plain.isascii():
        return " ".join(plain.split()).casefold()
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().casefold()


_NAME_PUNCT = re.compile(r"[^\w&]+")
_AND = re.compile(r"\s*&\s*")


@lru_cache(maxsize=65536)
def name_key(s: str) -> str:
    """fold() for names people type: punctuation is a space and '&' is 'và', so "UBND các huyện, thị
    xã, thành phố", "ubnd cac huyen thi xa thanh pho" and "Sở TN&MT" / "so tn va mt" meet."""
    return " ".join(_NAME_PUNCT.sub(" ", _AND.sub(" va ", fold(s))).replace("_", " ").split())


def compact_key(s: str) -> str:
    """name_key without 'và' and spaces: how abbreviations meet ("Sở TN&MT", "Sở TNMT", "STNMT" -> "sotnmt")."""
    return "".join(w for w in name_key(s).split() if w != "va")


def initials(s: str) -> str:
    """The first letters of a name's words but 'và': 'Sở Tài nguyên và Môi trường' -> 'stnmt'."""
    return "".join(w[0] for w in name_key(s).split() if w != "va")


def slugify(s: str, max_words: int = 6) -> str:
    words = re.findall(r"[a-z0-9]+", fold(s))
    return "-".join(words[:max_words])


def safe_display(s: str) -> str:
    """Text as it may be printed to a terminal: every control character shown as a visible escape
    (ESC as \\x1b, U+202E as \\u202e), so an escape sequence or a bidi override in a file is seen
    for what it is and the terminal acts on none of it; tabs become spaces."""
    return _UNSAFE.sub(_visible, s.replace("\t", " "))


def _visible(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_safe(dumped: str) -> str:
    """JSON text with the characters a terminal could act on written as \\u escapes: the same data for
    a JSON reader (they can only occur inside strings), harmless on a screen. json.dumps already
    escapes C0 controls; this adds DEL, C1 and the bidi controls."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


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
