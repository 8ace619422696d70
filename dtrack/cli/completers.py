"""What Tab completes that only the store knows, as parameter types of the commands' arguments and
options: references, from the index (store/collection.Collection.ref_prefixes), and agency names,
from the registry. Apart from cli/completion.py (the command that prints the scripts), so that a
command module importing these imports no other command's module."""
from __future__ import annotations

import importlib
import os
import shlex

import typer

# typer vendors click: its types are taken from wherever typer gets them (as cli/boundary.py does).
_click = typer.BadParameter.__module__.rsplit(".", 1)[0]
_types = importlib.import_module(_click + ".types")
COMPLETE_VAR = "_DTRACK_COMPLETE"


def _collection(ctx):
    """The store's Collection as the command line names it (--dir, DTRACK_DIR, the folders around),
    or None: completing never prints an error."""
    from dtrack.cli.context import Env
    from dtrack.errors import DtrackError
    root = ctx.find_root()
    env = root.obj
    try:
        if not isinstance(env, Env):
            # While completing, the group's callback does not run: its options are only parsed.
            env = Env(env.with_options(dir=root.params.get("dir"), as_of=None))
        return env.collection()
    except (DtrackError, OSError, AttributeError):
        return None


class Completed(_types.ParamType):
    """Text, completed by `complete(ctx, incomplete)`. A parameter type rather than typer's
    `autocompletion`, which keeps only the values that start with what was typed: "1502#" must
    offer 1502-UBND-KGVX#1, and "so tai" Sở Tài chính."""
    name = "text"

    def __init__(self, complete):
        self._complete = complete

    def convert(self, value, param, ctx):
        return value

    def shell_complete(self, ctx, param, incomplete):
        item = importlib.import_module(_click + ".shell_completion").CompletionItem
        return [item(v) for v in self._complete(ctx, incomplete)]


def _quoted(values: list[str]) -> list[str]:
    # bash inserts a completion as it is: a name with spaces needs its quotes (the other shells quote).
    if os.environ.get(COMPLETE_VAR) == "complete_bash":
        return [shlex.quote(v) for v in values]
    return values


def _refs(ctx, incomplete: str, **how) -> list[str]:
    collection = _collection(ctx)
    if collection is None:
        return []
    try:
        return collection.ref_prefixes(incomplete, **how)
    except Exception:  # noqa: BLE001 - a broken store completes nothing rather than print a traceback
        return []


def _references(ctx, incomplete: str) -> list[str]:
    """A directive or a task (show)."""
    return _refs(ctx, incomplete)


def _open_tasks(ctx, incomplete: str) -> list[str]:
    """A task that is open (done, extend, cancel)."""
    return _refs(ctx, incomplete, tasks_only=True, status="open")


def _tasks(ctx, incomplete: str) -> list[str]:
    """Any task (reopen, edit)."""
    return _refs(ctx, incomplete, tasks_only=True)


def _agencies(ctx, incomplete: str) -> list[str]:
    """The names and abbreviations of agencies.yaml that start with what was typed (diacritics ignored)."""
    from dtrack.domain.text import fold
    collection = _collection(ctx)
    if collection is None:
        return []
    key = fold(incomplete)
    try:
        labels = [label for agency in collection.registry.agencies for label in (agency.name, *agency.aliases)]
    except Exception:  # noqa: BLE001 - as _refs
        return []
    return _quoted(sorted({x for x in labels if fold(x).startswith(key)}, key=fold))


def _directives(ctx, incomplete: str) -> list[str]:
    """A directive (add-task)."""
    return [r for r in _refs(ctx, incomplete) if "#" not in r]


REFERENCES, OPEN_TASKS, TASKS, AGENCIES, DIRECTIVES = map(Completed, (_references, _open_tasks, _tasks, _agencies,
                                                                     _directives))
