"""Vietnamese first: no user-facing text bypasses the catalogue, the catalogue covers the code and
nothing else, and every help and every read command on the bundled store finds all it looks up."""
import ast
import unicodedata
from pathlib import Path

import pytest

import dtrack
from dtrack import i18n
from dtrack.cli.commands import commands_dict
from dtrack.cli.messages import catalogue, code_messages as _code_messages, parsed, source_files
from conftest import BUNDLED, REPO

PACKAGE = Path(dtrack.__file__).parent
_IDS: list = []


def code_messages() -> set[str]:
    """Built once for the module (it parses every source file and builds every command)."""
    if not _IDS:
        _IDS.append(_code_messages())
    return _IDS[0]
ERRORS = {"DtrackError", "UsageError", "NotFoundError", "DataError", "GitError", "BusyError", "ConflictError"}
SAYERS = {"echo", "print", "message", "error", "prompt", "confirm", "secho"}
# Literals that are not words: a YAML document separator, the version line, a blank line.
NOT_WORDS = {"---", "", "\n"}
# Developers' tools, never run by a clerk: the importer's benchmark and the catalogue compiler.
DEV_TOOLS = {"importer/evaluate.py", "locales/compile.py"}


def _literal_text(node) -> str | None:
    """The text of a literal or an f-string's fixed parts, when the node is one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def _words(text: str) -> bool:
    return any(c.isalpha() for c in text) and text not in NOT_WORDS and not text.startswith("dtrack ")


def _words_outside_t(node) -> bool:
    """A literal with words in `node` that is not the id of a t() call (t("a") + " " + t("b") is fine)."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t":
        return False
    if isinstance(node, ast.BinOp):
        return _words_outside_t(node.left) or _words_outside_t(node.right)
    text = _literal_text(node)
    return text is not None and _words(text)


def _bypasses() -> list[str]:
    found = []
    for path in source_files():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in DEV_TOOLS:
            continue
        for node in ast.walk(parsed(path)):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            text = _literal_text(node.args[0])
            if text is not None and _words(text) and (name in ERRORS or name in SAYERS):
                found.append(f"{rel}:{node.lineno}: {name}({text[:50]!r})")
            for kw in node.keywords:
                if kw.arg in ("help", "hint", "prompt") and isinstance(kw.value, (ast.JoinedStr, ast.BinOp)) \
                        and _words_outside_t(kw.value):
                    found.append(f"{rel}:{node.lineno}: {kw.arg}= is built, so it cannot be a message id")
    return found


def test_no_user_facing_literal_bypasses_t():
    assert _bypasses() == []


def test_the_scan_sees_a_bypass(tmp_path, monkeypatch):
    # The scan itself is tested on a module that says an English sentence without t().
    bad = tmp_path / "bad.py"
    bad.write_text('raise UsageError(f"no such task {ref}")\ntyper.echo("Wrote the file")\n'
                   'typer.Option(None, help="x " + y)\n', encoding="utf-8")
    monkeypatch.setattr("dtrack.cli.messages.source_files", lambda: [bad])
    monkeypatch.setattr(f"{__name__}.source_files", lambda: [bad])
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path)
    assert [line.split(":")[1] for line in _bypasses()] == ["1", "2", "3"]


def test_every_message_of_the_code_has_natural_vietnamese_and_no_entry_is_stale():
    import string
    ids, vi = code_messages(), catalogue("vi")
    assert sorted(i for i in ids if not vi.get(i)) == []
    assert sorted(set(vi) - ids) == []          # a key whose English id was reworded is dead
    names = lambda s: sorted(f[1] for f in string.Formatter().parse(s) if f[1] is not None)  # noqa: E731
    for key, text in vi.items():
        assert names(text) == names(key), key   # the translation fills the same placeholders
    assert all(unicodedata.is_normalized("NFC", text) for text in vi.values())
    # Help texts keep click's layout marks, so examples stay unwrapped in Vietnamese too.
    for key, text in vi.items():
        assert key.count("\b") == text.count("\b"), key


