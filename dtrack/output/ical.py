"""Pure iCalendar (RFC 5545) writer layer on top of the ``ics`` package (0.7.x).

``ics`` 0.7.2 builds the model and serializes it; this module closes its gaps
(see docs/ical.md): DTSTAMP, DTEND for all-day events, date shifting, RRULE,
SEQUENCE, ordered CATEGORIES, an always-present SUMMARY, TEXT escaping and
control characters, URL escaping, a zero alarm trigger, property and event
order, line folding at 75 octets and CRLF after every line.

The module is pure: no file I/O, no clock (the DTSTAMP instant is passed in).
``ics`` is imported lazily, only when an event or calendar is built, because
importing it costs ~80-190 ms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

__all__ = [
    "EventSpec",
    "event_block",
    "todo_block",
    "calendar_bytes",
    "build_calendar",
    "fold_line",
    "escape_text",
    "clean_text",
    "PRODID",
]

PRODID = "-//dtrack//dtrack 0.1//VI"
X_WR_TIMEZONE = "Asia/Ho_Chi_Minh"
STATUSES = ("TENTATIVE", "CONFIRMED", "CANCELLED")  # RFC 5545 3.8.1.11, VEVENT
TODO_STATUSES = ("NEEDS-ACTION", "COMPLETED", "IN-PROCESS", "CANCELLED")  # the same, VTODO

_CRLF = "\r\n"


@dataclass(frozen=True)
class EventSpec:
    uid: str                              # stable, e.g. "1502-UBND-KGVX-2@dtrack"
    day: date                             # all-day: DTSTART;VALUE=DATE, DTEND = day + 1
    summary: str
    description: str = ""
    categories: tuple[str, ...] = ()      # order kept exactly as given
    sequence: int = 0
    alarms: tuple[timedelta, ...] = ()    # display reminders this long BEFORE the start
    rrule: str | None = None              # e.g. "FREQ=WEEKLY;INTERVAL=2"
    status: str | None = None             # None, "CONFIRMED", "CANCELLED" (or "TENTATIVE")
    url: str | None = None
    rdates: tuple[date, ...] = ()         # extra dates of the series (RDATE;VALUE=DATE)
    completed: datetime | None = None     # VTODO only: COMPLETED (written in UTC)


# --------------------------------------------------------------------------- text

# C0 controls except TAB (LF is handled before), DEL, C1 controls; lone surrogates, which
# cannot be encoded as UTF-8 at all; and the bidi embeddings, overrides and isolates, which
# would make an event title read differently in a calendar app (docs/reliability.md).
_STRIP_KEEP_LF = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def clean_text(s: str) -> str:
    """Normalise a TEXT value: CRLF and lone CR become LF, other control
    characters (C0 except TAB and LF, DEL, C1, ESC included) and lone
    surrogates are removed, then the result is NFC-normalised."""
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _STRIP_KEEP_LF.sub("", s)
    return unicodedata.normalize("NFC", s)


def _escape_clean(s: str) -> str:
    # RFC 5545 3.3.11 on an already cleaned string (same result as
    # ics.utils.escape_string on it, which the tests check).
    if "\\" in s:
        s = s.replace("\\", "\\\\")
    if ";" in s:
        s = s.replace(";", "\\;")
    if "," in s:
        s = s.replace(",", "\\,")
    if "\n" in s:
        s = s.replace("\n", "\\n")
    return s


def escape_text(s: str) -> str:
    """RFC 5545 3.3.11 TEXT escaping of ``clean_text(s)``: backslash, ';', ','
    and newline (CR, LF and CRLF all become ``\\n``)."""
    return _escape_clean(clean_text(s))


# --------------------------------------------------------------------------- folding

def _fold_bytes(b: bytes) -> bytes:
    # b is one UTF-8 encoded content line without CR/LF
    n = len(b)
    if n <= 75:
        return b
    parts = []
    start = 0
    limit = 75
    while n - start > limit:
        cut = start + limit
        while b[cut] & 0xC0 == 0x80:  # a continuation byte: back off to a character start
            cut -= 1
        parts.append(b[start:cut])
        start = cut
        limit = 74  # the leading space of a continuation line counts
    parts.append(b[start:])
    return b"\r\n ".join(parts)


def fold_line(line: str) -> str:
    """Fold one content line (RFC 5545 3.1): pieces of at most 75 octets,
    continuation lines start with one space, a UTF-8 sequence is never split.
    The separators are CRLF + space; no CRLF is appended at the end."""
    if len(line) <= 18:  # 18 characters are at most 72 octets
        return line
    if "\r" in line or "\n" in line:
        raise ValueError("a content line cannot contain CR or LF")
    b = line.encode("utf-8")
    if len(b) <= 75:
        return line
    return _fold_bytes(b).decode("utf-8")


def _finish(text: str) -> bytes:
    """The single post-processing step for serialized ics output (CRLF-joined
    lines): encode as UTF-8 once, fold every line longer than 75 octets
    (shorter lines are passed through untouched) and end every line, the
    last one too, with CRLF."""
    fold = _fold_bytes
    lines = [line if len(line) <= 75 else fold(line)
             for line in text.encode("utf-8").split(b"\r\n")]
    if lines[-1]:
        lines.append(b"")
    return b"\r\n".join(lines)


# --------------------------------------------------------------------------- values

def _utc_stamp(stamp: datetime) -> str:
    if not isinstance(stamp, datetime):
        raise TypeError("stamp must be a datetime")
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise ValueError("stamp must be timezone-aware (it is written in UTC)")
    return stamp.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


_RRULE_PARTS = {
    "FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
    "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST",
}
_FREQS = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_RRULE_VALUE = re.compile(r"[A-Z0-9+\-,]+")


def _check_rrule(rrule: str) -> str:
    """Validate an RRULE value (RFC 5545 3.3.10) for an all-day event and
    return it upper-cased. Only the recur grammar's characters are accepted,
    so the value can never inject a line; UNTIL must be a DATE because
    DTSTART is a DATE."""
    r = rrule.strip().upper()
    if r.startswith("RRULE:"):
        r = r[6:]
    seen = set()
    for part in r.split(";"):
        name, eq, value = part.partition("=")
        if not eq or name not in _RRULE_PARTS or not _RRULE_VALUE.fullmatch(value):
            raise ValueError(f"invalid RRULE part {part!r} in {rrule!r}")
        if name in seen:
            raise ValueError(f"RRULE part {name} repeated in {rrule!r}")
        seen.add(name)
        if name == "FREQ" and value not in _FREQS:
            raise ValueError(f"invalid RRULE FREQ {value!r}")
        if name == "UNTIL":
            if not (len(value) == 8 and value.isdigit()):
                raise ValueError("RRULE UNTIL must be a date YYYYMMDD for an all-day event")
            date(int(value[:4]), int(value[4:6]), int(value[6:]))  # raises if impossible
        if name in ("COUNT", "INTERVAL") and not (value.isdigit() and int(value) > 0):
            raise ValueError(f"RRULE {name} must be a positive integer")
    if "FREQ" not in seen:
        raise ValueError(f"RRULE without FREQ: {rrule!r}")
    if "COUNT" in seen and "UNTIL" in seen:
        raise ValueError("RRULE cannot have both COUNT and UNTIL")
    return r


# RFC 3986 reserved + unreserved characters and '%': everything else (spaces,
# quotes, non-ASCII, controls) is percent-encoded.
_URI_SAFE = "!#$&'()*+,/:;=?@[]~-._%"


def _clean_url(url: str) -> str:
    from urllib.parse import quote

    u = quote(unicodedata.normalize("NFC", url.strip()), safe=_URI_SAFE)
    if not u:
        raise ValueError("empty url")
    return u


def _trigger(before: timedelta) -> str:
    if not isinstance(before, timedelta):
        raise TypeError("alarms must be timedeltas")
    if before < timedelta(0):
        raise ValueError("an alarm is a duration BEFORE the start; it cannot be negative")
    if before.microseconds:
        raise ValueError("alarm durations must be whole seconds")
    return before


# --------------------------------------------------------------------------- ics glue

_ICS = None


def _ics():
    """Build (once) the ics subclasses that carry dtrack's fixes. They only
    use ics's own extension points: Component.Meta.serializer, serializer
    ``serialize_*`` hooks, ContentLine and Container."""
    global _ICS
    if _ICS is not None:
        return _ICS

    import ics
    from ics.grammar.parse import ContentLine
    from ics.serializers.alarm_serializer import DisplayAlarmSerializer
    from ics.serializers.event_serializer import EventSerializer
    from ics.serializers.icalendar_serializer import CalendarSerializer
    from ics.serializers.serializer import Serializer
    from ics.utils import escape_string, timedelta_to_duration

    def ordered(cls, order):
        """ics calls dir() and sorts the hooks by name for every component it
        serializes; compute the list once, in RFC-example order."""
        hooks = Serializer.get_serializers.__func__(cls)
        rank = {name: i for i, name in enumerate(order)}
        hooks.sort(key=lambda f: rank.get(f.__name__, len(order)))
        return hooks

    class EvSerializer(EventSerializer):
        # UID is TEXT; ics writes it unescaped.
        def serialize_uid(event, container):
            container.append(ContentLine("UID", value=_escape_clean(event.uid)))

        # ics writes DTSTAMP only from `created` (conflating the two); dtrack
        # writes the export instant given by the caller.
        def serialize_created(event, container):
            container.append(ContentLine("DTSTAMP", value=event.dtstamp))

        # ics converts the date to UTC (a +07:00 midnight becomes the day
        # before) and omits DTEND; a DATE is floating: write it as is, and
        # DTEND = begin + 1 day (ics's own `end` for a one-day all-day event).
        def serialize_all_day(event, container):
            if event.begin and event.all_day:
                container.append(ContentLine(
                    "DTSTART", params={"VALUE": ["DATE"]}, value=event.begin.strftime("%Y%m%d")))
                container.append(ContentLine(
                    "DTEND", params={"VALUE": ["DATE"]}, value=event.end.strftime("%Y%m%d")))

        # ics drops SUMMARY when it is empty; RFC clients expect it.
        def serialize_summary(event, container):
            container.append(ContentLine("SUMMARY", value=escape_string(event.name or "")))

        # ics escapes a URL like TEXT (',' -> '\,'), which corrupts the URI.
        def serialize_url(event, container):
            if event.url:
                container.append(ContentLine("URL", value=event.url))

        # not in the ics 0.7 model
        def serialize_sequence(event, container):
            container.append(ContentLine("SEQUENCE", value=str(event.sequence)))

        def serialize_rrule(event, container):
            if event.rrule:
                container.append(ContentLine("RRULE", value=event.rrule))
            if event.rdates:
                container.append(ContentLine("RDATE", params={"VALUE": ["DATE"]},
                                             value=",".join(d.strftime("%Y%m%d") for d in event.rdates)))

        # ics appends str(alarm), which emits a FutureWarning per alarm.
        def serialize_alarm(event, container):
            for alarm in event.alarms:
                container.append(alarm.serialize())

        _order = (
            "serialize_uid", "serialize_created", "serialize_all_day", "serialize_start",
            "serialize_end", "serialize_duration", "serialize_summary",
            "serialize_description", "serialize_categories", "serialize_sequence",
            "serialize_status", "serialize_transparent", "serialize_url",
            "serialize_rrule", "serialize_alarm",
        )
        _hooks = None

        @classmethod
        def get_serializers(cls):
            if cls._hooks is None:
                cls._hooks = ordered(cls, cls._order)
            return cls._hooks

    class AlarmSerializer(DisplayAlarmSerializer):
        # ics writes a zero duration as "P", which is not a valid DURATION.
        def serialize_trigger(alarm, container):
            rep = timedelta_to_duration(alarm.trigger) if alarm.trigger else "PT0S"
            container.append(ContentLine("TRIGGER", value=rep))

        _hooks = None

        @classmethod
        def get_serializers(cls):
            if cls._hooks is None:
                cls._hooks = ordered(cls, ("serialize_action", "serialize_description",
                                           "serialize_trigger"))
            return cls._hooks

    class Alarm(ics.DisplayAlarm):
        class Meta(ics.DisplayAlarm.Meta):
            serializer = AlarmSerializer

    class Event(ics.Event):
        """An ics Event with the properties ics 0.7 lacks."""

        class Meta(ics.Event.Meta):
            serializer = EvSerializer

        def __init__(self, *, dtstamp: str, sequence: int = 0, rrule: str | None = None,
                     rdates=(), categories=(), **kwargs):
            super().__init__(**kwargs)
            self.make_all_day()
            self.dtstamp = dtstamp
            self.sequence = sequence
            self.rrule = rrule
            self.rdates = tuple(rdates)
            # ics keeps categories in a set (random order between runs); its
            # serializer just iterates, so an ordered tuple keeps the order.
            self.categories = tuple(categories)

    class TodoSerializer(Serializer):
        # Written from the same hooks as the event's (UID, DTSTAMP, SUMMARY, DESCRIPTION,
        # CATEGORIES, SEQUENCE, STATUS, URL), with ics's Todo only as the container: its own
        # serializer converts DUE to UTC and writes DTSTAMP from the clock.
        serialize_uid = EvSerializer.serialize_uid
        serialize_created = EvSerializer.serialize_created
        serialize_summary = EvSerializer.serialize_summary
        serialize_description = EventSerializer.serialize_description
        serialize_categories = EventSerializer.serialize_categories
        serialize_sequence = EvSerializer.serialize_sequence
        serialize_status = EventSerializer.serialize_status
        serialize_url = EvSerializer.serialize_url

        def serialize_due(todo, container):
            container.append(ContentLine("DUE", params={"VALUE": ["DATE"]}, value=todo.due_day.strftime("%Y%m%d")))

        def serialize_completed(todo, container):
            if todo.completed_at:
                container.append(ContentLine("COMPLETED", value=todo.completed_at))

        _hooks = None

        @classmethod
        def get_serializers(cls):
            if cls._hooks is None:
                cls._hooks = ordered(cls, ("serialize_uid", "serialize_created", "serialize_due",
                                           "serialize_summary", "serialize_description",
                                           "serialize_categories", "serialize_sequence",
                                           "serialize_status", "serialize_completed", "serialize_url"))
            return cls._hooks

    class Todo(ics.Todo):
        class Meta(ics.Todo.Meta):
            serializer = TodoSerializer

        def __init__(self, *, dtstamp: str, due_day: date, sequence: int, completed_at: str | None,
                     categories=(), **kwargs):
            super().__init__(**kwargs)
            self.dtstamp = dtstamp
            self.due_day = due_day
            self.sequence = sequence
            self.completed_at = completed_at
            self.categories = tuple(categories)

    class CalSerializer(CalendarSerializer):
        def serialize_xwr(calendar, container):
            container.append(ContentLine("X-WR-CALNAME", value=_escape_clean(calendar.cal_name)))
            if calendar.cal_desc:
                container.append(ContentLine("X-WR-CALDESC", value=_escape_clean(calendar.cal_desc)))
            container.append(ContentLine("X-WR-TIMEZONE", value=X_WR_TIMEZONE))
            if calendar.last_modified:
                container.append(ContentLine("LAST-MODIFIED", value=calendar.last_modified))

        # ics keeps events in a set (random order) and serializes each; here
        # the already serialized blocks go out in the order given.
        def serialize_event(calendar, container):
            for block in calendar.blocks:
                container.append(block)

        _hooks = None

        @classmethod
        def get_serializers(cls):
            if cls._hooks is None:
                cls._hooks = ordered(cls, ("serialize_0version", "serialize_1prodid",
                                           "serialize_calscale", "serialize_method",
                                           "serialize_xwr", "serialize_event"))
            return cls._hooks

    class Calendar(ics.Calendar):
        class Meta(ics.Calendar.Meta):
            serializer = CalSerializer

        def __init__(self, *, blocks, cal_name, cal_desc, last_modified):
            super().__init__(creator=PRODID)
            self.scale = "GREGORIAN"
            self.method = "PUBLISH"
            self.blocks = blocks
            self.cal_name = cal_name
            self.cal_desc = cal_desc
            self.last_modified = last_modified

    _ICS = (Event, Alarm, Calendar, Todo)
    return _ICS


# --------------------------------------------------------------------------- API

def event_block(spec: EventSpec, stamp: datetime) -> str:
    """One serialized, folded ``BEGIN:VEVENT ... END:VEVENT\\r\\n`` block.
    Deterministic, and independent of any other event (so it can be cached)."""
    Event, Alarm, _, _ = _ics()
    day, uid, seq, status = _checked(spec, STATUSES)
    if any(isinstance(d, datetime) or not isinstance(d, date) for d in spec.rdates):
        raise TypeError("EventSpec.rdates must be datetime.date values")
    summary = clean_text(spec.summary)
    description = clean_text(spec.description) if spec.description else ""
    alarms = [Alarm(trigger=-_trigger(a), display_text=summary) for a in spec.alarms]
    event = Event(
        name=summary,
        begin=day,
        uid=uid,
        description=description or None,
        url=_clean_url(spec.url) if spec.url else None,
        transparent=True,
        alarms=alarms,
        status=status,
        dtstamp=_utc_stamp(stamp),
        sequence=seq,
        rrule=_check_rrule(spec.rrule) if spec.rrule else None,
        rdates=sorted(set(spec.rdates)),
        categories=[clean_text(c) for c in spec.categories],
    )
    return _finish(event.serialize()).decode("utf-8")


def _checked(spec: EventSpec, statuses: tuple[str, ...]):
    """The validated (day, uid, sequence, status) of a spec, for an event or a to-do."""
    day = spec.day
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError("EventSpec.day must be a datetime.date (not a datetime)")
    uid = clean_text(spec.uid).strip()
    if not uid:
        raise ValueError("EventSpec.uid must not be empty")
    seq = spec.sequence
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("EventSpec.sequence must be a non-negative integer")
    status = spec.status.upper() if spec.status else None
    if status is not None and status not in statuses:
        raise ValueError(f"EventSpec.status must be one of {statuses} or None")
    if isinstance(spec.categories, str):
        raise TypeError("EventSpec.categories must be a tuple of strings, not a string")
    return day, uid, seq, status


def todo_block(spec: EventSpec, stamp: datetime) -> str:
    """One serialized, folded ``BEGIN:VTODO ... END:VTODO\r\n`` block: DUE;VALUE=DATE = the
    spec's day, STATUS from TODO_STATUSES, COMPLETED from ``spec.completed``. A to-do is one
    occurrence: no RRULE, and no VALARM (a trigger relative to DUE is read unevenly; task apps
    remind of what is due themselves). Deterministic, like event_block."""
    _, _, _, Todo = _ics()
    day, uid, seq, status = _checked(spec, TODO_STATUSES)
    if spec.rrule or spec.rdates or spec.alarms:
        raise ValueError("a to-do has no RRULE, RDATE or alarm")
    description = clean_text(spec.description) if spec.description else ""
    todo = Todo(
        name=clean_text(spec.summary),
        uid=uid,
        description=description or None,
        url=_clean_url(spec.url) if spec.url else None,
        status=status,
        dtstamp=_utc_stamp(stamp),
        due_day=day,
        sequence=seq,
        completed_at=_utc_stamp(spec.completed) if spec.completed is not None else None,
        categories=[clean_text(c) for c in spec.categories],
    )
    return _finish(todo.serialize()).decode("utf-8")


def calendar_bytes(blocks: Iterable[str], name: str, description: str = "",
                   stamp: datetime | None = None) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes, blocks in the order given, CRLF
    after every line including the last. ``stamp``, when given, is written
    as the calendar's LAST-MODIFIED (RFC 7986)."""
    _, _, Calendar, _ = _ics()
    parts = []
    for block in blocks:
        kind = "VTODO" if block.startswith("BEGIN:VTODO\r\n") else "VEVENT"
        if not (block.startswith(f"BEGIN:{kind}\r\n") and block.endswith(f"END:{kind}\r\n")):
            raise ValueError("a block must be one BEGIN:VEVENT ... END:VEVENT\\r\\n from event_block() "
                             "(or a VTODO from todo_block())")
        parts.append(block[:-2])  # the Container joins its items with CRLF
    cal = Calendar(
        blocks=parts,
        cal_name=clean_text(name),
        cal_desc=clean_text(description) if description else "",
        last_modified=_utc_stamp(stamp) if stamp is not None else None,
    )
    text = unicodedata.normalize("NFC", cal.serialize())
    if text.count("\n") != text.count("\r\n") or text.count("\r") != text.count("\r\n"):
        raise ValueError("a block contains a bare CR or LF")
    return _finish(text)


def build_calendar(specs: Iterable[EventSpec], name: str, stamp: datetime,
                   description: str = "") -> bytes:
    """Convenience: ``calendar_bytes(event_block(s, stamp) for s in specs)``."""
    return calendar_bytes((event_block(s, stamp) for s in specs), name, description, stamp)
