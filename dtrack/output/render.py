"""Everything that is drawn on a terminal. The only module that imports rich.

Data from files is always wrapped in `Text` (never parsed as markup) and passed through
`safe_display`, so a task text cannot style, move the cursor or reorder the terminal.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.text import Text

from dtrack.domain import labels
from dtrack.domain.agencies import Registry
from dtrack.domain.labels import RECURRING
from dtrack.domain.dates import fmt
from dtrack.store.gitops import Entry
from dtrack.i18n import t
from dtrack.domain.model import Directive, Task
from dtrack.domain.states import days_overdue
from dtrack.services.queries import Row
from dtrack.domain.text import safe_display, one_line

STYLE = {"overdue": "bold red", "due-soon": "yellow", "upcoming": "", "no-deadline": "dim",
         "done": "green", "cancelled": "dim strike"}


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, emoji=False, markup=False,
                   soft_wrap=False, file=sys.stderr if stderr else sys.stdout)


_clean = labels.clean


def left_label(row: Row) -> str:
    return _left(row.state, row.days_left)


def _left(state: str, days_left: int | None) -> str:
    if days_left is None:
        return {"no-deadline": t("no deadline"), "done": t("done"), "cancelled": t("cancelled")}.get(state, "")
    if days_left == 0:
        return t("today")
    if days_left < 0:
        return t("{n}d late", n=-days_left)
    return t("{n}d left", n=days_left)


def agencies_label(names: Iterable[str], registry: Registry, short: bool) -> str:
    return ", ".join(_clean(registry.short_name(n) if short else n) for n in names)


# Characters one terminal cell wide: ASCII, the Latin letters Vietnamese uses in NFC, typographic dashes,
# quotes and the ellipsis, and the recurring mark. For text made
# only of these, cells = len(), which is much cheaper than rich's grapheme-aware cell_len.
_NARROW = re.compile("[\x20-\x7e\u00a0-\u02ff\u1e00-\u1eff\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u21bb]*")


def _width(text: str) -> int:
    return len(text) if _NARROW.fullmatch(text) else cell_len(text)


def _cell(text: str, width: int, align: str = "left") -> str:
    pad = " " * max(width - _width(text), 0)
    return pad + text if align == "right" else text + pad


def rows_table(rows: Sequence[Row], registry: Registry, out: Console) -> None:
    """One line per task (see lines_table)."""
    lines_table([(_clean(r.ref), r.task.due, r.state, r.days_left, r.task.lead, task_label(r.task)) for r in rows],
                registry, out)


def lines_table(lines: Sequence[tuple], registry: Registry, out: Console) -> None:
    """One line per task, no trailing spaces; `lines` holds (reference label, due date or None,
    state, days left, lead names, task label), the labels already cleaned (dtrack.labels). Widths
    are computed here so that the layout is fixed for a given terminal width: the task text gives
    way first, then the lead column, then the reference folds onto more lines (it is typed back by
    the user, so it is never cut)."""
    # Thousands of lines share a few hundred (state, days left) and lead values: each is labelled once.
    left_of = {key: _left(*key) for key in {(x[2], x[3]) for x in lines}}
    lead_of = {lead: agencies_label(lead, registry, short=True) for lead in {x[4] for x in lines}}
    refs = [x[0] for x in lines]
    headers = (t("Ref"), t("Due"), t("Left"), t("Lead"), t("Task"))
    gap = "  "
    ref_w = max(max(map(len, refs), default=0) if "".join(refs).isascii() else max(map(_width, refs), default=0),
                _width(headers[0]))
    due_w = max(cell_len(headers[1]), 10)
    left_w = max(cell_len(x) for x in (headers[2], *left_of.values()))
    lead_w = min(max(cell_len(x) for x in (headers[3], *lead_of.values())), 18)
    task_min, width = 24, out.width
    with_lead = width - (ref_w + due_w + left_w + lead_w + 4 * len(gap)) >= task_min
    fixed = due_w + left_w + (lead_w + len(gap) if with_lead else 0) + 3 * len(gap)
    stacked = width - fixed - ref_w < task_min
    if stacked:
        # Too narrow for one line a task: reference, dates and lead first, the task indented below.
        return _stacked(lines, [left_of[(x[2], x[3])] for x in lines], [lead_of[x[4]] for x in lines], width, out)
    task_w = width - fixed - ref_w
    # Cells that repeat (left labels, leads, dates) are padded once; the reference and the task per line.
    lefts_cell = {key: _cell(x, left_w, "right") for key, x in left_of.items()}
    leads_cell = {key: _cell(_fit(x, lead_w), lead_w) + gap if with_lead else "" for key, x in lead_of.items()}
    middles: dict = {}
    dues: dict = {}

    def line(ref: str, due: str, left: str, lead: str, task: str) -> str:
        cells = [_cell(ref, ref_w), _cell(due, due_w), _cell(left, left_w, "right")]
        if with_lead:
            cells.append(_cell(lead, lead_w))
        return (gap.join(cells) + gap + task).rstrip()

    out_lines = [(line(*headers), "bold")]
    for ref, due, state, days, lead, label in lines:
        # Everything between the reference and the task depends on (due, state, days, lead) only.
        middle = middles.get((due, state, days, lead))
        if middle is None:
            due_cell = dues.get(due)
            if due_cell is None:
                due_cell = dues[due] = _cell(fmt(due), due_w)
            middle = middles[(due, state, days, lead)] = (
                f"{gap}{due_cell}{gap}{lefts_cell[(state, days)]}{gap}{leads_cell[lead]}", STYLE.get(state, ""))
        pad = ref_w - (len(ref) if ref.isascii() else _width(ref))
        task = _fit(label, task_w)
        text = f"{ref}{' ' * pad}{middle[0]}{task}"
        out_lines.append((text.rstrip() if not task or task[-1].isspace() else text, middle[1]))
    _print_lines(out_lines, out, fitted=True)


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells with an ellipsis (what Text.truncate does, without a Text)."""
    if _NARROW.fullmatch(text):
        return text if len(text) <= width else text[:width - 1] + "…"
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


