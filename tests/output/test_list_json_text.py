"""`list --json` and `show --json` write a task with jsonout's one writer (pieces kept in the index,
state and days left spliced in): the bytes must be those of json.dumps of the documented object
(docs/format.md) on every kind of value, with and without the index, through every filter."""
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


def _iso(day):
    return day.isoformat() if day else None


def as_json(row: queries.Row) -> dict:
    """The documented JSON object of a task (docs/format.md, 'JSON output'), built the plain way."""
    d, task = row.directive, row.task
    return {
        "ref": row.ref, "directive": d.stem, "number": d.number, "n": task.n, "title": d.title,
        "kind": d.kind, "issuer": d.issuer, "issued": _iso(d.issued),
        "text": task.text, "lead": list(task.lead), "support": list(task.support),
        "due": _iso(task.due), "due_text": task.due_text,
        "status": task.status, "done": _iso(task.done),
        "note": task.note, "state": row.state, "days_left": row.days_left, "path": d.path,
        "every": task.every, "until": _iso(task.until), "original_due": _iso(task.original_due),
        "extensions": [{"from": _iso(e.from_), "to": _iso(e.to), "on": _iso(e.on), "by": e.by, "reason": e.reason}
                       for e in task.extensions],
        "occurrences": [{"due": _iso(o.due), "done": _iso(o.done), "note": o.note, "by": o.by}
                        for o in task.occurrences],
        "cancelled": None if task.cancelled is None else {
            "on": _iso(task.cancelled.on), "by": task.cancelled.by, "reason": task.cancelled.reason},
        "reassigned": [{"from": list(r.from_), "to": list(r.to), "on": _iso(r.on), "by": r.by, "reason": r.reason}
                       for r in task.reassigned],
    }


def _reference(rows) -> str:
    return json_safe(json.dumps([as_json(r) for r in rows], ensure_ascii=False, indent=2))


def _written(rows) -> str:
    """The rows as the one writer writes them (pieces per directive, state and days left spliced in)."""
    pieces = {}
    out = []
    for r in rows:
        if id(r.directive) not in pieces:
            pieces[id(r.directive)] = jsonout.task_pieces(r.directive)
        out.append(jsonout.task_text(pieces[id(r.directive)][r.directive.tasks.index(r.task)], r.state, r.days_left))
    return jsonout.list_text(out).decode("utf-8")


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


def test_the_same_text_as_json_dumps_on_every_kind_of_value():
    rows = _every_kind_of_row()
    text = _written(rows)
    assert text == json_safe(jsonout.dumps([as_json(r) for r in rows]))
    assert text == _reference(rows)
    assert _written([]) == "[]" == json.dumps([], indent=2)


def test_a_value_of_an_unexpected_type_is_written_as_json_dumps_would():
    rows = _every_kind_of_row()
    odd = Task(8, "x", ("Sở Tài chính",), (), date(2024, 8, 1), due_text=20240801)    # a number, not text
    d = _directive("8-UBND", [odd])
    rows.append(queries.Row(d, odd, *queries.evaluate(odd, date(2024, 7, 20))))
    assert _written(rows) == _reference(rows)


def test_show_json_is_json_dumps_of_the_documented_object(cli, tmp_path):
    root = _store("bundled", tmp_path)
    st = store.load(root)
    d = next(x for x in st.directives if x.stem == "1502-UBND-KGVX")
    one = json.loads(cli("--dir", str(root), "--as-of", "2024-07-20", "show", "1502#2", "--json").stdout)
    whole = cli("--dir", str(root), "--as-of", "2024-07-20", "show", "1502-UBND-KGVX", "--json").stdout
    rows = [queries.Row(d, x, *queries.evaluate(x, date(2024, 7, 20))) for x in d.tasks]
    history = json.loads(whole)["history"]
    assert whole == json_safe(json.dumps({"tasks": [as_json(r) for r in rows], "history": history},
                                         ensure_ascii=False, indent=2)) + "\n"
    text = cli("--dir", str(root), "--as-of", "2024-07-20", "show", "1502#2", "--json").stdout
    assert text == json_safe(json.dumps({**as_json(rows[1]), "history": one["history"]},
                                        ensure_ascii=False, indent=2)) + "\n"


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
    st = store.load(root)
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
            today = date(2024, 7, 20)
            rows = sorted((queries.Row(d, x, *queries.evaluate(x, today)) for d in st.directives for x in d.tasks
                           if status == "all" or x.status == status),
                          key=lambda r: (r.task.due is None, r.task.due or date.min, r.directive.stem, r.task.n))
            assert warm.stdout == _reference(rows) + "\n"
            assert any("\x1b[31mđỏ" in r["text"] for r in data)


def test_the_json_pieces_kept_in_the_index_follow_every_edit(cli, tmp_path):
    import os
    from dtrack.store import index
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
    assert index.index_file(root).is_file()
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
