"""`dtrack report --format xlsx`: the report as an Excel workbook (openpyxl, the optional extra `[xlsx]`).

One sheet per view: by lead agency (with a bar chart of the tasks done on time, done late and
overdue per agency), by directive, and the overdue tasks. Headers speak the language spoken (the
caller speaks the store's); counts are numbers, the rate a number in a percent format, dates real
dates; the Total row is apart, after a blank row, bold; the title and header rows are frozen; the
widths fit the Vietnamese text, long task texts wrap.
"""
from __future__ import annotations

import io

from dtrack.domain.text import one_line, safe_display
from dtrack.errors import UsageError
from dtrack.i18n import t
from dtrack.output.report_formats import headers, list_headers, title, unit_text
from dtrack.services.report import COUNTS, Report, Tally, overdue_sorted

_HEADER_FILL = "D9E2F3"
_MAX_WIDTH = 60          # characters; longer texts wrap
_TEXT_WIDTH = 80         # the task text column of the overdue sheet


def require():
    try:
        import openpyxl
    except ImportError:
        raise UsageError(t("--format {fmt} needs openpyxl, which is not installed", fmt="xlsx"),
                         hint=t('Install it: pip install "dtrack-vn[xlsx]" (under pipx: pipx inject dtrack-vn openpyxl).')) from None
    return openpyxl


def _text(s: str) -> str:
    # A cell holding "=..." typed as text stays text in openpyxl only if it is not taken for a formula.
    s = safe_display(one_line(s))
    return "'" + s if s.startswith("=") else s


def _sheet_title(text: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return "".join(c for c in text if c not in "[]:*?/\\")[:31]


def _style_header(ws, row: int, ncols: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    for col in range(1, ncols + 1):
        cell = ws.cell(row=row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _fit_widths(ws, first_row: int, wrap_cols: dict[int, int] | None = None) -> None:
    """Each column as wide as its longest value from `first_row` (headers wrap over two lines when
    they are longer than the values); `wrap_cols` columns get a fixed width and wrap."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    wrap_cols = wrap_cols or {}
    header_lines = 1
    for col in range(1, ws.max_column + 1):
        letter = get_column_letter(col)
        if col in wrap_cols:
            ws.column_dimensions[letter].width = wrap_cols[col]
            for (cell,) in ws.iter_rows(min_row=first_row + 1, min_col=col, max_col=col):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            continue
        values = [ws.cell(row=r, column=col).value for r in range(first_row + 1, ws.max_row + 1)]
        longest = max((len(_shown(v)) for v in values if v is not None), default=0)
        header = str(ws.cell(row=first_row, column=col).value or "")
        header_need = max(len(header) / 2, max((len(w) for w in header.split()), default=0))
        width = min(_MAX_WIDTH, max(longest, header_need, 6) + 2)
        ws.column_dimensions[letter].width = width
        header_lines = max(header_lines, -(-len(header) // int(width - 2)))
    # A wrapped header needs its row to grow: Excel does not grow it for a file it did not lay out.
    ws.row_dimensions[first_row].height = 15 * header_lines + (6 if header_lines > 1 else 0)


def _shown(value) -> str:
    if isinstance(value, float):
        return "100.0%"
    if hasattr(value, "strftime"):
        return "00/00/0000"
    return str(value)


def _top(ws, heading: str, head: list[str]) -> None:
    """The sheet's title in row 1 and its header in row 2."""
    from openpyxl.styles import Font
    ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=13)
    for col, text in enumerate(head, 1):
        ws.cell(row=2, column=col, value=text)
    _style_header(ws, 2, len(head))


def _counts_sheet(ws, report: Report) -> None:
    """Title, header, one row per group, a blank row, the Total."""
    from openpyxl.styles import Font
    head = headers(report)
    _top(ws, title(report), head)
    row_no = 3
    for tally in report.rows:
        _counts_row(ws, row_no, tally, tally.label)
        row_no += 1
    total_row = row_no + 1
    _counts_row(ws, total_row, report.total, t("Total"))
    for col in range(1, len(head) + 1):
        ws.cell(row=total_row, column=col).font = Font(bold=True)
    ws.freeze_panes = "B3"
    _fit_widths(ws, 2)


def _counts_row(ws, row: int, tally: Tally, label: str) -> None:
    ws.cell(row=row, column=1, value=_text(label))
    for col, key in enumerate([k for k in COUNTS], 2):
        ws.cell(row=row, column=col, value=tally.counts[key])
    rate = ws.cell(row=row, column=len(COUNTS) + 2, value=tally.on_time_rate)
    rate.number_format = "0.0%"


def _chart(ws, report: Report) -> None:
    """Stacked bars per agency: done on time, done late, open overdue (the columns C, D, F)."""
    from openpyxl.chart import BarChart, Reference
    if not report.rows:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = t("On time and late per agency")
    last = 2 + len(report.rows)
    for col in (3, 4, 6):            # done_on_time, done_late, open_overdue
        chart.add_data(Reference(ws, min_col=col, min_row=2, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=last))
    for series, colour in zip(chart.series, ("2E7D32", "F9A825", "C62828")):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    chart.y_axis.title = t("Tasks")
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"      # the first agency on top, as in the table
    chart.height = max(8.0, 0.6 * len(report.rows) + 3)
    chart.width = 22.0
    chart.legend.position = "b"
    ws.add_chart(chart, f"A{last + 4}")


def _overdue_sheet(ws, report: Report) -> None:
    _top(ws, t("Overdue tasks as of {day}", day=report.as_of.strftime("%d/%m/%Y")), list_headers(report))
    row_no = 3
    for tally in report.rows:
        for u in overdue_sorted(tally.overdue):
            values = [_text(tally.label), u.ref, _text(u.directive.number or ""), u.directive.issued, u.due,
                      u.days_overdue(report.as_of), _text(unit_text(u))]
            for col, value in enumerate(values, 1):
                cell = ws.cell(row=row_no, column=col, value=value)
                if col in (4, 5):
                    cell.number_format = "DD/MM/YYYY"
            row_no += 1
    ws.freeze_panes = "A3"
    _fit_widths(ws, 2, wrap_cols={1: 28, 7: _TEXT_WIDTH})


def xlsx_bytes(by_agency: Report, by_directive: Report) -> bytes:
    """The workbook of the three views (the overdue sheet lists each lead agency's overdue tasks)."""
    openpyxl = require()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _sheet_title(t("By agency"))
    _counts_sheet(ws, by_agency)
    _chart(ws, by_agency)
    _counts_sheet(wb.create_sheet(_sheet_title(t("By directive"))), by_directive)
    _overdue_sheet(wb.create_sheet(_sheet_title(t("Overdue tasks"))), by_agency)
    wb.properties.title = title(by_agency)
    wb.properties.creator = "dtrack"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