def _print_lines(lines: list[tuple[str, str]], out: Console, fitted: bool = False) -> None:
    """Print (text, style) lines as out.print(..., no_wrap, overflow="ignore") would, but fast: a list of
    thousands of tasks goes out in one write with the ANSI codes of each style computed once
    (printing line by line through rich took ~0.15 ms a line). `fitted`: the caller made every
    line fit the width. Legacy Windows consoles, which need rich's API calls for colour, keep the
    slow path."""
    from rich.color import ColorSystem
    from rich.style import Style
    if out.legacy_windows or out.is_jupyter:
        for text, style in lines:
            out.print(Text(text), style=style, no_wrap=True, overflow="ignore")
        return
    system = {"standard": ColorSystem.STANDARD, "256": ColorSystem.EIGHT_BIT, "truecolor": ColorSystem.TRUECOLOR,
              "windows": ColorSystem.WINDOWS}.get(out.color_system or "") if not out.no_color else None
    codes: dict[str, tuple[str, str]] = {}
    width = out.width
    chunks = []
    for plain, style in lines:
        if not fitted and _width(plain) > width:
            plain = set_cell_size(plain, width)
        if system is not None and style:
            if style not in codes:
                codes[style] = tuple(Style.parse(style).render("\0", color_system=system).split("\0"))
            start, end = codes[style]
            plain = start + plain + end
        chunks.append(plain)
    out.file.write("\n".join(chunks) + "\n")
    out.file.flush()


def task_label(task: Task) -> str:
    """The task column: a recurring task is marked, so its deadline reads as the next occurrence."""
    return labels.task_label(task.text, task.every)


def _stacked(lines, lefts, leads, width: int, out: Console) -> None:
    for (ref, due, state, _days, _lead, label), left, lead in zip(lines, lefts, leads):
        style = STYLE.get(state, "")
        head = Text("  ".join(x for x in (ref, fmt(due), left, lead) if x))
        head.truncate(width, overflow="ellipsis")
        out.print(head, style=style, no_wrap=True, overflow="ignore")
        task = Text("    " + label)
        task.truncate(width, overflow="ellipsis")
        out.print(task, style=style, no_wrap=True, overflow="ignore")


def summary_line(counts: dict[str, int], window: int, out: Console) -> None:
    line = Text()
    line.append(t("{n} overdue", n=counts["overdue"]), style=STYLE["overdue"] if counts["overdue"] else "")
    line.append(" · ")
    line.append(t("{n} due within {days} days", n=counts["due-soon"], days=window),
                style=STYLE["due-soon"] if counts["due-soon"] else "")
    line.append(" · ")
    line.append(t("{n} open in all", n=counts["open"]))
    out.print(line)


