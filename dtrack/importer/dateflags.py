"""What the clerk must check about a task's dates: one short message per guess the deadline
grammar made (its `guesses` codes), worded for the review table and the file's import notes."""
from __future__ import annotations

from dtrack.domain.deadlines import Deadline
from dtrack.i18n import t


def _year_source(ref_from: str) -> str:
    return {"issued": t("year inferred from the document date"),
            "page": t("year inferred from the page's date line (its publication date)"),
            "text": t("year inferred from the other dates of the text (the document has no date)"),
            }.get(ref_from, t("year inferred from the day of import (the document has no date)"))


def flags_for(d: Deadline, ref_from: str = "issued", inherited: bool = False) -> list[str]:
    out: list[str] = []
    g = d.guesses
    if "year" in g:
        out.append(_year_source(ref_from))
    elif ref_from != "issued" and d.due is not None and (d.precision == "relative" or d.kind == "recurrence"):
        out.append(_year_source(ref_from))
    if "past" in g and d.due is not None:
        out.append(t("the deadline {due} is before the document date", due=f"{d.due:%d/%m/%Y}"))
    if "anchor" in g:
        out.append(t("relative deadline: anchor unknown, date it by hand ({phrase})", phrase=d.phrase))
    if "from-ref" in g:
        out.append(t("relative deadline counted from the document date ({phrase})", phrase=d.phrase))
    if "recur" in g and d.due is not None:
        out.append(t("recurring rule guessed: first due {due}", due=f"{d.due:%d/%m/%Y}"))
    if inherited:
        out.append(t("deadline shared with other tasks ({phrase})", phrase=d.phrase))
    return out
