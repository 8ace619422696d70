"""Find Vietnamese deadline phrases in a task's text and resolve them to dates.

Pure: no I/O and no clock; every relative or year-less phrase is resolved
against ``ref``, the document's issue date, which the caller passes in.

How a phrase is recognised
--------------------------
Only a date introduced by a *cue* is a deadline.  A bare date ("Quyết định
số 1420/QĐ-UBND ngày 12/12/2022", "Ngày 17 tháng 7 năm 2024, tại ...",
"giai đoạn 2021-2025", "công tác chuyển đổi số năm 2023") is never one.

Strong cues, whatever the surrounding sentence says:
    trước, chậm nhất (là) (vào|trong|trước), hạn chót, (thời) hạn ...:,
    thời gian hoàn thành:, hoàn thành|hoàn tất|xong <date>
    and for relative spans: trong (vòng|thời hạn) N ngày|ngày làm việc|tuần|
    tháng|năm, chậm nhất (sau) N ..., không quá N ..., sau N ... kể từ ...

Weak cues, which need the clause (text back to the last . ; ! ? newline) to
say what they mean:
    trong <month|quarter>   due, unless the period is already over at ``ref``
                            and no completion verb (hoàn thành, xong, đưa vào
                            sử dụng, trình, gửi, ...) is in the clause;
    trong năm Y             due if Y is after the document's year, otherwise
                            only with a completion verb ("Để thực hiện tốt
                            công tác chuyển đổi số trong năm 2024" is framing,
                            not a deadline); "trong năm Y và các năm tiếp
                            theo" / "Y-Z" is a period, never a deadline;
    trong ngày D, vào ...   only with a completion verb;
    từ, kể từ <date>        the *nearest* verb before it decides: a completion
                            verb makes it a due ("hoàn thành, đưa vào sử dụng
                            chính thức từ tháng 9/2022" -> 2022-09-30), a start
                            verb (bắt đầu, triển khai, thực hiện, áp dụng, tổ
                            chức, thí điểm, ...) makes it a start, no verb
                            makes it nothing; "bắt đầu từ" is always a start;
    từ X đến Y              with a verb: start X and due Y in one result.

A phrase runs from its cue to the end of the date, trimmed of markdown
markers at both ends: in "hoàn thành **trước ngày 01/8/2024**" the phrase is
"trước ngày 01/8/2024" and "hoàn thành" is context; "hoàn thành" is part of
the phrase only when it is the cue itself ("hoàn thành tháng 9/2024").

Resolution
----------
* Day precision: the date itself ("trước ngày 23/7/2024" -> 2024-07-23, the
  usual reading in directives).  A time of day ("trước 14 giờ ngày ...") is
  dropped.
* Month / quarter / year / "6 tháng đầu năm": the period's last day; a start
  gets the period's first day.  Exception: "trước" directly before a period
  ("trước tháng 9/2022", "trước năm 2025") means before it begins, so the
  day before the period.
* A missing year comes from ``ref``; if the result would then lie more than
  31 days before ``ref`` the next year is used ("trước ngày 15/01" in a
  document of 20/12/2023 -> 2024-01-15).  Two-digit years are 20YY.
* Relative spans count from ``ref`` (the issue/signing date: "kể từ ngày
  ký/ban hành/nhận được văn bản này" are all taken as ``ref``), or from an
  explicit date ("kể từ ngày 01/7/2024").  Working days use
  :mod:`dtrack.holidays`.
* Impossible dates (31/02/2024, tháng 13) are reported, not dropped: a
  Deadline with ``due=None`` and ``error`` set, so that an importer can ask a
  human instead of silently losing the deadline.
* Recurrence ("định kỳ 02 tuần/lần", "hằng tháng trước ngày 20", "hàng quý",
  "6 tháng/lần", "01 lần/tuần") gives ``every`` = "1 week", "2 weeks",
  "1 month", "3 months" (a quarter), "1 year", "1 day" ..., optionally
  ``day`` (day of the month), precision "relative", and ``due`` = the first
  occurrence after ``ref``: a named day ("thứ Sáu hằng tuần": the next
  Friday; "từ ngày 3 đến ngày 7 hằng tháng": due 7, ``start`` 3; "trước
  ngày 15/6 và 15/12 hằng năm": "6 months" on day 15; "trước ngày 25 của
  tháng cuối quý"), else the end of the calendar period ("hằng quý": 30/6,
  30/9 ..., ``day`` 31), else one interval after ``ref``; the last two are
  guesses ("recur").  "ngân sách hằng năm" and similar noun phrases are not
  a recurrence of the task.
* Relative spans from the day the document is received or from an event
  ("kể từ ngày nhận được văn bản", "kể từ ngày kết thúc đợt kiểm tra")
  cannot be dated: ``due=None``, guess "anchor".  A span with no anchor is
  counted from ``ref`` (guess "from-ref").
* ``guesses`` lists what the reading assumed ("year", "past", "anchor",
  "from-ref", "recur"); the importer turns each into a flag for the clerk.
* reference_date() gives ``ref`` for a document without an issue date: the
  page's date line, else the dates it cites; never the day of import.

Not understood (on purpose or not yet): "đến hết ngày ..." alone, "đầu
tháng 9", "hằng quý trước ngày 15" (a day of the quarter).

Input may be NFC or NFD, any case, with "hằng"/"hàng" and "quý"/"quí";
markdown emphasis markers (* and _) and zero-width characters are ignored
for matching, and spans/phrases refer to the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from dtrack.domain.dates import add_months, month_end

__all__ = ["Deadline", "find_deadlines", "find_deadline", "governing", "month_end", "reference_date"]


@dataclass(frozen=True)
class Deadline:
    due: date | None
    phrase: str
    span: tuple[int, int]
    precision: str  # "day" | "month" | "quarter" | "year" | "relative"
    start: date | None = None
    every: str | None = None
    day: int | None = None
    # "due" (a completion deadline, possibly with a start: "từ X đến Y"),
    # "start" or "recurrence".
    kind: str = "due"
    # Set (and the date left None) when the phrase names an impossible date.
    error: str | None = None
    # What the reading guessed, for the clerk to check (codes; the importer words them):
    # "year" a missing year was taken from ``ref``; "past" the date lies before ``ref``;
    # "anchor" a relative span counted from an unknown event (due left None); "from-ref" a span
    # without anchor counted from ``ref``; "recur" the first date of a series is an assumption.
    guesses: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# Normalisation.  Matching runs on an NFC copy without markdown markers; the
# two offset tables map every character of the copy back to the original so
# that spans and phrases stay exact substrings of the caller's text.

_DROP = frozenset("*_\u200b\u200c\u200d\ufeff\u00ad")


def _prepare(text: str):
    if not (_DROP.intersection(text)) and unicodedata.is_normalized("NFC", text):
        return text, None, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    n = len(text)
    i = 0
    combining = unicodedata.combining
    while i < n:
        j = i + 1
        while j < n and combining(text[j]):
            j += 1
        if j == i + 1 and text[i] in _DROP:
            i = j
            continue
        piece = unicodedata.normalize("NFC", text[i:j])
        for ch in piece:
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), starts, ends


# --------------------------------------------------------------------------
# Grammar.  A phrase is a cue followed by one shared date/period expression
# (EXPR).  The patterns are module-level but compiled on first use: compiling
# them costs ~5 ms, which would otherwise be paid by every CLI start, and
# most commands never parse a document.

_F = re.IGNORECASE
_NUMWORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mười lăm": 15, "hai mươi": 20,
    "ba mươi": 30,
}
# Longest first so that "mười lăm" wins over "mười" and "hai mươi" over "hai".
_NUM = r"(?:\d{1,3}|" + "|".join(
    w.replace(" ", r"\s+") for w in sorted(_NUMWORDS, key=len, reverse=True)
) + r")(?!\w)"
_SEP = r"[/.\-\u2013]"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

_TIME = (r"(?:\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2}(?:\s*phút|')?)?(?:\s+(?:sáng|trưa|chiều|tối))?\s*,?\s*"
         r"|(?:(?:buổi\s+)?(?:sáng|chiều)\s+))?")
_WEEKDAY = r"(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)\s*,?\s*)?"
_EXPR = (
    # "6 tháng đầu năm 2024", "3 tháng cuối năm"
    r"(?:(?P<hn>\d{1,2}|sáu|chín|ba)\s+tháng\s+(?P<hp>đầu|cuối)\s+năm"
    r"(?:\s+(?P<hy>\d{4}))?(?![\d/])"
    # "14 giờ, thứ Sáu, ngày 23 tháng 7 năm 2024" / "ngày 22/4/2023" / "25-10"
    rf"|{_TIME}{_WEEKDAY}(?:ngày\s*)?(?:"
    r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s*,?\s*năm\s+(?P<y>\d{4}))?(?![\d/])"
    rf"|(?P<d2>\d{{1,2}})\s*(?P<sep>{_SEP})\s*(?P<m2>\d{{1,2}})"
    r"(?:\s*(?P=sep)\s*(?P<y2>\d{4}|\d{2})(?!\d)(?!/\w)|\s*,?\s+năm\s+(?P<y3>\d{4})(?![\d/])"
    rf"|(?!\d)(?!\s*{_SEP}\s*\d)))"
    # "tháng 9/2022", "cuối tháng 9 năm 2022"
    rf"|(?:cuối\s+)?tháng\s+(?P<mm>\d{{1,2}})"
    rf"(?:\s*{_SEP}\s*(?P<my>\d{{4}})|\s*,?\s+năm\s+(?P<my2>\d{{4}}))?(?![\d/])"
    # "quý III/2024", "quý 3 năm 2024"
    r"|(?:cuối\s+)?qu[ýyí]\s+(?P<q>iv|i{1,3}|[1-4])(?!\w)"
    rf"(?:\s*{_SEP}\s*(?P<qy>\d{{4}})|\s*,?\s+năm\s+(?P<qy2>\d{{4}}))?(?![\d/])"
    # "năm 2025", "cuối năm (2025)"; not "năm 2021-2025" nor "năm 2022 và
    # các năm tiếp theo", which name periods.
    r"|(?:(?P<ce>cuối)\s+năm(?:\s+(?P<cy>\d{4}))?|năm\s+(?P<yy>\d{4}))"
    r"(?!\s*[\-\u2013]\s*\d)(?!\s+(?:và|trở\s+đi|đến|tới)\b)(?![\d/])"
    r")"
)

_CUE_STRONG = (
    r"\b(?P<cue>trước"
    r"|chậm\s+nhất(?:\s+là)?(?:\s+(?:vào|trong|trước|đến\s+hết|đến|tới))?"
    # "Thời gian thực hiện: tháng 10/2024" in a plan's list: done within that period.
    # A bare "Thời gian:" is also how an invitation gives its meeting's hour: not a deadline.
    r"|thời\s+gian\s+(?:thực\s+hiện|triển\s+khai|nộp|gửi)\s*:(?=\s*(?:tháng|qu[ýyí]|năm|ngày|\d))"
    r"|(?<!gia\s)(?:thời\s+)?hạn(?:\s+(?:chót|cuối|hoàn\s+thành|nộp|gửi))?(?:\s+là)?\s*:?"
    r"(?:\s*(?:trước|chậm\s+nhất(?:\s+là)?|vào))?"
    r"|thời\s+gian\s+hoàn\s+thành(?:\s+là)?\s*:(?:\s*(?:trước|chậm\s+nhất(?:\s+là)?|vào|trong))?"
    r"|(?:hoàn\s+thành|hoàn\s+tất|xong)\s*,?)\s*"
)
_CUE_WEAK = r"\b(?P<cue>trong|vào)\s+"
# "từ ngày 5 - 8/10", "từ ngày 5 đến ngày 8/10/2024": two days of one month.
_DAYRANGE = (
    r"\b(?P<cue>(?:bắt\s+đầu\s+)?(?:(?:kể|tính)\s+)?từ)\s+(?:ngày\s*)?(?P<d1>\d{1,2})\s*"
    r"(?:-|\u2013|đến(?:\s+hết)?(?:\s+ngày)?|tới(?:\s+ngày)?)\s*"
    rf"(?P<d2>\d{{1,2}})\s*(?P<sep>{_SEP})\s*(?P<m>\d{{1,2}})(?:\s*(?P=sep)\s*(?P<y>\d{{4}}))?(?![\d/])"
)
_CUE_FROM = r"\b(?P<cue>(?:bắt\s+đầu\s+)?(?:(?:kể|tính)\s+)?từ)\s+"
_RANGE_JOIN = r"\s*,?\s*(?:đến|tới|-|\u2013)\s*(?:hết\s+)?"

_REL = (
    r"\b(?P<cue>trong(?:\s+(?:vòng|thời\s+hạn|thời\s+gian|khoảng))?"
    r"|chậm\s+nhất(?:\s+là)?(?:\s+(?:sau|trong)(?:\s+(?:vòng|thời\s+hạn))?)?|không\s+quá|tối\s+đa"
    r"|(?<!gia\s)(?:thời\s+)?hạn(?:\s+là)?\s*:?|(?P<after>sau))\s+"
    rf"(?P<n>{_NUM})\s+(?P<u>ngày\s+làm\s+việc|ngày|tuần(?:\s+lễ)?|tháng|năm)"
    # "trong 5 năm qua" looks back; "trong 2 ngày 15 và 16/7" names days.
    r"(?!\s*\d)(?!\s+(?:qua|vừa\s+qua|gần\s+đây|trước|liên\s+tiếp|liền|đầu|cuối"
    r"|sau\s+khi|tiếp\s+theo|của)\b)"
)
_ANCHOR_HEAD = r"\s*,?\s*(?:kể\s+|tính\s+)?từ\s+"
_ANCHOR_DOC = (
    r"ngày\s+(?:ký|ban\s+hành|có\s+hiệu\s+lực)"
    r"(?:\s+(?:văn\s+bản|thông\s+báo|công\s+văn|quyết\s+định|kế\s+hoạch|chỉ\s+thị"
    r"|kết\s+luận|ý\s+kiến)(?:\s+này)?)?\b"
)

# Counted from the day the document reaches its reader: a day the document cannot know.
_ANCHOR_RECV = (
    r"ngày\s+(?:nhận\s+được|tiếp\s+nhận)(?:\s+(?:văn\s+bản|thông\s+báo|công\s+văn|quyết\s+định|kế\s+hoạch"
    r"|chỉ\s+thị|hồ\s+sơ|đề\s+nghị|yêu\s+cầu)(?:\s+(?:này|của\s+[^,.;]{1,60}))?)?\b"
)
# "kể từ ngày kết thúc đợt kiểm tra", "sau khi có kết quả": an event the document does not date.
_ANCHOR_EVENT = r"\s*,?\s*(?:(?:kể|tính)\s+từ|sau\s+khi)\s+[^,.;:\n]{1,80}"

_UNIT = r"(?P<u>ngày|tuần|tháng|qu[ýyí]|năm)"
_PER_LAN = r"(?:\s*/\s*(?:0?1\s+|một\s+)?lần|\s+(?:một|0?1)\s+lần)"
_EVERY = (
    r"\b(?:định\s+kỳ\s+)?(?:h[ằà]ng|mỗi)\s+" + _UNIT + r"(?!\s*\d)"
    # "hằng tháng (trước ngày 20)"
    r"(?:\s*[,(]?\s*(?:trước|chậm\s+nhất(?:\s+là)?|vào)\s+(?:ngày\s+)?"
    rf"(?P<dom>\d{{1,2}})(?!\s*(?:\d|{_SEP}\s*\d|tháng)))?"
)
_WD = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)"
_DAYPART = r"(?:(?:vào\s+)?(?:(?:buổi\s+)?(?:sáng|chiều)\s+)?)"
_WEEKLY = (
    rf"\b{_DAYPART}(?P<wd1>{_WD})\s*,?\s+(?:định\s+kỳ\s+)?(?:h[ằà]ng|mỗi)\s+tuần"
    rf"|\b(?:định\s+kỳ\s+)?(?:h[ằà]ng|mỗi)\s+tuần\s*,?\s*{_DAYPART}(?P<wd2>{_WD})"
)
_WINDOW = (
    r"\b(?:trong\s+(?:khoảng\s+)?)?từ\s+ngày\s*(?P<s>\d{1,2})\s*(?:đến|tới|-|\u2013)\s*(?:hết\s+)?(?:ngày\s*)?"
    r"(?P<e>\d{1,2})\s+(?:của\s+)?(?:h[ằà]ng|mỗi)\s+tháng"
)
_YEARDAYS = (
    r"\b(?:trước|chậm\s+nhất(?:\s+là)?|vào)\s+(?:ngày\s*)?(?P<days>\d{1,2}\s*[/.\-]\s*\d{1,2}"
    r"(?:\s*(?:,|và)\s*(?:ngày\s*)?\d{1,2}\s*[/.\-]\s*\d{1,2})*)\s*,?\s+(?:của\s+)?(?:h[ằà]ng|mỗi)\s+năm"
)
_PERIODIC = rf"\bđịnh\s+kỳ\s+(?:(?P<n>{_NUM})\s+)?{_UNIT}{_PER_LAN}?(?!\s*\d)"
_PERLAN = rf"\b(?P<n>{_NUM})\s+{_UNIT}{_PER_LAN}"
_LANPER = rf"\b(?:0?1|một)\s+lần\s*/\s*(?:(?P<n>{_NUM})\s+)?{_UNIT}(?!\s*\d)"
# "trước ngày 25 của tháng cuối quý", "hằng quý, trước ngày 20 tháng cuối quý"
_QUARTER_DAY = (
    r"\b(?:(?:định\s+kỳ\s+)?h[ằà]ng\s+qu[ýyí]\s*,?\s*)?(?:trước|chậm\s+nhất(?:\s+là)?|vào)\s+(?:ngày\s*)?(?P<dom>\d{1,2})\s+"
    r"(?:của\s+)?tháng\s+cuối\s+(?:của\s+)?(?:mỗi\s+|h[ằà]ng\s+)?qu[ýyí]"
)
_DOMREC = (
    r"\b(?:trước|chậm\s+nhất(?:\s+là)?|vào)\s+(?:ngày\s+)?(?P<dom>\d{1,2})\s+"
    r"(?:của\s+)?(?:h[ằà]ng|mỗi)\s+tháng"
)

# Cheap scan for places where some production may start.
_TRIGGER = (
    r"\b(?:trước|chậm\s+nhất|(?:thời\s+)?hạn|thời\s+gian|hoàn\s+thành|hoàn\s+tất|xong"
    r"|trong|vào|bắt\s+đầu|kể\s+từ|tính\s+từ|từ|không\s+quá|tối\s+đa|sau|định\s+kỳ"
    rf"|h[ằà]ng|mỗi|{_NUM}\s+(?:ngày|tuần|tháng|qu[ýyí]|năm)\s*(?:/|một\s|0?1\s)"
    r"|(?:0?1|một)\s+lần|thứ\s|chủ\s+nhật|sáng|chiều)"
)

_CLAUSE_BREAK = r"[;!?\n]|\.(?!\d)|:\s"
_VERB = (
    r"\b(?:(?P<done>hoàn\s+thành|hoàn\s+tất|xong|kết\s+thúc|nghiệm\s+thu|bàn\s+giao"
    r"|đưa\s+vào\s+(?:sử\s+dụng|vận\s+hành|hoạt\s+động|khai\s+thác)"
    r"|vận\s+hành\s+chính\s+thức|gửi|nộp"
    # "trình" is "submit", but not in chương trình, quá trình, lộ trình ...
    r"|(?<!chương\s)(?<!quá\s)(?<!lộ\s)(?<!tờ\s)(?<!công\s)(?<!giáo\s)trình)"
    r"|(?P<begin>bắt\s+đầu|triển\s+khai|thực\s+hiện|áp\s+dụng|khởi\s+công|khởi\s+động"
    r"|tổ\s+chức|thí\s+điểm|vận\s+hành\s+thử|chạy\s+thử|hiệu\s+lực))\b"
)
_PERIOD_WORD = r"\bgiai\s+đoạn\s*$"
_TIME_LABEL = re.compile(r"\bthời\s+gian(?:\s+(?:thực\s+hiện|hoàn\s+thành|triển\s+khai|tổ\s+chức))?\s*:\s*$", re.I)
# Nouns after which "hằng năm" qualifies the noun, not the task.
_NOT_RECURRING = (
    r"\b(?:ngân\s+sách|dự\s+toán|kinh\s+phí|vốn|chi\s+phí|nguồn|thu\s+nhập|doanh\s+thu"
    r"|chi\s+thường\s+xuyên|lương)\s*$"
)

_G = None


def _grammar():
    global _G
    if _G is None:
        c = lambda p: re.compile(p, _F)  # noqa: E731
        _G = dict(
            expr=c(_EXPR), strong=c(_CUE_STRONG), weak=c(_CUE_WEAK), frm=c(_CUE_FROM),
            join=c(_RANGE_JOIN), rel=c(_REL), anchor_head=c(_ANCHOR_HEAD),
            anchor_doc=c(_ANCHOR_DOC), anchor_recv=c(_ANCHOR_RECV), anchor_event=c(_ANCHOR_EVENT),
            dayrange=c(_DAYRANGE), quarter_day=c(_QUARTER_DAY), weekly=c(_WEEKLY), window=c(_WINDOW), yeardays=c(_YEARDAYS), every=c(_EVERY), periodic=c(_PERIODIC),
            perlan=c(_PERLAN), lanper=c(_LANPER), domrec=c(_DOMREC),
            trigger=c(_TRIGGER), clause_break=c(_CLAUSE_BREAK), verb=c(_VERB),
            period_word=c(_PERIOD_WORD), not_recurring=c(_NOT_RECURRING),
        )
    return _G


_LOOKBACK = 160
_GRACE = timedelta(days=31)
_ONE = timedelta(days=1)


# --------------------------------------------------------------------------
# Resolution.


class _Invalid(Exception):
    def __init__(self, msg: str, precision: str = "day"):
        super().__init__(msg)
        self.precision = precision


def _num(s: str) -> int:
    s = s.strip()
    if s.isdigit():
        return int(s)
    return _NUMWORDS[" ".join(s.lower().split())]


def _year(s: str | None, prec: str) -> int | None:
    if s is None:
        return None
    y = int(s)
    if len(s) == 2:
        y += 2000
    if not 1900 <= y <= 2199:
        raise _Invalid(f"implausible year {s}", prec)
    return y


def _infer(build, ref: date, prec: str, before: date | None = None):
    """The missing-year rule; ``build(year)`` gives (first, last) or raises ValueError.

    Normally the document's year, or the next one if that lies more than
    _GRACE in the past.  With ``before`` (the start of "từ X đến Y") the
    latest year that does not put X after Y.
    """
    if before is not None:
        years, ok = (before.year, before.year - 1), lambda lo, hi: lo <= before
    else:
        years, ok = (ref.year, ref.year + 1), lambda lo, hi: hi >= ref - _GRACE
    for y in years:
        try:
            lo, hi = build(y)
        except ValueError:
            continue
        if ok(lo, hi):
            return lo, hi
    raise _Invalid("date without a year that fits no year near the document date", prec)


def _period(e, ref: date, before: date | None = None):
    """(precision, first_day, last_day) named by an EXPR match."""
    g = e.group
    if g("hn"):
        n = _num(g("hn"))
        if not 1 <= n <= 12:
            raise _Invalid(f"{n} tháng is not part of a year", "month")
        lo_m, hi_m = (1, n) if g("hp").lower() == "đầu" else (13 - n, 12)
        y = _year(g("hy"), "month")

        def build(y):
            return date(y, lo_m, 1), month_end(y, hi_m)

        return ("month",) + (build(y) if y else _infer(build, ref, "month", before))
    if g("d") or g("d2"):
        dd = int(g("d") or g("d2"))
        m = int(g("m") or g("m2"))
        y = _year(g("y") or g("y2") or g("y3"), "day")
        if y:
            try:
                v = date(y, m, dd)
            except ValueError:
                raise _Invalid(f"impossible date {dd}/{m}/{y}") from None
            return "day", v, v

        def build(y):
            v = date(y, m, dd)
            return v, v

        if not (1 <= m <= 12 and 1 <= dd <= 31):
            raise _Invalid(f"impossible date {dd}/{m}")
        return ("day",) + _infer(build, ref, "day", before)
    if g("mm"):
        m = int(g("mm"))
        if not 1 <= m <= 12:
            raise _Invalid(f"no month {m}", "month")
        y = _year(g("my") or g("my2"), "month")

        def build(y):
            return date(y, m, 1), month_end(y, m)

        return ("month",) + (build(y) if y else _infer(build, ref, "month", before))
    if g("q"):
        qs = g("q").lower()
        q = int(qs) if qs.isdigit() else _ROMAN[qs]
        y = _year(g("qy") or g("qy2"), "quarter")

        def build(y):
            return date(y, 3 * q - 2, 1), month_end(y, 3 * q)

        return ("quarter",) + (build(y) if y else _infer(build, ref, "quarter", before))
    ys = g("yy") or g("cy")
    y = _year(ys, "year") if ys else ref.year  # bare "cuối năm": this year
    return "year", date(y, 1, 1), date(y, 12, 31)


def _clause(G, norm: str, pos: int) -> str:
    window = norm[max(0, pos - _LOOKBACK):pos]
    last = None
    for last in G["clause_break"].finditer(window):
        pass
    return window[last.end():] if last else window


def _is_day(e) -> bool:
    return bool(e.group("d") or e.group("d2"))


def _yearless(e) -> bool:
    """The EXPR named a day, month, quarter or half without its year ("trước ngày 15/8")."""
    g = e.group
    if g("hn"):
        return not g("hy")
    if g("d") or g("d2"):
        return not (g("y") or g("y2") or g("y3"))
    if g("mm"):
        return not (g("my") or g("my2"))
    if g("q"):
        return not (g("qy") or g("qy2"))
    return bool(g("ce")) and not g("cy")


def _guesses(ref: date, due: date | None, *exprs) -> tuple[str, ...]:
    out = ("year",) if any(_yearless(e) for e in exprs if e is not None) else ()
    return out + (("past",) if due is not None and due < ref else ())


# --------------------------------------------------------------------------
# Productions.  Each tries to read a phrase at ``pos`` and returns None when
# nothing matches, else (end, resolve[, kind]): resolve() gives the Deadline
# fields, or None when the context shows that the phrase is no deadline;
# kind is what an impossible date in the phrase is reported as.


def _p_strong(G, norm, pos, ref):
    c = G["strong"].match(norm, pos)
    e = c and G["expr"].match(norm, c.end())
    if not e:
        return None

    def resolve():
        prec, lo, hi = _period(e, ref)
        words = c.group("cue").lower().replace(",", " ").replace(":", " ").split()
        if words[0] in ("hoàn", "xong") and prec == "year" and not e.group("ce"):
            return None  # "kết quả hoàn thành năm 2023" reports on a year; "hoàn thành cuối năm" is due
        due = lo - _ONE if words[-1] == "trước" and prec in ("month", "quarter", "year") and not e.group("hn") else hi
        return dict(due=due, precision=prec, guesses=_guesses(ref, due, e))

    return e.end(), resolve


def _p_weak(G, norm, pos, ref):
    c = G["weak"].match(norm, pos)
    e = c and G["expr"].match(norm, c.end())
    if not e:
        return None

    def resolve():
        verbs = [v.lastgroup for v in G["verb"].finditer(_clause(G, norm, pos))]
        done = "done" in verbs
        if (c.group("cue").lower() == "vào" or _is_day(e)) and not done:
            return None
        prec, lo, hi = _period(e, ref)
        if not done:
            if prec == "year":
                if e.group("ce") or lo.year <= ref.year:
                    return None
            elif hi < ref:
                return None
        return dict(due=hi, precision=prec, guesses=_guesses(ref, hi, e))

    return e.end(), resolve


def _p_from(G, norm, pos, ref):
    c = G["frm"].match(norm, pos)
    a = c and G["expr"].match(norm, c.end())
    if not a:
        return None
    j = G["join"].match(norm, a.end())
    b = j and G["expr"].match(norm, j.end())
    end = b.end() if b else a.end()
    starting = c.group("cue").lower().startswith("bắt")

    def resolve():
        clause = _clause(G, norm, pos)
        if G["period_word"].search(clause):
            return None
        verbs = [v.lastgroup for v in G["verb"].finditer(clause)]
        if not verbs and _TIME_LABEL.search(norm, max(0, pos - 40), pos):
            verbs = ["done" if b else "begin"]     # "Thời gian thực hiện: từ 01/6 đến 30/6/2024"
        role = "begin" if starting else (verbs[-1] if verbs else None)
        if role is None:
            return None
        if b:
            prec_b, _, hi_b = _period(b, ref)
            # A year-less start borrows the end's year ("từ 01/6 đến 30/6/2024").
            _, lo_a, _ = _period(a, ref, before=hi_b)
            if lo_a > hi_b:
                raise _Invalid("range ends before it starts", prec_b)
            return dict(due=hi_b, start=lo_a, precision=prec_b, guesses=_guesses(ref, hi_b, b))
        prec, lo, hi = _period(a, ref)
        if role == "done":
            return dict(due=hi, precision=prec, guesses=_guesses(ref, hi, a))
        return dict(due=None, start=lo, precision=prec, kind="start", guesses=_guesses(ref, None, a))

    return end, resolve, ("start" if starting and not b else "due")


def _p_dayrange(G, norm, pos, ref):
    """"từ ngày 5 - 8/10": the first day borrows the second's month and year."""
    m = G["dayrange"].match(norm, pos)
    if not m:
        return None

    def resolve():
        clause = _clause(G, norm, pos)
        if G["period_word"].search(clause) or not G["verb"].search(clause) and not re.search(
                r"\bthời\s+gian\b", clause, re.I) and not _TIME_LABEL.search(norm, max(0, pos - 40), pos):
            return None
        d1, d2, mo = int(m.group("d1")), int(m.group("d2")), int(m.group("m"))
        y = _year(m.group("y"), "day")
        if not (1 <= mo <= 12 and 1 <= d1 <= d2 <= 31):
            raise _Invalid(f"impossible range {d1}-{d2}/{mo}")

        def build(y):
            return date(y, mo, d1), date(y, mo, d2)

        try:
            lo, hi = build(y) if y else _infer(build, ref, "day")
        except ValueError:
            raise _Invalid(f"impossible range {d1}-{d2}/{mo}") from None
        return dict(due=hi, start=lo, precision="day",
                    guesses=(() if y else ("year",)) + (("past",) if hi < ref else ()))

    return m.end(), resolve


