"""Recurring tasks: the every: grammar, occurrences from the series' start, done on a series."""
from __future__ import annotations

import json
from datetime import date

import pytest

from dtrack.errors import UsageError
from dtrack.domain.model import Occurrence, Task
from dtrack.domain.recurrence import complete, next_after, occurrence, parse_every, RDATE_YEARS, rdates, rrule
from conftest import git

D = date


@pytest.mark.parametrize("k, expected", [(0, D(2024, 1, 31)), (1, D(2024, 2, 29)), (2, D(2024, 3, 31)),
                                         (3, D(2024, 4, 30)), (13, D(2025, 2, 28))])
def test_month_end_clamps_per_occurrence_not_cumulatively(k, expected):
    assert occurrence(D(2024, 1, 31), parse_every("1 month"), k) == expected


def test_leap_day_yearly_series_and_day_of_month_form():
    assert [occurrence(D(2024, 2, 29), parse_every("1 year"), k) for k in range(5)] == \
        [D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28), D(2027, 2, 28), D(2028, 2, 29)]
    monthly = parse_every("1 month on day 31")
    assert [occurrence(D(2023, 12, 31), monthly, k) for k in range(4)] == \
        [D(2023, 12, 31), D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)]
    assert str(parse_every("1 tháng on day 20")) == "1 month on day 20"


def test_next_after_jumps_far_without_skipping():
    weekly2 = parse_every("2 weeks")
    assert next_after(D(2024, 3, 25), weekly2, D(2024, 3, 25)) == D(2024, 4, 8)
    monthly = parse_every("1 month")
    assert next_after(D(2024, 1, 31), monthly, D(2034, 2, 27)) == D(2034, 2, 28)
    assert next_after(D(2024, 1, 31), monthly, D(2034, 2, 28)) == D(2034, 3, 31)


@pytest.mark.parametrize("raw", ["", "every week", "0 weeks", "2 fortnights", "1 week on day 3", "1 month on day 32"])
def test_bad_recurrences_are_usage_errors(raw):
    with pytest.raises(UsageError):
        parse_every(raw)


def test_rrule():
    assert rrule(_task(due=D(2024, 7, 26), every="2 weeks")) == "FREQ=WEEKLY;INTERVAL=2"
    assert rrule(_task(due=D(2024, 7, 20), every="1 month on day 20", until=D(2024, 12, 31))) == \
        "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=20;UNTIL=20241231"
    assert rrule(_task(due=D(2024, 12, 15), every="1 year")) == "FREQ=YEARLY;INTERVAL=1;BYMONTH=12;BYMONTHDAY=15"
    # day 30: the day itself, the clamped Februaries as RDATEs (ical.js misreads BYSETPOS, #960)
    assert rrule(_task(due=D(2024, 1, 30), every="1 month")) == "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=30"
    assert rdates(_task(due=D(2024, 1, 30), every="1 month", until=D(2025, 6, 1))) == (D(2024, 2, 29), D(2025, 2, 28))


def test_no_rrule_without_a_series_or_past_its_end():
    assert rrule(_task(due=D(2024, 7, 26))) is None
    assert rrule(_task(every="2 weeks")) is None
    assert rrule(_task(due=D(2024, 7, 26), every="2 weeks", until=D(2024, 7, 26))) is None
    with pytest.raises(UsageError):
        rrule(_task(due=D(2024, 7, 26), every="fortnightly"))


@pytest.mark.parametrize("start", [D(2024, 1, 28), D(2024, 1, 29), D(2024, 1, 30), D(2024, 1, 31),
                                   D(2023, 12, 31), D(2024, 2, 29), D(2024, 5, 15)])
@pytest.mark.parametrize("every", ["1 month", "2 months", "3 months", "1 year", "1 month on day 31",
                                   "1 month on day 30", "1 month on day 29", "2 weeks", "10 days"])
def test_a_calendar_expands_the_rrule_to_the_occurrences_dtrack_computes(start, every):
    # A calendar client that expands the exported series must land on the very days dtrack will
    # ask for, month ends and leap days included: the RRULE is judged by its expansion.
    from datetime import datetime
    from itertools import islice
    from dateutil.rrule import rrulestr, rruleset
    series = parse_every(every)
    due = start if series.day is None else occurrence(start, series, 0)
    task = _task(due=due, every=every)
    expansion = rruleset()
    expansion.rrule(rrulestr(rrule(task), dtstart=datetime(*due.timetuple()[:3])))
    for day in rdates(task):         # the clamped dates of a day-29/30 series
        expansion.rdate(datetime(*day.timetuple()[:3]))
    # the RDATEs reach RDATE_YEARS ahead (the export is refreshed as the series moves on)
    horizon = D(due.year + RDATE_YEARS, due.month, 1)
    expanded = [d.date() for d in islice(expansion, 30) if d.date() < horizon]
    assert expanded == [o for k in range(30) if (o := occurrence(due, series, k)) < horizon]


