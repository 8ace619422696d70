"""Hostile files, hostile text and hostile arguments (docs/reliability.md): each gets a clear one-line
error or is handled correctly; nothing crashes, hangs, runs code, exhausts memory, spoofs the
terminal, or reads or writes outside the store."""
from __future__ import annotations

import json
import os
import shutil
import time
import tracemalloc
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from conftest import BUNDLED, git

HEADER = "number: 9/UBND\nkind: cong-van\nissuer: UBND tỉnh\nissued: 2024-07-01\ntitle: Thử\n"
ONE_TASK = HEADER + "tasks:\n  - n: 1\n    text: Việc một\n    lead: Sở Tài chính\n    due: 2024-07-25\n    status: open\n"


@pytest.fixture
def store(tmp_path) -> Path:
    root = tmp_path / "d"
    shutil.copytree(BUNDLED, root)
    return root


def snapshot(root: Path) -> dict:
    """Every path under root (links not followed) and every regular file's bytes, except dtrack's own
    cache folder (.git/dtrack), which a read may refresh."""
    out = {}
    for folder, dirs, files in os.walk(root):
        if Path(folder).name == ".git" and "dtrack" in dirs:
            dirs.remove("dtrack")
        for name in dirs + files:
            path = Path(folder) / name
            out[str(path)] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return out


def list_all(cli, root: Path):
    result = cli("--dir", str(root), "list", "--all")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "1502-UBND-KGVX#1" in result.stdout          # the good files are still listed
    return result


# ---------------------------------------------------------------------------- hostile files

BILLION_LAUGHS = HEADER + "tasks: []\nlol0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))

HOSTILE_FILES = {
    "python-object": ("number: !!python/object/apply:os.system ['echo pwned > PWNED']\n",
                      "1:9: error: the YAML tag '!!python/object/apply:os.system' is not allowed in a "
                      "directive file; remove it"),
    "python-name": ("number: !!python/name:os.system\n",
                    "1:9: error: the YAML tag '!!python/name:os.system' is not allowed in a directive file; "
                    "remove it"),
    "billion-laughs": (BILLION_LAUGHS, "12:7: error: YAML anchors and aliases expand this file to more than "
                                       "100000 values; a directive file does not need them: write the values out"),
    "recursive-alias": (HEADER + "tasks: &t [*t]\n",
                        "6:8: error: a YAML alias refers to the value that contains it; write the values out"),
    "deep-nesting": ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "error: nested too deeply to be a directive file"),
    "deep-block": ("a:\n" + "".join(" " * i + "- \n" for i in range(1, 2000)),
                   "error: nested too deeply to be a directive file"),
    "nul-byte": (b"number: '1'\nkind: cong\x00van\n",
                 "2: error: not valid YAML: unacceptable character #x0000: control characters are not allowed"),
    "latin-1": ("number: '1'\ntitle: Quảng Ngãi\n".encode("utf-8") + "Tháng".encode("latin-1") + b"\n",
                "3: error: not UTF-8 text (byte 0xe1 of line 3); save the file as UTF-8"),
    "conflict": (ONE_TASK.replace("    status: open\n", "<<<<<<< HEAD\n    status: open\n=======\n"
                                  "    status: done\n>>>>>>> origin/main\n"),
                 "11:1: error: git conflict marker '<<<<<<<': resolve the merge, keeping the right version of "
                 "the task, then remove the markers"),
    "conflict-crlf": (ONE_TASK.replace("    status: open\n", "<<<<<<<\n    status: open\n=======\n"
                                       "    status: done\n>>>>>>>\n").replace("\n", "\r\n"),
                      "11:1: error: git conflict marker '<<<<<<<'"),
    "empty": ("", "error: not a directive"),
    "a-list": ("- 1\n- 2\n", "error: not a directive"),
    "bad-date": (ONE_TASK.replace("2024-07-25", "2024-02-30"),
                 "10:10: error: not a real date (day is out of range for month); fix the date"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_a_hostile_file_gets_one_line_naming_it_and_the_rest_still_lists(cli, store, name, tmp_path, monkeypatch):
    content, expected = HOSTILE_FILES[name]
    path = store / "2024" / f"{name}.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    before = snapshot(store)
    started = time.monotonic()
    result = list_all(cli, store)
    assert time.monotonic() - started < 10
    lines = [line for line in result.stderr.split("\n") if line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"d/2024/{name}.yaml:"), lines[0]
    assert expected in lines[0]
    assert not (tmp_path / "PWNED").exists()
    assert snapshot(store) == before


def test_a_100_mb_file_is_refused_from_its_size_without_being_read(store):
    from dtrack.store import files as store_mod
    big = store / "2024" / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(100 * 1024 * 1024)            # sparse: costs no disk
    tracemalloc.start()
    try:
        loaded = store_mod.load(store)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024, f"peak {peak} bytes: the file was read"
    assert [(p.path.name, p.message) for p in loaded.problems] == [
        ("big.yaml", "the file is 100.0 MB; a directive file is a few KB, so this is not one")]
    assert len(loaded.directives) == 5


def test_anchors_that_do_not_multiply_the_file_still_work(cli, store):
    (store / "2024" / "anchors.yaml").write_text(
        HEADER + "tasks:\n  - n: 1\n    text: Một\n    lead: &stc Sở Tài chính\n    status: open\n"
                 "  - n: 2\n    text: Hai chín bốn\n    lead: *stc\n    status: open\n", encoding="utf-8")
    result = cli("--dir", str(store), "list", "--all", "--json", "--search", "hai chin bon")
    assert result.exit_code == 0 and result.stderr == ""
    assert [(r["ref"], r["lead"]) for r in json.loads(result.stdout)] == [("anchors#2", ["Sở Tài chính"])]


def test_a_bom_is_read_and_kept_after_an_edit_with_crlf(cli, repo):
    path = repo / "directives" / "2024" / "9-UBND.yaml"
    raw = b"\xef\xbb\xbf" + ONE_TASK.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(raw)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "BOM file")
    result = cli("done", "9-UBND#1", cwd=repo)
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == raw.replace(b"    status: open\r\n", b"    status: done\r\n    done: 2024-07-20\r\n")
    assert git(repo, "show", "HEAD:directives/2024/9-UBND.yaml").encode("utf-8") == path.read_bytes()


