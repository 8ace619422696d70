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
from dtrack.output.porcelain import summary_parts

STYLE = {"overdue": "bold red", "due-soon": "yellow", "upcoming": "", "no-deadline": "dim",
         "done": "green", "cancelled": "dim strike"}


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, emoji=False, markup=False,
                   soft_wrap=False, file=sys.stderr if stderr else sys.stdout)


SHOWN = 10_000      # characters of one text a terminal view prints; rich wraps a longer one in quadratic time


def _shown(s: str) -> str:
    """A text as a terminal view prints it: whole up to SHOWN characters (a task is a few hundred), then
    cut with a word of where the rest is. One 3.7 MB task text made `show` take 15 s and `list` 26 s
    (rich splits wrapped lines by copying the rest of the text); pipes, JSON and files keep it whole."""
    if len(s) <= SHOWN:
        return s
    return s[:SHOWN] + t(" … ({n} more characters: 'dtrack show REF --json' or the file has the whole text)",
                         n=len(s) - SHOWN)


def _clean(s: str) -> str:
    return _shown(labels.clean(s))


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
    return ", ".join(_clean(registry.label(n, short)) for n in names)


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


GAP = "  "
TASK_MIN = 40       # narrower than this, a task reads better on its own full-width lines below its reference
LEAD_MAX = 20       # a longer lead wraps inside its column


def lines_table(lines: Sequence[tuple], registry: Registry, out: Console) -> None:
    """The `list` table; `lines` holds (reference label, due date or None, state, days left, lead
    names, task label), the labels already cleaned (dtrack.labels). The reference, the deadline, the
    days left and the lead's short name are always shown, whole: a long lead or task wraps at word
    boundaries inside its column, and when the terminal is too narrow for a task column each task
    goes below its reference line. The reference is typed back by the user, so it never wraps."""
    lines = [x if len(x[5]) <= SHOWN else (*x[:5], _shown(x[5])) for x in lines]
    # Thousands of lines share a few hundred (state, days left) and lead values: each is labelled once.
    left_of = {key: _left(*key) for key in {(x[2], x[3]) for x in lines}}
    lead_of = {lead: agencies_label(lead, registry, short=True) for lead in {x[4] for x in lines}}
    refs = [x[0] for x in lines]
    headers = (t("Ref"), t("Due"), t("Left"), t("Lead"), t("Task"))
    ref_w = max(max(map(len, refs), default=0) if "".join(refs).isascii() else max(map(_width, refs), default=0),
                _width(headers[0]))
    due_w = max(_width(headers[1]), 10)
    left_w = max(_width(x) for x in (headers[2], *left_of.values()))
    lead_need = max(_width(x) for x in (headers[3], *lead_of.values()))
    lead_w = min(lead_need, max(LEAD_MAX, _longest_word(headers[3])))
    width = out.width
    fixed = ref_w + due_w + left_w + lead_w + 4 * len(GAP)
    if width - fixed < TASK_MIN:
        return _stacked(lines, left_of, lead_of, width, out,
                        (ref_w, due_w, left_w) if ref_w + due_w + left_w + 3 * len(GAP) < width else None)
    task_w = width - fixed
    lefts_cell = {key: _cell(x, left_w, "right") for key, x in left_of.items()}
    # A lead's lines, each padded to the column, then blanks under it for a longer task.
    lead_lines = {key: [_cell(x, lead_w) for x in _wrap(x, lead_w)] for key, x in lead_of.items()}
    leads_cell = {key: x[0] if x else " " * lead_w for key, x in lead_lines.items()}
    blank = " " * lead_w
    indent = " " * (ref_w + due_w + left_w + 3 * len(GAP))
    middles: dict = {}
    dues: dict = {}
    head = GAP.join((_cell(headers[0], ref_w), _cell(headers[1], due_w), _cell(headers[2], left_w, "right"),
                     _cell(headers[3], lead_w), headers[4]))
    out_lines = [(head, "bold")]
    append = out_lines.append
    for ref, due, state, days, lead, label in lines:
        # Everything between the reference and the task depends on (due, state, days, lead) only.
        middle = middles.get((due, state, days, lead))
        if middle is None:
            due_cell = dues.get(due)
            if due_cell is None:
                due_cell = dues[due] = _cell(fmt(due), due_w)
            middle = middles[(due, state, days, lead)] = (
                f"{GAP}{due_cell}{GAP}{lefts_cell[(state, days)]}{GAP}{leads_cell[lead]}{GAP}", STYLE.get(state, ""))
        pad = ref_w - (len(ref) if ref.isascii() else _width(ref))
        more = lead_lines[lead]
        if len(more) < 2 and (len(label) <= task_w if label.isascii() else _width(label) <= task_w):
            append((f"{ref}{' ' * pad}{middle[0]}{label}".rstrip(), middle[1]))
            continue
        tasks = _wrap(label, task_w)
        append((f"{ref}{' ' * pad}{middle[0]}{tasks[0]}".rstrip(), middle[1]))
        if len(more) < 2:
            out_lines.extend((f"{indent}{blank}{GAP}{x}", middle[1]) for x in tasks[1:])
            continue
        for k in range(1, max(len(tasks), len(more))):
            lead_part = more[k] if k < len(more) else blank
            append((f"{indent}{lead_part}{GAP}{tasks[k] if k < len(tasks) else ''}".rstrip(), middle[1]))
    _print_lines(out_lines, out, fitted=True)


