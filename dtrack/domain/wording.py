"""Numbers and dates written out as each language writes them (what a letter or a report prints).

Vietnamese: dates day-first (28/05/2025), written out as "ngày 28 tháng 5 năm 2025" in the
administrative style of Nghị định 30/2020/NĐ-CP (days below 10 and the months 1 and 2 take a
leading zero: "ngày 05 tháng 02 năm 2025"); a decimal comma and a space before the percent sign
(66,7 %).
"""
from __future__ import annotations

from datetime import date


def long_date(d: date, lang: str = "vi") -> str:
    if lang == "vi":
        # The decree's rule: a leading zero for days below 10 and for months 1 and 2.
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        return f"ngày {d.day:02d} tháng {month} năm {d.year}"
    return f"{d.day} {d:%B} {d.year}"


def decimal(value: float, digits: int = 1, lang: str = "vi") -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "vi" else text


def percent(value: float, digits: int = 1, lang: str = "vi") -> str:
    """66.666 -> '66,7 %' (vi) or '66.7%' (en)."""
    return f"{decimal(value, digits, lang)} %" if lang == "vi" else f"{decimal(value, digits, lang)}%"


_UNIT_WORDS = {"days": "ngày", "weeks": "tuần", "months": "tháng", "years": "năm"}


def every(raw: str, lang: str = "vi") -> str:
    """A task's recurrence as the language says it: '2 weeks' -> '2 tuần', '1 month on day 20' ->
    '1 tháng vào ngày 20' (vi); English, and anything that is not a recurrence, as written."""
    from dtrack.domain.recurrence import parse_every
    from dtrack.errors import UsageError
    if lang != "vi":
        return raw
    try:
        e = parse_every(raw)
    except UsageError:
        return raw
    return f"{e.n} {_UNIT_WORDS[e.unit]}" + (f" vào ngày {e.day}" if e.day else "")
