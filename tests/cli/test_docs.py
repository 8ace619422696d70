"""The docs cover every command, and the README's sample output is what dtrack prints."""
from __future__ import annotations

import re

from conftest import BUNDLED, REPO


def _commands():
    """The commands a user sees (hidden ones, such as the pre-commit hook's, are internal)."""
    from dtrack.cli.app import app
    import typer.main
    group = typer.main.get_command(app)
    return sorted(name for name, cmd in group.commands.items() if not cmd.hidden)


def test_every_command_is_in_the_readme_and_has_an_example():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    from dtrack.cli.app import app
    import typer.main
    group = typer.main.get_command(app)
    for name in _commands():
        assert re.search(rf"dtrack (--[^\n]*? )?{re.escape(name)}\b", readme), f"README does not show 'dtrack {name}'"
        help_text = group.commands[name].help or ""
        assert "Example" in help_text, f"'dtrack {name} --help' has no example"


def test_readme_sample_output_is_real(cli):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ dtrack --as-of 20/07/2024 list\n", 1)[1].split("```", 1)[0]
    result = cli("--dir", str(BUNDLED), "--as-of", "20/07/2024", "list", "-f", "table", env={"COLUMNS": "100"})
    assert result.stdout == block


def test_format_doc_lists_every_json_key(cli):
    import json
    doc = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    row = json.loads(cli("--dir", str(BUNDLED), "list", "--all", "--json").stdout)[0]
    for key in row:
        assert f"`{key}`" in doc, f"docs/format.md does not document the JSON key {key}"


def test_every_test_the_reliability_page_names_exists():
    # The page is the proof table of docs/reliability.md: a renamed or deleted test would leave a
    # guarantee there with nothing behind it.
    doc = (REPO / "docs" / "reliability.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b(test_[a-z0-9_]+)\b(?!\.py)", doc))
    modules = set(re.findall(r"\b(tests/[\w/]+\.py)\b", doc))
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("*.py"))
    defined = set(re.findall(r"^\s*def (test_[a-z0-9_]+)", source, re.M))
    modnames = {p.stem for p in (REPO / "tests").rglob("test_*.py")}
    assert named, "the page names no test"
    assert sorted(named - defined - modnames) == []
    assert sorted(m for m in modules if not (REPO / m).exists()) == []