def _p_rel(G, norm, pos, ref):
    r = G["rel"].match(norm, pos)
    if not r:
        return None
    end = r.end()
    anchor = unknown = None
    h = G["anchor_head"].match(norm, end)
    if h:
        anchor = G["anchor_doc"].match(norm, h.end()) or G["expr"].match(norm, h.end())
        unknown = None if anchor else G["anchor_recv"].match(norm, h.end())
        if anchor or unknown:
            end = (anchor or unknown).end()
    if anchor is None and unknown is None:
        unknown = G["anchor_event"].match(norm, end)
        if unknown:
            end = unknown.end()
    if r.group("after") and anchor is None:
        return None  # "sau 15 ngày" alone orders steps; it is no deadline
    if unknown is not None:
        # Counted from a day the document does not know: kept as text, for the clerk to date.
        return end, lambda: dict(due=None, precision="relative", guesses=("anchor",))

    def resolve():
        base = ref
        if anchor is not None and anchor.re is G["expr"]:
            try:
                base = _period(anchor, ref)[1]
            except _Invalid as exc:
                raise _Invalid(str(exc), "relative") from None
        n = _num(r.group("n"))
        unit = " ".join(r.group("u").lower().split())
        if unit == "ngày làm việc":
            from dtrack.domain.holidays import add_working_days

            due = add_working_days(base, n)
        elif unit == "ngày":
            due = base + timedelta(days=n)
        elif unit.startswith("tuần"):
            due = base + timedelta(weeks=n)
        elif unit == "tháng":
            due = add_months(base, n)
        else:
            due = add_months(base, 12 * n)
        return dict(due=due, precision="relative", guesses=() if anchor is not None else ("from-ref",))

    return end, resolve


