"""`dtrack resolve REF --ours|--theirs`: keep one version of a task the merge driver left in conflict;
and `dtrack setup-merge`: register that driver in an existing clone."""
from __future__ import annotations

from pathlib import Path

from dtrack.errors import DataError, NotFoundError, UsageError
from dtrack.i18n import t
from dtrack.store import files as store_mod
from dtrack.store import gitops, journal, lock, mergefile, mergesetup, transaction


def _file_of(root: Path, stem: str) -> Path:
    # The store's own walk, compared by name: a glob of the argument took 'resolve *#1' to the first file.
    found = [p for _rel, p in store_mod.iter_files(root) if p.name[: -len(store_mod.SUFFIX)] == stem]
    if not found:
        raise NotFoundError(t("no directive file '{stem}' in {root}", stem=stem, root=root),
                            hint=t("Give the name 'dtrack list' shows in its error line, e.g. 2022-02-14-nhiem-vu#4."))
    return found[0]


def resolve(root: Path, ref: str, side: str, *, timeout: float | None = None) -> str:
    stem, _, task = ref.partition("#")
    stem = Path(stem).stem if stem.endswith((".yaml", ".yml")) else stem
    if task and not (task.isdecimal() and len(task) <= 9):      # int() refuses 4,300+ digits: exit 70
        raise UsageError(t("'{ref}' is not a task reference (DIRECTIVE#N)", ref=ref))
    n = int(task) if task else None
    path = _file_of(root, stem)
    with lock.store_lock(root, timeout):
        journal.sweep(root, [path])          # what a resolve killed in its write left beside the file
        shown = path.relative_to(root.parent).as_posix() if path.is_relative_to(root.parent) else str(path)
        try:
            raw = store_mod.read_bytes(path)
            text = store_mod.decode(raw)        # a non-UTF-8 file was exit 70
        except store_mod._Unreadable as e:
            raise DataError(f"{shown}:{e.line}: {e.message}" if e.line else f"{shown}: {e.message}") from None
        new, settled, left = mergefile.resolve_text(text, n, side)
        if not settled and _written_not_marked(root, path, text):
            return t("{path}: no conflict left in the file; marked settled; run 'dtrack sync' to finish", path=shown)
        if not settled:
            raise NotFoundError(t("{path}: no conflict on {what} to settle", path=shown,
                                  what=t("task {n}", n=n) if n is not None else t("any task")))
        data = new.encode("utf-8")
        store_mod.write_atomic(path, data, expected=raw, root=root)
        repo = gitops.find_repo(root)
        rel = gitops.repo_path(repo, path) if repo is not None else None
        if rel and not left and gitops.run(repo, "ls-files", "-u", "--", rel).strip():
            # Marks the file settled for git's merge or rebase, which `dtrack sync` then finishes.
            gitops.run(repo, "add", "--", rel)
    msg = t("{path}: kept {side} for {n} conflict(s)", path=shown, side=t("ours") if side == "ours" else t("theirs"), n=settled)
    if left:
        return msg + t("; {n} left in the file", n=left)
    return msg + t("; run 'dtrack sync' to finish")


def _written_not_marked(root: Path, path: Path, text: str) -> bool:
    """A resolve killed between its write and its `git add` left the file settled but git's merge still
    waiting on it (stages 2 and 3: both sides changed it): mark it settled, as that run would have."""
    repo = gitops.find_repo(root)
    if repo is None or mergefile.conflicted_tasks(text) or "<<<<<<<" in text:
        return False
    rel = gitops.repo_path(repo, path)
    stages = {line.split()[2] for line in gitops.run(repo, "ls-files", "-u", "--", rel).splitlines() if line.strip()}
    if not {"2", "3"} <= stages:
        return False
    try:
        store_mod.parse(text)
    except store_mod._Unreadable:
        return False
    gitops.run(repo, "add", "--", rel)
    return True


def setup_merge(root: Path, *, timeout: float | None = None) -> list[str]:
    repo = gitops.find_repo(root)
    if repo is None:
        raise UsageError(t("{path} is not in a git repository", path=root))
    messages = []
    attributes = root / ".gitattributes"
    with transaction.open(root, timeout=timeout) as tx:
        before = tx.read(attributes) if attributes.exists() else None
        wanted = mergesetup.attributes_needed(before)
        if wanted is not None:
            tx.write(attributes, wanted, before=before)
            commit = tx.finish(transaction.Message(t("setup-merge: merge directive files task by task"), "setup-merge"))
            messages.append(t("wrote {path}", path=gitops.repo_path(repo, attributes)) +
                            (t(" — committed {commit}", commit=commit[:7]) if commit else ""))
        if mergesetup.configure(repo):
            messages.append(t("registered the task-level merge driver (git config merge.dtrack.driver)"))
    return messages or [t("the task-level merge driver is already set up; nothing changed")]
