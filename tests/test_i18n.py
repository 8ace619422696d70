"""Every message goes through one function; a translation changes the interface without touching commands."""
from conftest import BUNDLED


def test_vietnamese_interface(cli, monkeypatch):
    from dtrack import i18n
    monkeypatch.setenv("DTRACK_LANG", "vi")
    i18n.reset()
    result = cli("--dir", str(BUNDLED), "list", env={"COLUMNS": "140"})
    assert result.stdout.splitlines()[0].split() == ["Mã", "Hạn", "Còn", "Chủ", "trì", "Nhiệm", "vụ"]
    assert "còn 3 ngày" in result.stdout
    assert result.stdout.splitlines()[-1] == "9 quá hạn · 3 đến hạn trong 14 ngày · 33 đang mở"
    bad = cli("--dir", str(BUNDLED), "--as-of", "31/02/2024", "list")
    assert "không phải ngày có thật" in bad.stderr


def test_english_is_the_default(cli):
    result = cli("--dir", str(BUNDLED), "list")
    assert result.stdout.splitlines()[0].split()[:3] == ["Ref", "Due", "Left"]


def test_unknown_language_falls_back_to_english(cli, monkeypatch):
    from dtrack import i18n
    monkeypatch.setenv("DTRACK_LANG", "xx_YY.UTF-8")
    i18n.reset()
    assert i18n.t("{n} overdue", n=2) == "2 overdue"
