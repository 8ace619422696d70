"""The store found the way a clerk means it: the folder `init` made, or its directives/."""
from __future__ import annotations

import subprocess

from conftest import dtrack_script


def _office(cli, tmp_path):
    root = tmp_path / "office"
    assert cli("init", str(root)).exit_code == 0
    assert cli("--dir", str(root), "add", "--number", "5/UBND", "--kind", "cong-van", "--issuer", "UBND tỉnh",
               "--issued", "1/7/2024", "--title", "Báo cáo").exit_code == 0
    assert cli("--dir", str(root / "directives"), "add-task", "5-UBND", "--text", "Gửi báo cáo", "--lead", "STTTT",
               "--due", "25/7/2024").exit_code == 0
    return root


def test_the_init_folder_its_directives_and_a_year_folder_are_the_same_store(cli, tmp_path):
    root = _office(cli, tmp_path)
    outputs = [cli("--dir", str(root), "list"), cli("--dir", str(root / "directives"), "list"),
               cli("list", cwd=root / "directives" / "2024"), cli("list", cwd=root),
               cli("list", env={"DTRACK_DIR": str(root)})]
    for result in outputs:
        assert result.exit_code == 0 and result.stderr == "", result.output
        assert "5-UBND#1" in result.stdout and "STTTT" in result.stdout     # the agency resolved to its short name
    assert len({r.stdout for r in outputs}) == 1
    check = cli("--dir", str(root), "check")
    assert check.exit_code == 0 and "agencies.yaml" not in check.output


def test_outside_any_store_one_line_says_what_to_do(tmp_path):
    proc = subprocess.run([dtrack_script(), "list"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "DTRACK_TODAY": "2024-07-20", "HOME": str(tmp_path)})
    assert proc.returncode == 2
    assert proc.stderr.startswith("dtrack: error: no directives folder here")
    assert "--dir PATH" in proc.stderr and "dtrack init" in proc.stderr and proc.stderr.count("\n") == 1
