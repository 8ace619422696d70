"""Tests for dtrack.ical: parsed back with icalendar (an independent parser),
plus byte-level checks that parsers are too lenient to catch."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtrack.output.ical import (
    EventSpec,
    build_calendar,
    calendar_bytes,
    clean_text,
    escape_text,
    event_block,
    fold_line,
    todo_block,
)

ROOT = Path(__file__).resolve().parents[2]
ICT = timezone(timedelta(hours=7))
STAMP = datetime(2024, 5, 1, 9, 30, 15, tzinfo=ICT)  # = 02:30:15 UTC

TRICKY = 'Báo cáo; "tình hình", thực hiện\\ nhiệm vụ:\nĐề nghị Sở Tài chính, Sở KH&ĐT; hạn 20/5.'
HOSTILE = "a\r\nEND:VEVENT\r\nBEGIN:VEVENT"
LONG_VI = ("Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành khẩn trương rà soát, "
           "tổng hợp và báo cáo kết quả thực hiện; ") * 6


def spec(**kw) -> EventSpec:
    base = dict(uid="1502-UBND-KGVX-2@dtrack", day=date(2024, 5, 20),
                summary="Báo cáo kết quả", description="", categories=(), sequence=0)
    base.update(kw)
    return EventSpec(**base)


def parse(data: bytes) -> list:
    cal = icalendar.Calendar.from_ical(data)
    return cal, list(cal.walk("VEVENT"))


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def check_bytes(data: bytes) -> None:
    """CRLF after every line (the last too), no bare CR/LF, no line over 75
    octets, every physical line valid UTF-8 on its own, NFC."""
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")
    for line in physical_lines(data):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a character was split
    text = data.decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)


# --------------------------------------------------------------------------- round trip

def test_round_trip_all_properties():
    s = spec(
        summary=TRICKY,
        description=LONG_VI + "\n" + TRICKY,
        categories=("Sở Tài chính", "UBND các huyện, thị xã; thành phố", "A\\B", "Chỉ thị"),
        sequence=3,
        alarms=(timedelta(days=3), timedelta(hours=16)),
        rrule="FREQ=MONTHLY;BYMONTHDAY=20;UNTIL=20241231",
        status="CONFIRMED",
        url="https://vanban.example.vn/van-ban?so=1502,1503;nam=2024",
    )
    data = build_calendar([s], "Nhiệm vụ; chỉ thị, 2024", STAMP, description="Hạn xử lý")
    check_bytes(data)
    cal, events = parse(data)
    assert len(events) == 1
    ev = events[0]
    assert str(ev["UID"]) == s.uid
    assert ev["DTSTAMP"].to_ical() == b"20240501T023015Z"
    assert ev.decoded("DTSTART") == date(2024, 5, 20)
    assert ev.decoded("DTEND") == date(2024, 5, 21)
    assert b"DTSTART;VALUE=DATE:20240520\r\n" in data
    assert b"DTEND;VALUE=DATE:20240521\r\n" in data
    assert str(ev["SUMMARY"]) == TRICKY
    assert str(ev["DESCRIPTION"]) == LONG_VI + "\n" + TRICKY
    assert list(ev["CATEGORIES"].cats) == list(s.categories)
    assert int(ev["SEQUENCE"]) == 3
    assert str(ev["TRANSP"]) == "TRANSPARENT"
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert str(ev["URL"]) == s.url
    assert ev["RRULE"] == {"FREQ": ["MONTHLY"], "BYMONTHDAY": [20], "UNTIL": [date(2024, 12, 31)]}
    alarms = list(ev.walk("VALARM"))
    assert [a.decoded("TRIGGER") for a in alarms] == [-timedelta(days=3), -timedelta(hours=16)]
    assert all(str(a["ACTION"]) == "DISPLAY" and str(a["DESCRIPTION"]) == TRICKY for a in alarms)
    assert b"TRIGGER:-P3D\r\n" in data
    # calendar properties
    assert str(cal["VERSION"]) == "2.0"
    assert "dtrack" in str(cal["PRODID"])
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    # X- properties are TEXT by default (RFC 5545 3.8.8.2), so they are escaped;
    # icalendar keeps unknown X- values raw, hence the comparison on bytes.
    assert cal["X-WR-CALNAME"].to_ical() == "Nhiệm vụ\\; chỉ thị\\, 2024".encode()
    assert str(cal["X-WR-CALDESC"]) == "Hạn xử lý"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"


def test_minimal_event_has_required_lines_and_nothing_optional():
    block = event_block(spec(), STAMP)
    lines = block[:-2].split("\r\n")
    assert lines[0] == "BEGIN:VEVENT" and lines[-1] == "END:VEVENT"
    names = {ln.split(":", 1)[0].split(";", 1)[0] for ln in lines}
    assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "TRANSP"} <= names
    for absent in ("DESCRIPTION", "CATEGORIES", "STATUS", "URL", "RRULE", "BEGIN:VALARM"):
        assert absent not in block
    assert "SEQUENCE:0\r\n" in block
    assert "TRANSP:TRANSPARENT\r\n" in block


def test_empty_summary_is_still_written():
    _, events = parse(build_calendar([spec(summary="")], "x", STAMP))
    assert str(events[0]["SUMMARY"]) == ""


def test_zero_alarm_is_a_valid_duration():
    block = event_block(spec(alarms=(timedelta(0),)), STAMP)
    assert "TRIGGER:PT0S\r\n" in block
    _, events = parse(calendar_bytes([block], "x"))
    assert next(iter(events[0].walk("VALARM"))).decoded("TRIGGER") == timedelta(0)


def test_weekly_rrule_and_cancelled():
    data = build_calendar([spec(rrule="freq=weekly;interval=2", status="cancelled")], "x", STAMP)
    _, events = parse(data)
    assert events[0]["RRULE"] == {"FREQ": ["WEEKLY"], "INTERVAL": [2]}
    assert str(events[0]["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("day", [date(2024, 1, 1), date(2024, 2, 29), date(2024, 12, 31),
                                 date(1999, 12, 31), date(2100, 6, 15)])
def test_dates_are_not_shifted(day):
    _, events = parse(build_calendar([spec(day=day)], "x", STAMP))
    assert events[0].decoded("DTSTART") == day
    assert events[0].decoded("DTEND") == day + timedelta(days=1)


def test_many_events_keep_order_and_count():
    specs = [spec(uid=f"{i}-CT-UBND@dtrack", day=date(2024, 1, 1) + timedelta(days=i % 50),
                  summary=f"Nhiệm vụ {i}") for i in range(200, 0, -1)]
    data = build_calendar(specs, "x", STAMP)
    check_bytes(data)
    _, events = parse(data)
    assert [str(e["UID"]) for e in events] == [s.uid for s in specs]


def test_calendar_is_concatenation_of_cached_blocks():
    specs = [spec(uid=f"{i}@dtrack", summary=LONG_VI) for i in range(3)]
    blocks = [event_block(s, STAMP) for s in specs]
    data = calendar_bytes(blocks, "x", stamp=STAMP)
    assert "".join(blocks).encode() in data
    assert data == build_calendar(specs, "x", STAMP)
    assert data.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_calendar_header():
    data = calendar_bytes([], "Lịch", "", None)
    text = data.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//dtrack//dtrack 0.1//VI\r\n")
    assert "X-WR-CALDESC" not in text and "LAST-MODIFIED" not in text
    assert "X-WR-TIMEZONE:Asia/Ho_Chi_Minh\r\n" in text
    assert text.endswith("END:VCALENDAR\r\n")
    assert "LAST-MODIFIED:20240501T023015Z\r\n" in calendar_bytes([], "x", stamp=STAMP).decode()


def test_calendar_rejects_foreign_blocks():
    with pytest.raises(ValueError):
        calendar_bytes(["BEGIN:VEVENT\r\nSUMMARY:x\nEND:VEVENT\r\nEND:VEVENT\r\n"], "x")
    with pytest.raises(ValueError):
        calendar_bytes(["SUMMARY:x\r\n"], "x")


# --------------------------------------------------------------------------- bytes

def test_hostile_text_stays_one_event():
    s = spec(summary=HOSTILE, description=HOSTILE + "\rBEGIN:VALARM\nEND:VCALENDAR",
             categories=(HOSTILE,))
    data = build_calendar([s], HOSTILE, STAMP, description=HOSTILE)
    check_bytes(data)
    lines = physical_lines(data)
    assert lines.count(b"BEGIN:VEVENT") == 1 and lines.count(b"END:VEVENT") == 1
    assert lines.count(b"END:VCALENDAR") == 1 and lines.count(b"BEGIN:VALARM") == 0
    assert all(not ln.startswith((b"BEGIN:", b"END:")) for ln in lines[1:-1]
               if ln not in (b"BEGIN:VEVENT", b"END:VEVENT"))
    _, events = parse(data)
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == "a\nEND:VEVENT\nBEGIN:VEVENT"
    assert list(events[0]["CATEGORIES"].cats) == ["a\nEND:VEVENT\nBEGIN:VEVENT"]


def test_long_vietnamese_line_folds_on_character_boundaries():
    data = build_calendar([spec(summary=LONG_VI[:500], description=LONG_VI)], LONG_VI, STAMP)
    check_bytes(data)
    lines = physical_lines(data)
    assert any(len(ln) >= 73 for ln in lines)  # folding really used the room
    assert sum(ln.startswith(b" ") for ln in lines) > 10
    _, events = parse(data)
    assert str(events[0]["SUMMARY"]) == LONG_VI[:500]


def test_deterministic_within_and_across_processes():
    s = spec(summary=TRICKY, categories=("b", "a", "c", "Đ", "ă"), alarms=(timedelta(days=1),
             timedelta(days=3)))
    a = build_calendar([s, spec(uid="2@dtrack")], "x", STAMP)
    assert a == build_calendar([s, spec(uid="2@dtrack")], "x", STAMP)
    code = (
        "import sys; from datetime import *; from dtrack.output.ical import *;"
        "s=EventSpec('u@d', date(2024,5,20), 'x', categories=('b','a','c','Đ','ă'),"
        " alarms=(timedelta(days=1), timedelta(days=3)));"
        "sys.stdout.buffer.write(build_calendar([s, EventSpec('2@d', date(2024,5,20), 'y')], 'x',"
        " datetime(2024,5,1,tzinfo=timezone.utc)))"
    )
    outs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outs.add(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                                capture_output=True, check=True).stdout)
    assert len(outs) == 1
    assert b"CATEGORIES:b,a,c,\xc4\x90,\xc4\x83\r\n" in outs.pop()


def test_nfd_input_comes_out_nfc():
    nfd = unicodedata.normalize("NFD", TRICKY)
    assert nfd != TRICKY
    s = spec(summary=nfd, description=nfd, categories=(nfd,))
    data = build_calendar([s], unicodedata.normalize("NFD", "Lịch nhiệm vụ"), STAMP)
    check_bytes(data)
    assert nfd.encode() not in data
    _, events = parse(data)
    assert str(events[0]["SUMMARY"]) == TRICKY
    assert str(events[0]["DESCRIPTION"]) == TRICKY


# --------------------------------------------------------------------------- fold_line / escape_text

def test_fold_line_500_vietnamese_chars():
    line = "DESCRIPTION:" + LONG_VI[:500]
    folded = fold_line(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert not pieces[0].startswith(" ")
    assert "".join([pieces[0]] + [p[1:] for p in pieces[1:]]) == line
    # greedy: a piece is only cut short to avoid splitting a character
    for p, nxt in zip(pieces, pieces[1:]):
        assert len(p.encode()) + len(nxt[1].encode()) > 75


def test_fold_line_boundaries():
    assert fold_line("A" * 75) == "A" * 75
    assert fold_line("A" * 76) == "A" * 75 + "\r\n A"
    assert fold_line("A" * 149) == "A" * 75 + "\r\n " + "A" * 74
    assert fold_line("A" * 74 + "ệ") == "A" * 74 + "\r\n ệ"  # 3-octet char not split
    assert fold_line("😀" * 19) == "😀" * 18 + "\r\n 😀"  # 4-octet chars
    with pytest.raises(ValueError):
        fold_line("A" * 80 + "\r\nB")


def test_escape_text():
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert escape_text("x\r\ny\rz\n") == "x\\ny\\nz\\n"
    assert escape_text("tab\tkept") == "tab\tkept"
    assert escape_text("\x1b[31mred\x1b[0m\x00\x7f\x85\x9f!") == "[31mred[0m!"
    assert escape_text(unicodedata.normalize("NFD", "Đề nghị")) == "Đề nghị"


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_escape_text_matches_ics_escaping_of_clean_text(s):
    from ics.utils import escape_string

    assert escape_text(s) == escape_string(clean_text(s))


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FFFF, exclude_categories=("Cs",)),
               max_size=300))
@settings(max_examples=200, deadline=None)
def test_fold_line_property(s):
    line = "SUMMARY:" + s
    folded = fold_line(line)
    pieces = folded.encode().split(b"\r\n")
    assert all(len(p) <= 75 for p in pieces)
    for p in pieces:
        p.decode("utf-8")
    assert folded.replace("\r\n ", "") == line


# --------------------------------------------------------------------------- hypothesis round trip

text_with_controls = st.lists(
    st.one_of(
        st.characters(exclude_categories=("Cs",)),
        st.sampled_from(["\r\n", "\r", "\n", "\x1b", "\x00", "\x7f", "\x85", "\t", ";", ",",
                         "\\", "\u1ec7", "e\u0302\u0323", "\u0110", "\u2028"]),
    ),
    max_size=120,
).map("".join)


def expected(s: str) -> str:
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = "".join(ch for ch in s if ch in "\t\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F))
    return unicodedata.normalize("NFC", s)


@given(summary=text_with_controls, description=text_with_controls)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_text_round_trips(summary, description):
    data = build_calendar([spec(summary=summary, description=description, alarms=(timedelta(days=3),))],
                          "x", STAMP)
    check_bytes(data)
    _, events = parse(data)
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == expected(summary)
    if expected(description):
        assert str(events[0]["DESCRIPTION"]) == expected(description)
    else:
        assert "DESCRIPTION" not in events[0]


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize("kw, exc", [
    (dict(day=datetime(2024, 5, 20, tzinfo=ICT)), TypeError),
    (dict(uid=" \x1b "), ValueError),
    (dict(sequence=-1), ValueError),
    (dict(status="DONE"), ValueError),
    (dict(alarms=(timedelta(days=-1),)), ValueError),
    (dict(alarms=(timedelta(seconds=1.5),)), ValueError),
    (dict(categories="abc"), TypeError),
    (dict(rrule="FREQ=DAILY\r\nEND:VEVENT"), ValueError),
    (dict(rrule="FREQ=DAILY;UNTIL=20241231T000000Z"), ValueError),
    (dict(rrule="INTERVAL=2"), ValueError),
    (dict(rrule="FREQ=DAILY;COUNT=2;UNTIL=20241231"), ValueError),
    (dict(rrule="FREQ=DAILY;UNTIL=20240231"), ValueError),
])
def test_invalid_specs_are_rejected(kw, exc):
    with pytest.raises(exc):
        event_block(spec(**kw), STAMP)


def test_naive_stamp_rejected():
    with pytest.raises(ValueError):
        event_block(spec(), datetime(2024, 5, 1, 9, 30))


def test_url_cannot_inject_and_stays_a_uri():
    block = event_block(spec(url="https://a.vn/x y\r\nEND:VEVENT?q=Đà Nẵng"), STAMP)
    assert "URL:https://a.vn/x%20y%0D%0AEND:VEVENT?q=%C4%90%C3%A0%20N%E1%BA%B5ng\r\n" in block
    assert block.count("END:VEVENT") == 2  # the one in the URL is inside the URL line
    _, events = parse(calendar_bytes([block], "x"))
    assert len(events) == 1


# --------------------------------------------------------------------------- import cost

def test_module_import_does_not_import_ics():
    code = "import sys, dtrack.output.ical; print('ics' in sys.modules, 'arrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]


# --------------------------------------------------------------------------- to-dos and RDATEs

def test_todo_block_due_status_completed_through_the_same_text_layer():
    done = datetime(2024, 5, 18, tzinfo=timezone.utc)
    blocks = [todo_block(spec(summary=TRICKY + LONG_VI, description=HOSTILE, categories=("Sở Tài chính", "A,B"),
                              sequence=3, status="COMPLETED", completed=done), STAMP),
              todo_block(spec(uid="x-1@dtrack", status="NEEDS-ACTION"), STAMP)]
    data = calendar_bytes(blocks, "dtrack — to-dos")
    check_bytes(data)
    assert physical_lines(data).count(b"BEGIN:VTODO") == 2 and b"BEGIN:VEVENT" not in physical_lines(data)
    cal = icalendar.Calendar.from_ical(data)
    cal.validate()
    first, second = cal.walk("VTODO")
    assert str(first["SUMMARY"]) == clean_text(TRICKY + LONG_VI)
    assert str(first["DESCRIPTION"]) == "a\nEND:VEVENT\nBEGIN:VEVENT"
    assert list(first["CATEGORIES"].cats) == ["Sở Tài chính", "A,B"]
    assert first["DUE"].dt == date(2024, 5, 20) and first["DUE"].params["VALUE"] == "DATE"
    assert first["COMPLETED"].dt == done and str(first["STATUS"]) == "COMPLETED"
    assert int(first["SEQUENCE"]) == 3 and first["DTSTAMP"].dt == STAMP
    assert str(second["STATUS"]) == "NEEDS-ACTION" and "COMPLETED" not in second
    with pytest.raises(ValueError):
        todo_block(spec(status="CONFIRMED"), STAMP)            # a VEVENT status
    with pytest.raises(ValueError):
        todo_block(spec(rrule="FREQ=WEEKLY"), STAMP)           # a to-do is one occurrence
    with pytest.raises(ValueError):
        event_block(spec(status="NEEDS-ACTION"), STAMP)        # a VTODO status


def test_rdates_are_written_sorted_once_beside_the_rrule():
    s = spec(day=date(2025, 2, 28), rrule="FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=30",
             rdates=(date(2026, 2, 28), date(2025, 2, 28), date(2026, 2, 28)))
    data = build_calendar([s], "x", STAMP)
    assert b"\r\nRRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=30\r\nRDATE;VALUE=DATE:20250228,20260228\r\n" in data
    _, (event,) = parse(data)
    assert [p.dt for r in [event["RDATE"]] for p in r.dts] == [date(2025, 2, 28), date(2026, 2, 28)]
    with pytest.raises(TypeError):
        event_block(spec(rdates=(datetime(2025, 2, 28, tzinfo=timezone.utc),)), STAMP)
