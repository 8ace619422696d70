"""The HTML report a leader reads: figures and chart first, overdue tasks folded in <details>, print styles."""
from __future__ import annotations

import re
import shutil

from conftest import BUNDLED


def test_figures_and_chart_come_before_the_table_and_the_lists_fold(cli, tmp_path):
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    (store / "settings.yaml").write_text("version: 1\nlanguage: vi\n", encoding="utf-8")
    page = cli("--dir", str(store), "--as-of", "2024-08-15", "report", "--format", "html").stdout
    assert '<html lang="vi">' in page
    figures, chart, table, details = (page.index(x) for x in ('class="figures"', 'class="chart"', "<table>",
                                                               "<details"))
    assert figures < chart < table < details
    assert re.findall(r'<div class="figure[^"]*"><b>([^<]+)</b><span>([^<]+)</span>', page) == [
        ("43", "Được giao"), ("0", "Hoàn thành đúng hạn"), ("22", "Đang thực hiện quá hạn"),
        ("0 %", "Tỷ lệ đúng hạn")]
    assert page.count("<details>") == 5 and "<details open>" not in page and "<script" not in page
    assert '<summary>Sở Thông tin và Truyền thông <span class="n">19</span></summary>' in page
    assert "@media print{" in page and "@page{size:A4;margin:20mm 15mm 20mm 30mm}" in page
    assert "@media screen and (max-width:600px)" in page
    opened = cli("--dir", str(store), "--as-of", "2024-08-15", "report", "--format", "html", "--list").stdout
    assert opened.count("<details open>") == 5


def test_deadline_period_filters_the_units_counted(cli):
    import json
    every = json.loads(cli("--dir", str(BUNDLED), "--as-of", "2024-08-15", "report", "--format", "json").stdout)
    summer = json.loads(cli("--dir", str(BUNDLED), "--as-of", "2024-08-15", "report", "--due-from", "1/7/2024",
                            "--due-to", "31/8/2024", "--format", "json").stdout)
    assert 0 < summer["total"]["assigned"] < every["total"]["assigned"]
    assert summer["total"]["no_deadline"] == 0       # a deadline period leaves out the tasks without one
    md = cli("--dir", str(BUNDLED), "--as-of", "2024-08-15", "report", "--due-from", "1/7/2024", "--format",
             "md").stdout
    assert "deadlines 01/07/2024 – …" in md
    bad = cli("--dir", str(BUNDLED), "report", "--due-from", "1/9/2024", "--due-to", "1/7/2024")
    assert bad.exit_code == 2 and "--due-from" in bad.stderr and "Traceback" not in bad.output