def nothing(message: str, out: Console) -> None:
    out.print(Text(message, style="dim"))


def _field(out: Console, label: str, value: str, style: str = "") -> None:
    if value:
        line = Text(f"{label}: ", style="bold")
        line.append(_clean(value), style=style)
        out.print(line)


def task_detail(directive: Directive, task: Task, row: Row, registry: Registry, out: Console) -> None:
    out.print(Text(_clean(row.ref), style="bold"))
    _field(out, t("Directive"), f"{directive.number or t('(no number)')} — {directive.title}")
    _field(out, t("Issuer"), f"{directive.issuer}, {fmt(directive.issued)}")
    _field(out, t("Lead"), agencies_label(task.lead, registry, short=False))
    _field(out, t("Support"), agencies_label(task.support, registry, short=False))
    due = fmt(task.due)
    if task.due_text:
        due = f"{due} ({task.due_text})" if due else task.due_text
    _field(out, t("Due"), due or t("no deadline"))
    status = task.status if task.status != "done" else f"{task.status} {fmt(task.done)}".strip()
    _field(out, t("Status"), f"{status} · {left_label(row)}" if row.days_left is not None else status,
           STYLE.get(row.state, ""))
    if task.every:
        until = " " + t("until {date}", date=fmt(task.until)) if task.until else ""
        _field(out, t("Every"), f"{RECURRING} {task.every}{until}")
    if task.cancelled is not None:
        c = task.cancelled
        _field(out, t("Cancelled"), "; ".join(x for x in (fmt(c.on), c.by or "", c.reason or "") if x))
    _field(out, t("Note"), task.note or "")
    for note in task.import_notes:
        _field(out, t("To verify"), note, "yellow")
    if task.extensions:
        out.print(Text(t("Extensions") + ":", style="bold"))
        for e in task.extensions:
            parts = [f"{fmt(e.from_) or t('no deadline')} → {fmt(e.to)}",
                     t("on {date}", date=fmt(e.on)) if e.on else "", e.by or "", e.reason or ""]
            out.print(Text("  " + " · ".join(_clean(x) for x in parts if x)))
    if task.occurrences:
        out.print(Text(t("Occurrences") + ":", style="bold"))
        for o in task.occurrences:
            late = days_overdue(o.due, o.done) if o.done else None
            state = t("{n}d late", n=late) if late else t("on time") if late is not None else ""
            out.print(Text(f"  {fmt(o.due)}  " + t("done {date}", date=fmt(o.done) or "?") + f"  {state}"))
    out.print(Text(t("Task") + ":", style="bold"))
    out.print(Text(safe_display(one_line(task.text))), soft_wrap=False)


def directive_detail(directive: Directive, rows: Sequence[Row], registry: Registry, out: Console) -> None:
    out.print(Text(_clean(directive.stem), style="bold"))
    _field(out, t("Number"), directive.number or t("(no number)"))
    _field(out, t("Kind"), directive.kind)
    _field(out, t("Issuer"), directive.issuer)
    _field(out, t("Issued"), fmt(directive.issued))
    _field(out, t("Signer"), directive.signer or "")
    _field(out, t("Title"), directive.title)
    _field(out, t("File"), directive.path)
    out.print()
    rows_table(rows, registry, out)


def history(entries: Sequence[Entry], out: Console) -> None:
    if not entries:
        return
    out.print()
    out.print(Text(t("History"), style="bold"))
    for e in entries:
        line = Text(f"{e.date}  ")
        line.append(_clean(e.author), style="cyan")
        line.append("  " + _clean(e.subject))
        out.print(line)


def grid(headers: Sequence[str], rows: Sequence[Sequence[str]], out: Console, *, numeric_from: int = 1,
         title: str | None = None, bold_last: bool = False) -> None:
    """A plain table of texts (report, log): columns from `numeric_from` on are right-aligned."""
    from rich import box
    from rich.table import Table
    table = Table(box=box.SIMPLE_HEAD, title=Text(_clean(title)) if title else None, title_justify="left",
                  show_edge=False, pad_edge=False)
    for i, h in enumerate(headers):
        numeric = i >= numeric_from
        table.add_column(Text(h), justify="right" if numeric else "left", overflow="fold", no_wrap=numeric)
    for i, row in enumerate(rows):
        style = "bold" if bold_last and i == len(rows) - 1 else ""
        table.add_row(*(Text(_clean(c)) for c in row), style=style)
    out.print(table)


