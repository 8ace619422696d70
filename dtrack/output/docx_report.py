"""`dtrack report --format docx`: the report as a Word document with the administrative header of
Nghị định 30/2020/NĐ-CP (output/docx_layout.py), the title, the table (the Total row bold), with
--list each agency's overdue tasks, then Nơi nhận and the signer of the store settings. A4 landscape:
nine columns of figures do not fit the 165 mm of a portrait page at a readable size.
"""
from __future__ import annotations

from dtrack.domain.settings import Settings
from dtrack.i18n import t
from dtrack.output import docx_layout as layout
from dtrack.output.letters import head, signature
from dtrack.output.report_formats import headers, overdue_line, rate_text, title
from dtrack.services.report import COUNTS, Report, Tally, overdue_sorted

# Landscape text width: 297 - 30 - 15 = 252 mm; the label gets what the eight figures leave.
_WIDTHS = [76.0, *([22.0] * 8)]


def _cells(tally: Tally, label: str) -> list[str]:
    return [label, *(str(tally.counts[k]) for k in COUNTS), rate_text(tally.on_time_rate)]


def docx_bytes(report: Report, settings: Settings, *, with_list: bool = False) -> bytes:
    doc = layout.new_document(landscape=True)
    layout.header(doc, head(settings, report.as_of), None, width_mm=252.0)
    layout.para(doc, "", after=0)
    layout.para(doc, t("REPORT"), size=14, bold=True, align="center", after=0)
    layout.para(doc, title(report), size=14, bold=True, align="center")
    rows = [_cells(r, r.label) for r in report.rows] + [_cells(report.total, t("Total"))]
    layout.data_table(doc, headers(report), rows, _WIDTHS, size=12, numeric=set(range(1, 9)), bold_last=True)
    if with_list:
        for row in report.rows:
            if row.overdue:
                layout.para(doc, t("{label}: overdue tasks", label=row.label), bold=True, align="left")
                for u in overdue_sorted(row.overdue):
                    layout.para(doc, "- " + overdue_line(u, report.as_of), size=13, align="left", after=2)
    layout.signature(doc, signature(settings), width_mm=252.0)
    return layout.to_bytes(doc)
