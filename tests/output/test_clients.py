"""The exported calendars read by real clients: icalendar's validation, ical.js (Thunderbird's
engine, run by node), icalendar + recurring-ical-events, and todoman for the to-dos. Each must
see what dtrack computes: the same files, the same dates, the same tasks."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from conftest import dtrack_script, git
from dtrack.domain.recurrence import next_after, parse_every, series_start
from dtrack.output import export
from dtrack.store import files as store

JS = Path(__file__).resolve().parents[1] / "js"
REPO = Path(__file__).resolve().parents[2]
FROM, TO = date(2023, 1, 1), date(2029, 1, 1)   # the window every client expands (< RDATE_YEARS)

SERIES = """number: 9/UBND-TH
kind: cong-van
issuer: UBND tỉnh Quảng Ngãi
issued: 2023-01-05
title: Báo cáo định kỳ cuối tháng
tasks:
  - n: 1
    text: Báo cáo ngày 30 hằng tháng
    lead: STC
    due: 2023-01-30
    every: 1 month
  - n: 2
    text: Báo cáo ngày 29 hằng tháng
    lead: STC
    due: 2023-01-29
    every: 1 month on day 29
  - n: 3
    text: Báo cáo ngày cuối tháng
    lead: SNV
    due: 2023-02-28
    every: 1 month on day 31
  - n: 4
    text: Báo cáo năm, ngày 29/02
    lead: SNV
    due: 2024-02-29
    every: 1 year
  - n: 5
    text: Báo cáo quý, ngày 30
    lead: SNV
    due: 2023-02-28
    every: 3 months on day 30
    until: 2027-12-31
"""


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DTRACK_TODAY": "2024-07-20"}
    return subprocess.run([dtrack_script(), *args], cwd=cwd, capture_output=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A generated store of 300 directives (benchmarks/gen_store.py) plus the month-end series, in git."""
    import gen_store
    root = tmp_path_factory.mktemp("clients") / "directives"
    gen_store.generate(str(root), 300, seed=11)
    (root / "2023").mkdir(exist_ok=True)
    (root / "2023" / "9-UBND-TH.yaml").write_text(SERIES, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "store")
    return root


