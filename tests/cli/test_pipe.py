"""Pipes and files get whole records: one tab-separated line a record in a documented, stable
column order (docs/porcelain.md), no colour, nothing cut; --format chooses."""
from __future__ import annotations

import json

from conftest import BUNDLED

STORE_FILE = """number: ""
kind: thong-bao
issuer: UBND tỉnh Lâm Hải Giang
issued: 2024-07-01
title: Thử
tasks:
  - n: 1
    text: Báo cáo quý, gồm\tbảng số liệu và phần đánh giá kết quả thực hiện nhiệm vụ chuyển đổi số của các huyện
    lead: [Sở Tài chính, Sở Nội vụ]
    due: 2024-07-18
    status: open
  - n: 2
    text: Lập kế hoạch
    lead: Sở Tài chính
    due: 2024-07-22
    status: open
    every: 1 month
  - n: 3
    text: Không hạn
    lead: Sở Tài chính
    status: open
"""


def _store(tmp_path):
    store = tmp_path / "s"
    (store / "2024").mkdir(parents=True)
    (store / "agencies.yaml").write_text("- name: Sở Tài chính\n  aliases: [STC]\n- name: Sở Nội vụ\n  aliases: [SNV]\n",
                                         encoding="utf-8")
    (store / "2024" / "2024-07-01-bao-cao-quy-va-ke-hoach.yaml").write_text(STORE_FILE, encoding="utf-8")
    return store


def test_list_into_a_pipe_is_one_exact_line_a_task(cli, tmp_path):
    result = cli("--dir", str(_store(tmp_path)), "list", "--all", env={"COLUMNS": "40", "FORCE_COLOR": None})
    stem = "2024-07-01-bao-cao-quy-va-ke-hoach"
    assert result.exit_code == 0
    assert result.stdout == (
        f"{stem}#1\t2024-07-18\toverdue\t-2\tSở Tài chính; Sở Nội vụ\tBáo cáo quý, gồm bảng số liệu và phần đánh "
        "giá kết quả thực hiện nhiệm vụ chuyển đổi số của các huyện\n"
        f"{stem}#2\t2024-07-22\tdue-soon\t2\tSở Tài chính\t↻ Lập kế hoạch\n"
        f"{stem}#3\t\tno-deadline\t\tSở Tài chính\tKhông hạn\n")
    assert result.stderr == ""


def test_format_chooses_and_json_is_the_json_option(cli, tmp_path):
    store = str(_store(tmp_path))
    table = cli("--dir", store, "list", "--format", "table", env={"COLUMNS": "120"}).stdout
    assert table.splitlines()[0].split() == ["Ref", "Due", "Left", "Lead", "Task"]
    assert table.splitlines()[-1] == "1 overdue · 1 due within 14 days · 3 open in all"
    assert cli("--dir", store, "list", "--format", "json").stdout == cli("--dir", store, "list", "--json").stdout
    assert "\t" in cli("--dir", store, "list", "-f", "tsv", env={"TTY_COMPATIBLE": "1"}).stdout
    bad = cli("--dir", store, "list", "--format", "csv")
    assert bad.exit_code == 2 and bad.stderr.startswith("dtrack: error: --format must be one of table, tsv, json")
    both = cli("--dir", store, "list", "--json", "--format", "tsv")
    assert both.exit_code == 2 and "--json" in both.stderr


def test_report_and_log_into_a_pipe(cli, repo):
    report = cli("report").stdout.splitlines()
    rows = json.loads(cli("report", "--format", "json").stdout)
    assert len(report) == len(rows["rows"]) + 1 and report[-1].split("\t")[0] == "(total)"
    first = rows["rows"][0]
    assert report[0].split("\t") == [first["agency"], *(str(first[k]) for k in (
        "assigned", "done_on_time", "done_late", "open_in_time", "open_overdue", "cancelled", "no_deadline")),
        str(first["on_time_rate"])]
    assert cli("done", "1502#2", "--note", "Công văn 426/STTTT", cwd=repo).exit_code == 0
    log = cli("log", "-n", "1", cwd=repo).stdout.splitlines()
    entry = json.loads(cli("log", "-n", "1", "--json", cwd=repo).stdout)[0]
    assert len(log) == 1
    assert log[0].split("\t") == [entry["date"], entry["commit"], entry["author"], "done", "1502-UBND-KGVX#2",
                                  " ".join(entry["files"]), "Công văn 426/STTTT"]


def test_a_file_written_with_o_is_named(cli, tmp_path):
    out = tmp_path / "bao-cao.md"
    result = cli("--dir", str(BUNDLED), "report", "-o", str(out))
    assert result.exit_code == 0 and "| Lead agency |" in out.read_text(encoding="utf-8")
    assert result.stderr == f"Wrote {out}.\n"
