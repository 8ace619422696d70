"""The report as Markdown, CSV and one self-contained HTML page (the terminal table is in render.py).

Every text from the files (agency names, task text, numbers) is escaped for the format it goes
into: a task text can hold `|`, `<script>` or `*`, and must still show as written.
"""
from __future__ import annotations

import csv
import html
import io
import re

from dtrack.domain.dates import fmt
from dtrack.domain.wording import percent
from dtrack.i18n import language, t
from dtrack.services.report import COUNTS, Report, Tally, Unit, overdue_sorted
from dtrack.domain.text import one_line, safe_display, shorten


def headers(report: Report) -> list[str]:
    label = {"agency": t("Lead agency"), "directive": t("Directive"), "month": t("Month issued")}[report.by]
    return [label, t("Assigned"), t("Done on time"), t("Done late"), t("Open in time"), t("Open overdue"),
            t("Cancelled"), t("No deadline"), t("On-time rate")]


def short_headers(report: Report) -> list[str]:
    """Headers narrow enough for an 80-column terminal."""
    label = {"agency": t("Lead"), "directive": t("Directive"), "month": t("Month")}[report.by]
    return [label, t("Tasks"), t("On time"), t("Late"), t("Open"), t("Overdue"), t("Cancel."), t("No due"),
            t("Rate")]


def cells(tally: Tally, label: str | None = None) -> list[str]:
    return [label if label is not None else tally.label, *(str(tally.counts[k]) for k in COUNTS),
            rate_text(tally.on_time_rate)]


def rate_text(rate: float | None) -> str:
    """The on-time rate as the language spoken writes a percentage, in every format: 66.7% (en),
    66,7 % (vi); a whole rate without its zero: 50%, 50 %."""
    if rate is None:
        return "–"
    return percent(rate * 100, 1, language()).replace(".0%", "%").replace(",0 %", " %")


def title(report: Report) -> str:
    if report.start or report.end:
        period = t("directives issued {start} – {end}", start=fmt(report.start) or "…", end=fmt(report.end) or "…")
    else:
        period = t("all directives")
    if report.due_start or report.due_end:
        period += t(", deadlines {start} – {end}", start=fmt(report.due_start) or "…", end=fmt(report.due_end) or "…")
    return t("Assigned tasks: {period}; state as of {as_of}", period=period, as_of=fmt(report.as_of))


def overdue_line(unit: Unit, as_of) -> str:
    d = unit.directive
    source = f"{d.number}, {fmt(d.issued)}" if d.number else fmt(d.issued)
    if unit.count > 1:
        return t("{ref} ({source}) {count} occurrences due {first} to {last}, the first {days} days overdue: {text}",
                 ref=unit.ref, source=source, count=unit.count, first=fmt(unit.due), last=fmt(unit.through),
                 days=unit.days_overdue(as_of), text=shorten(unit.task.text, 160))
    return t("{ref} ({source}) due {due}, {days} days overdue: {text}", ref=unit.ref, source=source,
             due=fmt(unit.due), days=unit.days_overdue(as_of), text=shorten(unit.task.text, 160))


def unit_text(unit: Unit) -> str:
    """The task cell of a list row (CSV, xlsx): the task's text, and for the folded older occurrences of
    a series how many and until when (the row's deadline is the first of them)."""
    if unit.count > 1:
        return t("{count} occurrences due {first} to {last}: {text}", count=unit.count, first=fmt(unit.due),
                 last=fmt(unit.through), text=unit.task.text)
    return unit.task.text


# ---------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def md_escape(s: str) -> str:
    """Inline Markdown that shows `s` literally, on one line (a table cell cannot hold a newline)."""
    return _MD_SPECIAL.sub(r"\\\1", safe_display(one_line(s)))


