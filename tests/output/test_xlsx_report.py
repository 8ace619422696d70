"""`report --format xlsx`, read back with openpyxl: sheets, Vietnamese headers, numbers, the total apart, chart."""
from __future__ import annotations

import shutil
from datetime import datetime

import openpyxl

from conftest import BUNDLED


def test_the_workbook_of_the_three_views(cli, tmp_path):
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    (store / "settings.yaml").write_text("version: 1\nlanguage: vi\n", encoding="utf-8")
    out = tmp_path / "bao-cao.xlsx"
    result = cli("--dir", str(store), "--as-of", "2024-08-15", "report", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Theo cơ quan", "Theo văn bản", "Nhiệm vụ quá hạn"]
    ws = wb["Theo cơ quan"]
    assert ws["A1"].value == "Nhiệm vụ được giao: tất cả văn bản; tình hình đến ngày 15/08/2024"
    assert [c.value for c in ws[2]] == ["Cơ quan chủ trì", "Được giao", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                                        "Đang thực hiện trong hạn", "Chưa hoàn thành, quá hạn", "Đã hủy",
                                        "Không có thời hạn", "Tỷ lệ đúng hạn"]
    assert [c.value for c in ws[3]] == ["Sở Thông tin và Truyền thông", 19, 0, 0, 10, 9, 0, 10, 0.0]
    assert ws["I3"].number_format == "0.0%" and ws.freeze_panes == "B3"
    last = 2 + 20
    assert all(c.value is None for c in ws[last + 1])                       # the blank row before the total
    total = ws[last + 2]
    assert [c.value for c in total][:2] == ["Tổng cộng", 33] and total[0].font.b and total[1].font.b
    assert isinstance(total[1].value, int)
    assert ws.column_dimensions["A"].width >= len("Trung tâm Công nghệ thông tin và Truyền thông")
    (chart,) = ws._charts
    assert chart.type == "bar" and chart.grouping == "stacked" and len(chart.series) == 3
    assert wb["Theo văn bản"]["A2"].value == "Văn bản"
    late = wb["Nhiệm vụ quá hạn"]
    assert late.freeze_panes == "A3" and late["F2"].value == "Số ngày quá hạn"
    rows = [[c.value for c in r] for r in late.iter_rows(min_row=3)]
    assert len(rows) == 12 + 1          # 12 overdue units; the co-led one is listed under each co-lead
    assert rows[0][:6] == ["Sở Thông tin và Truyền thông", "2022-02-14-nhiem-vu-trong-tam#8", None, datetime(2022, 2, 14),
                           datetime(2022, 2, 28), 899]
    assert late["E3"].number_format == "DD/MM/YYYY"
