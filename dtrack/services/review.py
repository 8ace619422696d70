"""`dtrack review [RANGE]`: what changed between two states of the store, task by task, computed from
the files themselves (so hand edits count as much as dtrack's commits): added, done (on time or late),
reopened, extended (from -> to, by which document), cancelled, reassigned, noted, text or deadline edited;
for a recurring task, each occurrence done.

Two ways to read a range. By default, the net difference between its two ends: what a supervisor signs
off (a task done then reopened within the range shows as not changed). The author of a change is then
the last commit of the range that touched the task's file and, when dtrack made it, named the task in
its Dtrack-Ref trailers (else the last commit that touched the file). With `each`, every commit of
the range on its own (merge commits aside: the merge driver only joins what the commits did), against
its first parent, with that commit's author: who did what, even what a later commit undid."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from dtrack.errors import UsageError
from dtrack.i18n import t
from dtrack.store import commitmsg, gitops
from dtrack.store.files import decode, parse

LAST_SYNC = "refs/dtrack/last-sync"       # sync.py moves it: the clerk's HEAD before each sync


@dataclass
class Change:
    ref: str
    kind: str                 # added, done, reopened, extended, cancelled, reassigned, text, deadline
    lead: str
    author: str
    detail: str = ""
    late: bool | None = None
    commit: str = ""          # with `each`: the commit that made the change


def _tasks(raw: bytes | None) -> dict[int, dict]:
    try:
        data = parse(decode(raw)) if raw is not None else None
    except Exception:       # noqa: BLE001 - not readable at that commit: no tasks to compare
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        return {}
    return {x["n"]: x for x in data["tasks"] if isinstance(x, dict) and isinstance(x.get("n"), int)}


def _authors(repo: Path, base: str, head: str, store: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Per file changed in the range: its last author, and per task ref the last author whose commit
    named it. One `git log` for the range, not one per file (1,000 files changed by one colleague's
    commit took 7.2 s, three git processes a file)."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for (author,), body, names in gitops.log(repo, ["%an"], "%B", f"{base}..{head}", "--", store, names=True):
        refs = commitmsg.read(body)[0].get(commitmsg.REF, [])
        for rel in names:
            _, by_ref = found.setdefault(rel, (author, {}))     # newest first: its first author is the last
            for ref in refs:
                by_ref.setdefault(ref, author)
    return found


def _day(value) -> date | None:
    return value if isinstance(value, date) else None


def _diff(old: dict | None, new: dict) -> list[tuple[str, str, bool | None]]:
    if old is None:
        return [("added", "", None)]
    found = []
    status_old, status_new = old.get("status", "open"), new.get("status", "open")
    if status_new != status_old:
        if status_new == "done":
            done, due = _day(new.get("done")), _day(new.get("due"))
            late = bool(done and due and done > due)
            found.append(("done", done.strftime("%d/%m/%Y") if done else "", late))
        elif status_new == "cancelled":
            found.append(("cancelled", "", None))
        elif status_new == "open":
            found.append(("reopened", "", None))
    old_occ, new_occ = _records(old, "occurrences"), _records(new, "occurrences")
    for occ in new_occ[len(old_occ):] if len(new_occ) > len(old_occ) else ():
        done, due = _day(occ.get("done")), _day(occ.get("due"))
        found.append(("done", t("occurrence of {due}", due=_shown(due)) + (f", {_shown(done)}" if done else ""),
                      bool(done and due and done > due)))
    old_ext, new_ext = old.get("extensions") or [], new.get("extensions") or []
    if isinstance(new_ext, list) and len(new_ext) > len(old_ext if isinstance(old_ext, list) else []):
        for ext in new_ext[len(old_ext):]:
            if isinstance(ext, dict):
                found.append(("extended", f"{_shown(ext.get('from'))} → {_shown(ext.get('to'))}"
                              + (f" ({ext['by']})" if ext.get("by") else ""), None))
    elif new.get("due") != old.get("due") and len(new_occ) == len(old_occ):
        found.append(("deadline", f"{_shown(old.get('due'))} → {_shown(new.get('due'))}", None))
    if new.get("lead") != old.get("lead"):
        found.append(("reassigned", f"{old.get('lead', '')} → {new.get('lead', '')}", None))
    if new.get("text") != old.get("text"):
        found.append(("text", "", None))
    if new.get("note") != old.get("note"):
        found.append(("noted", str(new.get("note") or ""), None))
    return found


def _records(task: dict, key: str) -> list[dict]:
    value = task.get(key)
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _shown(value) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value or "—")


def base_of(repo: Path, since_rev: str | None, since_date: date | None) -> tuple[str, str]:
    if since_date is not None:
        found = gitops.run(repo, "rev-list", "-1", f"--before={since_date.isoformat()} 00:00", "HEAD").strip()
        if not found:
            found = gitops.run(repo, "rev-list", "--max-parents=0", "HEAD").split()[0]
        return found, "HEAD"
    if since_rev:
        base, _, head = since_rev.partition("..")
        return base, head or "HEAD"
    if gitops.run(repo, "for-each-ref", LAST_SYNC).strip():
        return LAST_SYNC, "HEAD"
    raise UsageError(t("no sync yet to review from"), hint=t("Give a range (dtrack review main~10..main) or --since DATE."))


def review(root: Path, base: str, head: str, each: bool = False) -> list[Change]:
    repo = gitops.find_repo(root)
    if repo is None:
        raise UsageError(t("{path} is not in a git repository", path=root))
    store = gitops.repo_path(repo, root) if root.resolve() != repo else "."
    for rev in (base, head):
        try:
            gitops.run(repo, "rev-parse", "--verify", "-q", rev + "^{commit}")
        except Exception:       # noqa: BLE001 - GitError: say which revision, not git's words
            raise UsageError(t("'{rev}' is not a commit of this repository", rev=rev)) from None
    if not each:
        authors = _authors(repo, base, head, store)
        return _between(repo, store, base, head, lambda rel: authors.get(rel, ("", {})))
    changes = []
    for (commit, parents, author), _, _ in gitops.log(repo, ["%H", "%P", "%an"], "", "--no-merges", "--reverse",
                                                      f"{base}..{head}", "--", store):
        parent = parents.split()[0] if parents.split() else _EMPTY_TREE
        for change in _between(repo, store, parent, commit, lambda rel: (author, {})):
            change.commit = commit
            changes.append(change)
    return changes


_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"     # git's tree with no file: a root commit's parent


def _between(repo: Path, store: str, base: str, head: str, authors) -> list[Change]:
    names = gitops.run(repo, "diff", "--name-only", "-z", base, head, "--", store)
    rels = sorted(n for n in names.split("\0") if n.endswith((".yaml", ".yml")))
    # Both sides in two git processes (one `cat-file --batch` each), whatever the number of files.
    before, after = gitops.committed(repo, rels, base)[1], gitops.committed(repo, rels, head)[1]
    changes = []
    for rel in rels:
        stem = Path(rel).stem
        old, new = _tasks(before[rel]), _tasks(after[rel])
        if not new:
            continue
        last, by_ref = authors(rel)
        for n, task in new.items():
            if old.get(n) == task:
                continue
            ref = f"{stem}#{n}"
            for kind, detail, late in _diff(old.get(n), task):
                changes.append(Change(ref, kind, str(task.get("lead", "")), by_ref.get(ref, last), detail, late))
    return changes


def _title(kind: str) -> str:
    return {"added": t("added"), "done": t("done"), "reopened": t("reopened"), "extended": t("extended"),
            "cancelled": t("cancelled"), "reassigned": t("reassigned"), "text": t("text edited"),
            "deadline": t("deadline edited"), "noted": t("noted")}[kind]


def lines(changes: list[Change], by: str, markdown: bool) -> list[str]:
    groups: dict[str, list[Change]] = {}
    for c in changes:
        groups.setdefault(c.author if by == "author" else c.lead, []).append(c)
    done = [c for c in changes if c.kind == "done"]
    out = [t("{n} change(s) to {tasks} task(s): {done} done ({late} late)", n=len(changes),
             tasks=len({c.ref for c in changes}), done=len(done), late=sum(bool(c.late) for c in done))]
    for name, items in sorted(groups.items()):
        out.append(("\n### " if markdown else "") + (name or t("(no lead)")))
        for c in items:
            what = _title(c.kind) + (t(" (late)") if c.late else "")
            tail = f" {c.detail}" if c.detail else ""
            who = f" — {c.author}" if by != "author" else ""
            out.append(f"{'- ' if markdown else '  '}{c.ref}: {what}{tail}{who}")
    return out


def as_json(changes: list[Change]) -> list[dict]:
    return [asdict(c) for c in changes]

