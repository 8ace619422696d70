"""Measure `dtrack import` against what a person says the documents contain.

    python -m dtrack.importer.evaluate [--seeds DIR] [--dir DIRECTIVES] [-v]
    python -m dtrack.eval_import DIR [--json] [-v]

Two kinds of answer key, one scorer:

* hand files (the seeds): every *.txt/*.md/*.docx/*.pdf of the seeds folder is compared with the
  directive file whose `source:` names it; exits 1 when a target is missed (every task found,
  every lead right, every dated deadline right).
* gold files: every document of DIR with a `name.gold.json` beside it (the format in README.md,
  "Import a directive from its text"); prints the figures and exits 0.

Tasks are paired by how much of the key's text (a gold `summary` may be a shortened text) the
imported task contains. A dated deadline is a key task with a `due`; it is right when the paired
task has that due. A wrong date is a paired task whose due is set and differs from the key (a
date where the key has none included): it is flagged when the task carries a flag, and a wrong
date without a flag is what an honest importer must never write.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from dtrack.domain.text import fold

MATCH = 0.6
DOC_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
GOLD_SUFFIX = ".gold.json"
COUNTS = ("hand", "found", "missed", "extra", "lead_ok", "dated", "dated_ok", "deadline_ok",
          "wrong_dates", "wrong_flagged", "issued_ok", "number_ok")


@dataclass
class Score:
    name: str
    hand: int = 0
    found: int = 0
    missed: int = 0
    extra: int = 0
    lead_ok: int = 0
    dated: int = 0          # key tasks with a due date (not recurring)
    dated_ok: int = 0
    deadline_ok: int = 0    # due (or every) equal, no deadline included
    wrong_dates: int = 0    # a due written that the key does not have
    wrong_flagged: int = 0  # ... on a task that carries a flag
    issued_ok: int = 0      # the document's issue date (gold files)
    number_ok: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def wrong_unflagged(self) -> int:
        return self.wrong_dates - self.wrong_flagged


@dataclass(frozen=True)
class Expected:
    """One task of an answer key, whichever file it came from."""
    n: int
    text: str
    lead: tuple[str, ...]
    due: date | None
    every: str | None = None
    due_text: str | None = None


_WORD = re.compile(r"\w+")


def _similarity(a: str, b: str) -> float:
    """How well an imported text `b` stands for the key's text `a`: the whole-text ratio, or the
    share of the key's words found in order in `b` (a summary is often the text's first clause)."""
    fa, fb = fold(a), fold(b)
    whole = difflib.SequenceMatcher(None, fa, fb, autojunk=False).ratio()
    wa, wb = _WORD.findall(fa), _WORD.findall(fb)
    if not wa:
        return whole
    blocks = difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_matching_blocks()
    return max(whole, sum(b.size for b in blocks) / len(wa))


def pair(hand_texts: list[str], got_texts: list[str]) -> list[tuple[int, int]]:
    """Greedy best pairs above MATCH similarity."""
    scored = sorted(((_similarity(h, g), i, j) for i, h in enumerate(hand_texts) for j, g in enumerate(got_texts)),
                    reverse=True)
    used_h, used_g, pairs = set(), set(), []
    for s, i, j in scored:
        if s < MATCH:
            break
        if i in used_h or j in used_g:
            continue
        used_h.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return sorted(pairs)


def _same_every(a: str | None, b: str | None) -> bool:
    from dtrack.domain.recurrence import parse_every
    from dtrack.errors import DtrackError
    if not a or not b:
        return not a and not b
    try:
        return parse_every(a) == parse_every(b)
    except DtrackError:
        return fold(a) == fold(b)


def compare(name: str, expected: list[Expected], got, canon) -> Score:
    sc = Score(name, hand=len(expected))
    pairs = pair([e.text for e in expected], [t.text for t in got])
    sc.found = len(pairs)
    sc.missed = len(expected) - len(pairs)
    sc.extra = len(got) - len(pairs)
    for i, j in pairs:
        h, g = expected[i], got[j]
        if {canon(x) for x in h.lead} == {canon(x) for x in g.lead}:
            sc.lead_ok += 1
        else:
            sc.problems.append(f"#{h.n} lead: key {list(h.lead)} / import {list(g.lead)}")
        flags = list(getattr(g, "flags", ()))
        if h.every or g.every:
            ok = _same_every(h.every, g.every) and (h.due is None or h.due == g.due)
        else:
            ok = h.due == g.due
        if h.due and not h.every:
            sc.dated += 1
            sc.dated_ok += h.due == g.due
        if g.due is not None and g.due != h.due:
            sc.wrong_dates += 1
            sc.wrong_flagged += bool(flags)
        sc.deadline_ok += ok
        if not ok:
            sc.problems.append(f"#{h.n} due: key {h.due} {h.every or ''} / import {g.due} {g.every or ''}"
                               + (f" [flags: {'; '.join(flags)}]" if flags else "")
                               + (f" ({g.due_text})" if g.due_text else ""))
    for i in sorted(set(range(len(expected))) - {i for i, _ in pairs}):
        sc.problems.append(f"#{expected[i].n} missed: {expected[i].text[:70]}")
    for j in sorted(set(range(len(got))) - {j for _, j in pairs}):
        sc.problems.append(f"extra: {got[j].text[:70]}")
    return sc


# ---------------------------------------------------------------------------- the seeds and their hand files

def evaluate(seeds: Path, directives: Path) -> list[Score]:
    from dtrack.store import files as store
    from dtrack.importer.doctext import read_document
    from dtrack.importer.draft import extract
    st = store.load(directives)
    by_source = {Path(d.source).name: d for d in st.directives if d.source}
    scores = []
    for path in sorted(seeds.iterdir()):
        if path.suffix.lower() not in DOC_SUFFIXES or path.name not in by_source:
            continue
        hand = by_source[path.name]
        others = [d.issuer for d in st.directives if d is not hand]
        draft = extract(read_document(path), st.registry, others, source=path.name)
        expected = [Expected(x.n, x.text, tuple(x.lead), x.due, x.every, x.due_text) for x in hand.tasks]
        scores.append(compare(path.name, expected, draft.tasks, st.registry.canonical))
    return scores


# ---------------------------------------------------------------------------- documents with gold files

def _gold_date(value, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: '{value}' is not a YYYY-MM-DD date") from None


def _names(value) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def read_gold(path: Path) -> tuple[dict, list[Expected]]:
    """A gold file: its header fields and its tasks. ValueError names what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path.name}: not a readable JSON file ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise ValueError(f"{path.name}: a gold file is an object with a 'tasks' list")
    tasks = []
    for k, x in enumerate(data["tasks"], 1):
        where = f"{path.name} task {x.get('n', k) if isinstance(x, dict) else k}"
        if not isinstance(x, dict) or not (x.get("summary") or x.get("text")):
            raise ValueError(f"{where}: each task needs a 'summary'")
        tasks.append(Expected(int(x.get("n", k)), x.get("summary") or x.get("text"), _names(x.get("lead")),
                              _gold_date(x.get("due"), where), x.get("recur") or None, x.get("due_text")))
    return data, tasks