def test_help_texts_are_message_ids():
    ids = code_messages()
    assert "List the open tasks that are overdue or due soon." in ids                    # a summary
    assert "The due-soon window: 14d, 30d, 2w." in ids                                   # an option's help
    assert "Write the file but make no git commit." in ids                               # a help in a constant
    assert any(i.startswith("Mark tasks done: only their lines change") and "\b" in i for i in ids)  # a docstring


VISIBLE = [name for name, info in commands_dict.items()]


def _misses(cli, runs, cwd=None) -> dict[str, list[str]]:
    found = {}
    with i18n.recording_misses() as misses:
        for args in runs:
            before = set(misses)
            result = cli(*args, cwd=cwd, env={"DTRACK_LANG": "vi", "COLUMNS": "100"})
            assert result.exit_code in (0, 1), (args, result.output)
            if set(misses) - before:
                found[" ".join(args)] = sorted(set(misses) - before)
    return found


def test_every_help_speaks_vietnamese_with_nothing_missing(cli):
    runs = [["--help"]] + [[name, "--help"] for name in VISIBLE]
    assert _misses(cli, runs) == {}
    shown = cli("list", "--help", env={"DTRACK_LANG": "vi"}).stdout
    assert shown.startswith("Cách dùng: dtrack list [OPTIONS]")
    assert "Tùy chọn:" in shown and "[mặc định: 14d]" in " ".join(shown.split()) and "Ví dụ:" in shown
    assert "Show this message" not in shown and "Hiển thị hướng dẫn này rồi thoát." in shown
    assert "Lệnh:" in cli("--help", env={"DTRACK_LANG": "vi"}).stdout


def test_every_read_command_on_the_bundled_store_finds_all_it_looks_up(cli, repo, tmp_path):
    d = ["--dir", str(repo / "directives")]
    runs = [d + ["list"], d + ["list", "--all", "--status", "all"], d + ["show", "1502#2"],
            d + ["show", "1502-UBND-KGVX"], d + ["check"], d + ["report"], d + ["report", "--format", "md"],
            d + ["log"], d + ["remind", "--agency", "STTTT", "--reply-by", "30/08/2024"],
            d + ["export-ics", "-o", str(tmp_path / "x.ics")], d + ["review", "HEAD"],
            d + ["import", str(REPO / "tests/fixtures/import/cong-van-de-nghi.txt"), "--stdout"]]
    assert _misses(cli, runs, cwd=repo) == {}


@pytest.mark.parametrize("args, vi, en", [
    (["lst"], "dtrack: lỗi: Không có lệnh 'lst'. Có phải ý bạn là 'list'?",
     "dtrack: error: No such command 'lst'. Did you mean 'list'?"),
    (["list", "--within"], "dtrack: lỗi: Tùy chọn '--within' cần một giá trị.",
     "dtrack: error: Option '--within' requires an argument."),
    (["done"], "dtrack: lỗi: Thiếu tham số 'REF...'.", "dtrack: error: Missing argument 'REF...'."),
    (["log", "-n", "x"], "dtrack: lỗi: Giá trị không hợp lệ cho '-n' / '--limit': 'x' không phải là số nguyên hợp lệ.",
     "dtrack: error: Invalid value for '-n' / '--limit': 'x' is not a valid int."),
    (["list", "extra"], "dtrack: lỗi: Có tham số thừa không dùng đến (extra)",
     "dtrack: error: Got unexpected extra argument(s) (extra)"),
])
def test_clicks_usage_errors_speak_the_language_and_stay_as_they_were_in_english(cli, args, vi, en):
    said = cli("--dir", str(BUNDLED), *args, env={"DTRACK_LANG": "vi"})
    assert (said.exit_code, said.stderr.splitlines()[0]) == (2, vi)
    assert said.stderr.splitlines()[1].startswith("Xem 'dtrack")
    said = cli("--dir", str(BUNDLED), *args)
    assert (said.exit_code, said.stderr.splitlines()[0]) == (2, en)