_WEEKDAY_NO = {"hai": 0, "2": 0, "ba": 1, "3": 1, "tư": 2, "4": 2, "năm": 3, "5": 3, "sáu": 4, "6": 4,
               "bảy": 5, "7": 5}


def _weekday(s: str) -> int:
    words = s.lower().split()
    return 6 if words[0] == "chủ" else _WEEKDAY_NO[words[-1]]


def _next_day_of_month(ref: date, day: int, after: int | None = None) -> date:
    """The first day `day` of a month (clamped) strictly after ref; with `after`, of a month
    whose day `after` is still to come (a window already open at ref is next month's)."""
    y, m = ref.year, ref.month
    if ref.day >= min(after if after is not None else day, month_end(y, m).day):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return date(y, m, min(day, month_end(y, m).day))


def _recurrence(ref: date, n: int, name: str, *, day=None, weekday=None, window=None, period_end=True):
    """The series of a recurrence phrase and its first occurrence after ``ref``: a day of the
    month, a weekday, or else the end of the calendar period (a quarterly report is due at each
    quarter's end, not three months after the document), guessed and said so."""
    every = f"{n} {name}" if n == 1 else f"{n} {name}s"
    guesses: tuple[str, ...] = ()
    start = None
    if day is not None:
        due = _next_day_of_month(ref, day, window)
        if window is not None:
            start = due.replace(day=min(window, due.day))
    elif weekday is not None:
        due = ref + timedelta(days=(weekday - ref.weekday() - 1) % 7 + 1)
    elif name in ("month", "year") and period_end and 12 % (n * (12 if name == "year" else 1)) == 0:
        span = n * (12 if name == "year" else 1)
        y, m = ref.year, ref.month + (-ref.month) % span
        if ref >= month_end(y, m):
            m += span
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
        due = month_end(y, m)
        day = 31 if name == "month" else None
        guesses = ("recur",)
    else:
        due = ref + timedelta(days=n) if name == "day" else ref + timedelta(weeks=n) if name == "week" \
            else add_months(ref, n * (12 if name == "year" else 1))
        guesses = ("recur",)
    return dict(due=due, start=start, every=every, day=day, precision="relative", kind="recurrence",
                guesses=guesses)


