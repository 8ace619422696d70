"""Every message goes through one function; a translation changes the interface without touching commands."""
from pathlib import Path

import dtrack
from dtrack import i18n
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


def test_the_compiled_catalogues_match_their_po_files():
    # dtrack reads the .mo; a .po edited without `python -m dtrack.locales.compile` would not show.
    from dtrack.locales.compile import catalogues, compiled
    assert catalogues()
    for po in catalogues():
        assert po.with_suffix(".mo").read_bytes() == compiled(po), f"{po}: run python -m dtrack.locales.compile"


def test_show_and_done_speak_vietnamese(cli, repo, monkeypatch):
    from dtrack import i18n
    monkeypatch.setenv("DTRACK_LANG", "vi")
    i18n.reset()
    shown = cli("show", "1502#2", cwd=repo, env={"COLUMNS": "140"})
    assert "Văn bản: 1502/UBND-KGVX" in shown.stdout
    assert "Phối hợp: Sở Tài chính" in shown.stdout
    done = cli("done", "1502#2", cwd=repo)
    assert done.stdout.startswith("hoàn thành 1502-UBND-KGVX#2 [STTTT] ngày 20/07/2024 — đã commit ")


# ---------------------------------------------------------------------------- which language a run speaks

def _store(tmp_path, settings: str | None):
    import shutil
    root = tmp_path / "store"
    shutil.copytree(BUNDLED, root)
    if settings is not None:
        (root / "settings.yaml").write_text(settings, encoding="utf-8")
    return root


def _summary(cli, root, *options, env=None):
    return cli("--dir", str(root), *options, "list", "-f", "table", env=env).stdout.splitlines()[-1]


def test_lang_option_then_dtrack_lang_then_the_store_then_the_system(cli, tmp_path):
    vi, en = "9 quá hạn · 3 đến hạn trong 14 ngày · 33 đang mở", "9 overdue · 3 due within 14 days · 33 open in all"
    store_vi = _store(tmp_path, "version: 1\nlanguage: vi\n")
    assert _summary(cli, store_vi) == vi                                                  # the store's settings
    assert _summary(cli, store_vi, env={"DTRACK_LANG": "en"}) == en                      # DTRACK_LANG over the store
    assert _summary(cli, store_vi, "--lang", "en", env={"DTRACK_LANG": "vi"}) == en      # --lang over DTRACK_LANG
    assert _summary(cli, BUNDLED, "--lang", "vi") == vi
    assert _summary(cli, store_vi, env={"LANG": "en_US.UTF-8"}) == vi                    # the store over the system
    assert _summary(cli, BUNDLED, env={"LANG": "vi_VN.UTF-8"}) == vi                     # else the system
    assert _summary(cli, BUNDLED, env={"LC_ALL": "en_US.UTF-8", "LANG": "vi_VN.UTF-8"}).endswith("open in all")
    assert _summary(cli, BUNDLED, env={"LANG": "C.UTF-8"}).endswith("open in all")      # no language: English


def test_an_unknown_lang_option_is_a_usage_error(cli):
    result = cli("--lang", "fr", "list")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "dtrack: error: --lang must be one of vi, en"


def test_lang_before_help_speaks_it(cli):
    assert cli("--lang", "vi", "--help").stdout.startswith("Cách dùng: dtrack [OPTIONS] COMMAND [ARGS]...")
    assert cli("--lang", "en", "--help", env={"DTRACK_LANG": "vi"}).stdout.startswith("Usage: dtrack")


def test_the_os_language_on_posix_is_the_first_locale_variable_set():
    from dtrack.config import os_language
    assert os_language({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}) == "vi_VN.UTF-8"
    assert os_language({"LC_MESSAGES": "vi_VN", "LANG": "en_US.UTF-8"}) == "vi_VN"
    assert os_language({"LANG": "vi_VN.UTF-8"}) == "vi_VN.UTF-8"


def test_the_store_language_is_read_fast_and_agrees_with_yaml(tmp_path):
    from dtrack.store.files import load_settings, settings_language
    for text, want in [("language: vi\n", "vi"), ("language: en  # the office's\r\n", "en"),
                       ("language: 'vi'\n", "vi"), ("{language: vi}\n", "vi"), ("office: x\n", None),
                       ("language: vi\nlanguage: en\n", None)]:      # a key written twice: check reports it
        (tmp_path / "settings.yaml").write_bytes(text.encode("utf-8"))
        assert settings_language(tmp_path) == want == load_settings(tmp_path)[0].language, text
    (tmp_path / "settings.yaml").unlink()
    assert settings_language(tmp_path) is None


# ---------------------------------------------------------------------------- a store made by init