def markdown(report: Report, with_list: bool = False) -> str:
    head = headers(report)
    out = [f"**{md_escape(title(report))}**", "",
           "| " + " | ".join(md_escape(h) for h in head) + " |",
           "|" + "|".join([" --- "] + [" ---: "] * (len(head) - 1)) + "|"]
    for row in report.rows:
        out.append("| " + " | ".join(md_escape(c) for c in cells(row)) + " |")
    out.append("| " + " | ".join(f"**{md_escape(c)}**" for c in cells(report.total, t("Total"))) + " |")
    if with_list:
        for row in report.rows:
            if row.overdue:
                out += ["", f"**{md_escape(row.label)}** — " + md_escape(t("overdue tasks")), ""]
                out += [f"- {md_escape(overdue_line(u, report.as_of))}" for u in overdue_sorted(row.overdue)]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- CSV

def csv_bytes(report: Report, with_list: bool = False, keys: bool = False) -> bytes:
    """UTF-8 with a BOM so that Excel shows Vietnamese text right when the file is double-clicked.
    Headers in the language spoken and the Total as the last row, after a blank row; with `keys`,
    for programs: the JSON's English keys as headers and no Total row (a program sums for itself,
    and a total among the rows would be counted twice). The rate is a number (0.6667) in both."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([report.by, *COUNTS, "on_time_rate"] if keys else headers(report))
    for row in report.rows:
        w.writerow(_csv_counts(row, row.label))
    if not keys:
        w.writerow([])
        w.writerow(_csv_counts(report.total, t("Total")))
    if with_list:
        w.writerow([])
        w.writerow([report.by, "ref", "number", "issued", "due", "days_overdue", "text"] if keys else list_headers(report))
        for row in report.rows:
            for u in overdue_sorted(row.overdue):
                w.writerow([_csv_text(row.label), u.ref, _csv_text(u.directive.number), u.directive.issued.isoformat(),
                            u.due.isoformat() if u.due else "", u.days_overdue(report.as_of), _csv_text(unit_text(u))])
    return buf.getvalue().encode("utf-8-sig")


def list_headers(report: Report) -> list[str]:
    """The columns of the overdue tasks' list (CSV, the xlsx sheet of the late tasks)."""
    return [headers(report)[0], t("Ref"), t("Document number"), t("Issued"), t("Deadline"), t("Days overdue"),
            t("Task")]


def _csv_counts(row: Tally, label: str) -> list:
    rate = row.on_time_rate
    return [_csv_text(label), *(row.counts[k] for k in COUNTS), "" if rate is None else rate]


def _csv_text(s: str) -> str:
    # A cell starting with = + - @ is a formula to Excel ("CSV injection"); a leading quote keeps it text.
    s = safe_display(one_line(s))
    return "'" + s if s[:1] in ("=", "+", "-", "@") else s


# ---------------------------------------------------------------------------- HTML

_COLOURS = {"done_on_time": "#2e7d32", "done_late": "#f9a825", "open_in_time": "#90caf9",
            "open_overdue": "#c62828", "cancelled": "#9e9e9e"}

_CSS = """
body{font-family:"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;margin:1.5rem 2rem;color:#212121;max-width:1100px}
h1{font-size:1.3rem;margin:0 0 .2rem}
h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
p.sub{color:#616161;margin:0 0 1rem}
.figures{display:grid;grid-template-columns:repeat(4,1fr);gap:.8rem;margin:0 0 1rem}
.figure{border:1px solid #e0e0e0;border-radius:4px;padding:.5rem .8rem}
.figure b{display:block;font-size:1.6rem;font-variant-numeric:tabular-nums}
.figure span{font-size:.85rem;color:#616161}
.figure.late b{color:#c62828}
.figure.good b{color:#2e7d32}
table{border-collapse:collapse;width:100%;margin-bottom:1rem;font-size:.9rem}
th,td{border:1px solid #e0e0e0;padding:.3rem .5rem;vertical-align:top}
th{background:#f5f5f5;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#fafafa;border-top:2px solid #9e9e9e}
.legend span{display:inline-block;margin-right:1rem;font-size:.85rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.chart{margin:.4rem 0 1rem}
.bar-row{display:grid;grid-template-columns:16rem 1fr 3rem;align-items:center;gap:.6rem;margin:.15rem 0}
.bar-row .label{font-size:.85rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar{display:flex;height:1rem;background:#f5f5f5;border-radius:2px;overflow:hidden}
.bar div{height:100%}
.bar-row .count{font-size:.85rem;text-align:right}
details{border-bottom:1px solid #eeeeee;padding:.3rem 0}
summary{cursor:pointer;font-size:.95rem}
summary .n{color:#c62828;font-weight:bold}
ul.overdue{font-size:.85rem;margin:.3rem 0 .5rem}
@media screen and (max-width:600px){
body{margin:.8rem}
.figures{grid-template-columns:repeat(2,1fr)}
.bar-row{grid-template-columns:8rem 1fr 2rem;gap:.4rem}
.table-wrap{overflow-x:auto}
}
@media print{
@page{size:A4;margin:20mm 15mm 20mm 30mm}
body{margin:0;max-width:none;font-size:10.5pt}
.bar,.bar div,.legend i,th,tr.total td{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.bar-row{grid-template-columns:55mm 1fr 10mm}
table{font-size:9pt}
th:first-child{width:30%}
tr,.bar-row,details{break-inside:avoid}
h2{break-after:avoid}
summary{list-style:none}
}
"""


