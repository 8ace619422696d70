"""dtrack export-ics: every export is parsed back with an independent parser (icalendar)."""
from __future__ import annotations

import json
import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest

from conftest import dtrack_script, make_repo
from dtrack.output import export
from dtrack.output import ical
from dtrack.store import files as store

ALARM_3D = timedelta(days=-2, hours=-16)   # 08:00 three days before


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    # stores outside git keep their cache in the user's cache folder: keep it in the test's
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def run_export(cli, store_dir: Path, *args: str) -> bytes:
    out = store_dir.parent.parent / "out.ics"      # outside the repository
    result = cli("--dir", str(store_dir), "export-ics", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def events_of(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), "a UID appears twice"
    return {u: e for u, e in zip(uids, events)}


def open_dated(store_dir: Path) -> dict[str, tuple]:
    st = store.load(store_dir)
    return {export.task_uid(d, x): (d, x) for d in st.directives for x in d.tasks
            if x.is_open and x.due is not None}


def check_raw(data: bytes) -> None:
    """CRLF after every line, the last one too; no line over 75 octets; folding never splits UTF-8."""
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")


def write_directive(store_dir: Path, rel: str, text: str) -> Path:
    path = store_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


# ---------------------------------------------------------------------------- bundled store

def test_bundled_store_every_open_dated_task_once_with_date_uid_alarm_text(cli, store_dir):
    data = run_export(cli, store_dir)
    check_raw(data)
    events = events_of(data)
    expected = open_dated(store_dir)
    assert set(events) == set(expected) and len(events) == 12
    reg = store.load(store_dir).registry
    for uid, (d, task) in expected.items():
        ev = events[uid]
        assert ev["DTSTART"].dt == task.due
        assert ev["DTEND"].dt == task.due + timedelta(days=1)
        assert str(ev["TRANSP"]) == "TRANSPARENT"
        assert int(ev["SEQUENCE"]) == 0
        assert ev["DTSTAMP"].dt.date() == d.issued
        lead = ", ".join(reg.short_name(a) for a in task.lead)
        assert str(ev["SUMMARY"]).startswith(f"[{lead}] ")
        description = str(ev["DESCRIPTION"])
        assert description.startswith(task.text + "\n\n")
        assert f"Reference: {d.stem}#{task.n}\n" in description
        assert f"Issued by: {d.issuer}, {d.issued:%d/%m/%Y}\n" in description
        assert d.title in description
        if task.due_text:
            assert f"({task.due_text})" in description
        for name in task.support:
            assert reg.canonical(name) in description
        assert [str(c) for c in ev["CATEGORIES"].cats] == [reg.canonical(a) for a in task.lead]
        alarms = ev.walk("VALARM")
        assert [a["TRIGGER"].dt for a in alarms] == [ALARM_3D]
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "dtrack — office"
    assert str(cal["PRODID"]).startswith("-//dtrack//")


def test_bundled_summary_exact(cli, store_dir):
    events = events_of(run_export(cli, store_dir))
    assert str(events["1502-UBND-KGVX-3@dtrack"]["SUMMARY"]) == \
        "[STTTT] Làm rõ về tính cần thiết của việc đầu tư Hệ thống hội nghị…"


def test_byte_identical_cold_warm_and_after_cache_loss(cli, store_dir, repo):
    first = run_export(cli, store_dir)
    second = run_export(cli, store_dir)
    assert first == second
    cache = store.cache_dir(store_dir)
    files = sorted(p.name for p in cache.iterdir())
    assert len(files) == 1 and files[0].endswith(".sqlite")      # the events are kept in the store's index
    for p in cache.iterdir():                    # a corrupt cache is rebuilt silently
        p.write_bytes(b"\x00garbage")
    assert run_export(cli, store_dir) == first
    for p in cache.iterdir():
        p.unlink()
    assert run_export(cli, store_dir) == first
    # the cache lives in .git, outside git's view: the work tree stays clean
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True,
                          text=True).stdout == ""


