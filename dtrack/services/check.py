"""`dtrack check`: every problem of a store as `path:line:col: error|warning: message`.

The per-file problems (YAML syntax, encoding, conflict markers, format v1, real dates)
come from the store loader itself, so `check` and every other command agree on what is
wrong. This module adds what needs the whole store or the registry: numbers and stems
unique across files, agency names known, file placement, dates in a sensible order.

With paths, only those files are validated in full; uniqueness is still judged against
the whole store, whose numbers are read with a line scan (no YAML parse), so a pre-commit
hook on a store of 10,000 files stays fast.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

from dtrack.store import files as store_mod
from dtrack.domain.agencies import Registry, entry_problems
from dtrack.errors import DtrackError
from dtrack.i18n import t
from dtrack.domain.model import Directive
from dtrack.domain.text import fold, name_key, nfc, one_line, safe_display

_NUMBER_LINE = re.compile(rb"^number:[ \t]*(.*?)[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    line: int
    col: int
    severity: str          # "error" | "warning"
    message: str

    def as_json(self, cwd: Path) -> dict:
        return {"path": display_path(self.path, cwd), "line": self.line or 1, "col": self.col or 1,
                "severity": self.severity, "message": self.message}


@dataclass
class Outcome:
    findings: list[Finding]
    files: int             # how many files were validated in full

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


def display_path(path: Path, cwd: Path) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:          # another drive on Windows
        return str(path)
    return (str(path) if rel.startswith("..") else rel).replace(os.sep, "/")


def format_finding(f: Finding, cwd: Path) -> str:
    """The one-line form editors and CI problem matchers understand. A problem of the whole file
    (or one YAML could not place) is reported at 1:1 so the line always has both numbers."""
    label = t("warning") if f.severity == "warning" else t("error")
    return (f"{display_path(f.path, cwd)}:{f.line or 1}:{f.col or 1}: {label}: "
            f"{safe_display(one_line(f.message))}")


# ---------------------------------------------------------------------------- the store

class _FileCheck:
    """The findings of one directive file, placed at the lines of the keys they concern."""

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text
        self.found: list[Finding] = []

    def add(self, where: tuple, message: str, severity: str = "error") -> None:
        line, col = store_mod.locate(self.text, where) if where else (1, 1)
        self.found.append(Finding(self.path, line, col, severity, message))


def _read_text(path: Path) -> str:
    try:
        return store_mod.decode(path.read_bytes())
    except (OSError, store_mod._Unreadable):
        return ""


def check_directive(directive: Directive, path: Path, registry: Registry, today: date) -> list[Finding]:
    """The checks of one loaded directive that the model does not make (it has no registry or clock)."""
    from dtrack.domain.recurrence import parse_every
    fc = _FileCheck(path, _read_text(path))
    d = directive
    folder = d.path.rsplit("/", 1)[0] if "/" in d.path else ""
    if d.issued and folder.split("/")[-1] != str(d.issued.year):
        fc.add(("issued",), t("the file is in '{folder}/' but the directive was issued in {year}; "
                              "move it to {year}/", folder=folder or ".", year=d.issued.year), "warning")
    if d.number:
        want = d.number.replace("/", "-")
        if nfc(d.stem) != nfc(want):
            fc.add(("number",), t("the file name '{stem}' does not match the number {number}; rename the file "
                                  "to {want}.yaml", stem=d.stem, number=d.number, want=want), "warning")
    elif d.issued and not nfc(d.stem).startswith(d.issued.isoformat()):
        fc.add(("issued",), t("an unnumbered directive's file name starts with its date: rename '{stem}' to "
                              "{date}-<short-title>.yaml", stem=d.stem, date=d.issued.isoformat()), "warning")
    for task in d.tasks:
        at = ("tasks", task.index)
        if task.status == "done" and task.done is None:
            fc.add(at + ("status",), t("task {n} is done but has no 'done:' date; add the day it was done "
                                       "(reports cannot judge it without one)", n=task.n))
        if task.done is not None:
            if task.status != "done":
                fc.add(at + ("done",), t("task {n} has a done date but its status is {status}",
                                         n=task.n, status=task.status), "warning")
            if d.issued and task.done < d.issued:
                fc.add(at + ("done",), t("task {n} was done on {done}, before the directive was issued ({issued})",
                                         n=task.n, done=task.done.isoformat(), issued=d.issued.isoformat()),
                       "warning")
            if task.done > today:
                fc.add(at + ("done",), t("task {n} is done on {done}, after today ({today})", n=task.n,
                                         done=task.done.isoformat(), today=today.isoformat()), "warning")
        if task.due is not None and d.issued and task.due < d.issued:
            fc.add(at + ("due",), t("task {n} is due on {due}, before the directive was issued ({issued})",
                                    n=task.n, due=task.due.isoformat(), issued=d.issued.isoformat()), "warning")
        if task.every is not None:
            try:
                parse_every(task.every)
            except DtrackError as e:
                fc.add(at + ("every",), _with_hint(e.message, e.hint))
            else:
                if task.due is None:
                    fc.add(at + ("every",), t("task {n} recurs but has no 'due:' for its first deadline",
                                              n=task.n), "warning")
        if task.until is not None and task.due is not None and task.until < task.due:
            fc.add(at + ("until",), t("task {n} recurs until {until}, before its first deadline {due}",
                                      n=task.n, until=task.until.isoformat(), due=task.due.isoformat()),
                   "warning")
        if task.import_notes:
            fc.add(at + ("import_notes",), t("task {n}: {count} import notes to verify; delete them once checked",
                                             n=task.n, count=len(task.import_notes)), "warning")
        if registry.agencies:
            _check_agencies(fc, task, at, registry)
    return fc.found


def _check_agencies(fc: _FileCheck, task, at: tuple, registry: Registry) -> None:
    for key, names in (("lead", task.lead), ("support", task.support)):
        for i, name in enumerate(names):
            if registry.get(name) is not None:
                continue
            close = registry.suggestions(name)
            hint = t("Did you mean: {names}?", names=", ".join(close)) if close else \
                t("Add it to agencies.yaml if it is a new agency.")
            where = at + (key, i) if len(names) > 1 or _is_list(fc.text, at + (key,)) else at + (key,)
            # An error, so the pre-commit hook refuses it: a misspelt agency drops out of every report.
            fc.add(where, _with_hint(t("unknown agency '{name}' in {key}", name=name, key=key), hint))
    both = {fold(registry.canonical(a)) for a in task.lead} & {fold(registry.canonical(a)) for a in task.support}
    if both:
        fc.add(at + ("support",), t("task {n} names the same agency as lead and as support", n=task.n), "warning")


def _with_hint(message: str, hint: str | None) -> str:
    if not hint:
        return message
    return f"{message}{'' if message.endswith(('.', '?', '!')) else '.'} {hint}"


def _is_list(text: str, where: tuple) -> bool:
    line, col = store_mod.locate(text, where)
    lines = text.splitlines()
    return 0 < line <= len(lines) and lines[line - 1][col - 1:col] in ("[", "-")


def _check_registry(root: Path) -> list[Finding]:
    """agencies.yaml: the loader's problems, each entry's shape, and no label claimed by two agencies."""
    path = root / store_mod.AGENCIES_FILE
    if not path.is_file():
        return []
    try:
        # read_bytes: a FIFO named agencies.yaml hung `check`, a link was followed, 100 MB were read
        text = store_mod.decode(store_mod.read_bytes(path))
        data = store_mod.parse(text)
    except OSError as e:
        return [Finding(path, 1, 1, "error", t("cannot read the file: {error}", error=e.strerror or e))]
    except store_mod._Unreadable as e:
        return [Finding(path, e.line, e.col, "error", e.message)]
    fc = _FileCheck(path, text)
    if data is not None and not isinstance(data, list):
        fc.add((), t("agencies.yaml must be a list of '- name: ...' entries"))
        return fc.found
    owner: dict[str, str] = {}
    entry_of: dict[str, int] = {}      # an agency written twice: one entry silently hid the other
    for i, item in enumerate(data or []):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            fc.add((i,), t("entry {i} has no name; write '- name: ...'", i=i + 1))
            continue
        aliases = item.get("aliases") or []
        if not isinstance(aliases, (list, str)):
            fc.add((i, "aliases"), t("aliases must be a list of names"))
            continue
        name = nfc(item["name"].strip())
        labels = [(("name",), name)] + [(("aliases", j) if isinstance(aliases, list) else ("aliases",), nfc(str(a)))
                                         for j, a in enumerate(aliases if isinstance(aliases, list) else [aliases])]
        if name_key(name) in entry_of:
            fc.add((i, "name"), t("'{name}' is already entry {j}; merge the two entries into one",
                                  name=name, j=entry_of[name_key(name)]))
        entry_of.setdefault(name_key(name), i + 1)
        for where, label in labels:
            key = name_key(label)
            if key in owner and owner[key] != name:
                fc.add((i,) + where, t("'{label}' already names {other}; an abbreviation must name one agency",
                                       label=label, other=owner[key]), "error" if where == ("name",) else "warning")
            owner.setdefault(key, name)
    for where, message, severity in entry_problems(data):
        fc.add(where, message, severity)
    return fc.found


def _scan_numbers(root: Path, skip: set[str]) -> dict[str, list[tuple[str, str]]]:
    """stem -> [(rel, number)] of the files not validated in full, from their `number:` line alone."""
    out: dict[str, list[tuple[str, str]]] = {}
    for rel, path in store_mod.iter_files(root):
        if rel in skip:
            continue
        number = ""
        try:
            m = _NUMBER_LINE.search(path.read_bytes())
        except OSError:
            m = None
        if m:
            number = _scalar(m.group(1).decode("utf-8", "replace"))
        out.setdefault(_stem(rel), []).append((rel, number))
    return out


def _scalar(raw: str) -> str:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        import yaml
        try:
            value = yaml.safe_load(raw)
            return "" if value is None else nfc(str(value)).strip()
        except yaml.YAMLError:
            return raw.strip("'\"")
    return nfc(raw.split(" #", 1)[0].strip())


def _stem(rel: str) -> str:
    return nfc(rel.rsplit("/", 1)[-1][: -len(store_mod.SUFFIX)])


def _uniqueness(checked: list[tuple[Directive, Path]], others: dict[str, list[tuple[str, str]]],
                root: Path) -> list[Finding]:
    """Stems and numbers must each name one file: references (1502#2) resolve by them."""
    stems: dict[str, list[str]] = {}
    numbers: dict[str, list[str]] = {}
    for stem, entries in others.items():
        for rel, number in entries:
            stems.setdefault(fold(stem), []).append(rel)
            if number:
                numbers.setdefault(fold(number), []).append(rel)
    for d, _ in checked:
        stems.setdefault(fold(d.stem), []).append(d.path)
        if d.number:
            numbers.setdefault(fold(d.number), []).append(d.path)
    found = []
    for d, path in checked:
        fc = _FileCheck(path, _read_text(path))
        twins = [r for r in stems[fold(d.stem)] if r != d.path]
        if twins:
            fc.add((), t("another file has the same name '{stem}': {others}; rename one of them so references "
                         "stay unique", stem=d.stem, others=", ".join(sorted(twins))))
        if d.number:
            twins = [r for r in numbers[fold(d.number)] if r != d.path]
            if twins:
                fc.add(("number",), t("number {number} is also used by {others}; a document number names one "
                                      "directive", number=d.number, others=", ".join(sorted(twins))))
        found += fc.found
    return found


def _stray_files(root: Path) -> list[Finding]:
    """`.yml` files in the store: dtrack reads only `.yaml`, so these would be silently ignored."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        for name in files:
            if name.endswith(".yml") and not name.startswith("."):
                found.append(Finding(Path(folder) / name, 1, 1, "warning",
                                     t("dtrack reads only .yaml files; rename it to .yaml or move it out of "
                                       "the store")))
    return found


def run_check(root: Path, today: date, paths: Sequence[Path] = ()) -> Outcome:
    """Check the whole store, or only `paths` (files outside the store, such as a CI file that a
    pre-commit hook passes along, are not directive files and are skipped)."""
    root = root.resolve()
    registry, _ = store_mod.load_registry(root)
    findings: list[Finding] = []
    targets: list[tuple[str, Path]] = []
    check_registry = check_settings = not paths
    missing: list[Finding] = []
    if paths:
        for p in paths:
            p = Path(p).resolve()
            if not p.exists():
                # Inside the store or not: a path that names nothing is a typo, never "clean".
                missing.append(Finding(Path(store_mod._shown_name(str(p))), 1, 1, "error", t("no such file")))
                continue
            try:
                rel = p.relative_to(root).as_posix()
            except ValueError:
                continue
            if rel != "." and any(part.startswith(".") for part in rel.split("/")):
                continue
            if p.is_dir():
                # `dtrack check directives/2025`: the directive files under it ("checked 0 file(s)" before).
                inside = "" if rel == "." else rel + "/"
                targets += [(r, f) for r, f in store_mod.iter_files(root) if r.startswith(inside)]
                continue
            if rel == store_mod.AGENCIES_FILE:
                check_registry = True
            elif rel == store_mod.SETTINGS_FILE:
                check_settings = True
            elif rel.endswith(store_mod.SUFFIX):
                targets.append((rel, p))
            elif rel.endswith(".yml"):
                findings.append(Finding(p, 1, 1, "warning", t("dtrack reads only .yaml files; rename it to .yaml "
                                                              "or move it out of the store")))
    else:
        targets = list(store_mod.iter_files(root))
        findings += _stray_files(root)
    if check_registry:
        findings += _check_registry(root)
    if check_settings:
        findings += [Finding(p.path, p.line, p.col, "error", p.message) for p in store_mod.load_settings(root)[1]]
    findings += missing
    checked: list[tuple[Directive, Path]] = []
    for rel, path in targets:
        directive, problems = store_mod.load_directive(path, rel)
        mine = check_directive(directive, path, registry, today) if directive is not None else []
        # The model warns about a done task without a date; check reports it as an error at the same place.
        taken = {(f.line, f.col) for f in mine if f.severity == "error"}
        findings += [Finding(p.path, p.line, p.col, p.severity, p.message) for p in problems
                     if not (p.severity == "warning" and (p.line, p.col) in taken)]
        findings += mine
        if directive is not None:
            checked.append((directive, path))
    others = _scan_numbers(root, {rel for rel, _ in targets}) if paths else {}
    findings += _uniqueness(checked, others, root)
    findings.sort(key=lambda f: (str(f.path), f.line, f.col))
    return Outcome(findings, len(targets) + (1 if check_registry and (root / store_mod.AGENCIES_FILE).is_file() else 0)
                   + (1 if check_settings and (root / store_mod.SETTINGS_FILE).is_file() else 0))


def as_json(outcome: Outcome, cwd: Path) -> dict:
    """The documented JSON of `dtrack check --json` (docs/supervisors.md)."""
    return {"files": outcome.files, "errors": outcome.errors, "warnings": outcome.warnings,
            "findings": [f.as_json(cwd) for f in outcome.findings]}


def lines(outcome: Outcome, cwd: Path) -> Iterable[str]:
    return (format_finding(f, cwd) for f in outcome.findings)
