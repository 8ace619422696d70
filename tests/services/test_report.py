"""`dtrack report`: the hand count on the bundled directives, the states as of a past day, every format."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from conftest import BUNDLED

STTTT, SNV, STC = "Sở Thông tin và Truyền thông", "Sở Nội vụ", "Sở Tài chính"
ZERO = dict(done_on_time=0, done_late=0, cancelled=0)

# Hand count from the five bundled files as of 15/08/2024 (tests/fixtures/seeds/HANDCOUNT.md): all 33 tasks
# are open; every task with a deadline is past it (the latest is 01/08/2024), so open_overdue = tasks with
# `due`, open_in_time = no_deadline = tasks without. Co-leads count for each lead.
#   STTTT: overdue 1502#1-4, 2022-02-14#5, #8, 2024-03-11#4, 2024-07-17#1 = 8, and 2024-03-11#2 (the
#          fortnightly report, first due 25/03, never reported: 25/03, 08/04, ... 12/08 are 11 missed
#          occurrences, each counted) = 19;
#          no deadline 2022-02-14#1,2,3,4,6,7,9 and 2024-03-11#3,5,6 = 10.
#   SNV 2024-07-17#1, UBND cấp huyện #2, STC #3, Trung tâm CNTT&TT 2022-02-14#10: 1 overdue each.
#   Đức Phổ: "Các cơ quan, đơn vị" #1-4; "UBND các xã, phường" #1-5; Trung tâm TT-VH-TT #6, #7;
#   Phòng VH&TT #6; the eight co-leads of #8 one each. VPUB, Sở Tư pháp, Các sở, ban, ngành: 2024-03-11#1, #7, #8.
HAND_COUNT = {
    STTTT: (29, 10, 19, 10),                     # assigned, open_in_time, open_overdue, no_deadline
    "UBND các xã, phường": (5, 5, 0, 5),
    "Các cơ quan, đơn vị thuộc UBND thị xã": (4, 4, 0, 4),
    "Trung tâm Truyền thông - Văn hóa - Thể thao": (2, 2, 0, 2),
    SNV: (1, 0, 1, 0), STC: (1, 0, 1, 0),
    "UBND các huyện, thị xã, thành phố": (1, 0, 1, 0),
    "Trung tâm Công nghệ thông tin và Truyền thông": (1, 0, 1, 0),
    "Văn phòng UBND tỉnh": (1, 1, 0, 1), "Sở Tư pháp": (1, 1, 0, 1), "Các sở, ban, ngành": (1, 1, 0, 1),
    "Phòng Văn hóa và Thông tin": (1, 1, 0, 1), "Phòng Lao động - Thương binh và Xã hội": (1, 1, 0, 1),
    **{name: (1, 1, 0, 1) for name in ("UBND phường Nguyễn Nghiêm", "UBND phường Phổ Ninh", "UBND phường Phổ Hòa",
                                        "UBND xã Phổ Khánh", "UBND xã Phổ Phong", "UBND xã Phổ Thuận",
                                        "UBND phường Phổ Văn")},
}


def _json(cli, *args, store=BUNDLED):
    result = cli("--dir", str(store), *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_hand_count_on_the_bundled_directives(cli):
    data = _json(cli, "--as-of", "2024-08-15", "report")
    rows = {r["agency"]: r for r in data["rows"]}
    assert set(rows) == set(HAND_COUNT)
    for agency, (assigned, in_time, overdue, no_deadline) in HAND_COUNT.items():
        expected = {"agency": agency, "assigned": assigned, **ZERO, "open_in_time": in_time,
                    "open_overdue": overdue, "no_deadline": no_deadline,
                    "on_time_rate": 0.0 if overdue else None}
        assert rows[agency] == expected
    # 33 tasks; the fortnightly report is 11 overdue occurrences, not 1.
    assert data["total"] == {"assigned": 43, **ZERO, "open_in_time": 21, "open_overdue": 22, "no_deadline": 21,
                             "on_time_rate": 0.0}
    assert list(data) == ["rows", "total"]
    assert list(data["rows"][0]) == ["agency", "assigned", "done_on_time", "done_late", "open_in_time",
                                     "open_overdue", "cancelled", "no_deadline", "on_time_rate"]


def test_as_of_before_the_deadlines_changes_the_states(cli):
    # 20/07/2024: the three Lâm Hải Giang tasks (17/07) are still within their deadlines.
    rows = {r["agency"]: r for r in _json(cli, "--as-of", "2024-07-20", "report")["rows"]}
    assert (rows[STC]["open_in_time"], rows[STC]["open_overdue"]) == (1, 0)
    # 7 overdue tasks and the fortnightly report's 9 missed occurrences (25/03 ... 15/07).
    assert (rows[STTTT]["open_in_time"], rows[STTTT]["open_overdue"]) == (11, 16)
    # Before 17/07/2024 that directive did not exist yet: its tasks are not counted.
    rows = {r["agency"]: r for r in _json(cli, "--as-of", "2024-07-16", "report")["rows"]}
    assert STC not in rows and rows[STTTT]["assigned"] == 26


def test_period_counts_by_issue_date_and_defaults_as_of_to_its_end(cli, monkeypatch):
    monkeypatch.delenv("DTRACK_TODAY")
    data = _json(cli, "report", "--from", "1/1/2024", "--to", "31/3/2024")
    # Only 2024-03-11 (8 tasks) was issued in the period; as of 31/03/2024 its tasks 2 (first fortnightly
    # report) and 4 (both due 25/03) are overdue.
    assert data["total"] == {"assigned": 8, **ZERO, "open_in_time": 6, "open_overdue": 2, "no_deadline": 6,
                             "on_time_rate": 0.0}
    data = _json(cli, "--as-of", "2024-03-20", "report", "--from", "1/1/2024", "--to", "31/3/2024")
    assert data["total"]["open_overdue"] == 0 and data["total"]["on_time_rate"] is None


def _store_with(tmp_path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    store = tmp_path / "d"
    shutil.copytree(BUNDLED, store)
    for rel, pairs in edits.items():
        path = store / rel
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    return store


LHG = "2024/2024-07-17-bo-sung-kinh-phi.yaml"


def test_done_on_time_late_cancelled_and_extensions_judged_as_of(cli, tmp_path):
    store = _store_with(tmp_path, {
        # task 1 due 23/07 done 22/07: on time; task 2 due 26/07, extended on 28/07 to 05/08, done 02/08: on time
        # by the deadline in force that day; task 3 due 01/08 done 10/08: late.
        LHG: [("    due: 2024-07-23\n", "    due: 2024-07-23\n    done: 2024-07-22\n"),
              ("    due: 2024-07-26\n", "    due: 2024-07-26\n    done: 2024-08-02\n    extensions:\n"
                                      "      - {from: 2024-07-26, to: 2024-08-05, on: 2024-07-28}\n"),
              ("    due: 2024-08-01\n", "    due: 2024-08-01\n    done: 2024-08-10\n")],
        "2023/1502-UBND-KGVX.yaml": [("    status: open", "    status: cancelled")],
    })
    for rel in (LHG,):
        path = store / rel
        path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: done"), encoding="utf-8")
    data = _json(cli, "--as-of", "2024-08-15", "report", "--from", "2023-01-01", store=store)
    rows = {r["agency"]: r for r in data["rows"]}
    assert rows[STC] == {"agency": STC, "assigned": 1, "done_on_time": 0, "done_late": 1, "open_in_time": 0,
                         "open_overdue": 0, "cancelled": 0, "no_deadline": 0, "on_time_rate": 0.0}
    assert rows["UBND các huyện, thị xã, thành phố"]["done_on_time"] == 1
    assert rows[SNV]["done_on_time"] == 1 and rows[SNV]["on_time_rate"] == 1.0
    # STTTT since 2023: 1502#1-4, 2024-03-11#2-6, LHG#1 = 10. LHG#1 on time; 1502#1 cancelled; 1502#2-4,
    # 2024-03-11#2 (recurring, first due 25/03: 11 missed occurrences) and #4 overdue; 2024-03-11#3, 5, 6
    # open without a deadline. Rate 1 / (1 + 0 + 15).
    assert rows[STTTT] == {"agency": STTTT, "assigned": 20, "done_on_time": 1, "done_late": 0, "open_in_time": 3,
                           "open_overdue": 15, "cancelled": 1, "no_deadline": 3, "on_time_rate": 0.0625}
    assert data["total"]["assigned"] == 4 + 8 + 10 + 8 + 3 and data["total"]["cancelled"] == 1
    huyen = "UBND các huyện, thị xã, thành phố"

    def state(as_of):
        rows = {r["agency"]: r for r in _json(cli, "--as-of", as_of, "report", store=store)["rows"]}
        return {k: v for k, v in rows[huyen].items() if (v or isinstance(v, float)) and k not in ("agency", "assigned")}
    # Task 2 (due 26/07, extended on 28/07 to 05/08, done 02/08), as of different days: a report of a past
    # day uses the deadline in force that day.
    assert state("2024-07-24") == {"open_in_time": 1}
    assert state("2024-07-27") == {"open_overdue": 1, "on_time_rate": 0.0}
    assert state("2024-07-30") == {"open_in_time": 1}
    assert state("2024-08-03") == {"done_on_time": 1, "on_time_rate": 1.0}


def test_recurring_task_counts_each_occurrence(cli, tmp_path):
    store = _store_with(tmp_path, {"2024/2024-03-11-du-an-cntt.yaml": [(
        "    due: 2024-03-25\n    due_text: định kỳ 02 tuần/lần\n    every: 2 weeks\n",
        "    due_text: định kỳ 02 tuần/lần\n    due: 2024-04-22\n    every: 2 weeks\n    occurrences:\n"
        "      - {due: 2024-03-25, done: 2024-03-25}\n      - {due: 2024-04-08, done: 2024-04-10}\n")]})
    data = _json(cli, "--as-of", "2024-08-15", "report", "--from", "2024-03-01", "--to", "2024-03-31", store=store)
    row = {r["agency"]: r for r in data["rows"]}[STTTT]
    # STTTT leads 2024-03-11#2-6. Task 2 counts 11 units: on time (25/03), late (10/04 for 08/04) and the
    # 9 occurrences missed since 22/04 (22/04 ... 12/08), each overdue; #4 is overdue; #3, #5, #6 are open
    # without a deadline. Rate 1 / (1 + 1 + 10).
    assert row == {"agency": STTTT, "assigned": 15, "done_on_time": 1, "done_late": 1, "open_in_time": 3,
                   "open_overdue": 10, "cancelled": 0, "no_deadline": 3, "on_time_rate": 0.0833}


def test_by_directive_and_month(cli):
    data = _json(cli, "--as-of", "2024-08-15", "report", "--by", "month")
    assert [(r["month"], r["assigned"], r["open_overdue"]) for r in data["rows"]] == [
        ("2022-02", 10, 3), ("2023-04", 4, 4), ("2024-03", 18, 12), ("2024-04", 8, 0), ("2024-07", 3, 3)]
    data = _json(cli, "--as-of", "2024-08-15", "report", "--by", "directive")
    assert {r["directive"]: r["assigned"] for r in data["rows"]}["1502/UBND-KGVX"] == 4
    assert data["total"]["assigned"] == 43


def test_markdown_csv_and_html_escape_text(cli, tmp_path):
    store = _store_with(tmp_path, {LHG: [("lead: Sở Tài chính", 'lead: "Sở <b>Tài</b> | *chính* =1+1"')]})
    md = cli("--dir", str(store), "--as-of", "2024-08-15", "report", "--format", "md", "--list").stdout
    assert "| Sở \\<b\\>Tài\\</b\\> \\| \\*chính\\* =1+1 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0% |" in md
    assert "| **Total** | **43** |" in md
    out = tmp_path / "r.csv"
    assert cli("--dir", str(store), "--as-of", "2024-08-15", "report", "--format", "csv", "--keys",
               "-o", str(out)).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["agency", "assigned", "done_on_time", "done_late", "open_in_time", "open_overdue",
                       "cancelled", "no_deadline", "on_time_rate"]
    assert rows[1] == [STTTT, "29", "0", "0", "10", "19", "0", "10", "0.0"]
    assert len(rows) == 1 + len(HAND_COUNT) and "Total" not in {r[0] for r in rows}     # for programs: no total
    labelled = list(csv.reader(io.StringIO(cli("--dir", str(store), "--as-of", "2024-08-15", "report", "--format",
                                               "csv").stdout.lstrip("\ufeff"))))
    assert labelled[0][:3] == ["Lead agency", "Assigned", "Done on time"] and labelled[1] == rows[1]
    assert labelled[-2] == [] and labelled[-1][:2] == ["Total", "43"]        # the total apart, after a blank row
    html_out = tmp_path / "r.html"
    cli("--dir", str(store), "--as-of", "2024-08-15", "report", "--format", "html", "--list", "-o", str(html_out))
    page = html_out.read_text(encoding="utf-8")
    assert "<b>Tài</b>" not in page and "Sở &lt;b&gt;Tài&lt;/b&gt; | *chính* =1+1" in page
    assert "http" not in page and "<script" not in page and "<link" not in page
    assert page.count('class="bar-row"') == len(HAND_COUNT) == 20


def test_csv_cell_that_looks_like_a_formula_stays_text(cli, tmp_path):
    store = _store_with(tmp_path, {LHG: [("lead: Sở Tài chính", 'lead: "=HYPERLINK(1)"')]})
    text = cli("--dir", str(store), "--as-of", "2024-08-15", "report", "--format", "csv").stdout
    assert "'=HYPERLINK(1)" in text


def test_table_on_a_narrow_terminal(cli):
    result = cli("--dir", str(BUNDLED), "--as-of", "2024-08-15", "report", "-f", "table", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(x) <= 80 for x in lines)
    assert lines[1].split() == ["Lead", "Tasks", "On", "time", "Late", "Open", "Overdue", "Cancel.", "No", "due",
                                "Rate"]
    assert lines[3].split() == ["STTTT", "29", "0", "0", "10", "19", "0", "10", "0%"]
    assert any(x.split()[:2] == ["Total", "43"] for x in lines)


def test_bad_options(cli):
    assert cli("--dir", str(BUNDLED), "report", "--by", "year").exit_code == 2
    assert cli("--dir", str(BUNDLED), "report", "--format", "pdf").exit_code == 2
    result = cli("--dir", str(BUNDLED), "report", "--from", "2024-05-01", "--to", "2024-01-01")
    assert result.exit_code == 2 and "Traceback" not in result.output