def test_a_folder_named_like_a_file_is_just_a_folder(cli, store):
    (store / "2024" / "folder.yaml").mkdir()
    (store / "2024" / "folder.yaml" / "x.yaml").write_text(ONE_TASK, encoding="utf-8")
    result = list_all(cli, store)
    assert result.stderr == ""
    assert "x#1" in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_like_a_directive_does_not_hang(cli, store, tmp_path, monkeypatch):
    os.mkfifo(store / "2024" / "pipe.yaml")
    monkeypatch.chdir(tmp_path)
    assert list_all(cli, store).stderr == "d/2024/pipe.yaml: error: not a regular file\n"


def _symlink(target: Path, link: Path) -> None:
    try:
        link.symlink_to(target)
    except (OSError, NotImplementedError):
        pytest.skip("symbolic links are not available here")


def test_a_symlink_to_a_file_outside_the_store_is_neither_read_nor_written_through(cli, repo, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(ONE_TASK, encoding="utf-8")
    before = outside.read_bytes()
    _symlink(outside, repo / "directives" / "2024" / "9-UBND.yaml")
    result = cli("list", "--all", cwd=repo)
    assert result.exit_code == 0
    assert result.stderr == ("directives/2024/9-UBND.yaml: error: a symbolic link; dtrack reads and writes only "
                             "regular files inside the store: put the file itself here\n")
    assert "9-UBND#1" not in result.stdout
    done = cli("done", "9-UBND#1", cwd=repo)
    assert done.exit_code == 3
    assert outside.read_bytes() == before


def test_a_symlink_inside_the_store_is_refused_too(cli, store, tmp_path, monkeypatch):
    # Decision: a link to another directive would list it twice under two references, and an edit
    # would replace the link by a file; dtrack reads only regular files.
    _symlink(store / "2023" / "1502-UBND-KGVX.yaml", store / "2024" / "copy.yaml")
    monkeypatch.chdir(tmp_path)
    assert "d/2024/copy.yaml: error: a symbolic link" in list_all(cli, store).stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not stop root")
def test_an_unreadable_file_is_named_and_skipped(cli, store, tmp_path, monkeypatch):
    path = store / "2024" / "secret.yaml"
    path.write_text(ONE_TASK, encoding="utf-8")
    path.chmod(0)
    monkeypatch.chdir(tmp_path)
    try:
        assert list_all(cli, store).stderr == "d/2024/secret.yaml: error: cannot read the file: Permission denied\n"
    finally:
        path.chmod(0o644)


def test_write_atomic_refuses_links_and_paths_outside_the_store(store, tmp_path):
    from dtrack.store import files as store_mod
    from dtrack.errors import UsageError
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(b"old")
    with pytest.raises(UsageError, match="is outside the store"):
        store_mod.write_atomic(outside, b"new", root=store)
    with pytest.raises(UsageError, match="is outside the store"):
        store_mod.write_atomic(store / ".." / "outside.yaml", b"new", root=store)
    link = store / "2024" / "link.yaml"
    _symlink(outside, link)
    with pytest.raises(UsageError, match="is a symbolic link"):
        store_mod.write_atomic(link, b"new", root=store)
    assert outside.read_bytes() == b"old"


def test_inside_and_check_name():
    from dtrack.store import files as store_mod
    from dtrack.errors import UsageError
    root = Path(__file__).parent
    assert store_mod.inside(root, root / "a" / "b.yaml") == (root / "a" / "b.yaml").resolve()
    for bad in (root / ".." / "x", Path("/etc/passwd"), root.parent):
        with pytest.raises(UsageError):
            store_mod.inside(root, bad)
    assert store_mod.check_name("1502-UBND-KGVX") == "1502-UBND-KGVX"
    assert store_mod.check_name("2024-07-17-bổ-sung") == "2024-07-17-bổ-sung"
    for bad in ("", "..", "../x", "a/b", "a\\b", "C:x", 'a"b', "a<b>", "a|b", "a?", "a*", "CON", "nul.yaml",
                "com1", "a.", " a", "a\x1b", "a\x00b", "x" * 201):
        with pytest.raises(UsageError, match="cannot use"):
            store_mod.check_name(bad)


# ---------------------------------------------------------------------------- hostile text

HOSTILE_TEXT = ("[bold red]ĐỎ[/] \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ "
                "\x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J\x1b[H \u202eevil\u202c \u2066iso\u2069 \x9b31m \x07 end")
HOSTILE_YAML = (HEADER + 'tasks:\n  - n: 1\n    text: "' +
                HOSTILE_TEXT.encode("unicode_escape").decode("ascii").replace('"', '\\"')
                + '"\n    lead: "Sở \\e[5mTài chính"\n    due: 2024-07-25\n    status: open\n'
                  '    note: "\\e]52;c;aGk=\\a ghi chú"\n')
DANGER = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\u2066", "\u2069")


@pytest.fixture
def hostile_store(store) -> Path:
    (store / "2024" / "9-UBND.yaml").write_text(HOSTILE_YAML, encoding="utf-8")
    return store


def _harmless(text: str) -> None:
    found = [c for c in DANGER if c in text]
    assert not found, f"{found!r} reached the terminal"


def test_hostile_yaml_round_trips_exactly():
    from dtrack.store import files as store_mod
    assert store_mod.parse(HOSTILE_YAML)["tasks"][0]["text"] == HOSTILE_TEXT


def test_list_and_show_print_hostile_text_literally_and_harmlessly(cli, hostile_store):
    listed = cli("--dir", str(hostile_store), "list", "--all", "--search", "end")
    shown = cli("--dir", str(hostile_store), "show", "9-UBND#1")
    for result in (listed, shown):
        assert result.exit_code == 0, result.output
        _harmless(result.output)
    assert "[bold red]ĐỎ[/] \\x1b[31mred\\x1b[0m \\x1b]8;;http://evil.example\\x1b\\link" in shown.stdout
    assert "\\u202eevil\\u202c \\u2066iso\\u2069 \\x9b31m \\x07 end" in shown.stdout
    assert "Lead: Sở \\x1b[5mTài chính" in shown.stdout
    assert "Note: \\x1b]52;c;aGk=\\x07 ghi chú" in shown.stdout
    assert "9-UBND#1" in listed.stdout and "[bold red]ĐỎ[/]" in listed.stdout


def test_json_keeps_hostile_text_exact_but_escaped(cli, hostile_store):
    result = cli("--dir", str(hostile_store), "list", "--all", "--json", "--search", "end")
    assert result.exit_code == 0
    _harmless(result.stdout)
    assert "\\u001b[31m" in result.stdout and "\\u202e" in result.stdout and "\\u009b" in result.stdout
    [row] = json.loads(result.stdout)
    assert row["text"] == HOSTILE_TEXT and row["lead"] == ["Sở \x1b[5mTài chính"]


def test_errors_that_echo_user_input_or_file_content_are_harmless(cli, hostile_store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (hostile_store / "2024" / "bad.yaml").write_text(
        HEADER.replace("cong-van", '"\\e]52;c;aGk=\\a\\u202e"') + "tasks: []\n", encoding="utf-8")
    results = [
        cli("--dir", str(hostile_store), "list", "--all"),
        cli("--dir", str(hostile_store), "show", "\x1b]52;c;aGk=\x07\u202e#1"),
        cli("--dir", str(hostile_store), "done", "9-UBND#1", "--on", "\x1b[2J"),
        cli("--dir", str(hostile_store), "list", "--within", "\x1b[31m"),
        cli("--dir", str(hostile_store), "\x1b[2Jnope"),
        cli("--dir", str(hostile_store), "list", "--\x1b[2J"),
        cli("--dir", "\x1b]8;;x\x1b\\nowhere", "list"),
    ]
    for result in results:
        assert "Traceback" not in result.output
        _harmless(result.output)
    assert results[0].exit_code == 0 and "bad.yaml" in results[0].stderr and "\\x1b]52" in results[0].stderr
    assert [r.exit_code for r in results[1:]] == [3, 2, 2, 2, 2, 2]
    assert "\\x1b[2Jnope" in results[4].output


def test_hostile_text_cannot_break_out_of_an_icalendar_property():
    icalendar = pytest.importorskip("icalendar")
    from dtrack.output import ical
    evil = HOSTILE_TEXT + "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nATTACH:http://evil.example\r\n;,\\"
    spec = ical.EventSpec(uid="9-UBND-1@dtrack", day=date(2024, 7, 25), summary=evil, description=evil,
                          categories=(evil,))
    data = ical.build_calendar([spec], name=evil, stamp=datetime(2024, 7, 20, tzinfo=timezone.utc))
    text = data.decode("utf-8")
    _harmless(text)
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    assert not any(line.startswith(("ATTACH", "UID:evil")) for line in lines)
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["UID"]) == "9-UBND-1@dtrack"
    assert "END:VEVENT" in str(event["SUMMARY"]) and "[bold red]ĐỎ[/]" in str(event["SUMMARY"])


# ---------------------------------------------------------------------------- hostile arguments

HOSTILE_REFS = ["../../etc/passwd#1", "/etc/passwd#1", "/etc/passwd", "..#1", "../2023/1502-UBND-KGVX#1",
                "C:\\Windows\\win.ini#1", 'a<b>:"|?*#1', "CON#1", "nul", "#1", "1502#../1", "1502#-1",
                "1502#99999999999999999999", "%2e%2e%2f#1", "\x00#1", "~/x#1", "directives/2023/1502-UBND-KGVX.yaml#1"]


@pytest.mark.parametrize("command", ["done", "show", "reopen"])
def test_hostile_references_never_touch_anything(cli, repo, tmp_path, command):
    before = snapshot(tmp_path)
    head = git(repo, "rev-parse", "HEAD")
    for ref in HOSTILE_REFS:
        result = cli(command, ref, cwd=repo)
        assert result.exit_code in (2, 3), (ref, result.output)
        assert result.output.startswith("dtrack: error: ") and result.output.count("\n") == 1, result.output
        _harmless(result.output)
    assert snapshot(tmp_path) == before
    assert git(repo, "rev-parse", "HEAD") == head


def test_dir_pointing_at_odd_places(cli, tmp_path, store):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    for odd in (str(a_file), str(tmp_path / "missing"), "\x00", os.devnull):
        result = cli("--dir", odd, "list")
        assert result.exit_code == 2, (odd, result.output)
        assert result.output.startswith("dtrack: error: ") and result.output.count("\n") == 1
    _symlink(store, tmp_path / "via-link")
    result = cli("--dir", str(tmp_path / "via-link"), "list", "--all", "--json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) > 20
