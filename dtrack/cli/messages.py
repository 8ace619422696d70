"""Every message id of the code, and how a catalogue stands against them.

`python -m dtrack.cli.messages` lists the ids a catalogue lacks and the entries no code uses
any more, for a translator; the tests run the same functions (tests/cli/test_i18n_catalogue.py).
The ids are the literals given to `t()` and the texts `--help` shows: the group's and every
command's help, each option's and argument's help and the registry's summaries, which
cli/helptext.py translates when help is drawn.
"""
from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def source_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@functools.lru_cache(maxsize=None)
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def t_literals() -> set[str]:
    """The first argument of every `t("...")` call in dtrack's source."""
    ids: set[str] = set()
    for path in source_files():
        for node in ast.walk(parsed(path)):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                ids.add(node.args[0].value)
    return ids


def help_texts() -> set[str]:
    """What `--help` shows, as the English the code holds: built from the real commands, so a help
    text held in a constant (help=_NO_COMMIT) counts like a literal."""
    from dtrack.cli.app import app
    from dtrack.cli.commands import commands_dict
    import typer

    from dtrack.cli.group import load
    from dtrack.cli.helptext import Context, help_key

    texts: set[str] = set()
    group = typer.main.get_command(app)
    commands = [group, *(load(name, info) for name, info in commands_dict.items())]
    for command in commands:
        if command.help:
            texts.add(help_key(command.help))
        params = command.get_params(Context(command))      # the help option's own help too
        texts.update(p.help for p in params if getattr(p, "help", None))
    texts.update(info.summary for info in commands_dict.values())
    return texts


def code_messages() -> set[str]:
    return t_literals() | help_texts()


def catalogue(lang: str = "vi") -> dict[str, str]:
    from babel.messages.pofile import read_po
    with (PACKAGE / "locales" / lang / "LC_MESSAGES" / "dtrack.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def main() -> int:
    lang = sys.argv[1] if len(sys.argv) > 1 else "vi"
    ids, entries = code_messages(), catalogue(lang)
    missing = sorted(i for i in ids if not entries.get(i))
    stale = sorted(set(entries) - ids)
    for title, items in (("missing", missing), ("stale", stale)):
        for item in items:
            print(f"{title}: {item!r}")
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
