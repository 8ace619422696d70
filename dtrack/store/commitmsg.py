"""The message of every commit dtrack makes, built and read in this one module.

    done 1502-UBND-KGVX#2 [STTTT] on 20/07/2024      subject: one line
                                                     
    Công văn 426/STTTT                               paragraphs: dtrack's text and the user's
                                                     
    Dtrack-Action: done                              the trailer block: always the final
    Dtrack-Ref: 1502-UBND-KGVX#2                     paragraph, written only here

The audit trail (`dtrack log`, the history in `show`) reads trailers from the final paragraph alone,
as `git interpret-trailers` does. Free text (a note, a reason, a name, a title) can never add one: it
never reaches the final paragraph, and a line of it that looks like a dtrack trailer is quoted with
"> ", so that no reader, even one that reads every line, takes it for one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dtrack.domain.text import safe_display

ACTION = "Dtrack-Action"
REF = "Dtrack-Ref"
RECOVERED = "Dtrack-Recovered"

SUBJECT_WIDTH = 120       # characters of a subject; `git log --oneline` and review tools show it whole

_LOOKS_LIKE_OURS = re.compile(r"^\s*dtrack-[a-z0-9-]*\s*:", re.I)
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*): ?(.*)$")


# Control and bidi characters (a tab becomes a space) written as \x1f, \u202e (domain/text.safe_display):
# readers split `git log` output at \x1e and \x1f (a note with them hid a `done` from `dtrack log` and gave
# `review` a made-up author), and a terminal showing `git log` acts on none of them.
_visible = safe_display


def _quoted(text: str) -> str:
    # Lines as Python breaks them (NEL, LS, PS, \x1c-\x1e too), joined with git's one line break.
    return "\n".join("> " + line if _LOOKS_LIKE_OURS.match(line) else line
                     for line in map(_visible, text.strip("\n").splitlines()))


def cut(text: str, width: int) -> str:
    """`text` on one line, at most `width` characters, cut at a word boundary with "…" (a reference or
    a name is never cut in the middle: a first word longer than `width` is kept whole)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    head = text[:width]
    if text[width] != " ":
        head = head[:head.rfind(" ")] if " " in head else text.split(" ", 1)[0]
    return head.rstrip(" ,;:.-") + "…"


def _one_line(value: str) -> str:
    return _visible(value.replace("\r", "\\r").replace("\n", "\\n"))


@dataclass
class Message:
    subject: str
    action: str
    refs: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)    # free text allowed; empty ones are left out

    def __post_init__(self):
        # Built before the transaction writes: a `--by` in another encoding failed the commit after the
        # file was written (exit 70, agencies.yaml left changed); now nothing is written.
        from dtrack.store.yamledit import _encodable
        for text in (self.subject, self.action, *self.refs, *self.paragraphs):
            _encodable(text or "")

    def text(self) -> str:
        parts = [_visible(cut(self.subject, SUBJECT_WIDTH))]
        parts += [_quoted(p) for p in self.paragraphs if p and p.strip()]
        parts.append("\n".join([f"{ACTION}: {_one_line(self.action)}", *(f"{REF}: {_one_line(r)}" for r in self.refs)]))
        return "\n\n".join(parts)


def with_trailer(text: str, key: str, value: str) -> str:
    """A message built by `Message.text` with one more trailer in its final paragraph."""
    return f"{text.rstrip()}\n{key}: {_one_line(value)}\n"


def read(body: str) -> tuple[dict[str, list[str]], str]:
    """The trailers of a commit body (its final paragraph, if every line of it is a trailer) and the text
    before them. A body with no trailer block has no trailers, whatever its other lines say."""
    lines = body.rstrip().split("\n")         # git's lines: a NEL or LS inside a line is no line break
    start = len(lines)
    while start > 0 and lines[start - 1].strip():
        start -= 1
    block = lines[start:]
    matches = [_TRAILER.match(line) for line in block]
    if not block or not all(matches):
        return {}, body.strip()
    trailers: dict[str, list[str]] = {}
    for m in matches:
        trailers.setdefault(m.group(1), []).append(m.group(2).strip())
    return trailers, "\n".join(lines[:start]).strip()
