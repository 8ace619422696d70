"""The one overdue / due-soon rule: a task's state as of a day, and days left or late."""
from __future__ import annotations

from datetime import date

import pytest

from dtrack.domain.model import Task
from dtrack.domain.states import STATES
from dtrack.domain.states import (DEFAULT_WINDOW, days_left, days_overdue, is_closed, is_overdue, open_state,
                                  state_of)

D = date
TODAY = D(2024, 7, 20)


def _task(**kw):
    return Task(n=1, text="Báo cáo", lead=("Sở Tài chính",), **kw)


@pytest.mark.parametrize("due, expected", [
    (D(2024, 7, 19), ("overdue", -1)),          # overdue from the day after the deadline
    (D(2022, 2, 28), ("overdue", -873)),
    (D(2024, 7, 20), ("due-soon", 0)),          # the deadline day itself is still in time
    (D(2024, 8, 3), ("due-soon", 14)),          # the window's last day
    (D(2024, 8, 4), ("upcoming", 15)),
    (None, ("no-deadline", None)),
])
def test_state_of_an_open_task(due, expected):
    assert state_of(_task(due=due), TODAY) == expected


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_a_closed_task_has_no_days_left_whatever_its_deadline(status):
    assert state_of(_task(due=D(2020, 1, 1), status=status), TODAY) == (status, None)
    assert is_closed(status) and not is_closed("open")


def test_the_window_is_the_callers():
    task = _task(due=D(2024, 8, 19))
    assert state_of(task, TODAY) == ("upcoming", 30)
    assert state_of(task, TODAY, window=30) == ("due-soon", 30)
    assert state_of(task, TODAY, window=0) == ("upcoming", 30)
    assert DEFAULT_WINDOW == 14


def test_every_state_the_rule_gives_is_a_documented_state():
    given = {state_of(_task(due=due, status=status), TODAY)[0]
             for status in ("open", "done", "cancelled")
             for due in (None, D(2024, 1, 1), TODAY, D(2024, 12, 31))}
    assert given == set(STATES)


@pytest.mark.parametrize("left, window, state", [(-1, 14, "overdue"), (0, 14, "due-soon"), (14, 14, "due-soon"),
                                                 (15, 14, "upcoming"), (0, 0, "due-soon"), (None, 14, "no-deadline")])
def test_open_state_from_days_left(left, window, state):
    # The index path of `list` knows only the days left, not the task.
    assert open_state(left, window) == state


def test_overdue_and_days_late():
    assert days_left(D(2024, 7, 23), TODAY) == 3
    assert (is_overdue(D(2024, 7, 19), TODAY), is_overdue(TODAY, TODAY), is_overdue(None, TODAY)) == (True, False, False)
    assert days_overdue(D(2024, 7, 10), TODAY) == 10
    assert days_overdue(TODAY, TODAY) == 0 and days_overdue(D(2024, 8, 1), TODAY) == 0
    assert days_overdue(None, TODAY) == 0


def test_list_report_and_remind_judge_a_deadline_alike(cli, tmp_path):
    # One rule seen from the user's side: on the deadline day a task is due, not late, in `list`,
    # `report` and `remind`; the day after, all three call it overdue, one day late.
    import json
    store = tmp_path / "directives"
    store.mkdir()
    (store / "5-UBND.yaml").write_text("""number: 5/UBND
kind: cong-van
issuer: UBND tỉnh
issued: 2024-07-01
title: Báo cáo
tasks:
  - n: 1
    text: Báo cáo kết quả
    lead: Sở Tài chính
    due: 2024-07-20
""", encoding="utf-8")

    def judged(day: str):
        listed = json.loads(cli("--dir", str(store), "--as-of", day, "list", "--all", "--json").stdout)
        report = json.loads(cli("--dir", str(store), "--as-of", day, "report", "--format", "json").stdout)["total"]
        letter = cli("--dir", str(store), "--as-of", day, "remind", "--agency", "Sở Tài chính")
        return (listed[0]["state"], listed[0]["days_left"], report["open_overdue"], report["open_in_time"],
                "| 1 | " in letter.stdout)

    assert judged("2024-07-20") == ("due-soon", 0, 0, 1, False)
    assert judged("2024-07-21") == ("overdue", -1, 1, 0, True)