def _unit(n: int, unit: str) -> tuple[int, str]:
    u = unit.lower()
    if u.startswith("qu"):
        return 3 * n, "month"
    return n, {"ngày": "day", "tuần": "week", "tháng": "month", "năm": "year"}[u]


def _month_day(s: str) -> int:
    day = int(s)
    if not 1 <= day <= 31:
        raise _Invalid(f"no day {day} in a month", "relative")
    return day


def _p_every(G, norm, pos, ref):
    m = G["every"].match(norm, pos)
    if not m or G["not_recurring"].search(norm[max(0, pos - 40):pos]):
        return None
    unit = m.group("u")
    dom = m.group("dom")
    if dom is not None and unit.lower() != "tháng":
        # "hằng quý trước ngày 15": a day of the quarter is beyond us; keep
        # the recurrence alone.
        return m.end("u"), lambda: _recurrence(ref, *_unit(1, unit)), "recurrence"

    def resolve():
        return _recurrence(ref, *_unit(1, unit), day=_month_day(dom) if dom is not None else None)

    return m.end(), resolve, "recurrence"


def _p_periodic_like(key):
    def production(G, norm, pos, ref):
        m = G[key].match(norm, pos)
        if not m or G["not_recurring"].search(norm[max(0, pos - 40):pos]):
            return None
        n = _num(m.group("n")) if m.group("n") else 1
        if n < 1:
            return None
        return m.end(), lambda: _recurrence(ref, *_unit(n, m.group("u"))), "recurrence"

    return production