def problems(items: Iterable, cwd: Path, out: Console) -> None:
    for p in items:
        path = display_path(p.path, cwd)
        where = f"{path}:{p.line}:{p.col}" if p.line and p.col else (f"{path}:{p.line}" if p.line else path)
        label = t("warning") if p.severity == "warning" else t("error")
        out.print(Text(f"{where}: {label}: {_clean(p.message)}", style="yellow"), soft_wrap=True)


def display_path(path: Path, cwd: Path) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:          # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def message(text: str, out: Console, style: str = "") -> None:
    out.print(Text(safe_display(text), style=style), soft_wrap=True)


def error(text: str, hint: str | None, out: Console) -> None:
    """One line: what went wrong and what to do."""
    line = Text("dtrack: " + t("error") + ": ", style="bold red")
    body = text.rstrip()
    if hint:
        body = f"{body}{'' if body.endswith(('.', '?', '!')) else '.'} {hint.strip()}"
    line.append(safe_display(one_line(body)))
    out.print(line, soft_wrap=True)


class progress_bar:
    """A progress bar on stderr for a slow first load of a big store (the caller checks for a TTY)."""

    def __init__(self, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        self._progress = Progress(TextColumn(t("Reading the directives")), BarColumn(), MofNCompleteColumn(),
                                  TimeRemainingColumn(), console=console(stderr=True), transient=True)
        self._task = self._progress.add_task("", total=total)
        self._progress.start()

    def update(self, done: int) -> None:
        self._progress.update(self._task, completed=done)

    def close(self) -> None:
        self._progress.stop()


def import_review(draft, registry: Registry, out: Console) -> None:
    """What `dtrack import` found in one document: the header, then one line a task (n, lead, due,
    the phrase the due came from), then what the clerk should check."""
    h = draft.header
    head = Text(_clean(f"{draft.relpath()}  ·  {h.kind}  ·  {h.number or t('(no number)')}  ·  "
                       f"{h.issuer}  ·  {fmt(h.issued)}"), style="bold")
    out.print(head, soft_wrap=True)
    out.print(Text(_clean(h.title)), soft_wrap=True)
    rows = []
    for i, task in enumerate(draft.tasks, 1):
        due = fmt(task.due) if task.due else ""
        if task.every:
            due = f"{due} +{task.every}".strip()
        flagged = "!" if task.flags or task.warnings else ""
        rows.append((f"{flagged}{i}", agencies_label(task.lead, registry, short=True), due or "—",
                     _clean(task.due_text or ""), _clean(task.text)))
    headers = (t("n"), t("Lead"), t("Due"), t("Phrase"), t("Task"))
    widths = [max([cell_len(headers[k])] + [cell_len(r[k]) for r in rows]) for k in range(4)]
    widths[1] = min(widths[1], 28)
    widths[3] = min(widths[3], 30)
    task_w = max(out.width - sum(widths) - 8, 20)

    def line(cells) -> Text:
        parts = []
        for k, cell in enumerate(cells[:4]):
            c = Text(cell)
            c.truncate(widths[k], overflow="ellipsis")
            parts.append(_cell(c.plain, widths[k], "right" if k == 0 else "left"))
        last = Text(cells[4])
        last.truncate(task_w, overflow="ellipsis")
        text = Text("  ".join(parts) + "  " + last.plain)
        text.rstrip()
        return text

    out.print(line(headers), style="bold", no_wrap=True, overflow="ignore")
    for r in rows:
        out.print(line(r), no_wrap=True, overflow="ignore")
    for note in draft.notes:
        out.print(Text(t("check: {note}", note=_clean(note)), style="yellow"), soft_wrap=True)
    for i, task in enumerate(draft.tasks, 1):
        for w in dict.fromkeys(task.flags + task.warnings):
            out.print(Text(t("check task {n}: {warning}", n=i, warning=_clean(w)), style="yellow"), soft_wrap=True)


def import_changes(rel: str, changes, out: Console) -> None:
    """A document already in the store: the update its import proposes, one line a task."""
    if not changes:
        out.print(Text(t("{file}: already in the store; the document changes nothing", file=_clean(rel))))
        return
    out.print(Text(t("{file}: already in the store; the import updates it:", file=_clean(rel)), style="bold"))
    for c in changes:
        out.print(Text(_clean(c.line())), style={"added": "green", "removed": "red"}.get(c.kind, "yellow"),
                  soft_wrap=True)
