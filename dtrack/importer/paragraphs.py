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


# The longest paragraph of the seed documents has 1,205 characters. Reading one paragraph costs more
# than its length (its agencies, clauses and deadlines are matched against each other), so a longer
# one is refused before it is read, as a document past the bound on work (run.prepare says which).
MAX_PARAGRAPH = 10_000


class Bound(Exception):
    """A document past a bound on the work of reading it: `what` (paragraph | pieces), the count
    found, the limit, and the line it starts on (0: the whole document)."""

    def __init__(self, what: str, found: int, limit: int, line: int = 0):
        super().__init__(what, found, limit, line)
        self.what, self.found, self.limit, self.line = what, found, limit, line


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
    """Cleaned lines, blank ones kept as '' (they separate paragraphs); a two-column header
    (issuer beside the motto) is read one column after the other."""
    raw = [x.replace("\t", "    ") for x in normalise(text).split("\n")]
    # A lone "|" is a table border of a web copy: a break, never text.
    return ["" if x.strip("| ") == "" else x for x in (clean_line(y) for y in _unfold_columns(raw))]


# Side by side: `pdftotext -layout` and a Word header table put the issuer's column and the motto's
# column on the same lines, separated by a run of spaces.
_HEADER_END = re.compile(r"^\s*(?:(?:THÔNG BÁO|CÔNG VĂN|KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|BÁO CÁO|TỜ TRÌNH)\s*:?\s*$"
                         r"|Kính gửi|(?:Căn cứ|Thực hiện|Ngày \d)\b)", re.I)
_HEADER_LINES = 30


def _segments(line: str) -> list[tuple[int, str]]:
    """(column, text) of the pieces of a line cut at runs of three or more spaces."""
    out: list[tuple[int, str]] = []
    for m in re.finditer(r"\S+(?:\s{1,2}\S+)*", line):
        out.append((m.start(), m.group(0)))
    return out


# The motto's column starts well to the right of the issuer's, or beside a header cell (capitals, the
# number): a run of spaces after ordinary words near the margin is justified text, not a second column.
_RIGHT_COLUMN_MIN = 20


def _two_columns(segs: list[tuple[int, str]]) -> bool:
    if len(segs) < 2:
        return False
    first = segs[0][1]
    letters = [c for c in first if c.isalpha()]
    return segs[1][0] >= _RIGHT_COLUMN_MIN or first.startswith("Số") or bool(letters) and all(c.isupper() for c in letters)


def _unfold_columns(raw: list[str]) -> list[str]:
    end = 0
    for i, line in enumerate(raw[:_HEADER_LINES]):
        if _HEADER_END.match(line) and len(_segments(line)) == 1:
            break
        if marker_of(line.strip())[0] is not None:      # "1. Sở ...": the body has begun
            break
        end = i + 1
    zone = raw[:end]
    split = [s for s in (_segments(x) for x in zone) if _two_columns(s)]
    if not split:
        return raw
    right_col = min(s[1][0] for s in split)
    left: list[str] = []
    right: list[str] = []
    for line in zone:
        segs = _segments(line)
        if not segs:
            left.append("")
            right.append("")
            continue
        if not _two_columns(segs):
            col, text = segs[0][0], "   ".join(x for _, x in segs)
            (right if col >= right_col - 4 and len(text) < 60 else left).append(text)
            continue
        left.append(segs[0][1])
        right.append("   ".join(x for _, x in segs[1:]))
    return left + [""] + right + [""] + raw[end:]


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


# Header lines are paragraphs of their own even without blank lines between them: the kind word
# ("THÔNG BÁO" directly above the title), the motto, "Số: ...", the place and date, the issuer.
_ALONE = re.compile(r"^(?:(?:THÔNG BÁO|CÔNG VĂN|KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ)\s*:?|CHỦ TỊCH\s+(?:ỦY|UỶ|UBND)\b.*|(?:ỦY|UỶ) BAN NHÂN DÂN(?: TỈNH| THÀNH PHỐ| HUYỆN)?.*|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|"
                    r"CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*[-–]\s*Tự do\s*[-–]\s*Hạnh phúc|[-_=–—]{3,}|"
                    r"Số\s*:.*|Kính gửi\s*:.*|[^\W\d][^,\d]{1,40},\s*ngày\b.{0,30}\d{4})$", re.I)


# What opens the text under a header, where a PDF without blank lines would glue it to the title.
_OPENS = re.compile(r"^(?:Căn cứ|Kính gửi|Thực hiện|(?:Sáng|Chiều|Tối)?\s*(?:ngày|Ngày)\s+\d{1,2}[/ ]|Sau khi|"
                    r"(?:Năm|Trong năm)\s+\d{4}\s*,|Thời gian qua)\b")


def _case_changes(a: str, b: str) -> bool:
    """From a line in capitals to one in lower case or back; a short word ("VỀ") is neither."""
    def state(line):
        letters = [c for c in line if c.isalpha()]
        return None if len(letters) < 6 else all(c.isupper() for c in letters)
    sa, sb = state(a), state(b)
    return sa is not None and sb is not None and sa != sb


def _stands_alone(line: str) -> bool:
    return bool(_ALONE.match(line)) and (not line[:1].isalpha() or line.split()[0].isupper()
                                          or line.startswith(("Số", "Kính", "Độc")) or "ngày" in line)


def paragraphs(lines: list[str]) -> list[Para]:
    """Blocks of non-blank lines; inside a block a new paragraph starts at a list marker or after a
    line that ends a sentence and is followed by a capitalised line (PDF text has no blank lines).
    A paragraph that starts in lower case continues the previous one (a page or layout cut)."""
    out: list[Para] = []
    current: list[str] = []
    size = [0, 0, 0]      # the characters of the last paragraph, the line it starts on, where current starts

    def flush():
        if current:
            rank, mark, rest = marker_of(current[0])
            text = " ".join([rest] + current[1:]).strip()
            if text:
                if out and rank is None and _starts_lower(text) and not _END_SENTENCE.search(out[-1].text[-200:]):
                    out[-1].text += " " + text
                    size[0] += len(text) + 1
                else:
                    out.append(Para(text, rank, mark))
                    size[0], size[1] = len(text), size[2]
                if size[0] > MAX_PARAGRAPH:
                    raise Bound("paragraph", size[0], MAX_PARAGRAPH, size[1])
            current.clear()

    for number, line in enumerate(lines, 1):
        if not line:
            flush()
            continue
        if current:
            rank, _, _ = marker_of(line)
            if rank is not None or _stands_alone(current[-1]) or _stands_alone(line) or _OPENS.match(line) \
                    or _case_changes(current[-1], line) \
                    or (_END_SENTENCE.search(current[-1][-200:]) and not _starts_lower(line)):
                flush()
        if not current:
            size[2] = number
        current.append(line)
    flush()
    for i, p in enumerate(out):
        p.index = i
    return out
