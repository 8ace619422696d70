"""A document's text as lines and paragraphs, with list markers recognised.

Layout is unreliable in what clerks receive (web pages turned into markdown, PDF text, Word
files): a paragraph may be cut by a blank line in mid-sentence, or a PDF may have no blank
lines at all. The rules here rebuild paragraphs from what the text says, not from where the
line breaks fall.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Markdown residue: heading hashes, emphasis, hard-break spaces.
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_EMPHASIS = re.compile(r"\*+|(?<!\w)_{1,2}(?=\S)|(?<=\S)_{1,2}(?!\w)")
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200a\u202f\u3000]+")
_INVISIBLE = re.compile("[\u200b-\u200d\ufeff\u00ad]")

# List markers, by rank: a lower rank contains the higher ones.
ROMAN, ARTICLE, NUMBER, LETTER, DASH, PLUS = range(6)
_MARKERS = (
    (ROMAN, re.compile(r"^(?P<m>(?:[IVX]{1,5}))\s*[.)/]\s+(?=\S)")),
    (ARTICLE, re.compile(r"^(?P<m>Điều\s+\d{1,3})\s*[.:]\s*(?=\S)", re.I)),
    (NUMBER, re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})*)\s*[.)]\s*(?=[^\d\s/])")),
    (LETTER, re.compile(r"^(?P<m>[a-zđ])\s*[).]\s+(?=\S)")),
    (DASH, re.compile(r"^(?P<m>[-–—•●▪∙·])\s*(?=\S)")),
    (PLUS, re.compile(r"^(?P<m>[+])\s*(?=\S)")),
)
_END_SENTENCE = re.compile(r"[.;:!?…]\W*$")


@dataclass
class Para:
    text: str                  # markers and markdown removed, layout breaks joined with one space
    rank: int | None = None    # list marker rank, None for an unmarked paragraph
    marker: str = ""
    index: int = 0


def clean_line(line: str) -> str:
    line = _INVISIBLE.sub("", line)
    line = _HEADING.sub("", line)
    line = _EMPHASIS.sub("", line)
    return _SPACES.sub(" ", line).strip()


# What YAML may not hold (controls, BOM inside the text, U+FFFE/FFFF): a document never needs it.
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def normalise(text: str) -> str:
    text = _NON_PRINTABLE.sub(" ", unicodedata.normalize("NFC", text))
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    for sep in ("\r", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"):
        text = text.replace(sep, "\n")
    return text


def lines_of(text: str) -> list[str]:
    """Cleaned lines, blank ones kept as '' (they separate paragraphs)."""
    return [clean_line(x) for x in normalise(text).split("\n")]


def marker_of(line: str) -> tuple[int | None, str, str]:
    for rank, pattern in _MARKERS:
        m = pattern.match(line)
        if m:
            if rank == ROMAN and not _is_roman(m.group("m")):
                continue
            return rank, m.group("m"), line[m.end():].strip()
    return None, "", line


def _is_roman(s: str) -> bool:
    return re.fullmatch(r"X{0,3}(IX|IV|V?I{0,3})", s) is not None and s != ""


def _starts_lower(s: str) -> bool:
    return bool(s) and s[0].isalpha() and s[0].islower()


def paragraphs(lines: list[str]) -> list[Para]:
    """Blocks of non-blank lines; inside a block a new paragraph starts at a list marker or after a
    line that ends a sentence and is followed by a capitalised line (PDF text has no blank lines).
    A paragraph that starts in lower case continues the previous one (a page or layout cut)."""
    out: list[Para] = []
    current: list[str] = []

    def flush():
        if current:
            rank, mark, rest = marker_of(current[0])
            text = " ".join([rest] + current[1:]).strip()
            if text:
                if out and rank is None and _starts_lower(text) and not _END_SENTENCE.search(out[-1].text):
                    out[-1].text += " " + text
                else:
                    out.append(Para(text, rank, mark))
            current.clear()

    for line in lines:
        if not line:
            flush()
            continue
        if current:
            rank, _, _ = marker_of(line)
            if rank is not None or (_END_SENTENCE.search(current[-1]) and not _starts_lower(line)):
                flush()
        current.append(line)
    flush()
    for i, p in enumerate(out):
        p.index = i
    return out