def test_splice_equals_calendar_bytes(store_dir):
    collected = export.collect(store_dir, export.Options())
    blocks = [bytes(e.data).decode("utf-8") for e in collected.events]
    assert export.calendar(collected.events, "x") == ical.calendar_bytes(
        blocks, "dtrack — x", "Deadlines of the tasks that the directives assign (x), exported by dtrack. "
                              "Refreshed after every change; do not edit.")


def test_cache_reuses_unchanged_files_and_never_serves_a_same_size_same_second_edit(store_dir):
    old = 1_600_000_000_000_000_000                  # 2020: far from "now", so stat is trusted
    for _, path in store.iter_files(store_dir):
        os.utime(path, ns=(old, old))
    first = export.collect(store_dir, export.Options())
    assert (first.built, first.reused) == (5, 0)
    again = export.collect(store_dir, export.Options())
    assert (again.built, again.reused) == (0, 5)
    # A hand edit: same size, and the timestamp put back to the very same nanosecond. Only the
    # racy check (the file was modified within 2 s of when it was read) can catch it.
    path = store_dir / "2023" / "1502-UBND-KGVX.yaml"
    os.utime(path)                                      # modified "now", then read by an export
    base = export.collect(store_dir, export.Options())
    st = os.stat(path)
    raw = path.read_bytes()
    edited = raw.replace(b"due: 2023-04-22", b"due: 2023-04-29", 1)
    assert len(edited) == len(raw) and edited != raw
    path.write_bytes(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns
    after = export.collect(store_dir, export.Options())
    days = {(e.stem, e.n): e.due for e in after.events}
    assert days[("1502-UBND-KGVX", 1)] == "2023-04-29"
    assert {(e.stem, e.n): e.due for e in base.events}[("1502-UBND-KGVX", 1)] == "2023-04-22"


def test_deleted_and_added_files(cli, store_dir):
    run_export(cli, store_dir)
    (store_dir / "2023" / "1502-UBND-KGVX.yaml").unlink()
    events = events_of(run_export(cli, store_dir))
    assert not any(u.startswith("1502-UBND-KGVX-") for u in events)
    assert set(events) == set(open_dated(store_dir))


# ---------------------------------------------------------------------------- extension, recurrence, done

def test_extension_keeps_uid_raises_sequence_moves_date(cli, store_dir):
    uid = "1502-UBND-KGVX-2@dtrack"
    before = events_of(run_export(cli, store_dir))[uid]
    path = store_dir / "2023" / "1502-UBND-KGVX.yaml"
    text = path.read_text(encoding="utf-8")
    task2 = text.index("  - n: 2")
    end = text.index("  - n: 3")
    part = text[task2:end].replace("    due: 2023-04-22\n", "    due: 2023-05-15\n")
    part = part.replace("    status: open\n", "    status: open\n    extensions:\n"
                        "      - {from: 2023-04-22, to: 2023-05-15, \"on\": 2023-04-20, by: 1600/UBND-KGVX}\n")
    path.write_text(text[:task2] + part + text[end:], encoding="utf-8")
    after = events_of(run_export(cli, store_dir))[uid]
    assert int(before["SEQUENCE"]) == 0 and int(after["SEQUENCE"]) == 1
    assert after["DTSTART"].dt == date(2023, 5, 15)
    assert after["DTSTAMP"].dt.date() == date(2023, 4, 20)
    assert "Extended: 22/04/2023 → 15/05/2023 (1600/UBND-KGVX)" in str(after["DESCRIPTION"])


HEAD = """number: 77/UBND-VX
kind: cong-van
issuer: UBND tỉnh Quảng Ngãi
issued: 2024-01-05
title: Báo cáo định kỳ
tasks:
"""


def test_recurring_tasks_carry_an_rrule_and_bad_every_is_reported(cli, store_dir):
    write_directive(store_dir, "2024/77-UBND-VX.yaml", HEAD + """\
  - n: 1
    text: Báo cáo tiến độ hai tuần một lần
    lead: STC
    due: 2024-07-26
    every: 2 weeks
  - n: 2
    text: Báo cáo tháng
    lead: Sở Nội vụ
    due: 2024-07-20
    every: 1 month on day 20
    until: 2024-12-31
  - n: 3
    text: Báo cáo cuối tháng
    lead: Sở Nội vụ
    due: 2024-07-31
    every: 1 month
  - n: 4
    text: Báo cáo năm
    lead: Sở Nội vụ
    due: 2024-12-15
    every: 1 year
""")
    # An unreadable recurrence makes its file invalid (format v1): reported with its line, never emitted.
    write_directive(store_dir, "2024/78-UBND-VX.yaml", HEAD.replace("77/", "78/") + """\
  - n: 1
    text: Không đọc được
    lead: Sở Nội vụ
    due: 2024-08-01
    every: fortnightly
""")
    out = store_dir.parent.parent / "out.ics"
    result = cli("--dir", str(store_dir), "export-ics", "-o", str(out))
    assert result.exit_code == 0
    assert "78-UBND-VX.yaml:11:12: error: " in result.stderr and "'fortnightly'" in result.stderr
    events = events_of(out.read_bytes())
    rules = [line for line in out.read_bytes().split(b"\r\n") if line.startswith(b"RRULE:")]
    # sorted by due; the first is the bundled fortnightly report of 2024-03-11 (due 25/03/2024)
    assert rules == [b"RRULE:FREQ=WEEKLY;INTERVAL=2",
                     b"RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=20;UNTIL=20241231",
                     b"RRULE:FREQ=WEEKLY;INTERVAL=2", b"RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1",
                     b"RRULE:FREQ=YEARLY;INTERVAL=1;BYMONTH=12;BYMONTHDAY=15"]
    assert events["77-UBND-VX-2@dtrack"]["RRULE"]["UNTIL"] == [date(2024, 12, 31)]
    assert events["77-UBND-VX-1@dtrack"]["DTSTART"].dt == date(2024, 7, 26)
    assert not any(uid.startswith("78-UBND-VX") for uid in events)
    # the warning survives the cache
    again = cli("--dir", str(store_dir), "export-ics", "-o", str(out))
    assert "78-UBND-VX.yaml:11:12: error: " in again.stderr


def test_include_done_emits_closed_tasks_as_cancelled(cli, store_dir):
    cli("--dir", str(store_dir), "done", "1502#1", "--on", "20/04/2023", "--no-commit")
    default = events_of(run_export(cli, store_dir))
    assert "1502-UBND-KGVX-1@dtrack" not in default
    events = events_of(run_export(cli, store_dir, "--include-done"))
    ev = events["1502-UBND-KGVX-1@dtrack"]
    assert str(ev["STATUS"]) == "CANCELLED"
    assert str(ev["SUMMARY"]).startswith("✓ [STTTT] ")
    assert int(ev["SEQUENCE"]) == 1
    assert ev["DTSTAMP"].dt.date() == date(2023, 4, 20)
    assert ev.walk("VALARM") == []
    assert "Done: 20/04/2023" in str(ev["DESCRIPTION"])
    for uid in default:                              # open tasks: the same blocks either way
        assert events[uid].to_ical() == default[uid].to_ical()


# ---------------------------------------------------------------------------- hostile and Vietnamese text

def test_hostile_text_stays_one_event_and_vietnamese_round_trips(cli, store_dir):
    long = "Đẩy mạnh ứng dụng; chuyển đổi số, " * 15          # > 500 characters, ';' and ','
    hostile = "a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:x@evil\r\nSUMMARY:injected, with; separators " + long
    vietnamese = "Ủy ban nhân dân tỉnh Quảng Ngãi đề nghị Sở Tài chính rà soát, thẩm định kinh phí"
    decomposed = __import__("unicodedata").normalize("NFD", vietnamese)
    write_directive(store_dir, "2024/99-UBND.yaml", HEAD.replace("77/UBND-VX", "99/UBND") + f"""\
  - n: 1
    text: {json.dumps(hostile, ensure_ascii=False)}
    lead: STC
    support: ["UBND các huyện, thị xã, thành phố"]
    due: 2024-08-01
  - n: 2
    text: {json.dumps(decomposed, ensure_ascii=False)}
    lead: "UBND các huyện, thị xã, thành phố"
    due: 2024-08-02
""")
    data = run_export(cli, store_dir)
    check_raw(data)
    assert data.split(b"\r\n").count(b"BEGIN:VEVENT") == len(open_dated(store_dir)) == 14
    events = events_of(data)
    assert "x@evil" not in events
    ev = events["99-UBND-1@dtrack"]
    assert str(ev["DESCRIPTION"]).startswith(hostile.replace("\r\n", "\n") + "\n\n")
    viet = events["99-UBND-2@dtrack"]
    assert str(viet["DESCRIPTION"]).startswith(vietnamese + "\n\n")
    assert [str(c) for c in viet["CATEGORIES"].cats] == ["UBND các huyện, thị xã, thành phố"]


# ---------------------------------------------------------------------------- agencies

def test_agency_matches_like_list(cli, store_dir):
    listed = json.loads(cli("--dir", str(store_dir), "list", "--all", "--agency", "so tai chinh", "--json").stdout)
    want = {f"{r['directive']}-{r['n']}@dtrack" for r in listed if r["due"]}
    out = store_dir.parent.parent / "stc.ics"
    result = cli("--dir", str(store_dir), "export-ics", "--agency", "so tai chinh", "-o", str(out))
    assert result.exit_code == 0
    events = events_of(out.read_bytes())
    assert set(events) == want and want
    assert str(icalendar.Calendar.from_ical(out.read_bytes())["X-WR-CALNAME"]) == "dtrack — Sở Tài chính"
    bad = cli("--dir", str(store_dir), "export-ics", "--agency", "nowhere", "-o", str(out))
    assert bad.exit_code == 2 and "no agency matches 'nowhere'" in bad.stderr


def test_agency_default_file_name(cli, store_dir, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = cli("--dir", str(store_dir), "export-ics", "--agency", "STC", cwd=work)
    assert result.exit_code == 0
    assert list(work.iterdir()) == [] and (store_dir.parent / "dtrack-so-tai-chinh.ics").is_file()


def test_split_by_agency_writes_one_file_per_lead_and_all(cli, store_dir, tmp_path):
    write_directive(store_dir, "2024/5-X.yaml", HEAD.replace("77/UBND-VX", "5/X") + """\
  - n: 1
    text: Tên dành riêng của Windows
    lead: CON
    due: 2024-08-01
  - n: 2
    text: Một cơ quan tên là All
    lead: All
    due: 2024-08-02
""")
    folder = tmp_path / "lich"
    result = cli("--dir", str(store_dir), "export-ics", "--split-by-agency", str(folder))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert "all.ics" in names and "con-agency.ics" in names and "all-agency.ics" in names
    assert "so-tai-chinh.ics" in names and "ubnd-cac-huyen-thi-xa-thanh-pho.ics" in names
    for name in names:
        stem = name[:-4]
        assert stem.isascii() and stem.lower() not in {"con", "prn", "aux", "nul"} and len(name) < 80
    all_events = events_of((folder / "all.ics").read_bytes())
    assert set(all_events) == set(open_dated(store_dir))
    collected = export.collect(store_dir, export.Options())
    led = sum(len(events_of((folder / n).read_bytes())) for n in names if n != "all.ics")
    assert led == sum(len(e.leads) for e in collected.events)
    stc = events_of((folder / "so-tai-chinh.ics").read_bytes())
    assert all("Sở Tài chính" in [str(c) for c in e["CATEGORIES"].cats] for e in stc.values())
    assert (folder / "all.ics").read_bytes() == run_export(cli, store_dir)
    again = cli("--dir", str(store_dir), "export-ics", "--split-by-agency", str(folder))
    assert "(0 changed)" in again.stderr


# ---------------------------------------------------------------------------- options and errors

def test_alarm_options(cli, store_dir):
    ev = events_of(run_export(cli, store_dir, "--alarm", "1d", "--alarm", "2w", "--alarm", "16h"))
    one = next(iter(ev.values()))
    # 1d fires at 08:00 the day before, which is 16h before the deadline's 00:00: one alarm, not two
    assert [a["TRIGGER"].dt for a in one.walk("VALARM")] == [timedelta(hours=-16), timedelta(days=-13, hours=-16)]
    none = events_of(run_export(cli, store_dir, "--alarm", "0"))
    assert all(e.walk("VALARM") == [] for e in none.values())
    bad = cli("--dir", str(store_dir), "export-ics", "--alarm", "soon")
    assert bad.exit_code == 2 and "dtrack: error: --alarm: 'soon' is not a length of time" in bad.stderr


def test_default_output_is_dtrack_ics_at_the_stores_top_wherever_it_runs(cli, store_dir, tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    target = store_dir.parent / "dtrack.ics"
    result = cli("--dir", str(store_dir), "export-ics", cwd=work)
    assert result.exit_code == 0
    assert result.stderr == f"Wrote {target}: 12 events.\n"
    assert not (work / "dtrack.ics").exists()
    assert target.stat().st_mode & 0o044          # readable by a web server
    year = next(p for p in store_dir.iterdir() if p.is_dir() and p.name.isdigit())
    again = cli("export-ics", cwd=year)           # inside a year folder: still the top, not among the files
    assert again.stderr == f"{target} is up to date: 12 events.\n"
    assert not list(store_dir.rglob("*.ics"))


def test_usage_errors_write_nothing(cli, store_dir, tmp_path):
    missing = cli("--dir", str(store_dir), "export-ics", "-o", str(tmp_path / "no" / "x.ics"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    both = cli("--dir", str(store_dir), "export-ics", "-o", "x.ics", "--split-by-agency", str(tmp_path / "d"))
    assert both.exit_code == 2
    assert not (tmp_path / "d").exists() and not (tmp_path / "no").exists()


def test_duplicate_stems_in_two_year_folders_get_distinct_uids(store_dir):
    src = (store_dir / "2023" / "1502-UBND-KGVX.yaml").read_text(encoding="utf-8")
    write_directive(store_dir, "2024/1502-UBND-KGVX.yaml", src.replace("issued: 2023-04-07", "issued: 2024-04-07"))
    uids = [bytes(e.data).split(b"\r\n")[1] for e in export.collect(store_dir, export.Options()).events
            if e.stem == "1502-UBND-KGVX"]
    assert b"UID:1502-UBND-KGVX-1@dtrack" in uids and b"UID:1502-UBND-KGVX-1.2024@dtrack" in uids


def test_uid_is_ascii_and_one_to_one():
    from dtrack.domain.model import Directive, Task
    d = Directive(stem="12-QĐ-UBND", path="x", number="12/QĐ-UBND", kind="khac", issuer="", issued=date(2024, 1, 1),
                  title="", tasks=[])
    assert export.task_uid(d, Task(n=3, text="", lead=("x",))) == "12-Q%C4%90-UBND-3@dtrack"


# ---------------------------------------------------------------------------- larger stores, the installed script

def test_generated_store_of_300_directives_serial_and_parallel_agree(tmp_path, cli, monkeypatch):
    import gen_store
    root = tmp_path / "gen"
    gen_store.generate(str(root), 300, seed=7)
    serial = export.collect(root, export.Options())
    data = export.calendar(serial.events, "gen")
    check_raw(data)
    events = events_of(data)
    st = store.load(root)
    expected = {export.task_uid(d, x) for d in st.directives for x in d.tasks if x.is_open and x.due}
    assert set(events) == expected and len(expected) > 500
    assert any("RRULE" in e for e in events.values())
    for cache in store.cache_dir(root).iterdir():
        cache.unlink()
    from dtrack.store import pool
    monkeypatch.setattr(pool, "POOL_MIN_FILES", 10)      # dtrack's one process pool builds them
    parallel = export.collect(root, export.Options())
    assert parallel.built == 300 and export.calendar(parallel.events, "gen") == data
    out = tmp_path / "gen.ics"
    result = cli("--dir", str(root), "export-ics", "-o", str(out))
    assert result.exit_code == 0 and out.read_bytes() == export.calendar(serial.events, "gen")


def test_installed_script_writes_to_stdout(store_dir, tmp_path):
    env = {**os.environ, "DTRACK_TODAY": "2024-07-20", "XDG_CACHE_HOME": str(tmp_path / "c")}
    run = subprocess.run([dtrack_script(), "--dir", str(store_dir), "export-ics", "-o", "-"],
                         capture_output=True, env=env, cwd=tmp_path)
    assert run.returncode == 0 and run.stderr == b""
    check_raw(run.stdout)
    assert set(events_of(run.stdout)) == set(open_dated(store_dir))
    second = subprocess.run([dtrack_script(), "--dir", str(store_dir), "--as-of", "2024-07-20", "export-ics",
                             "-o", "-"], capture_output=True, env=env, cwd=tmp_path)
    assert second.stdout == run.stdout
    assert not list(tmp_path.glob("*.ics"))


def test_not_a_git_store_uses_the_user_cache(tmp_path, cli):
    plain = tmp_path / "plain"
    make_repo(tmp_path / "r")
    import shutil
    shutil.copytree(tmp_path / "r" / "directives", plain)
    data = run_export(cli, plain)
    assert any((tmp_path / "cache" / "dtrack").rglob("index-*.sqlite"))
    assert run_export(cli, plain) == data


def test_summary_uses_the_shortest_alias_when_no_compact_one_exists():
    from dtrack.domain.agencies import Agency
    assert Agency("Trung tâm Công nghệ thông tin và Truyền thông", ("Trung tâm CNTT&TT",)).short_name == \
        "Trung tâm CNTT&TT"
    assert Agency("Văn phòng UBND tỉnh", ("VPUB", "VP UBND tỉnh")).short_name == "VPUB"
    assert Agency("Sở Tài chính", ("TC", "STC"), short="STC").short_name == "STC"
    assert Agency("Ban Dân tộc tỉnh").short_name == "Ban Dân tộc tỉnh"


def test_split_skips_an_agency_without_an_event_and_says_when_an_older_file_stays(cli, store_dir, tmp_path):
    write_directive(store_dir, "2024/6-X.yaml", HEAD.replace("77/UBND-VX", "6/X") + """\
  - n: 1
    text: Việc duy nhất của Ban Dân tộc
    lead: Ban Dân tộc tỉnh
    due: 2024-08-01
""")
    folder = tmp_path / "lich"
    first = cli("--dir", str(store_dir), "export-ics", "--split-by-agency", str(folder))
    assert first.exit_code == 0, first.output
    cli("--dir", str(store_dir), "done", "6/X#1", "--on", "20/07/2024", "--no-commit")
    written = {p.name for p in folder.iterdir()}
    result = cli("--dir", str(store_dir), "export-ics", "--split-by-agency", str(folder))
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.stderr.splitlines() if "skipped, no event to write" in line]
    assert skipped                                   # the bundled store has agencies with no open deadline
    for line in skipped:
        name = Path(line.split(": skipped")[0]).name
        assert ("older export" in line) == (name in written)
    assert any("older export" in line for line in skipped)   # Ban Dân tộc: its one task is done
    for path in folder.iterdir():
        icalendar.Calendar.from_ical(path.read_bytes()).validate()


def test_dtstamp_is_never_later_than_the_export_even_for_data_dated_ahead(cli, store_dir):
    write_directive(store_dir, "2099/1-X.yaml", HEAD.replace("77/UBND-VX", "1/X").replace("2024-01-05", "2099-01-05")
                    + "  - n: 1\n    text: Văn bản ghi ngày ban hành sai, năm 2099\n    lead: STC\n    due: 2099-03-01\n")
    ev = events_of(run_export(cli, store_dir))["1-X-1@dtrack"]
    assert ev["DTSTAMP"].dt.date() <= date.today()
    d = store.load(store_dir).directives[0]
    assert export.task_stamp(d, d.tasks[0], today=date(2000, 1, 1)) == \
        export.task_stamp(d, d.tasks[0]).replace(year=2000, month=1, day=1)