def test_the_rrule_of_a_series_under_way_keeps_the_day_it_started_on():
    from datetime import datetime
    from dateutil.rrule import rrulestr
    task = _task(due=D(2024, 2, 29), every="1 month", occurrences=(Occurrence(D(2024, 1, 31), D(2024, 2, 1)),))
    expanded = [d.date() for d in rrulestr(rrule(task) + ";COUNT=4", dtstart=datetime(2024, 2, 29))]
    assert expanded == [D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30), D(2024, 5, 31)]


def _task(**kw):
    return Task(n=1, text="Báo cáo", lead=("Sở Tài chính",), **kw)


def test_complete_counts_from_the_series_start_and_ends_past_until():
    task = _task(due=D(2024, 2, 29), every="1 month", occurrences=(Occurrence(D(2024, 1, 31), D(2024, 2, 1)),))
    changes = complete(task, D(2024, 3, 1))
    assert changes == {"occurrences": (Occurrence(D(2024, 1, 31), D(2024, 2, 1)), Occurrence(D(2024, 2, 29), D(2024, 3, 1))),
                       "due": D(2024, 3, 31)}        # not 29/03: computed from 31/01, not from 29/02
    last = _task(due=D(2024, 3, 31), every="1 month", until=D(2024, 4, 15))
    assert complete(last, D(2024, 4, 2)) == {"occurrences": (Occurrence(D(2024, 3, 31), D(2024, 4, 2)),),
                                              "status": "done", "done": D(2024, 4, 2)}


def test_a_series_done_late_moves_to_the_following_occurrence_not_past_the_missed_ones(cli, repo):
    # The seed's fortnightly report: first occurrence 25/03/2024. Reported on 20/07/2024, four months late:
    # it records the 25/03 occurrence and the next due is 08/04 (still overdue), not a date after today.
    ref = "2024-03-11-du-an-cntt#2"
    result = cli("done", ref, cwd=repo)
    assert result.exit_code == 0, result.output
    path = repo / "directives/2024/2024-03-11-du-an-cntt.yaml"
    diff = git(repo, "diff", "HEAD~1", "--", "directives/2024/2024-03-11-du-an-cntt.yaml")
    changed = [l for l in diff.split("\n") if l[:1] in ("+", "-") and not l.startswith(("+++", "---"))]
    assert changed == ["-    due: 2024-03-25", "+    due: 2024-04-08",
                       "+    occurrences:", "+      - {due: 2024-03-25, done: 2024-07-20}"]
    assert git(repo, "log", "-1", "--format=%s") == \
        f"done {ref} [STTTT] occurrence 25/03/2024 on 20/07/2024, next 08/04/2024\n"
    row = json.loads(cli("list", "--all", "--json", cwd=repo).stdout)
    row = next(r for r in row if r["ref"] == ref)
    assert (row["due"], row["state"], row["every"], row["status"]) == ("2024-04-08", "overdue", "2 weeks", "open")
    assert row["occurrences"] == [{"due": "2024-03-25", "done": "2024-07-20", "note": None, "by": None}]
    cli("done", ref, "--on", "20/07/2024", cwd=repo)
    text = path.read_text(encoding="utf-8")
    assert "    due: 2024-04-22\n" in text
    assert "      - {due: 2024-03-25, done: 2024-07-20}\n      - {due: 2024-04-08, done: 2024-07-20}\n" in text


def test_list_marks_recurring_tasks_and_show_lists_occurrences(cli, repo):
    out = cli("list", "--overdue", "-f", "table", cwd=repo).stdout
    line = next(l for l in out.splitlines() if l.startswith("2024-03-11-du-an-cntt#2"))
    # Nine fortnights missed by 20/07 (25/03 ... 15/07): the list says so, not one late task.
    assert "25/03/2024" in line and "↻ (9 periods overdue) Sở Thông tin" in line
    cli("done", "2024-03-11-du-an-cntt#2", "--on", "27/03/2024", cwd=repo)
    shown = cli("show", "2024-03-11-du-an-cntt#2", cwd=repo).stdout
    assert "Every: ↻ 2 weeks\n" in shown
    assert "Occurrences:\n  25/03/2024  done 27/03/2024  2d late\n" in shown


def test_invalid_every_in_a_file_names_the_line(cli, repo):
    path = repo / "directives/2024/2024-03-11-du-an-cntt.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("every: 2 weeks", "every: hai tuần"), encoding="utf-8")
    result = cli("list", "--all", cwd=repo)
    assert "2024-03-11-du-an-cntt.yaml:31:12:" in result.stderr and "not a recurrence" in result.stderr