def gold_documents(folder: Path) -> list[tuple[Path, Path]]:
    out = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in DOC_SUFFIXES and not path.name.endswith(GOLD_SUFFIX):
            gold = path.with_name(path.name[:-len(path.suffix)] + GOLD_SUFFIX)
            if gold.is_file():
                out.append((path, gold))
    return out


def _registry(folder: Path, registry_dir: Path | None):
    """The agencies the leads are compared by: the given folder's, DIR's own, else the bundled ones."""
    from dtrack.store.files import load_registry
    if registry_dir is not None:
        return load_registry(registry_dir)[0]
    reg = load_registry(folder)[0]
    return reg if reg.agencies else load_registry(Path(__file__).resolve().parents[2] / "directives")[0]


def evaluate_gold(folder: Path, registry_dir: Path | None = None, today: date | None = None) -> list[Score]:
    """Score every document of `folder` that has a gold file. A document that cannot be read is a
    score with its problem, not an exception: one bad file does not hide the others' figures."""
    from dtrack.errors import DtrackError
    from dtrack.importer.doctext import read_document
    from dtrack.importer.draft import extract
    registry = _registry(folder, registry_dir)
    scores = []
    for path, gold_path in gold_documents(folder):
        try:
            gold, expected = read_gold(gold_path)
            draft = extract(read_document(path), registry, [], source=path.name, today=today)
        except (ValueError, DtrackError) as e:
            sc = Score(path.name)
            sc.problems.append(f"not scored: {e}")
            scores.append(sc)
            continue
        sc = compare(path.name, expected, draft.tasks, registry.canonical)
        h = draft.header
        issued = _gold_date(gold.get("issued"), gold_path.name)
        sc.issued_ok = int(h.issued == issued)
        if not sc.issued_ok:
            sc.problems.append(f"issued: key {issued} / import {h.issued}")
        sc.number_ok = int(fold(h.number or "") == fold(gold.get("number") or ""))
        if not sc.number_ok:
            sc.problems.append(f"number: key {gold.get('number')!r} / import {h.number!r}")
        scores.append(sc)
    return scores


# ---------------------------------------------------------------------------- figures

def total(scores: list[Score]) -> Score:
    t = Score("total")
    for s in scores:
        for k in COUNTS:
            setattr(t, k, getattr(t, k) + getattr(s, k))
    return t