def _p_domrec(G, norm, pos, ref):
    m = G["domrec"].match(norm, pos)
    if not m:
        return None

    def resolve():
        return _recurrence(ref, 1, "month", day=_month_day(m.group("dom")))

    return m.end(), resolve, "recurrence"


def _p_quarter_day(G, norm, pos, ref):
    m = G["quarter_day"].match(norm, pos)
    if not m:
        return None

    def resolve():
        day = _month_day(m.group("dom"))
        y, mo = ref.year, ref.month + (-ref.month) % 3
        if ref >= date(y, mo, min(day, month_end(y, mo).day)):
            mo += 3
        y, mo = y + (mo - 1) // 12, (mo - 1) % 12 + 1
        return dict(due=date(y, mo, min(day, month_end(y, mo).day)), every="3 months", day=day,
                    precision="relative", kind="recurrence")

    return m.end(), resolve, "recurrence"


def _p_weekly(G, norm, pos, ref):
    """"thứ Sáu hằng tuần", "hằng tuần vào sáng thứ Hai": a weekly series on that weekday."""
    m = G["weekly"].match(norm, pos)
    if not m:
        return None
    wd = _weekday(m.group("wd1") or m.group("wd2"))
    return m.end(), lambda: _recurrence(ref, 1, "week", weekday=wd), "recurrence"