def _longest_word(text: str) -> int:
    return max((_width(w) for w in text.split()), default=0)


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken at spaces; only a word longer than a whole
    line is cut (a task's text: references are never given to this)."""
    lines: list[str] = []
    width = max(width, 1)
    if _NARROW.fullmatch(text):
        # One cell a character: cut at the last space that fits (thousands of tasks in a table).
        while len(text) > width:
            cut = text.rfind(" ", 0, width + 1)
            if cut <= 0:
                cut = width
            lines.append(text[:cut].rstrip())
            text = text[cut:].lstrip()
        return lines + [text] if text or not lines else lines
    while _width(text) > width:
        words = text.split(" ")
        line, used = "", 0
        for k, word in enumerate(words):
            w = _width(word)
            if used + (1 if line else 0) + w > width:
                if not line:           # one word wider than the line: cut it
                    cut = set_cell_size(word, width) if not _NARROW.fullmatch(word) else word[:width]
                    line, rest = cut, [word[len(cut):], *words[k + 1:]]
                else:
                    rest = words[k:]
                break
            line = f"{line} {word}" if line else word
            used = _width(line)
        lines.append(line.rstrip())
        text = " ".join(rest).lstrip()
    if text or not lines:
        lines.append(text)
    return lines


def _flow(pieces: Sequence[str], width: int, indent: str = "", sep: str = GAP) -> list[str]:
    """Pieces side by side, `sep` apart, onto as few lines as `width` allows; a piece is never split,
    except one wider than a whole line, which wraps at its spaces (a long agency name)."""
    lines: list[str] = []
    line = ""
    for piece in (p for p in pieces if p):
        start = indent if lines else ""
        if line and _width(line) + len(sep) + _width(piece) <= width:
            line = f"{line}{sep}{piece}"
            continue
        if line:
            lines.append(line)
            start = indent
        if _width(start + piece) > width:
            parts = _wrap(piece, width - len(start))
            lines.extend(start + p for p in parts[:-1])
            piece = parts[-1]
        line = start + piece
    if line:
        lines.append(line)
    return lines


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


def _stacked(lines, left_of, lead_of, width: int, out: Console, aligned: tuple | None) -> None:
    """A task's reference, deadline, days left and lead on its first line(s), the task indented below;
    `aligned`: the widths of the first three when they fit a line, so that they line up."""
    out_lines = []
    for ref, due, state, days, lead, label in lines:
        style = STYLE.get(state, "")
        left = left_of[(state, days)]
        if aligned:
            # One piece, so that the lead alone moves to the next line when it does not fit.
            head = (f"{_cell(ref, aligned[0])}{GAP}{_cell(fmt(due), aligned[1])}{GAP}{_cell(left, aligned[2], 'right')}",
                    lead_of[lead])
        else:
            head = (ref, fmt(due), left, lead_of[lead])
        out_lines.extend((x, style) for x in _flow(head, width, "    "))
        out_lines.extend(("    " + x, style) for x in _wrap(label, width - 4) if x)
    _print_lines(out_lines, out)


def summary_line(counts: dict[str, int], window: int, out: Console) -> None:
    overdue, soon, open_ = summary_parts(counts, window)
    line = Text()
    line.append(overdue, style=STYLE["overdue"] if counts["overdue"] else "")
    line.append(" · ")
    line.append(soon, style=STYLE["due-soon"] if counts["due-soon"] else "")
    line.append(" · ")
    line.append(open_)
    out.print(line)


def nothing(message: str, out: Console) -> None:
    out.print(Text(message, style="dim"))


def _field(out: Console, label: str, value: str, style: str = "") -> None:
    if value:
        line = Text(f"{label}: ", style="bold")
        line.append(_clean(value), style=style)
        out.print(line)


def _moves(out: Console, title: str, moves: list) -> None:
    """A task's history of deadlines or leads: "from → to · on DATE · by · reason", one a line."""
    if moves:
        out.print(Text(title + ":", style="bold"))
    for change, record in moves:
        parts = [change, t("on {date}", date=fmt(record.on)) if record.on else "", record.by or "", record.reason or ""]
        out.print(Text("  " + " · ".join(_clean(x) for x in parts if x)))


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
    said = {"open": t("open"), "done": t("done"), "cancelled": t("cancelled")}.get(task.status, task.status)
    status = said if task.status != "done" else f"{said} {fmt(task.done)}".strip()
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
    _moves(out, t("Extensions"), [(f"{fmt(e.from_) or t('no deadline')} → {fmt(e.to)}", e)
                                   for e in task.extensions])
    _moves(out, t("Reassigned"), [(f"{', '.join(r.from_) or '?'} → {', '.join(r.to)}", r) for r in task.reassigned])
    if task.occurrences:
        out.print(Text(t("Occurrences") + ":", style="bold"))
        for o in task.occurrences:
            late = days_overdue(o.due, o.done) if o.done else None
            state = t("{n}d late", n=late) if late else t("on time") if late is not None else ""
            said = " · ".join(_clean(x) for x in (o.by, o.note) if x)
            out.print(Text(f"  {fmt(o.due)}  " + t("done {date}", date=fmt(o.done) or "?") + f"  {state}"
                           + (f"  {said}" if said else "")))
    out.print(Text(t("Task") + ":", style="bold"))
    out.print(Text(_shown(safe_display(one_line(task.text)))), soft_wrap=False)


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
         whole: Sequence[int] = (), title: str | None = None, bold_last: bool = False,
         styles: Sequence[str] | None = None) -> None:
    """A plain table of texts (report, log, the import review): columns from `numeric_from` on are
    right-aligned and, like those in `whole`, never wrapped; the others wrap at spaces, never inside
    a word (a reference, a name; only the last column, free text, cuts a word longer than 20 cells),
    when the terminal is narrower than the table. Headers wrap at their spaces too. Narrower still,
    each row becomes a block: its first cell, then "header: value" lines."""
    width = out.width
    cells = [[_clean(c) for c in row] for row in rows]
    heads = [_clean(h) for h in headers]
    n = len(heads)
    fixed = {i for i in range(n) if i >= numeric_from or i in whole}
    natural = [max([_width(heads[i])] + [_width(r[i]) for r in cells]) for i in range(n)]
    least = [max([_longest_word(heads[i])] + [(_width(r[i]) if i in fixed else _longest_word(r[i])) for r in cells])
             for i in range(n)]
    if n - 1 not in fixed:      # the free text keeps a column worth reading, else rows become blocks
        least[-1] = max(min(least[-1], 20), min(natural[-1], 24), _longest_word(heads[-1]))
    lines: list[tuple[str, str]] = [(x, "bold") for x in _wrap(_clean(title), width)] if title else []
    styles = list(styles) if styles else [""] * len(cells)
    if bold_last and styles:
        styles[-1] = "bold"
    # Text columns give way first (to a readable 16 cells), headers wrap next, the gaps narrow last.
    readable = [natural[i] if i in fixed else max(least[i], min(natural[i], 16)) for i in range(n)]
    for gap, floor in ((GAP, readable), (GAP, least), (" ", least)):
        widths = _shrink(natural, floor, width - len(gap) * (n - 1))
        if widths is not None:
            lines += [(x, "bold") for x in _grid_row(heads, widths, numeric_from, gap)]
            lines.append(("─" * min(width, sum(widths) + len(gap) * (n - 1)), ""))
            for row, style in zip(cells, styles):
                lines += [(x, style) for x in _grid_row(row, widths, numeric_from, gap)]
            return _print_lines(lines, out)
    for row, style in zip(cells, styles):
        lines += [(x, style or "bold") for x in _wrap(row[0], width)]
        for head, cell in zip(heads[1:], row[1:]):
            if cell:
                lines += [("    " + x, style) for x in _wrap(f"{head}: {cell}", width - 4)]
    _print_lines(lines, out)