def table(scores: list[Score]) -> str:
    head = f"{'document':<28} {'hand':>4} {'found':>5} {'missed':>6} {'extra':>5} {'lead':>7} {'deadline':>8} {'dated':>7}"
    lines = [head, "-" * len(head)]
    for s in [*scores, total(scores)]:
        lines.append(f"{s.name:<28} {s.hand:>4} {s.found:>5} {s.missed:>6} {s.extra:>5} "
                     f"{s.lead_ok:>3}/{s.found:<3} {s.deadline_ok:>3}/{s.found:<4} {s.dated_ok:>3}/{s.dated:<3}")
    return "\n".join(lines)


def gold_table(scores: list[Score]) -> str:
    head = (f"{'document':<34} {'tasks':>7} {'extra':>5} {'leads':>7} {'dated':>7} {'wrong':>5} "
            f"{'flagged':>7} {'issued':>6}")
    lines = [head, "-" * len(head)]
    for s in [*scores, total(scores)]:
        lines.append(f"{s.name[:34]:<34} {s.found:>3}/{s.hand:<3} {s.extra:>5} {s.lead_ok:>3}/{s.found:<3} "
                     f"{s.dated_ok:>3}/{s.dated:<3} {s.wrong_dates:>5} {s.wrong_flagged:>7} "
                     f"{s.issued_ok:>6}")
    return "\n".join(lines)


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f} %" if b else "-"


def summary(t: Score, documents: int) -> str:
    return (f"{documents} documents: {t.found}/{t.hand} tasks found ({_pct(t.found, t.hand)}), {t.extra} extra "
            f"({_pct(t.extra, t.found + t.extra)}), leads {t.lead_ok}/{t.found} ({_pct(t.lead_ok, t.found)}), "
            f"dated deadlines {t.dated_ok}/{t.dated} ({_pct(t.dated_ok, t.dated)}), "
            f"wrong dates {t.wrong_dates} ({t.wrong_flagged} flagged, {t.wrong_unflagged} unflagged), "
            f"issue dates {t.issued_ok}/{documents}")


def as_json(scores: list[Score]) -> str:
    def one(s: Score) -> dict:
        return {**asdict(s), "wrong_unflagged": s.wrong_unflagged}
    return json.dumps({"documents": [one(s) for s in scores], "total": one(total(scores))},
                      ensure_ascii=False, indent=2)


def meets_target(t: Score) -> bool:
    return t.missed == 0 and t.lead_ok == t.found and t.dated_ok == t.dated


def main_gold(argv: list[str] | None = None) -> int:
    """`python -m dtrack.eval_import DIR`: the figures of every document of DIR with a gold file."""
    ap = argparse.ArgumentParser(prog="python -m dtrack.eval_import",
                                 description="Score dtrack import on documents with NAME.gold.json files beside them.")
    ap.add_argument("dir", type=Path, help="folder of documents (.txt .md .docx .pdf) and their gold files")
    ap.add_argument("--registry", type=Path, default=None,
                    help="a directives folder whose agencies.yaml names the agencies (default: DIR's own, "
                         "else the bundled one)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every difference")
    args = ap.parse_args(argv)
    if not args.dir.is_dir():
        print(f"eval_import: error: {args.dir} is not a folder", file=sys.stderr)
        return 2
    scores = evaluate_gold(args.dir, args.registry)
    if args.json:
        print(as_json(scores))
        return 0
    if not scores:
        print(f"no document in {args.dir} has a gold file (NAME{GOLD_SUFFIX} beside NAME.txt)")
        return 0
    print(gold_table(scores))
    if args.verbose:
        for s in scores:
            for p in s.problems:
                print(f"  {s.name}: {p}")
    print(summary(total(scores), len(scores)))
    return 0


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(prog="python -m dtrack.importer.evaluate", description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=here / "tests" / "fixtures" / "seeds")
    ap.add_argument("--dir", type=Path, default=here / "directives", help="the hand-made directives")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every difference")
    args = ap.parse_args(argv)
    scores = evaluate(args.seeds, args.dir)
    if not scores:
        print(f"no seed in {args.seeds} has a hand file in {args.dir}", file=sys.stderr)
        return 2
    print(table(scores))
    if args.verbose:
        for s in scores:
            for p in s.problems:
                print(f"  {s.name}: {p}")
    t = total(scores)
    ok = meets_target(t)
    print(("target met" if ok else "TARGET MISSED") + f": {t.found}/{t.hand} tasks found, {t.extra} extra, "
          f"{t.lead_ok}/{t.found} leads, {t.dated_ok}/{t.dated} dated deadlines, {t.deadline_ok}/{t.found} deadlines")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
