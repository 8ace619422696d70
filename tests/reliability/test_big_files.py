"""Issue 18: a directive file that is valid YAML but far larger than any directive is refused with one
located line before its tasks are walked, and the rest of the store lists (the lead's cases; the loader's
own limits are in test_limits.py)."""
from __future__ import annotations

import re
import shutil

from conftest import BUNDLED

from dtrack.domain import model

MAX_TASKS = 20          # the limit lowered for the test (model.MAX_TASKS is 2,000): the same code path, 1/100 of the work

HEADER = ("number: 7/KH-UBND\nkind: ke-hoach\nissuer: UBND tỉnh Quảng Ngãi\nissued: 2025-01-02\n"
          "title: Kế hoạch triển khai\ntasks:\n")


def _task(i: int) -> str:
    return f"  - n: {i}\n    text: Việc số {i}\n    lead: Sở Tài chính\n    due: 2025-03-15\n    status: open\n"


def test_a_file_with_more_tasks_than_a_directive_holds_is_one_line_and_the_store_lists(cli, tmp_path, monkeypatch):
    assert model.MAX_TASKS == 2_000
    monkeypatch.setattr(model, "MAX_TASKS", MAX_TASKS)
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    (store / "2025").mkdir()
    big = store / "2025" / "ke-hoach-lon.yaml"
    big.write_text(HEADER + "".join(_task(i) for i in range(1, MAX_TASKS + 2)), encoding="utf-8")
    result = cli("--lang", "en", "--dir", str(store), "--as-of", "01/12/2026", "check")
    assert result.exit_code == 1
    line = 6 + 5 * MAX_TASKS + 1                      # the first task past the limit
    assert (f"2025/ke-hoach-lon.yaml:{line}:5: error: the file lists {MAX_TASKS + 1} tasks; a directive file "
            f"holds at most {MAX_TASKS}: split it into several files") in result.output
    listed = cli("--lang", "en", "--dir", str(store), "--as-of", "01/12/2026", "list", "--all", "--format", "tsv")
    assert listed.exit_code == 0 and "1502-UBND-KGVX#1\t" in listed.stdout and "ke-hoach-lon#" not in listed.stdout
    big.write_text(HEADER + "".join(_task(i) for i in range(1, MAX_TASKS + 1)), encoding="utf-8")
    assert cli("--dir", str(store), "--as-of", "01/12/2026", "show", f"ke-hoach-lon#{MAX_TASKS}").exit_code == 0


def test_a_file_of_more_values_than_a_directive_holds_is_one_line_and_the_store_lists(cli, tmp_path, monkeypatch):
    # A list of numbers under a key dtrack keeps but does not know: 1,900,000 of them in 3.8 MB made
    # every `list` take 10 s and 600 MB. The composer counts values as it reads them.
    from dtrack.store import files
    assert files.MAX_VALUES == 200_000
    monkeypatch.setattr(files, "MAX_VALUES", 2_000)
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    (store / "2025").mkdir()
    (store / "2025" / "so-lieu.yaml").write_text(HEADER + _task(1) + "so_lieu: [" + ",".join(["1"] * 5_000) + "]\n",
                                                 encoding="utf-8")
    result = cli("--lang", "en", "--dir", str(store), "--as-of", "01/12/2026", "check")
    assert result.exit_code == 1
    assert ("2025/so-lieu.yaml:12:3959: error: the file holds more than 2000 values; a directive file holds a few "
            "thousand: split it or remove what is not a directive") in result.output
    listed = cli("--lang", "en", "--dir", str(store), "--as-of", "01/12/2026", "list", "--all", "--format", "tsv")
    assert listed.exit_code == 0 and "1502-UBND-KGVX#1\t" in listed.stdout and "so-lieu#" not in listed.stdout


def test_the_bundled_files_stay_on_the_fast_loader():
    # The careful loader is chosen by counting structure characters and commas; a directive (commas in
    # its Vietnamese text included) stays far below the threshold, so the first run keeps its speed.
    from dtrack.store import files
    for path in BUNDLED.rglob("*.yaml"):
        if path.name != "agencies.yaml":
            assert not files._needs_care(path.read_text(encoding="utf-8")), path


