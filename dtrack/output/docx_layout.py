"""The page and blocks of an administrative document in Word (Nghị định 30/2020/NĐ-CP, Phụ lục I):
A4, margins top and bottom 20 mm, left 30 mm, right 15 mm, Times New Roman, body 14 pt; the
header table (issuing body and number on the left, Quốc hiệu, Tiêu ngữ and the date on the right);
Nơi nhận on the left and the signature on the right. python-docx is the optional extra `[docx]`:
`require()` turns its absence into an install hint. Used by the letter and the report.
"""
from __future__ import annotations

import io

from dtrack.errors import UsageError
from dtrack.i18n import t
from dtrack.domain.text import safe_display

FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15


def require(extra: str = "docx"):
    """The python-docx module, or a one-line error that says how to install it."""
    try:
        import docx
    except ImportError:
        raise UsageError(t("--format {fmt} needs python-docx, which is not installed", fmt=extra),
                         hint=t('Install it: pip install "dtrack-vn[docx]" (under pipx: pipx inject dtrack-vn python-docx).')) from None
    return docx


def new_document(*, landscape: bool = False):
    docx = require()
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    # Word takes the font of Vietnamese letters from the East Asian and complex-script slots too.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    return doc


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def para(container, text: str = "", *, size: float | None = None, bold: bool = False, italic: bool = False,
         align: str = "justify", indent: bool = False, after: float | None = None):
    """A paragraph of one run; `indent` is the body's first-line indent (1.27 cm)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt
    p = _new_paragraph(container)
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    if indent:
        p.paragraph_format.first_line_indent = Cm(1.27)
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    if text:
        run = p.add_run(safe_display(text))
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
    return p


def _new_paragraph(container):
    """container.add_paragraph(), in constant time for the document body: python-docx finds the body's
    final sectPr by scanning every child for each new paragraph, so a report listing 26,000 overdue
    occurrences spent 18 of its 33 s there."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph
    body = getattr(getattr(container, "element", None), "body", None)
    # Where Word keeps it: last. lxml finds [-1] from the end (len() would count every child).
    try:
        sect = body[-1] if body is not None else None
    except IndexError:
        sect = None
    if sect is None or sect.tag != qn("w:sectPr"):
        return container.add_paragraph()
    element = body.makeelement(qn("w:p"), {})
    sect.addprevious(element)
    return Paragraph(element, container._body)


def _rule(cell, width_mm: float, cell_mm: float) -> None:
    """The short solid line under the issuing body and under the Tiêu ngữ: the bottom border of an
    empty paragraph of its own (1 pt high), inset from both sides to `width_mm`, centred."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    p = _fill(cell, "", size=1)
    inset = max(0.0, (cell_mm - 3.8 - width_mm) / 2)     # 3.8 mm: the cell's own left and right margins
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(inset)
    p.paragraph_format.space_before = Pt(2)          # clear of the descenders of the line above
    p.paragraph_format.space_after = Pt(6)           # and of the number or date line below
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    # WordprocessingML fixes the order of a paragraph's properties: Word refuses a file that breaks it.
    ppr.insert_element_before(border, *_AFTER_PBDR)
    mark = OxmlElement("w:rPr")           # the paragraph mark's size sets the rule paragraph's height
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    ppr.insert_element_before(mark, "w:sectPr", "w:pPrChange")


_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
               "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _cell_widths(table, widths_mm: list[float]) -> None:
    from docx.shared import Mm
    table.autofit = False
    # Word reads the cells' widths, LibreOffice the grid's: both are set.
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def _fill(cell, text: str, *, size: float, bold: bool = False, italic: bool = False, align: str = "center",
          after: float = 0):
    """A line in a table cell: a new cell's one empty paragraph takes the first line (no blank above)."""
    from docx.shared import Pt
    first = cell.paragraphs[0]
    if len(cell.paragraphs) == 1 and not first.runs:
        first._p.getparent().remove(first._p)
    p = para(cell, text, size=size, bold=bold, italic=italic, align=align, after=after)
    p.paragraph_format.line_spacing = 1.0
    return p


def header(doc, head, subject: str | None = None, *, width_mm: float = TEXT_WIDTH_MM) -> None:
    """The two-column header: the issuing body (its parent above, 13 pt; the body bold) with a rule,
    the number and the subject (V/v, 12 pt) left; Quốc hiệu (13 pt bold), Tiêu ngữ (14 pt bold) with
    a rule, and the place and date (14 pt italic) right; the number and the date on one line."""
    table = doc.add_table(rows=2, cols=2)
    left_w = 62.0 if width_mm == TEXT_WIDTH_MM else width_mm * 0.42
    right_w = width_mm - left_w
    top_left, top_right = table.rows[0].cells
    if head.parent:
        _fill(top_left, head.parent, size=13, align="center")
    _fill(top_left, head.office, size=13, bold=True, align="center")
    _rule(top_left, 22, left_w)
    _fill(top_right, head.nation, size=12, bold=True, align="center")
    _fill(top_right, head.motto, size=13, bold=True, align="center")
    _rule(top_right, 62, right_w)
    bottom_left, bottom_right = table.rows[1].cells
    _fill(bottom_left, head.number, size=13, align="center", after=2)
    if subject:
        _fill(bottom_left, subject, size=12, align="center")
    _fill(bottom_right, head.place_date, size=14, italic=True, align="center")
    _cell_widths(table, [left_w, right_w])


def data_table(doc, headers: list[str], rows: list[list[str]], widths_mm: list[float], *, size: float = 12,
               numeric: set[int] = frozenset(), bold_last: bool = False):
    """A bordered table: the header row bold and repeated on each page, numbers right-aligned."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headers):
        _fill(cell, text, size=size, bold=True, align="center")
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for r, row in enumerate(rows):
        cells = table.add_row().cells
        last = bold_last and r == len(rows) - 1
        for i, (cell, text) in enumerate(zip(cells, row)):
            p = _fill(cell, text, size=size, bold=last, align="center" if i in numeric else "left")
            if i in numeric:
                from docx.enum.text import WD_ALIGN_PARAGRAPH
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if i else WD_ALIGN_PARAGRAPH.CENTER
    _cell_widths(table, widths_mm)
    return table


def signature(doc, sig, *, width_mm: float = TEXT_WIDTH_MM) -> None:
    """Nơi nhận (left: the label 12 pt bold italic, the lines 11 pt) and the signature (right: the
    title lines 14 pt bold upper case, the room to sign, the name 14 pt bold)."""
    para(doc, "", after=0)
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _fill(left, t("Recipients:"), size=12, bold=True, italic=True, align="left")
    for line in sig.recipients:
        _fill(left, line, size=11, align="left")
    for line in sig.title:
        _fill(right, line, size=14, bold=True, align="center")
    for _ in range(3):
        _fill(right, "", size=14, align="center")
    _fill(right, sig.name, size=14, bold=True, align="center")
    _cell_widths(table, [width_mm / 2 - 5, width_mm / 2 + 5])
