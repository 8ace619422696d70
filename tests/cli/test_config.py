"""Configuration is read once, at the command line's boundary, into one Config (dtrack/config.py)."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

import dtrack
from conftest import BUNDLED

from dtrack.config import Config
from dtrack.errors import UsageError

REAL = date(2026, 1, 5)
PACKAGE = Path(dtrack.__file__).parent
PENDING: set = set()      # (file, variable) still read in the library: none


def test_the_environment_gives_every_setting():
    config = Config.from_environ({"DTRACK_TODAY": "20/07/2024", "DTRACK_DIR": "store", "DTRACK_NO_CACHE": "1",
                                  "DTRACK_LANG": "vi_VN.UTF-8", "DTRACK_LOCK_TIMEOUT": "2.5",
                                  "DTRACK_DEBUG": "1"}, real_today=REAL).settled().with_options()
    assert config == Config(today=date(2024, 7, 20), today_text="20/07/2024", today_given=True, dir="store",
                            dir_origin="DTRACK_DIR", cache=False, lang="vi_VN.UTF-8", lock_timeout=2.5,
                            lock_timeout_text="2.5", debug=True)


def test_nothing_set_means_the_defaults():
    config = Config.from_environ({}, real_today=REAL).settled().with_options()
    assert config == Config(today=REAL)
    assert (config.today_given, config.dir, config.cache, config.lang, config.lock_timeout, config.debug) == \
        (False, None, True, "", None, False)


def test_options_win_over_the_environment():
    env = Config.from_environ({"DTRACK_TODAY": "1/1/2020", "DTRACK_DIR": "other"}, real_today=REAL)
    config = env.with_options(dir="mine", as_of="2024-07-20")
    assert (config.today, config.dir, config.dir_origin) == (date(2024, 7, 20), "mine", "--dir")
    assert env.with_options(dir="", as_of="").dir == "other"       # an empty option is no option


@pytest.mark.parametrize("raw, seconds", [("0", 0.0), ("60", 60.0), ("2.5", 2.5), ("86400", 86400.0), ("", None)])
def test_the_lock_timeout_is_seconds_from_zero_to_a_day(raw, seconds):
    assert Config.from_environ({"DTRACK_LOCK_TIMEOUT": raw}).settled().lock_timeout == seconds


@pytest.mark.parametrize("raw", ["soon", "-3", "nan", "inf", "1e400", "86401"])
def test_a_lock_timeout_that_is_no_number_of_seconds_is_a_usage_error_naming_the_variable(raw):
    config = Config.from_environ({"DTRACK_LOCK_TIMEOUT": raw})      # reading never fails ...
    with pytest.raises(UsageError) as caught:
        config.settled()                                             # ... checking does, once
    assert caught.value.message == f"DTRACK_LOCK_TIMEOUT={raw}: give a number of seconds from 0 to 86400"


def test_a_day_that_is_not_a_date_is_a_usage_error_naming_no_option():
    with pytest.raises(UsageError) as caught:
        Config.from_environ({"DTRACK_TODAY": "31/02/2024"}).with_options()
    assert caught.value.message == "'31/02/2024' is not a real date."        # the CLI adds "--as-of: "


def test_relative_days_count_from_the_real_date():
    assert Config.from_environ({}, real_today=REAL).with_options(as_of="+3d").today == date(2026, 1, 8)


def test_report_takes_the_day_from_dtrack_today_as_from_as_of(cli, monkeypatch):
    # Given a day (--as-of or DTRACK_TODAY), a report of a past period is as of that day, not of --to.
    args = ("--dir", str(BUNDLED), "report", "--to", "31/12/2023", "--format", "md")
    monkeypatch.setenv("DTRACK_TODAY", "2024-07-20")
    by_env = cli(*args).stdout
    by_option = cli("--as-of", "2024-07-20", *args, env={"DTRACK_TODAY": ""}).stdout
    assert "31/12/2023; state as of 20/07/2024" in by_env.splitlines()[0]
    assert by_env == by_option


def _reads_of_dtrack_variables(path: Path) -> set[str]:
    """DTRACK_* names this module reads from the environment: environ.get/[...]/getenv with a literal."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        key = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("get", "getenv", "pop") and (
                    func.attr == "getenv" or "environ" in ast.unparse(func.value)):
                key = node.args[0].value
        elif isinstance(node, ast.Subscript) and "environ" in ast.unparse(node.value) \
                and isinstance(node.slice, ast.Constant):
            key = node.slice.value
        if isinstance(key, str) and key.startswith("DTRACK_"):
            names.add(key)
    return names


def test_only_the_cli_and_config_read_dtrack_variables():
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("cli/") or rel == "config.py":
            continue
        found |= {(rel, name) for name in _reads_of_dtrack_variables(path)}
    assert sorted(found - PENDING) == []
    assert _reads_of_dtrack_variables(PACKAGE / "config.py") >= {"DTRACK_TODAY", "DTRACK_DIR", "DTRACK_LANG"}


def test_the_cli_reads_no_dtrack_variable_outside_config():
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        assert _reads_of_dtrack_variables(path) == set(), path.name
