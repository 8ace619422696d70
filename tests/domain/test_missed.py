"""The deadlines an open task has missed: one for a one-off task, each occurrence for a series."""
from __future__ import annotations

from datetime import date

from dtrack.domain.model import Occurrence, Task
from dtrack.domain.states import missed_split


def missed_deadlines(task, day):
    """Every missed deadline, listed (keep past any count here)."""
    folded, listed = missed_split(task, day, keep=10_000)
    assert folded is None
    return listed


def _task(**kw) -> Task:
    return Task(n=1, text="Báo cáo", lead=("Sở Tài chính",), **kw)


def test_a_weekly_series_six_weeks_behind_missed_six():
    weekly = _task(due=date(2024, 6, 3), every="1 week")
    assert missed_deadlines(weekly, date(2024, 7, 12)) == tuple(date(2024, m, d) for m, d in
                                                                 ((6, 3), (6, 10), (6, 17), (6, 24), (7, 1), (7, 8)))
    assert missed_deadlines(weekly, date(2024, 6, 3)) == ()          # met on its own day
    assert len(missed_deadlines(_task(due=date(2024, 6, 3), every="1 week", until=date(2024, 6, 20)),
                                date(2024, 7, 12))) == 3             # the series ends with until
    assert missed_deadlines(_task(due=date(2024, 6, 3)), date(2024, 7, 12)) == (date(2024, 6, 3),)
    assert missed_deadlines(_task(due=date(2024, 6, 3), every="1 week", status="done", done=date(2024, 6, 1)),
                            date(2024, 7, 12)) == ()


def test_a_monthly_series_keeps_its_day_from_the_series_start():
    # Started 31/01: the occurrences are 29/02, 31/03, 30/04, computed from the start, not from each other.
    monthly = _task(due=date(2024, 2, 29), every="1 month",
                    occurrences=(Occurrence(date(2024, 1, 31), date(2024, 1, 31)),))
    assert missed_deadlines(monthly, date(2024, 5, 1)) == (date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30))


def test_the_split_a_report_lists_is_the_missed_deadlines_folded_past_keep():
    # overdue_split computes from indices what overdue_dues lists one by one; any series, day,
    # end and deadline period must give the same deadlines, the older ones folded past `keep`.
    import random
    from datetime import timedelta
    from dtrack.domain.recurrence import overdue_dues, overdue_split
    rng = random.Random(18)
    rules = ["1 day", "3 days", "1 week", "2 weeks", "1 month", "3 months", "1 month on day 31",
             "6 months on day 15", "1 year"]
    for _ in range(3000):
        every = rng.choice(rules)
        due = date(2020, 1, 1) + timedelta(days=rng.randint(0, 800))
        day = due + timedelta(days=rng.randint(-5, 900))
        until = rng.choice([None, due + timedelta(days=rng.randint(-10, 500))])
        lo = rng.choice([None, due + timedelta(days=rng.randint(-50, 400))])
        hi = rng.choice([None, due + timedelta(days=rng.randint(-50, 900))])
        keep = rng.choice([1, 3, 12])
        full = [d for d in overdue_dues(due, day, every, due, until) if not (lo and d < lo) and not (hi and d > hi)]
        folded, listed = overdue_split(due, day, every, due, until, keep, (lo, hi))
        if len(full) <= keep:
            assert (folded, list(listed)) == (None, full)
        else:
            assert folded == (full[0], full[-keep - 1], len(full) - keep) and list(listed) == full[-keep:]


def test_the_calendars_end_is_a_day_like_any_other(cli):
    # `--as-of 31/12/9999 list` and `report` exited 70: the series' next occurrence overflowed date.
    from dtrack.domain.recurrence import occurrence, parse_every
    assert occurrence(date(9999, 12, 20), parse_every("2 weeks"), 1) == date.max
    assert occurrence(date(9999, 12, 20), parse_every("1 month"), 1) == date.max
    from conftest import BUNDLED
    for args in (("list", "--all"), ("report", "--list"), ("show", "2024-03-11#2")):
        result = cli("--dir", str(BUNDLED), "--as-of", "31/12/9999", *args)
        assert result.exit_code == 0, (args, result.output)
