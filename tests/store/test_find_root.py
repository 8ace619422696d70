"""The store found the way a clerk means it: the folder `init` made, or its directives/."""
from __future__ import annotations

import shutil

from conftest import BUNDLED


def test_the_init_folder_its_directives_and_a_year_folder_are_the_same_store(cli, tmp_path):
    root = tmp_path / "office"               # as `init` leaves it: the folder, and directives/ inside
    shutil.copytree(BUNDLED, root / "directives")
    outputs = [cli("--dir", str(root), "list", "-f", "table"), cli("list", "-f", "table", cwd=root / "directives" / "2024"),
               cli("list", "-f", "table", env={"DTRACK_DIR": str(root)})]
    for result in outputs:
        assert result.exit_code == 0 and result.stderr == "", result.output
        # agencies.yaml is the registry, not a broken directive: the leads resolve to their short names
        assert "2024-07-17-bo-sung-kinh-phi#3" in result.stdout and "STC" in result.stdout
    assert len({r.stdout for r in outputs}) == 1
    assert outputs[0].stdout == cli("--dir", str(root / "directives"), "list", "-f", "table").stdout


def test_outside_any_store_one_line_says_what_to_do(cli, tmp_path):
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("dtrack: error: no directives folder here")
    assert "--dir PATH" in result.stderr and "dtrack init" in result.stderr and result.stderr.count("\n") == 1