def _shrink(natural: list[int], least: list[int], room: int) -> list[int] | None:
    """Column widths that fit `room`: the column with the most to give gives way first, none below `least`."""
    widths = list(natural)
    excess = sum(widths) - room
    while excess > 0:
        k = max(range(len(widths)), key=lambda i: widths[i] - least[i])
        if widths[k] <= least[k]:
            return None
        step = min(excess, max((widths[k] - least[k]) // 2, 1))
        widths[k] -= step
        excess -= step
    return widths


def _grid_row(row: Sequence[str], widths: list[int], numeric_from: int, gap: str) -> list[str]:
    parts = [_wrap(c, w) if _width(c) > w else [c] for c, w in zip(row, widths)]
    out = []
    for k in range(max(len(p) for p in parts)):
        cells = [_cell(p[k] if k < len(p) else "", w, "right" if i >= numeric_from else "left")
                 for i, (p, w) in enumerate(zip(parts, widths))]
        out.append(gap.join(cells).rstrip())
    return out


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
    width = out.width
    head = _flow([_clean(x) for x in (draft.relpath(), h.kind, h.number or t("(no number)"), h.issuer,
                                      fmt(h.issued))], width, sep="  ·  ")
    _print_lines([(x, "bold") for x in head] + [(x, "") for x in _wrap(_clean(h.title), width)], out)
    rows = []
    for i, task in enumerate(draft.tasks, 1):
        due = fmt(task.due) if task.due else ""
        if task.every:
            due = f"{due} +{task.every}".strip()
        flagged = "!" if task.flags or task.warnings else ""
        rows.append((f"{flagged}{i}", agencies_label(task.lead, registry, short=True), due or "—",
                     _clean(task.due_text or ""), _clean(task.text)))
    headers = (t("n"), t("Lead"), t("Due"), t("Phrase"), t("Task"))
    # The number and the due date whole; lead, phrase and task wrap (a narrow terminal: one block a task).
    grid(headers, rows, out, numeric_from=99, whole=(0, 2))
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