def _p_window(G, norm, pos, ref):
    """"từ ngày 3 đến ngày 7 hằng tháng": a window each month, due on its last day."""
    m = G["window"].match(norm, pos)
    if not m:
        return None

    def resolve():
        s_, e_ = int(m.group("s")), int(m.group("e"))
        if not 1 <= s_ <= e_ <= 31:
            raise _Invalid(f"no window {s_}-{e_} in a month", "relative")
        return _recurrence(ref, 1, "month", day=e_, window=s_)

    return m.end(), resolve, "recurrence"


def _p_yeardays(G, norm, pos, ref):
    """"trước ngày 15/6 và 15/12 hằng năm": fixed days of each year; evenly spaced days of one
    day of the month are one series ("6 months on day 15"), others the first day yearly."""
    m = G["yeardays"].match(norm, pos)
    if not m:
        return None

    def resolve():
        days = [(int(d), int(mo)) for d, mo in re.findall(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})", m.group("days"))]
        for d, mo in days:
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                raise _Invalid(f"impossible date {d}/{mo}", "relative")
        months = sorted(mo for _, mo in days)
        k = len(days)
        even = len({d for d, _ in days}) == 1 and 12 % k == 0 and all(
            (b - a) == 12 // k for a, b in zip(months, months[1:]))
        candidates = sorted(date(y, mo, min(d, month_end(y, mo).day)) for y in (ref.year, ref.year + 1)
                            for d, mo in days)
        due = next(c for c in candidates if c > ref)
        if even and k > 1:
            return dict(due=due, every=f"{12 // k} months", day=days[0][0], precision="relative",
                        kind="recurrence")
        return dict(due=due, every="1 year", day=None, precision="relative", kind="recurrence",
                    guesses=() if k == 1 else ("recur",))

    return m.end(), resolve, "recurrence"


_PRODUCTIONS = (
    _p_domrec, _p_quarter_day, _p_yeardays, _p_window, _p_weekly, _p_dayrange, _p_rel, _p_strong, _p_weak, _p_from, _p_every,
    _p_periodic_like("periodic"), _p_periodic_like("perlan"), _p_periodic_like("lanper"),
)


def _at(G, norm: str, pos: int, ref: date):
    """The longest phrase starting at ``pos`` that its context accepts."""
    best = None
    for production in _PRODUCTIONS:
        hit = production(G, norm, pos, ref)
        if hit is None or (best is not None and hit[0] <= best[0]):
            continue
        end, resolve = hit[0], hit[1]
        kind = hit[2] if len(hit) > 2 else "due"
        try:
            fields = resolve()
        except _Invalid as exc:
            fields = dict(due=None, precision=exc.precision, kind=kind, error=str(exc))
        except (OverflowError, ValueError):
            # Only reachable with a reference date at the ends of the
            # calendar (year 1 or 9999).
            fields = dict(due=None, precision="day", kind=kind, error="date out of range")
        if fields is not None:
            best = (end, fields)
    return best


def find_deadlines(text: str, ref: date) -> list[Deadline]:
    """All deadline, start and recurrence phrases of ``text``, in order of appearance."""
    G = _grammar()
    norm, starts, ends = _prepare(text)
    found: list[Deadline] = []
    pos = 0
    trigger = G["trigger"]
    while True:
        t = trigger.search(norm, pos)
        if t is None:
            break
        hit = _at(G, norm, t.start(), ref)
        if hit is None:
            pos = t.start() + 1
            continue
        end, fields = hit
        # A phrase never ends on a space, a comma or a closing parenthesis.
        while end > t.start() and not norm[end - 1].isalnum():
            end -= 1
        if starts is None:
            s, e = t.start(), end
        else:
            s, e = starts[t.start()], ends[end - 1]
        found.append(Deadline(phrase=text[s:e], span=(s, e), **fields))
        pos = end
    return found


def governing(text: str, found: list[Deadline], ref: date, keep=lambda d: True) -> Deadline | None:
    """The deadline that governs a task among ``found`` (those of ``text``).

    The last completion deadline (an impossible date included, so that it is not silently lost);
    failing that the most specific recurrence that ``keep`` accepts, the last one among equals;
    failing that the last start. A recurrence that names no day and a year-less day in the same
    clause are one series ("Báo cáo hằng năm, trước ngày 15/12": yearly from 15/12).
    """
    recs = [d for d in found if d.kind == "recurrence" and keep(d)]
    rec = None
    if recs:
        specific = [r for r in recs if "recur" not in r.guesses]
        rec = (specific or recs)[-1]
        if "recur" in rec.guesses:
            merged = _anchored(text, rec, found, ref)
            if merged is not None:
                return merged
    for d in reversed(found):
        if d.kind == "due":
            return d
    if rec is not None:
        return rec
    return next((d for d in reversed(found) if d.kind == "start"), None)


def _anchored(text: str, rec: Deadline, found: list[Deadline], ref: date) -> Deadline | None:
    from dataclasses import replace
    for d in found:
        if d.kind != "due" or d.precision != "day" or d.due is None or "year" not in d.guesses:
            continue
        lo, hi = min(d.span[0], rec.span[0]), max(d.span[1], rec.span[1])
        if re.search(r"[;.!?\n]", text[min(d.span[1], rec.span[1]):max(d.span[0], rec.span[0])]):
            continue
        n_s, name = rec.every.split()
        n = int(n_s)
        if name.startswith("week") or name.startswith("day"):
            return None
        months = n * (12 if name.startswith("year") else 1)
        # The series' first occurrence after ref, stepping from the named day.
        k = 0
        while add_months(d.due, months * (k - 1)) > ref:
            k -= 1
        while add_months(d.due, months * k) <= ref:
            k += 1
        due = add_months(d.due, months * k)
        day = d.due.day if months < 12 else None
        return replace(rec, due=due, day=day, span=(lo, hi), phrase=text[lo:hi], guesses=("year",))
    return None


def find_deadline(text: str, ref: date) -> Deadline | None:
    """The deadline that governs the task (see governing)."""
    return governing(text, find_deadlines(text, ref), ref)


# --------------------------------------------------------------------------
# The reference date of a document without an issue date.

_FULL_DATE = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s*(?P<sep>[/.\-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>(?:19|20)\d{2})(?!\d)"
    r"|ngày\s+(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>(?:19|20)\d{2})", re.I)
# "Quyết định số 1851/QĐ-UBND ngày 27/9/2021": a cited document, dated before the one citing it.
_CITED = re.compile(r"\bsố\s*:?\s*\d[\w/.\-]*(?:\s*/\s*[\w.\-]+)?\s*,?\s+ngày\s+", re.I)
# "Ngày 12/6, UBND tỉnh ban hành Công văn số ...": a portal's report of the issue date.
_PROSE_ISSUED = re.compile(
    r"^(?:Vừa qua,\s*)?(?:Ngày|Hôm nay|Sáng|Chiều)\s*(?:ngày\s*)?(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})"
    r"(?:\s*[/.\-]\s*(?P<y>(?:19|20)\d{2}))?\s*,[^.\n]{0,120}?\b(?:đã\s+)?ban\s+hành\b", re.I | re.M)
_YEAR = re.compile(r"\bnăm\s+((?:19|20)\d{2})(?![\d/\-\u2013])", re.I)


def _full_date(m) -> date | None:
    try:
        return date(int(m.group("y") or m.group("y2")), int(m.group("m") or m.group("m2")),
                    int(m.group("d") or m.group("d2")))
    except ValueError:
        return None


_CLOCK = r"(?:\d{1,2}\s*[:h]\s*\d{2}(?:\s*:\s*\d{2})?(?:\s*(?:SA|CH|AM|PM))?)"
# A page's date line: the date, perhaps a weekday, a label and an hour, nothing else.
_PAGE_LINE = re.compile(
    rf"^(?:{_CLOCK}\s*[-–,|]?\s*)?(?:(?:thứ\s+\w+|chủ\s+nhật)\s*,?\s*)?"
    r"(?:(?:cập\s+nhật|ngày\s+đăng|đăng\s+ngày|đăng\s+lúc|ngày\s+cập\s+nhật|ngày)\s*:?\s*)?"
    r"(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>(?:19|20)\d{2})"
    rf"(?:\s*[-–,|]?\s*(?:lúc\s+)?{_CLOCK})?(?:\s*\(?GMT\s*\+\s*7\)?)?\s*$", re.I)


_PLACE_DATE = re.compile(r"\w,\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>(?:19|20)\d{2})", re.I)


def _page_date(lines: list[str]) -> date | None:
    for line in lines[:6]:
        m = _PAGE_LINE.match(line)
        if m and (d := _full_date(m)):
            return d
    return None


def reference_date(text: str, issued: date | None = None) -> tuple[date | None, str]:
    """The date a document's year-less and relative deadlines are read against, and where it
    comes from: the issue date ("issued"); else the issue date a portal reports in its prose
    ("Ngày 12/6, UBND tỉnh ban hành ...", its year from the page's date line or the cited
    documents: "text"); else a page's date line at the top, the publication date ("page");
    else the latest date of a document it cites, or failing that the first of January of the
    latest year it names, both lower bounds of its own date ("text"); else (None, "none").
    Never the day of import."""
    if issued is not None:
        return issued, "issued"
    text = unicodedata.normalize("NFC", text)
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    # The header's "Long An, ngày 11 tháng 11 năm 2024", where the header itself could not be read.
    for line in lines[:15]:
        m = _PLACE_DATE.search(line)
        if m and (d := _full_date(m)):
            return d, "text"
    page = _page_date(lines)
    cited = [d for c in _CITED.finditer(text) if (m := _FULL_DATE.match(text, c.end() - len("ngày "))
                                                  or _FULL_DATE.match(text, c.end())) and (d := _full_date(m))]
    prose = _PROSE_ISSUED.search(text)
    if prose:
        dd, mm = int(prose.group("d")), int(prose.group("m"))
        years = [int(prose.group("y"))] if prose.group("y") else \
            [page.year, page.year - 1] if page else [max(cited).year, max(cited).year + 1] if cited else []
        for y in years:
            try:
                got = date(y, mm, dd)
            except ValueError:
                continue
            if (page is None or got <= page) and (not cited or got >= max(cited) or prose.group("y")):
                return got, "text"
    if page is not None:
        return page, "page"
    if cited:
        return max(cited), "text"
    years = [int(y) for y in _YEAR.findall(text)]
    if years:
        return date(max(years), 1, 1), "text"
    return None, "none"