def test_init_writes_vietnamese_settings_and_the_store_then_speaks_vietnamese(cli, tmp_path):
    import json

    import jsonschema
    import yaml

    from dtrack.store.files import load_settings
    root = tmp_path / "office"
    made = cli("init", str(root), "--office", "VĂN PHÒNG UBND TỈNH QUẢNG NGÃI", "--signer-title",
               "KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG", "--signer-name", "Nguyễn Văn \"A\"")
    assert made.exit_code == 0, made.output
    assert "đã tạo directives/settings.yaml" in made.stdout
    settings, problems = load_settings(root / "directives")
    assert problems == [] and settings.language == "vi" and settings.office == "VĂN PHÒNG UBND TỈNH QUẢNG NGÃI"
    assert (settings.signer.title, settings.signer.name) == ("KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG",
                                                             "Nguyễn Văn \"A\"")
    schema = json.loads((Path(dtrack.__file__).parent / "schema" / "settings.schema.json").read_text("utf-8"))
    jsonschema.validate(yaml.safe_load((root / "directives" / "settings.yaml").read_text("utf-8")), schema)
    assert cli("list", "-f", "table", cwd=root).stdout.splitlines()[-1] == "0 quá hạn · 0 đến hạn trong 14 ngày · 0 đang mở"
    assert cli("check", cwd=root).stderr.startswith("đã kiểm tra 2 tệp: 0 lỗi")
    assert cli("list", "--help", cwd=root).stdout.startswith("Cách dùng: dtrack list")


def test_check_reports_each_settings_problem_at_its_place(cli, tmp_path):
    root = _store(tmp_path, "version: 1\nlanguage: fr\nofice: x\nremind_days: -1\n")
    result = cli("--dir", str(root), "check")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("settings.yaml")] or \
        [line.split("store/", 1)[1] for line in result.stdout.splitlines() if "settings.yaml:" in line]
    assert lines == ["settings.yaml:2:11: error: 'language' must be one of: vi, en",
                     "settings.yaml:3:8: error: unknown setting 'ofice'; the settings are: version, language, "
                     "office, parent, province, place, remind_days, signer",
                     "settings.yaml:4:14: error: 'remind_days' must be a whole number of days from 0 to 366"]


def test_the_calendar_speaks_the_stores_language_whatever_the_clerks(cli, tmp_path):
    root = _store(tmp_path, "version: 1\nlanguage: vi\n")
    out = tmp_path / "lich.ics"
    told = cli("--dir", str(root), "--lang", "en", "export-ics", "-o", str(out))
    assert told.stderr.startswith(f"Wrote {out}: ")                 # the clerk's message in the clerk's language
    text = out.read_bytes().decode("utf-8").replace("\r\n ", "")
    assert "Mã nhiệm vụ: 1502-UBND-KGVX#2" in text and "Cơ quan ban hành: " in text and "Reference:" not in text
    assert "X-WR-CALDESC:Thời hạn các nhiệm vụ được giao" in text
    assert "Lặp lại: mỗi 2 tuần" in text
    english = _store(tmp_path / "en", "language: en\n")
    cli("--dir", str(english), "--lang", "vi", "export-ics", "-o", str(out))
    assert "Reference: 1502-UBND-KGVX#2" in out.read_bytes().decode("utf-8").replace("\r\n ", "")


def test_vietnamese_numbers_and_dates():
    from datetime import date

    from dtrack.domain import wording
    from dtrack.output.report_formats import rate_text
    assert wording.long_date(date(2025, 5, 28)) == "ngày 28 tháng 5 năm 2025"
    assert wording.every("1 month on day 20") == "1 tháng vào ngày 20" and wording.every("2 weeks", "en") == "2 weeks"
    assert rate_text(2 / 3) == "66.7%" and rate_text(0.5) == "50%"
    i18n.set_language("vi")
    assert rate_text(2 / 3) == "66,7 %" and rate_text(0.5) == "50 %"


def test_init_at_a_terminal_asks_for_the_office_and_the_signer_in_vietnamese(cli, tmp_path, monkeypatch):
    from dtrack.store.files import load_settings
    monkeypatch.setattr("dtrack.cli.lifecycle._tty", lambda: True)
    root = tmp_path / "office"
    made = cli.runner.invoke(cli.app, ["init", str(root), "--signer-name", "Trần Thị B"],
                             input="hue\nVĂN PHÒNG UBND TỈNH HUẾ\nCHÁNH VĂN PHÒNG\n")
    assert made.exit_code == 0, made.output
    assert "Tỉnh, thành phố (ví dụ Gia Lai; để trống: không chọn): " in made.stdout
    assert "Tên cơ quan (như ghi ở đầu công văn): " in made.stdout
    assert "Chức vụ người ký (KT. CHÁNH VĂN PHÒNG ...): " in made.stdout and "Họ tên người ký" not in made.stdout
    settings, _ = load_settings(root / "directives")
    assert (settings.office, settings.signer.title, settings.signer.name, settings.province) == \
        ("VĂN PHÒNG UBND TỈNH HUẾ", "CHÁNH VĂN PHÒNG", "Trần Thị B", "Huế")


def test_the_installed_script_speaks_the_stores_language(tmp_path):
    import subprocess

    from conftest import dtrack_script
    root = _store(tmp_path, "version: 1\nlanguage: vi\n")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DTRACK_LANG", "LC_ALL", "LC_MESSAGES")}
    proc = subprocess.run([dtrack_script(), "--dir", str(root), "list", "--bogus"], capture_output=True,
                          env=dict(env, LANG="en_US.UTF-8"))
    assert proc.returncode == 2
    assert proc.stderr.decode("utf-8").splitlines() == ["dtrack: lỗi: Không có tùy chọn: --bogus",
                                                        "Xem 'dtrack list --help'."]
