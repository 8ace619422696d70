"""Display strings of a task that do not depend on the terminal: computed once per parse and
kept in the parse cache's index, so `list` does not clean 15,000 task texts on every run.
No rich here: the cache imports this module."""
from __future__ import annotations

from dtrack.domain.text import one_line, safe_display

RECURRING = "↻"


def clean(s: str) -> str:
    """Text as one terminal line: no escape sequences, controls or line breaks."""
    # Nearly every task text is one printable line already (str.isprintable is false for every control,
    # bidi mark, line separator and space other than ' '): the first build cleans 55,000 of them.
    if s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " ":
        return s
    return safe_display(one_line(s))


def task_label(text: str, every: str | None) -> str:
    """The task column: a recurring task is marked, so its deadline reads as the next occurrence."""
    return f"{RECURRING} {clean(text)}" if every else clean(text)


def ref_label(stem: str, n: int) -> str:
    return clean(f"{stem}#{n}")