@pytest.fixture(scope="module")
def exported(generated, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ics") / "all.ics"
    result = _run("--dir", str(generated), "export-ics", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def validated(data: bytes) -> icalendar.Calendar:
    cal = icalendar.Calendar.from_ical(data)
    cal.validate()
    for component in cal.walk():
        assert not component.errors, (component.name, component.errors)
    assert cal.walk("VEVENT") or cal.walk("VTODO")
    return cal


def dtrack_dates(generated: Path) -> dict[str, list[date]]:
    """What dtrack itself asks for, series by series: due, then each following occurrence."""
    out = {}
    for d in store.load(generated).directives:
        for task in d.tasks:
            if not (task.is_open and task.every and task.due):
                continue
            every, start, day, days = parse_every(task.every), series_start(task), task.due, []
            while day < TO and (task.until is None or day <= task.until):
                if day >= FROM:
                    days.append(day)
                day = next_after(start, every, day)
            out[export.task_uid(d, task)] = days
    return out


def test_every_recurring_series_expands_to_dtracks_dates_in_recurring_ical_events(generated, exported):
    cal = validated(exported.read_bytes())
    expected = dtrack_dates(generated)
    assert len(expected) > 80
    seen: dict[str, list[date]] = {}
    for ev in recurring_ical_events.of(cal).between(FROM, TO):
        seen.setdefault(str(ev["UID"]), []).append(ev["DTSTART"].dt)
    assert {uid: sorted(days) for uid, days in seen.items() if uid in expected} == expected


def test_every_recurring_series_expands_to_dtracks_dates_in_ical_js(generated, exported):
    if shutil.which("node") is None:
        pytest.skip("node is not installed: ical.js cannot run (CI installs it with `npm ci --prefix tests/js`)")
    if not (JS / "node_modules" / "ical.js").is_dir() and shutil.which("npm"):
        # what .ci/run does, for a checkout where it was not run yet: the lock file, the cache first
        subprocess.run(["npm", "ci", "--prefix", str(JS), "--prefer-offline", "--no-audit", "--no-fund"],
                       capture_output=True, timeout=300)
    assert (JS / "node_modules" / "ical.js").is_dir(), "run `npm ci --prefix tests/js` first (.ci/run does)"
    run = subprocess.run(["node", str(JS / "expand.mjs"), str(exported), FROM.isoformat(), TO.isoformat()],
                         capture_output=True, timeout=120, cwd=JS)
    assert run.returncode == 0, run.stderr.decode()
    seen = json.loads(run.stdout)
    expected = {uid: [d.isoformat() for d in days] for uid, days in dtrack_dates(generated).items()}
    assert seen == expected
    month_end = {uid: days for uid, days in seen.items() if uid.startswith("9-UBND-TH-")}
    assert month_end["9-UBND-TH-1@dtrack"][:3] == ["2023-01-30", "2023-02-28", "2023-03-30"]
    assert "2024-02-29" in month_end["9-UBND-TH-1@dtrack"]


def test_split_files_all_valid_and_agencies_without_an_event_skipped(generated, tmp_path):
    folder = tmp_path / "lich"
    result = _run("--dir", str(generated), "export-ics", "--split-by-agency", str(folder), "--todo")
    assert result.returncode == 0, result.stderr
    files = sorted(folder.iterdir())
    assert len(files) > 10
    for path in files:
        validated(path.read_bytes())
    # an agency that only leads closed tasks has no file, and the run says so
    reason = result.stderr.decode()
    skipped = [line for line in reason.splitlines() if "skipped, no event to write" in line]
    assert len(skipped) + len(files) == 1 + len(export.collect(generated, export.Options(todo=True)).leads)


def test_an_export_without_any_event_is_refused_and_writes_nothing(tmp_path):
    root = tmp_path / "directives"
    root.mkdir()
    closed = SERIES.split("  - n: 2")[0].replace("    every: 1 month\n", "    status: done\n    done: 2023-01-20\n")
    (root / "9-UBND-TH.yaml").write_text(closed, encoding="utf-8")
    out = tmp_path / "none.ics"
    result = _run("--dir", str(root), "export-ics", "-o", str(out))
    assert result.returncode != 0 and not out.exists()
    assert result.stderr.decode().startswith("dtrack: error: no task with a deadline to export; nothing written")
    assert "Traceback" not in result.stderr.decode()
    # with --include-done the closed task is the calendar's one component
    assert _run("--dir", str(root), "export-ics", "-o", str(out), "--include-done").returncode == 0
    validated(out.read_bytes())


def test_todoman_lists_the_todo_export(generated, tmp_path):
    out = tmp_path / "todo.ics"
    result = _run("--dir", str(generated), "export-ics", "--todo", "--include-done", "-o", str(out))
    assert result.returncode == 0, result.stderr
    cal = validated(out.read_bytes())
    todos = cal.walk("VTODO")
    assert todos and not cal.walk("VEVENT")
    # a vdir (one VTODO per file, as vdirsyncer writes them) for todoman
    vdir = tmp_path / "vdir" / "dtrack"
    vdir.mkdir(parents=True)
    raw = out.read_bytes()
    head, blocks = raw[: raw.index(b"BEGIN:VTODO")], raw.split(b"BEGIN:VTODO\r\n")[1:]
    for i, block in enumerate(blocks):                 # the exported bytes, one to-do a file
        (vdir / f"{i}.ics").write_bytes(head + b"BEGIN:VTODO\r\n" + block.replace(b"END:VCALENDAR\r\n", b"")
                                        + b"END:VCALENDAR\r\n")
    config = tmp_path / "todoman.py"
    config.write_text(f'path = "{(tmp_path / "vdir").as_posix()}/*"\ndate_format = "%Y-%m-%d"\n'
                      f'cache_path = "{(tmp_path / "cache.sqlite3").as_posix()}"\n', encoding="utf-8")
    todo = Path(os.environ.get("VIRTUAL_ENV", "")) / "bin" / "todo"
    exe = str(todo) if todo.exists() else shutil.which("todo") or str(Path(os.sys.executable).parent / "todo")
    run = subprocess.run([exe, "--config", str(config), "--porcelain", "list", "--status", "ANY"],
                         capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()
    listed = json.loads(run.stdout)
    assert len(listed) == len(todos)
    st = store.load(generated)
    by_summary = {str(t["SUMMARY"]): t for t in todos}
    assert all(item["summary"] in by_summary for item in listed)
    done = [x for d in st.directives for x in d.tasks if x.status in ("done", "cancelled") and x.due]
    assert done and sum(1 for item in listed if item["completed"]) == len(done)
    # an overdue recurring report stays on the list as overdue: its DUE is the late occurrence
    late = [(d, x) for d in st.directives for x in d.tasks if x.is_open and x.every and x.due < date(2024, 7, 20)]
    for d, x in late:
        todo_ = next(t for t in todos if str(t["UID"]) == export.task_uid(d, x))
        assert todo_["DUE"].dt == x.due and str(todo_["STATUS"]) == "NEEDS-ACTION"
    for t in todos:
        assert t["DTSTAMP"].dt.date() <= date.today()


def test_an_overdue_occurrence_stays_in_the_calendar_as_its_own_date(generated, exported):
    cal = validated(exported.read_bytes())
    st = store.load(generated)
    late = [(d, x) for d in st.directives for x in d.tasks if x.is_open and x.every and x.due < date(2024, 7, 20)]
    assert late
    firsts = {}
    for ev in recurring_ical_events.of(cal).between(date(2000, 1, 1), date(2024, 7, 21)):
        uid = str(ev["UID"])
        firsts[uid] = min(firsts.get(uid, ev["DTSTART"].dt), ev["DTSTART"].dt)
    for d, x in late:
        assert firsts[export.task_uid(d, x)] == x.due


def test_sequence_rises_with_a_hand_edit_of_due_committed_or_not(tmp_path):
    root = tmp_path / "directives"
    root.mkdir()
    (root / "9-UBND-TH.yaml").write_text(SERIES, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")

    def sequence() -> int:
        events = validated(export.calendar(export.collect(root, export.Options()).events, "x")).walk("VEVENT")
        return int(next(e for e in events if str(e["UID"]) == "9-UBND-TH-3@dtrack")["SEQUENCE"])

    seen = [sequence()]
    path = root / "9-UBND-TH.yaml"
    for due in ("2023-03-31", "2023-02-28", "2023-04-30"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(text[text.index("due: 2023-0", text.index("n: 3")):][:15],
                                     f"due: {due}", 1), encoding="utf-8")
        seen.append(sequence())                     # edited by hand, not committed yet
        git(root, "commit", "-qam", "edit")
        seen.append(sequence())
    assert seen == [0, 1, 1, 2, 2, 3, 3]            # back to an old date (02-28) still rises
