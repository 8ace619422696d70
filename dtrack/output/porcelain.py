"""Tab-separated records for pipes, files and scripts (`--format tsv`, the default when standard
output is not a terminal): one line a record, every text whole (never cut), no colour, no header.
The columns and their order are an interface (docs/porcelain.md): a new column is only ever added
at the end, so `cut -f` and `awk -F'\\t'` keep working. Dates are ISO (yyyy-mm-dd), states dtrack's
own words (overdue, due-soon, ...), so a script reads the same in every language."""
from __future__ import annotations

from typing import Iterable, Sequence

from dtrack.domain import labels
from dtrack.domain.agencies import Registry
from dtrack.i18n import t

LIST_COLUMNS = ("ref", "due", "state", "days_left", "lead", "task")
LOG_COLUMNS = ("date", "commit", "author", "action", "refs", "files", "note")


def field(value) -> str:
    """One cell: None is empty, text on one line with no tab (cleaned as for a terminal)."""
    if value is None:
        return ""
    return labels.clean(value) if isinstance(value, str) else str(value)


def lines(records: Iterable[Sequence]) -> str:
    return "".join("\t".join(map(field, r)) + "\n" for r in records)


def list_text(listing_lines: Sequence[tuple], registry: Registry) -> str:
    """`list`: LIST_COLUMNS, the lead the registry's full names joined with '; ', the task as in the
    table (a recurring one begins with ↻). The labels are clean already (store/index)."""
    leads = {lead: "; ".join(labels.clean(registry.canonical(n)) for n in lead) for lead in {x[4] for x in listing_lines}}
    dues: dict = {None: ""}
    out = []
    for ref, due, state, days, lead, label in listing_lines:
        iso = dues.get(due)
        if iso is None:
            iso = dues[due] = due.isoformat()
        out.append(f"{ref}\t{iso}\t{state}\t{'' if days is None else days}\t{leads[lead]}\t{label}\n")
    return "".join(out)


def log_text(events) -> str:
    """`log`: LOG_COLUMNS, refs and files separated by spaces, the note or else the commit subject."""
    return lines((e.when.isoformat(), e.commit, e.author, e.action, " ".join(e.refs), " ".join(e.files),
                  e.note or e.subject) for e in events)


def report_text(report) -> str:
    """`report`: the grouping's label, the counts in report.COUNTS order, on_time_rate (empty when
    there is nothing to rate); the last line is the total, labelled `(total)`."""
    from dtrack.services.report import COUNTS
    return lines((label, *(row.counts[k] for k in COUNTS), row.on_time_rate)
                 for label, row in [*((r.label, r) for r in report.rows), ("(total)", report.total)])


def summary_parts(counts: dict[str, int], window: int) -> tuple[str, str, str]:
    """The words of `list`'s summary line (render.summary_line colours them; a pipe gets them on stderr)."""
    return (t("{n} overdue", n=counts["overdue"]), t("{n} due within {days} days", n=counts["due-soon"], days=window),
            t("{n} open in all", n=counts["open"]))
