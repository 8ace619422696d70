"""The lazy command registry: every command resolves, `dtrack --help` lists them from the registry
alone, and a command's module is imported only when that command is used."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import dtrack_script

from dtrack.cli.commands import commands_dict

HEAVY = ("yaml", "rich", "ics", "dateutil", "sqlite3", "icalendar")
CLI = Path(importlib.import_module("dtrack.cli").__file__).parent
COMMAND_MODULES = sorted({info.module for info in commands_dict.values()})


def _imported_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code` (which may exit, as --help does)."""
    probe = ("import sys\n"
             "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) +
             "except SystemExit:\n    pass\n"
             "sys.stdout = sys.__stdout__\n"
             "print('\\n'.join(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("name", sorted(commands_dict))
def test_every_registered_command_resolves_and_its_summary_is_its_help(name):
    from dtrack.cli.group import load
    info = commands_dict[name]
    function = getattr(importlib.import_module(info.module), info.attr)
    assert callable(function)
    command = load(name, info)
    assert command.name == name and command.hidden == info.hidden
    # The first sentence of the help is what `--help` showed before the registry: the two stay in step.
    assert command.get_short_help_str(limit=1000) == info.summary


def test_help_lists_every_visible_command_with_its_summary():
    proc = subprocess.run([dtrack_script(), "--help"], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode("utf-8").split("Commands:\n", 1)[1].splitlines()
    # A long summary wraps onto indented lines: whole, never cut with "..." or "…".
    listed: dict[str, str] = {}
    for line in (x for x in lines if x.strip()):
        if line.startswith("   "):
            listed[name] += " " + line.strip()
        else:
            name, listed[line.split()[0]] = line.split()[0], line.split(None, 1)[1]
    visible = [name for name, info in commands_dict.items() if not info.hidden]
    assert list(listed) == visible
    for name in visible:
        assert listed[name] == commands_dict[name].summary, name
    assert "hook-check" not in listed


def test_help_imports_no_command_module_and_nothing_heavy():
    loaded = _imported_after("sys.argv = ['dtrack', '--help']\nfrom dtrack.cli.app import main\nmain()")
    assert "dtrack.cli.group" in loaded                      # the probe did run the CLI
    assert sorted(m for m in COMMAND_MODULES if m in loaded) == []
    assert sorted(m for m in HEAVY if m in loaded) == []


def test_a_command_help_imports_its_own_module_only():
    loaded = _imported_after("sys.argv = ['dtrack', 'report', '--help']\nfrom dtrack.cli.app import main\nmain()")
    assert "dtrack.cli.supervise" in loaded
    assert sorted(m for m in COMMAND_MODULES if m in loaded) == ["dtrack.cli.supervise"]


def test_command_modules_import_nothing_heavy_and_never_the_app():
    """Moved from tests/store/test_cache.py. Every dtrack/cli/*.py module (new ones are picked up
    here): importing it loads none of the heavy libraries, and no command module imports cli.app
    back (that was a cycle; modules register nothing on import)."""
    modules = sorted("dtrack.cli." + p.stem for p in CLI.glob("*.py") if p.stem != "__init__")
    assert "dtrack.cli.app" in modules and set(COMMAND_MODULES) <= set(modules)
    loaded = _imported_after("import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules))
    assert sorted(m for m in HEAVY if m in loaded) == []
    for module in COMMAND_MODULES:
        alone = _imported_after(f"import {module}")
        assert "dtrack.cli.app" not in alone, module


def test_a_command_runs_through_the_registry(cli, store_dir):
    result = cli("--dir", str(store_dir), "due", "--within", "30d")
    assert result.exit_code == 0
    assert result.stdout == cli("--dir", str(store_dir), "list", "--within", "30d").stdout
    assert "2024-07-17-bo-sung-kinh-phi#3" in result.stdout
