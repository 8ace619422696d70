"""The follow-up letter of `dtrack remind --format docx`: output/letters.py's `Letter` in Word, in the
layout of Nghị định 30/2020/NĐ-CP (output/docx_layout.py draws the page, the header and the signature).
"""
from __future__ import annotations

from dtrack.output import docx_layout as layout
from dtrack.output.letters import Letter

# STT, document, task, deadlines, days: the task text gets the room (text width 165 mm).
_LATE_WIDTHS = [12.0, 32.0, 54.0, 25.0, 25.0, 17.0]
_SOON_WIDTHS = [12.0, 36.0, 75.0, 25.0, 17.0]


def docx_bytes(letter: Letter) -> bytes:
    doc = layout.new_document()
    layout.header(doc, letter.head, letter.subject)
    layout.para(doc, "", after=0)
    layout.para(doc, letter.to, align="center")
    layout.para(doc, letter.intro, indent=True)
    if letter.overdue_rows:
        layout.data_table(doc, letter.overdue_headers, letter.overdue_rows, _LATE_WIDTHS, numeric={0, 5})
        layout.para(doc, "", after=0)
    if letter.soon_rows:
        layout.para(doc, letter.soon_intro, indent=True)
        layout.data_table(doc, letter.soon_headers, letter.soon_rows, _SOON_WIDTHS, numeric={0, 4})
        layout.para(doc, "", after=0)
    layout.para(doc, letter.request, indent=True)
    layout.para(doc, letter.closing, indent=True)
    layout.signature(doc, letter.signature)
    return layout.to_bytes(doc)