def test_a_task_naming_more_agencies_than_a_task_can_is_one_line(cli, tmp_path):
    # 5,000 co-leads in one 150 KB file: `report` took 34 s, its .docx 57 s and `check` over 120 s.
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    (store / "2025").mkdir()
    names = ", ".join(f"Cơ quan {i}" for i in range(model.MAX_AGENCIES + 1))
    (store / "2025" / "nhieu.yaml").write_text(
        HEADER + f"  - n: 1\n    text: Việc\n    lead: [{names}]\n    due: 2025-03-15\n    status: open\n",
        encoding="utf-8")
    result = cli("--lang", "en", "--dir", str(store), "--as-of", "01/12/2026", "check")
    assert result.exit_code == 1
    assert (f"2025/nhieu.yaml:9:{9 + 3 + sum(len(f'Cơ quan {i}, ') for i in range(model.MAX_AGENCIES))}: error: "
            f"lead names {model.MAX_AGENCIES + 1} agencies; a task names at most {model.MAX_AGENCIES}: name the "
            "group instead (for example 'UBND các xã, phường')") in result.output


def test_check_composes_a_file_once_however_many_problems_it_has(cli, tmp_path):
    # Each problem's line comes from the file's node tree; composing it again per problem made 10,000
    # problems of one file take minutes (quadratic).
    from dtrack.store import files
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    (store / "2025").mkdir()
    names = ", ".join(f"Cơ quan {i}" for i in range(150))
    (store / "2025" / "nhieu.yaml").write_text(
        HEADER + f"  - n: 1\n    text: Việc\n    lead: [{names}]\n    support: [{names}]\n    status: open\n",
        encoding="utf-8")
    files._composed.cache_clear()
    result = cli("--lang", "en", "--dir", str(store), "--as-of", "01/12/2026", "check", str(store / "2025"))
    assert result.exit_code == 1
    assert len(re.findall(r"nhieu\.yaml:9:\d+: error: unknown agency", result.output)) == 150
    assert len(re.findall(r"nhieu\.yaml:10:\d+: error: unknown agency", result.output)) == 150
    assert files._composed.cache_info().misses == 1


def test_no_change_can_make_a_file_larger_than_the_loader_reads(cli, tmp_path, monkeypatch):
    # 35 add-task runs of a 100 KB text (one argument each) made a 4.1 MB file: committed, and from then
    # on refused by the loader, the whole directive gone from list. The transaction refuses the write.
    from conftest import git, make_repo
    from dtrack.store import files
    repo = make_repo(tmp_path / "office")
    largest = max(p.stat().st_size for p in (repo / "directives").rglob("*.yaml"))
    limit = largest + 1000
    monkeypatch.setattr(files, "MAX_FILE_BYTES", limit)         # the same rule, at a size a test can reach
    before = git(repo, "rev-parse", "HEAD").strip()
    ok = cli("--lang", "en", "add-task", "1502-UBND-KGVX", "--text", "Báo cáo " * 50, "--lead", "STC", cwd=repo)
    assert ok.exit_code == 0, ok.output
    refused = cli("--lang", "en", "add-task", "1502-UBND-KGVX", "--text", "Báo cáo " * (limit // 8), "--lead", "STC", cwd=repo)
    assert refused.exit_code == 4
    assert refused.stderr.startswith("dtrack: error: ") and refused.stderr.count("\n") == 1
    assert "the change would make the file" in refused.stderr and "nothing was written" in refused.stderr
    assert git(repo, "rev-list", "--count", f"{before}..HEAD").strip() == "1" and git(repo, "status", "--porcelain") == ""
    assert cli("show", "1502-UBND-KGVX#5", cwd=repo).exit_code == 0


def test_a_task_with_many_import_notes_is_read(cli, tmp_path):
    # The agencies bound must not reach other lists: 300 import notes are 300 things to verify.
    store = tmp_path / "directives"
    shutil.copytree(BUNDLED, store)
    (store / "2025").mkdir()
    notes = "".join(f"      - Kiểm tra hạn thứ {i}\n" for i in range(300))
    (store / "2025" / "ghi-chu.yaml").write_text(HEADER + _task(1) + "    import_notes:\n" + notes, encoding="utf-8")
    shown = cli("--lang", "en", "--dir", str(store), "--as-of", "01/12/2026", "show", "ghi-chu#1")
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("To verify: Kiểm tra hạn thứ ") == 300
