"""`list --json` writes its rows with queries.as_json_text, not as_json + jsonout.dumps: the bytes must
be the same on every kind of value, with and without the parse cache, through every filter."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dtrack.output import jsonout
from dtrack.services import queries
from dtrack.store import files as store
from dtrack.domain.model import Cancellation, Directive, Extension, Occurrence, Task
from dtrack.domain.text import json_safe

HOSTILE = "\x1b[31mđỏ\x1b[0m \u202eevil\u202c \u2066iso\u2069 \x9b \x7f \u2028 \"q\" \\ \t\n end"


def _reference(rows) -> str:
    return json_safe(json.dumps([queries.as_json(r) for r in rows], ensure_ascii=False, indent=2))


def _directive(stem: str, tasks: list[Task], **kw) -> Directive:
    fields = dict(path=f"directives/2024/{stem}.yaml", number=f"{stem}/UBND", kind="Chỉ thị", issuer="UBND tỉnh",
                  issued=date(2024, 1, 2), title="Về việc “chuyển đổi số”")
    fields.update(kw)
    return Directive(stem, fields.pop("path"), fields.pop("number"), fields.pop("kind"), fields.pop("issuer"),
                     fields.pop("issued"), fields.pop("title"), tasks)


def _every_kind_of_row() -> list[queries.Row]:
    today = date(2024, 7, 20)
    tasks = [
        Task(1, "Báo cáo kết quả", ("Sở Tài chính",)),
        Task(2, HOSTILE, ("Sở \x1b[5mTài chính", "Công an tỉnh"), ("UBND huyện", "Sở Y tế"), date(2024, 7, 25),
             "trước 25/7", "open", None, "ghi chú \u202e"),
        Task(3, "Đã xong", (), (), date(2024, 3, 1), None, "done", date(2024, 2, 28), None),
        Task(4, "Gia hạn", ("Sở Nội vụ",), (), date(2024, 9, 30), None, "open",
             extensions=(Extension(date(2024, 9, 30), date(2024, 6, 30), date(2024, 6, 20), "12/UBND", "lý do"),
                         Extension(date(2024, 10, 30), None, None, None, None))),
        Task(5, "Hằng tháng", ("Sở Xây dựng",), (), date(2024, 8, 5), None, "open", every="1 month",
             until=date(2024, 12, 31), occurrences=(Occurrence(date(2024, 7, 5), date(2024, 7, 4)),
                                                    Occurrence(date(2024, 6, 5)))),
        Task(6, "Huỷ", ("Sở GD&ĐT",), (), None, None, "cancelled",
             cancelled=Cancellation(date(2024, 5, 1), "3/QĐ", "không còn phù hợp")),
        Task(7, "Hủy, không lý do", (), (), None, None, "cancelled", cancelled=Cancellation()),
    ]
    hostile = _directive("9-UBND\u202e", tasks, title=HOSTILE, issued=None, number=HOSTILE)
    plain = _directive("1-UBND", [Task(1, "Một việc", ("Sở Tài chính",), (), date(2024, 7, 1))])
    rows = [queries.Row(d, x, *queries.evaluate(x, today)) for d in (hostile, plain) for x in d.tasks]
    return rows + rows[:2]      # one directive's tasks far apart, as a sort by deadline leaves them


def test_the_same_text_as_as_json_on_every_kind_of_value():
    rows = _every_kind_of_row()
    text = queries.as_json_text(rows)
    assert text == jsonout.dumps([queries.as_json(r) for r in rows])
    assert json_safe(text) == _reference(rows)
    assert queries.as_json_text([]) == "[]" == json.dumps([], indent=2)


def test_a_value_of_an_unexpected_type_goes_the_general_way():
    rows = _every_kind_of_row()
    odd = Task(8, "x", ("Sở Tài chính",), (), date(2024, 8, 1), due_text=20240801)    # a number, not text
    d = _directive("8-UBND", [odd])
    rows.append(queries.Row(d, odd, *queries.evaluate(odd, date(2024, 7, 20))))
    assert queries.as_json_text(rows) == jsonout.dumps([queries.as_json(r) for r in rows])


FILTERS = [
    ("--all",), (), ("--overdue",), ("--within", "30d"), ("--status", "all"), ("--status", "done"),
    ("--status", "cancelled"), ("--all", "--agency", "STC"), ("--all", "--search", "end"),
    ("--all", "--search", "bao cao"), ("--status", "all", "--agency", "so tai chinh"),
]


def _store(kind: str, tmp_path: Path) -> Path:
    import shutil
    if kind == "bundled":
        root = tmp_path / "bundled"
        shutil.copytree(Path(__file__).resolve().parents[2] / "directives", root)
    else:
        from gen_store import generate
        root = tmp_path / "generated"
        generate(str(root), 60, seed=7)
    # Hostile text in one task of one more file.
    (root / "2024").mkdir(exist_ok=True)
    escaped = HOSTILE.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    (root / "2024" / "9-UBND.yaml").write_text(
        'number: "9/UBND"\nkind: chi-thi\nissuer: UBND tỉnh\nissued: 2024-07-01\ntitle: "Tiêu đề \\e[1m"\n'
        f'tasks:\n  - n: 1\n    text: "{escaped}"\n    lead: "Sở \\e[5mTài chính"\n    due: 2024-07-25\n'
        '    status: open\n    note: "\\u202e ghi chú"\n', encoding="utf-8")
    return root


@pytest.mark.parametrize("kind", ["bundled", "generated"])
def test_list_json_is_the_same_with_and_without_the_cache(cli, tmp_path, kind):
    root = _store(kind, tmp_path)
    st = store.load_uncached(root)
    assert not [p for p in st.problems if p.severity == "error"]
    cli("--dir", str(root), "list")     # warm the cache
    for options in FILTERS:
        args = ("--dir", str(root), "list", *options, "--json")
        warm = cli(*args)
        cold = cli(*args, env={"DTRACK_NO_CACHE": "1"})
        assert warm.exit_code == 0 == cold.exit_code, (options, warm.output)
        assert warm.stdout == cold.stdout, options
        data = json.loads(warm.stdout)
        assert "\x1b" not in warm.stdout and "\u202e" not in warm.stdout
        if options in [("--all",), ("--status", "all")]:
            status = "all" if "all" in options[-1:] else "open"
            rows = queries.select(st.directives, date(2024, 7, 20), scope="all", status=status,
                                  registry=st.registry)
            assert warm.stdout == _reference(rows) + "\n"
            assert any("\x1b[31mđỏ" in r["text"] for r in data)


def test_the_cached_json_pieces_follow_every_edit(cli, tmp_path):
    import os
    from dtrack.store import cache
    root = _store("generated", tmp_path)
    hostile = root / "2024" / "9-UBND.yaml"
    old = hostile.stat().st_mtime - 10
    os.utime(hostile, (old, old))       # old enough to be cached (not racy)
    args = ("--dir", str(root), "list", "--all", "--json")

    def check(expected_in: str | None, absent: str | None = None) -> None:
        for _ in range(2):              # the run that builds the pieces, then one that reads them
            warm = cli(*args)
            assert warm.exit_code == 0
            assert warm.stdout == cli(*args, env={"DTRACK_NO_CACHE": "1"}).stdout
            if expected_in:
                assert expected_in in warm.stdout
            if absent:
                assert absent not in warm.stdout
    cli("--dir", str(root), "list")
    check("\\u202e ghi chú")
    assert len(list(cache.cache_dir(root).glob("*-json*.pickle"))) > 1
    # The same size, another mtime: the stat key retires the file's pieces.
    hostile.write_text(hostile.read_text(encoding="utf-8").replace("ghi chú", "GHI CHÚ"), encoding="utf-8")
    os.utime(hostile, (old + 5, old + 5))
    check("\\u202e GHI CHÚ", "ghi chú")
    # Edited this very second (racy): parsed on every run, never kept.
    hostile.write_text(hostile.read_text(encoding="utf-8").replace("GHI CHÚ", "Ghi Chú"), encoding="utf-8")
    check("\\u202e Ghi Chú", "GHI CHÚ")
    hostile.write_text("number: [\n", encoding="utf-8")     # unreadable: its tasks go, with a warning
    check(None, "9-UBND#1")
    hostile.unlink()
    check(None, "9-UBND#1")
