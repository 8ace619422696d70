"""`dtrack list` on the bundled directives and on generated stores."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import yaml

from conftest import BUNDLED

LHG = "2024-07-17-bo-sung-kinh-phi"


def _all_tasks(root: Path):
    for path in sorted(root.rglob("*.yaml")):
        if path.name == "agencies.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for task in data["tasks"]:
            yield path.stem, task


def test_default_window_shows_the_three_lam_hai_giang_tasks_as_due_soon(cli):
    result = cli("--dir", str(BUNDLED), "--as-of", "2024-07-20", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["ref"]: r for r in json.loads(result.stdout)}
    due_soon = sorted((r["ref"], r["due"], r["days_left"]) for r in rows.values() if r["state"] == "due-soon")
    assert due_soon == [(f"{LHG}#1", "2024-07-23", 3), (f"{LHG}#2", "2024-07-26", 6), (f"{LHG}#3", "2024-08-01", 12)]
    assert all(r["state"] in ("overdue", "due-soon") for r in rows.values())


def test_default_table_shows_due_dates_day_first_and_days_left(cli):
    result = cli("--dir", str(BUNDLED), "--as-of", "2024-07-20", "list", "-f", "table")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith(LHG)}
    assert "23/07/2024" in lines[f"{LHG}#1"] and "3d left" in lines[f"{LHG}#1"]
    assert "26/07/2024" in lines[f"{LHG}#2"] and "6d left" in lines[f"{LHG}#2"]
    assert "01/08/2024" in lines[f"{LHG}#3"] and "12d left" in lines[f"{LHG}#3"]
    assert "STTTT, SNV" in lines[f"{LHG}#1"]
    assert result.stdout.splitlines()[-1] == "9 overdue · 3 due within 14 days · 33 open in all"


def test_all_lists_every_open_task_of_the_seeds_with_no_deadline_last(cli):
    result = cli("--dir", str(BUNDLED), "list", "--all", "--json")
    rows = json.loads(result.stdout)
    expected = {f"{stem}#{task['n']}" for stem, task in _all_tasks(BUNDLED) if task["status"] == "open"}
    assert len(expected) == 33
    assert {r["ref"] for r in rows} == expected
    dues = [r["due"] for r in rows]
    first_none = dues.index(None)
    assert all(d is None for d in dues[first_none:])
    assert dues[:first_none] == sorted(dues[:first_none])


def test_table_lists_every_reference(cli):
    result = cli("--dir", str(BUNDLED), "list", "--all", "-f", "table", env={"COLUMNS": "200"})
    # A long task wraps onto indented lines below its reference's.
    refs = {line.split()[0] for line in result.stdout.splitlines()[1:-1] if not line.startswith(" ")}
    assert len(refs) == 33


def test_agency_matching_ignores_case_diacritics_and_accepts_aliases(cli):
    outputs = []
    for name in ("so tai chinh", "Sở Tài chính", "STC", "stc", "SỞ TÀI CHÍNH"):
        result = cli("--dir", str(BUNDLED), "list", "--all", "--agency", name, "--json")
        assert result.exit_code == 0, result.output
        outputs.append(sorted(r["ref"] for r in json.loads(result.stdout)))
    assert all(o == outputs[0] for o in outputs)
    # lead or support: STC leads 2024-07-17#3 and supports the 1502 tasks
    assert f"{LHG}#3" in outputs[0] and "1502-UBND-KGVX#1" in outputs[0]
    assert len(outputs[0]) == 7


def test_unknown_agency_is_an_error_with_suggestions(cli):
    result = cli("--dir", str(BUNDLED), "list", "--agency", "So Tai chnh")
    assert result.exit_code == 2
    assert "Sở Tài chính" in result.stderr
    assert "Traceback" not in result.output


def test_search_ignores_case_and_diacritics(cli):
    a = cli("--dir", str(BUNDLED), "list", "--all", "--search", "HOI NGHI TRUC TUYEN", "--json")
    refs = [r["ref"] for r in json.loads(a.stdout)]
    assert refs == ["1502-UBND-KGVX#3"]
    b = cli("--dir", str(BUNDLED), "list", "--all", "--search", "1502", "--json")
    assert len(json.loads(b.stdout)) == 4


def test_overdue_and_within_windows(cli):
    over = json.loads(cli("--dir", str(BUNDLED), "list", "--overdue", "--json").stdout)
    # 8 one-off deadlines + the recurring report of 2024-03-11 (first occurrence 25/03/2024, none reported).
    assert len(over) == 9 and all(r["state"] == "overdue" and r["days_left"] < 0 for r in over)
    narrow = json.loads(cli("--dir", str(BUNDLED), "list", "--within", "5d", "--json").stdout)
    assert {r["ref"] for r in narrow if r["state"] == "due-soon"} == {f"{LHG}#1"}
    wide = json.loads(cli("--dir", str(BUNDLED), "list", "-w", "2w", "--json").stdout)
    assert len([r for r in wide if r["state"] == "due-soon"]) == 3


def test_json_fields_on_a_generated_store(cli, tmp_path):
    from gen_store import generate
    generate(str(tmp_path / "store"), 40, seed=3)
    result = cli("--dir", str(tmp_path / "store"), "--as-of", "2024-07-20", "list", "--all", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows
    required = {"ref", "directive", "number", "n", "title", "text", "lead", "support", "due", "status",
                "state", "days_left"}
    today = date(2024, 7, 20)
    for row in rows:
        assert required <= row.keys()
        assert isinstance(row["lead"], list) and isinstance(row["support"], list)
        assert row["ref"] == f"{row['directive']}#{row['n']}"
        assert row["status"] == "open"
        if row["due"] is None:
            assert row["state"] == "no-deadline" and row["days_left"] is None
        else:
            left = (date.fromisoformat(row["due"]) - today).days
            assert row["days_left"] == left
            assert row["state"] == ("overdue" if left < 0 else "due-soon" if left <= 14 else "upcoming")


def test_status_filter(cli, tmp_path):
    from gen_store import generate
    generate(str(tmp_path / "store"), 30, seed=5)
    for status in ("done", "cancelled"):
        rows = json.loads(cli("--dir", str(tmp_path / "store"), "list", "--status", status, "--json").stdout)
        assert rows and all(r["status"] == status and r["state"] == status for r in rows)
    everything = json.loads(cli("--dir", str(tmp_path / "store"), "list", "--status", "all", "--json").stdout)
    assert {r["status"] for r in everything} == {"open", "done", "cancelled"}
    bad = cli("--dir", str(tmp_path / "store"), "list", "--status", "late")
    assert bad.exit_code == 2 and "--status" in bad.stderr


def test_broken_file_does_not_stop_list(cli, tmp_path):
    import shutil
    store = tmp_path / "store"
    shutil.copytree(BUNDLED, store)
    (store / "2024" / "broken.yaml").write_text("number: 1/X\nkind: cong-van\ntasks: [\n  - n: 1\n", encoding="utf-8")
    bad_date = (store / "2023" / "1502-UBND-KGVX.yaml")
    bad_date.write_text(bad_date.read_text(encoding="utf-8").replace("due: 2023-04-22", "due: 22/4/2023", 1),
                        encoding="utf-8")
    result = cli("--dir", str(store), "list", "--all", "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 33 - 4
    warnings = result.stderr.strip().splitlines()
    assert any(re.search(r"broken\.yaml:\d+:\d+: error: not valid YAML", w) for w in warnings), warnings
    line = next(i for i, l in enumerate(bad_date.read_text(encoding="utf-8").splitlines(), 1) if "22/4/2023" in l
                and l.strip().startswith("due:"))
    assert any(f"1502-UBND-KGVX.yaml:{line}:10: error: due: '22/4/2023' is not a date" in w for w in warnings), warnings


def test_colour_only_when_wanted(cli):
    colored = cli("--dir", str(BUNDLED), "list", env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert "\x1b[" in colored.stdout
    colour = re.compile(r"\x1b\[[0-9;]*?(3[0-8]|9[0-7])[;m]")
    assert colour.search(colored.stdout)
    plain = cli("--dir", str(BUNDLED), "list", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not colour.search(plain.stdout)


def test_narrow_terminal_keeps_lines_within_width(cli):
    for width in (60, 80):
        result = cli("--dir", str(BUNDLED), "list", "--all", "-f", "table", env={"COLUMNS": str(width)})
        assert result.exit_code == 0
        assert max(len(line) for line in result.stdout.splitlines()) <= width
        assert "1502-UBND-KGVX#1" in result.stdout


def test_exact_table_output(cli, tmp_path):
    store = tmp_path / "s"
    (store / "2024").mkdir(parents=True)
    (store / "agencies.yaml").write_text("- name: Sở Tài chính\n  aliases: [STC]\n", encoding="utf-8")
    (store / "2024" / "7-UBND.yaml").write_text(
        "number: 7/UBND\nkind: cong-van\nissuer: UBND tỉnh\nissued: 2024-07-01\ntitle: Thử\ntasks:\n"
        "  - n: 1\n    text: Báo cáo quý\n    lead: Sở Tài chính\n    due: 2024-07-18\n    status: open\n"
        "  - n: 2\n    text: Lập kế hoạch\n    lead: Sở Tài chính\n    due: 2024-07-22\n    status: open\n"
        "  - n: 3\n    text: Không hạn\n    lead: Sở Tài chính\n    status: open\n", encoding="utf-8")
    result = cli("--dir", str(store), "list", "-f", "table", env={"COLUMNS": "80"})
    assert result.stdout == (
        "Ref       Due            Left  Lead  Task\n"
        "7-UBND#1  18/07/2024  2d late  STC   Báo cáo quý\n"
        "7-UBND#2  22/07/2024  2d left  STC   Lập kế hoạch\n"
        "1 overdue · 1 due within 14 days · 3 open in all\n")
