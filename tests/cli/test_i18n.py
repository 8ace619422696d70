"""Every message goes through one function; a translation changes the interface without touching commands."""
from conftest import BUNDLED


def test_vietnamese_interface(cli, monkeypatch):
    from dtrack import i18n
    monkeypatch.setenv("DTRACK_LANG", "vi")
    i18n.reset()
    result = cli("--dir", str(BUNDLED), "list", "-f", "table", env={"COLUMNS": "140"})
    assert result.stdout.splitlines()[0].split() == ["Mã", "Hạn", "Còn", "Chủ", "trì", "Nhiệm", "vụ"]
    assert "còn 3 ngày" in result.stdout
    assert result.stdout.splitlines()[-1] == "9 quá hạn · 3 đến hạn trong 14 ngày · 33 đang mở"
    bad = cli("--dir", str(BUNDLED), "--as-of", "31/02/2024", "list")
    assert "không phải ngày có thật" in bad.stderr


def test_english_is_the_default(cli):
    result = cli("--dir", str(BUNDLED), "list", "-f", "table")
    assert result.stdout.splitlines()[0].split()[:3] == ["Ref", "Due", "Left"]


def test_unknown_language_falls_back_to_english(cli, monkeypatch):
    from dtrack import i18n
    i18n.set_language("xx_YY.UTF-8")
    assert i18n.t("{n} overdue", n=2) == "2 overdue"
    monkeypatch.setenv("DTRACK_LANG", "xx_YY.UTF-8")
    result = cli("--dir", str(BUNDLED), "list", "-f", "table")
    assert result.stdout.splitlines()[-1] == "9 overdue · 3 due within 14 days · 33 open in all"


def test_the_library_speaks_english_until_told_otherwise(monkeypatch):
    # The language is the CLI's to set: a library call never reads DTRACK_LANG.
    from dtrack import i18n
    monkeypatch.setenv("DTRACK_LANG", "vi")
    assert i18n.t("{n} overdue", n=2) == "2 overdue"
    i18n.set_language("vi_VN.UTF-8")
    assert i18n.t("{n} overdue", n=2) == "2 quá hạn"
    i18n.reset()
    assert i18n.t("{n} overdue", n=2) == "2 overdue"


def test_each_run_speaks_its_own_language(cli, monkeypatch):
    monkeypatch.setenv("DTRACK_LANG", "vi")
    assert cli("--dir", str(BUNDLED), "list", "-f", "table").stdout.splitlines()[-1].endswith("33 đang mở")
    monkeypatch.delenv("DTRACK_LANG")
    assert cli("--dir", str(BUNDLED), "list", "-f", "table").stdout.splitlines()[-1].endswith("33 open in all")


def _vietnamese() -> dict[str, str]:
    from babel.messages.pofile import read_po

    from dtrack.locales.compile import HERE
    with (HERE / "vi" / "LC_MESSAGES" / "dtrack.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_the_compiled_catalogues_match_their_po_files():
    # dtrack reads the .mo; a .po edited without `python -m dtrack.locales.compile` would not show.
    from dtrack.locales.compile import catalogues, compiled
    assert catalogues()
    for po in catalogues():
        assert po.with_suffix(".mo").read_bytes() == compiled(po), f"{po}: run python -m dtrack.locales.compile"


def test_every_vietnamese_key_is_a_message_id_of_the_code():
    # A key whose English id was reworded in the code is dead: the message silently shows in English.
    import ast
    import string
    from pathlib import Path

    import dtrack
    MESSAGES = _vietnamese()
    ids = set()
    for path in Path(dtrack.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                ids.add(node.args[0].value)
    assert sorted(k for k in MESSAGES if k not in ids) == []
    names = lambda s: sorted(f[1] for f in string.Formatter().parse(s) if f[1] is not None)  # noqa: E731
    for key, text in MESSAGES.items():
        assert names(text) == names(key), key  # the translation fills the same placeholders


def test_show_and_done_speak_vietnamese(cli, repo, monkeypatch):
    from dtrack import i18n
    monkeypatch.setenv("DTRACK_LANG", "vi")
    i18n.reset()
    shown = cli("show", "1502#2", cwd=repo, env={"COLUMNS": "140"})
    assert "Văn bản: 1502/UBND-KGVX" in shown.stdout
    assert "Phối hợp: Sở Tài chính" in shown.stdout
    done = cli("done", "1502#2", cwd=repo)
    assert done.stdout.startswith("done 1502-UBND-KGVX#2 [STTTT] on 20/07/2024 — đã commit ")
