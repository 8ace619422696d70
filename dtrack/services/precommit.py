"""The check the pre-commit hook runs: every staged directive file (and agencies.yaml) must parse
and be format v1. It reads the staged versions, not the working files, because that is what the
commit will hold (`dtrack check` reads the working files and checks more, for CI and by hand)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from dtrack.store import gitops
from dtrack.store import files as store_mod
from dtrack.domain.agencies import Registry
from dtrack.i18n import t
from dtrack.domain.model import InvalidDirective, directive_from_data
from dtrack.domain.settings import from_data as settings_from_data
from dtrack.domain.text import safe_display


def staged_problems(root: Path) -> list[str]:
    repo = gitops.find_repo(root)
    if repo is None:
        return []
    prefix = gitops.repo_path(repo, root) if root.resolve() != repo else ""
    out = gitops.run(repo, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--", prefix or ".")
    problems = []
    for rel in filter(None, out.split("\0")):
        if not rel.endswith(store_mod.SUFFIX) or any(part.startswith(".") for part in rel.split("/")):
            continue
        data = subprocess.run(["git", "show", f":{rel}"], cwd=repo, capture_output=True).stdout
        # safe_display: a colleague's name with a line break printed as two lines of the hook's report
        shown = safe_display(rel.replace("\n", "\\n"))
        problems += [f"{shown}:{line}: {message}" for line, message in _check(rel, data, prefix)]
    return problems


def _check(rel: str, data: bytes, prefix: str) -> list[tuple[int, str]]:
    text = ""
    try:
        text = store_mod.decode(data)
        parsed = store_mod.parse(text)
    except store_mod._Unreadable as e:
        return [(e.line, e.message)]
    inside = rel[len(prefix) + 1:] if prefix else rel
    if inside == store_mod.AGENCIES_FILE:
        return [(0, m) for m in Registry.from_data(parsed)[1]]
    if inside == store_mod.SETTINGS_FILE:     # the store's settings, never a directive (every commit of it was refused)
        return [(store_mod.locate(text, (key,) if key else ())[0], m) for key, m in settings_from_data(parsed)[1]]
    stem = rel.rsplit("/", 1)[-1][: -len(store_mod.SUFFIX)]
    try:
        directive_from_data(parsed, stem, inside)
    except InvalidDirective as e:
        return [(store_mod.locate(text, p.where)[0] if p.where else 1, p.message) for p in e.problems]
    return []


def report(problems: list[str]) -> str:
    return "\n".join(problems + [t("dtrack: the commit was refused: fix the lines above (or commit with --no-verify)")])
