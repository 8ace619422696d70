"""The follow-up letter ("công văn đôn đốc") of `dtrack remind`: its content, and that content as Markdown.

The letter follows the layout of an administrative letter (Nghị định 30/2020/NĐ-CP): issuing body
under its parent body and the number, Quốc hiệu and Tiêu ngữ, place and date, the "V/v" subject,
"Kính gửi", the body with the tasks, the request to report by a date, Nơi nhận and the signature.
`compose` words it once, in the language spoken (the caller speaks the store's language), and both
this Markdown and the Word document of output/docx_letter.py draw that one `Letter`. What dtrack
cannot know (the letter's number) and what the store settings leave empty are placeholders in
brackets or dots, for the clerk to fill in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from dtrack.domain.dates import fmt
from dtrack.domain.model import Directive
from dtrack.domain.settings import Settings
from dtrack.domain.wording import long_date
from dtrack.i18n import language, t
from dtrack.output.report_formats import md_escape
from dtrack.services.remind import Overdue


@dataclass(frozen=True)
class Head:
    """The administrative header a letter and a report share (Nghị định 30/2020, Phụ lục I)."""
    parent: str                 # the body above the issuer, upper case; "" when the issuer has none
    office: str                 # the issuing body, upper case
    number: str                 # "Số: ……/……"
    place_date: str             # "Huế, ngày 01 tháng 12 năm 2026"
    nation: str                 # Quốc hiệu
    motto: str                  # Tiêu ngữ


@dataclass(frozen=True)
class Signature:
    recipients: list[str]       # the lines of "Nơi nhận", each ending with ";" and the last with "."
    title: list[str]            # the signer's title lines, upper case
    name: str


@dataclass(frozen=True)
class Letter:
    head: Head
    subject: str                # "V/v ..."
    to: str                     # "Kính gửi: ..."
    intro: str
    overdue_headers: list[str]
    overdue_rows: list[list[str]]
    soon_intro: str
    soon_headers: list[str]
    soon_rows: list[list[str]]
    request: str
    closing: str
    signature: Signature


def date_words(d: date) -> str:
    return long_date(d, language())


def head(settings: Settings, as_of: date, *, issuer: str | None = None, place: str | None = None) -> Head:
    """The header from the store settings; --issuer names the issuing body wholesale (no parent line)
    and --place the place. An office without a parent body (the province's People's Committee
    itself) has no parent line; a missing office gets placeholders, for the clerk to fill in."""
    office = (issuer or settings.office).strip()
    if issuer:
        parent = ""
    else:
        parent = settings.parent.strip() or ("" if office else t("[PARENT BODY]"))
    place_text = (place or settings.place).strip() or t("[PLACE]")
    return Head(parent=parent.upper(), office=(office or t("[NAME OF THE OFFICE]")).upper(),
                number=t("No.: ……/……"), place_date=f"{place_text}, {date_words(as_of)}",
                nation=t("SOCIALIST REPUBLIC OF VIETNAM"), motto=t("Independence - Freedom - Happiness"))


def signature(settings: Settings, copies: Sequence[str] = ()) -> Signature:
    lines = [line.strip().upper() for line in settings.signer.title.splitlines() if line.strip()]
    recipients = [t("- As above;"), *(t("- {agency} (to coordinate);", agency=c) for c in copies),
                  t("- Archived: VT, …….")]
    return Signature(recipients, lines or [t("[TITLE OF THE SIGNER]")], settings.signer.name or t("[Full name]"))


def directive_label(d: Directive) -> str:
    kinds = {"thong-bao": t("Notice"), "cong-van": t("Official letter"), "ke-hoach": t("Plan"),
             "quyet-dinh": t("Decision"), "chi-thi": t("Instruction"), "khac": t("Document")}
    kind = kinds.get(d.kind, t("Document"))
    if d.number:
        return t("{kind} No. {number} of {issued} by {issuer}", kind=kind, number=d.number, issued=fmt(d.issued),
                 issuer=d.issuer)
    return t("{kind} of {issued} by {issuer}", kind=kind, issued=fmt(d.issued), issuer=d.issuer)


def compose(agency: str, items: Sequence[Overdue], settings: Settings, *, as_of: date, reply_by: date | None,
            issuer: str | None = None, place: str | None = None, copies: Sequence[str] = ()) -> Letter:
    late = [o for o in items if not o.soon]
    soon = [o for o in items if o.soon]
    if late:
        intro = t("Following up the tasks assigned, as of {day} {agency} still has {count} task(s) past the "
                  "deadline and not completed, as follows:", day=date_words(as_of), agency=agency, count=len(late))
    else:
        intro = t("Following up the tasks assigned, as of {day} {agency} has no task past the deadline.",
                  day=date_words(as_of), agency=agency)
    soon_intro = t("The following {count} task(s) come due shortly:", count=len(soon)) if soon else ""
    reply = (t("before {day}", day=date_words(reply_by)) if reply_by else t("as soon as possible"))
    request = t("{agency} is requested to carry out the tasks above urgently and to report the results (stating "
                "the reasons for any delay, the measures taken and the date of completion) {reply}.",
                agency=agency, reply=reply)
    return Letter(
        head=head(settings, as_of, issuer=issuer, place=place),
        subject=t("Re: urging the performance of the tasks assigned"),
        to=t("To: {agency}.", agency=agency),
        intro=intro,
        overdue_headers=[t("No."), t("Assigning document"), t("Task"), t("Original deadline"),
                         t("Current deadline"), t("Days overdue")],
        overdue_rows=[[str(i), directive_label(o.unit.directive), o.unit.task.text, fmt(o.original) or "–",
                       fmt(o.current) or "–", str(o.days)] for i, o in enumerate(late, 1)],
        soon_intro=soon_intro,
        soon_headers=[t("No."), t("Assigning document"), t("Task"), t("Deadline"), t("Days left")],
        soon_rows=[[str(i), directive_label(o.unit.directive), o.unit.task.text, fmt(o.current), str(o.days)]
                   for i, o in enumerate(soon, 1)],
        request=request,
        closing=t("Yours sincerely./."),
        signature=signature(settings, copies),
    )


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    e = md_escape
    numeric = {0, len(headers) - 1}
    return ["| " + " | ".join(e(h) for h in headers) + " |",
            "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|",
            *("| " + " | ".join(e(c) for c in row) + " |" for row in rows)]


def markdown(letter: Letter) -> str:
    e = md_escape
    h, s = letter.head, letter.signature
    lines = [*([e(h.parent), ""] if h.parent else []), f"**{e(h.office)}**", "",
             f"**{e(h.nation)}**", "", f"**{e(h.motto)}**", "",
             e(h.number), "", f"*{e(h.place_date)}*", "",
             e(letter.subject), "", e(letter.to), "", e(letter.intro), ""]
    if letter.overdue_rows:
        lines += [*_md_table(letter.overdue_headers, letter.overdue_rows), ""]
    if letter.soon_rows:
        lines += [e(letter.soon_intro), "", *_md_table(letter.soon_headers, letter.soon_rows), ""]
    lines += [e(letter.request), "", e(letter.closing), "",
              f"*{e(t('Recipients:'))}*", "", *(e(r) for r in s.recipients), "",
              *(f"**{e(x)}**" for x in s.title), "", f"*{e(t('(Signature, full name)'))}*", "",
              f"**{e(s.name)}**", ""]
    return "\n".join(lines)