def html_page(report: Report, with_list: bool = False) -> str:
    """A page a leader reads top down: the key figures and the chart first (within the first screen
    of a 1200x900 window), then the table, then each agency's overdue tasks folded in <details>
    (opened with --list; no script). A print stylesheet sets A4 with the decree's margins."""
    e = html.escape
    head = headers(report)
    state_labels = dict(zip(("done_on_time", "done_late", "open_in_time", "open_overdue", "cancelled"), head[2:7]))
    total = report.total
    figures = [("", head[1], str(total.counts["assigned"])), ("good", head[2], str(total.counts["done_on_time"])),
               ("late", head[5], str(total.counts["open_overdue"])),
               ("", head[8], rate_text(total.on_time_rate))]
    out = ["<!DOCTYPE html>", f'<html lang="{e(language())}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title(report))}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{e(t('Follow-up of assigned tasks'))}</h1>", f'<p class="sub">{e(title(report))}</p>',
           '<div class="figures">']
    out += [f'<div class="figure {cls}"><b>{e(value)}</b><span>{e(label)}</span></div>' for cls, label, value in figures]
    out += ["</div>", '<div class="legend">']
    out += [f'<span><i style="background:{_COLOURS[k]}"></i>{e(v)}</span>' for k, v in state_labels.items()]
    out += ["</div>", '<div class="chart">']
    widest = max((r.counts["assigned"] for r in report.rows), default=0) or 1
    for row in report.rows:
        label = e(safe_display(one_line(row.label)))
        segments = "".join(
            f'<div style="width:{row.counts[k] * 100 / widest:.3f}%;background:{_COLOURS[k]}" '
            f'title="{e(state_labels[k])}: {row.counts[k]}"></div>' for k in _COLOURS if row.counts[k])
        out.append(f'<div class="bar-row"><div class="label" title="{label}">{label}</div>'
                   f'<div class="bar">{segments}</div><div class="count">{row.counts["assigned"]}</div></div>')
    out += ["</div>", '<div class="table-wrap"><table>',
            "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead>", "<tbody>"]
    for row, label, cls in [*((r, r.label, "") for r in report.rows), (total, t("Total"), ' class="total"')]:
        c = [*cells(row, label)[:-1], rate_text(row.on_time_rate)]
        out.append(f"<tr{cls}><td>{e(safe_display(c[0]))}</td>" + "".join(f'<td class="n">{e(x)}</td>' for x in c[1:])
                   + "</tr>")
    out += ["</tbody>", "</table></div>"]
    late_rows = [row for row in report.rows if row.overdue]
    if late_rows:
        out.append(f"<h2>{e(t('Overdue tasks'))}</h2>")
    for row in late_rows:
        out.append(f"<details{' open' if with_list else ''}><summary>{e(safe_display(one_line(row.label)))} "
                   f'<span class="n">{row.counts["open_overdue"]}</span></summary><ul class="overdue">'
                   + "".join(f"<li>{e(safe_display(overdue_line(u, report.as_of)))}</li>"
                             for u in overdue_sorted(row.overdue)) + "</ul></details>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
