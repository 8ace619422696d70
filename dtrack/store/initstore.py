"""`dtrack init`: a ready store for a new office.

    PATH/directives/agencies.yaml   today's agencies of the chosen province (store/agencyfile.py)
    PATH/directives/README.md       how clerks work and supervisors review (git log, merge requests)
    PATH/directives/settings.yaml   the store's settings: language (vi), office, signer (domain/settings.py)
    PATH/.gitattributes             directive files are LF in git whatever the clerk's computer
    PATH/.gitignore                 the files dtrack generates (calendars, exports, reports) stay out of git
    PATH/directives/.gitattributes  directive files merge task by task (store/mergesetup.py)
    <git hooks>/pre-commit          refuses a commit of directive files that do not validate

A git repository is created at PATH unless PATH is already inside one. Nothing is written before git
is known to be able to record the commit (`identity`): a store whose files are written but never
committed is what older versions left behind. Existing files are never overwritten; a store file that
exists but is not committed (such a half-made store) is committed as it is, so running init again
completes a store or changes nothing. The files go in one transaction (store/transaction.py) like
every other writing command.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from dtrack.domain import provinces
from dtrack.store import agencyfile, gitops, mergesetup, transaction
from dtrack.store import files as store_mod
from dtrack.domain.settings import Settings, to_yaml as settings_yaml
from dtrack.errors import GitError, UsageError
from dtrack.i18n import t

HOOK_MARK = "# dtrack pre-commit hook"

# Clerks on Windows often have core.autocrlf=true and editors that save CRLF. Keeping every directive
# LF inside git (dtrack's own edits keep whatever the working file has, and its commits go through the
# same attribute filters as 'git add') means a supervisor's diff shows the lines that changed, never a
# whole file flipped from LF to CRLF. Working copies may still be CRLF on Windows; git converts.
GITATTRIBUTES = """\
# dtrack: directive files are stored with LF line endings whatever the computer, so that a diff
# shows only the lines that changed. Editors on Windows (Notepad, VS Code, Notepad++) handle LF.
*.yaml text eol=lf
*.yml text eol=lf
*.md text eol=lf
"""

# What dtrack writes beside the directives and never commits: `export-ics` writes its calendar at the
# store's root (store/files.store_top), reports and exports are the clerk's copies, *.tmp are temp files.
GITIGNORE = """\
# dtrack: generated files, kept out of git
dtrack.ics
dtrack-*.ics
exports/
reports/
*.tmp
"""


@dataclass
class InitResult:
    root: Path
    created: list[Path] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    commit: str | None = None


def _data(name: str) -> bytes:
    return resources.files("dtrack").joinpath("data", name).read_bytes()


def hook_text(store_rel: str, python: str | None = None) -> str:
    """The pre-commit hook: POSIX sh, which git also runs on Windows (git-bash)."""
    python = python or Path(sys.executable).as_posix()
    quote = lambda s: "'" + s.replace("'", "'\"'\"'") + "'"   # noqa: E731
    return f"""#!/bin/sh
{HOOK_MARK}, installed by 'dtrack init'.
# Refuses a commit whose directive files do not validate, naming file:line and what is wrong.
# To commit anyway (not recommended): git commit --no-verify
store={quote(store_rel)}
py={quote(python)}
if "$py" -c 'import dtrack' >/dev/null 2>&1; then
    run() {{ "$py" -m dtrack "$@"; }}
elif command -v dtrack >/dev/null 2>&1; then
    run() {{ dtrack "$@"; }}
else
    echo "dtrack pre-commit: dtrack is not installed here; the directive files were not checked" >&2
    exit 0
fi
# hook-check validates the STAGED versions (what this commit records), not the working files.
run --dir "$store" hook-check
"""


def _hooks_dir(repo: Path) -> Path:
    out = gitops.run(repo, "rev-parse", "--git-path", "hooks").strip()
    path = Path(out)
    return path if path.is_absolute() else repo / path


def _existing(path: Path) -> Path:
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def identity(path: Path) -> bool:
    """Whether git, run where the store will be, knows who commits: user.name and user.email as git
    resolves them (repository and global config, GIT_AUTHOR_*/GIT_COMMITTER_* and EMAIL)."""
    where = _existing(path)
    try:
        for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            gitops.run(where, "var", var)
    except GitError:
        return False
    return True


def check_identity(path: Path, given: tuple[str, str] | None) -> None:
    """Before anything is written: a commit must be possible, with the identity `given` (the clerk
    typed it; init sets it in the repository) or the one git already has."""
    if given is not None:
        name, email = (x.strip() for x in given)
        if not name or "@" not in email or any(c in x for x in (name, email) for c in "<>\n"):
            raise UsageError(t("'{name} <{email}>' is not a name and an e-mail address git accepts",
                               name=name, email=email))
        return
    if not identity(path):
        raise UsageError(
            t("git does not know who you are, so init cannot commit the store; nothing was written"),
            hint=t('Run: git config --global user.name "Your Name" && git config --global user.email '
                   'you@example.org, then dtrack init again (or dtrack init --no-commit).'))


def init(path: Path, *, commit: bool = True, timeout: float | None = None,
         who: tuple[str, str] | None = None, settings: Settings = Settings(language="vi"),
         province: str | None = None) -> InitResult:
    if path.exists() and not path.is_dir():
        raise UsageError(t("{path} is a file, not a folder", path=path))
    if commit:
        check_identity(path, who)
    registry_text = agencyfile.province_registry(provinces.choose(province) if province else None)
    path.mkdir(parents=True, exist_ok=True)
    result = InitResult(path)
    repo = gitops.find_repo(path)
    if repo is None:
        gitops.run(path, "init", "-q")
        repo = path.resolve()
        result.messages.append(t("created a git repository in {path}", path=path))
    if commit and who is not None:
        _set_identity(repo, who, result)
    store = path / "directives"
    wanted = {
        store / store_mod.AGENCIES_FILE: registry_text,
        store / "README.md": _data("store-README.md"),
        store / store_mod.SETTINGS_FILE: settings_yaml(settings).encode("utf-8"),
        path / ".gitattributes": GITATTRIBUTES.encode("utf-8"),
        path / ".gitignore": GITIGNORE.encode("utf-8"),
        store / ".gitattributes": mergesetup.ATTRIBUTES.encode("utf-8"),
    }
    with transaction.open(path, commit=commit, timeout=timeout) as tx:
        result.warnings += tx.warnings
        present = [f for f in wanted if f.exists()]
        head = tx.committed(present)
        for file, data in wanted.items():
            if file not in present:
                tx.write(file, data, before=None)
                result.messages.append(t("created {path}", path=gitops.repo_path(repo, file)))
            elif file in head and head[file] is None:
                # Written by an init whose commit failed: committed now as the clerk may have edited it.
                current = tx.read(file)
                tx.write(file, current, before=current)
                result.messages.append(t("committed {path}, left uncommitted by an earlier init",
                                         path=gitops.repo_path(repo, file)))
            else:
                continue
            result.created.append(file)
        rels = sorted(gitops.repo_path(repo, f) for f in result.created)
        # The files go in the body: a subject listing them grows past what `git log --oneline` shows.
        result.commit = tx.finish(transaction.Message(t("init: a directive store"), "init",
                                                      paragraphs=["\n".join(rels)]))
        # The hook is in git's folder, not in the commit; under the lock all the same.
        _install_hook(repo, gitops.repo_path(repo, store) if store.resolve() != repo else ".", result)
        if mergesetup.configure(repo):
            result.messages.append(t("registered the task-level merge driver (git config merge.dtrack.driver)"))
    if result.commit:
        result.messages.append(t("committed {commit}", commit=result.commit[:7]))
    if not result.created:
        result.messages.append(t("{path} is already a dtrack store; nothing changed", path=store))
    return result


def _set_identity(repo: Path, given: tuple[str, str], result: InitResult) -> None:
    name, email = (x.strip() for x in given)
    gitops.run(repo, "config", "user.name", name)
    gitops.run(repo, "config", "user.email", email)
    result.messages.append(t("set the git identity of this repository: {name} <{email}>", name=name, email=email))


def _install_hook(repo: Path, store_rel: str, result: InitResult) -> None:
    hooks = _hooks_dir(repo)
    hook = hooks / "pre-commit"
    text = hook_text(store_rel).encode("utf-8")
    if hook.exists():
        current = hook.read_bytes()
        if current == text:
            return
        if HOOK_MARK.encode() not in current:
            result.warnings.append(t("{hook} exists and is not dtrack's; left as it is. To check directive files "
                                     "before each commit, add to it: dtrack --dir {store} hook-check",
                                     hook=hook, store=store_rel))
            return
    hooks.mkdir(parents=True, exist_ok=True)
    store_mod.write_atomic(hook, text)
    if os.name != "nt":
        hook.chmod(0o755)
    result.messages.append(t("installed the pre-commit hook ({hook})", hook=gitops.repo_path(repo, hook)
                             if hook.resolve().is_relative_to(repo) else hook))
