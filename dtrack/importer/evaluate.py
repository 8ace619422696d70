"""Measure `dtrack import` against the hand-made directive files.

    python -m dtrack.importer.evaluate [--seeds DIR] [--dir DIRECTIVES] [--min-score 1.0]

Imports every *.txt/*.md/*.docx/*.pdf of the seeds folder (default tests/fixtures/seeds) and
compares it with the hand file whose `source:` names the same file: tasks found / missed / extra
(tasks are paired by text similarity), lead right, deadline right (the due date; for a
recurrence, `every`), per document and in total. Exits 1 when a target is missed: every task
found, every lead right, every dated deadline right.
"""
from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dtrack.domain.text import fold

MATCH = 0.6


@dataclass
class Score:
    name: str
    hand: int = 0
    found: int = 0
    missed: int = 0
    extra: int = 0
    lead_ok: int = 0
    dated: int = 0          # hand tasks with a due date (not recurring)
    dated_ok: int = 0
    deadline_ok: int = 0    # due (or every) equal, no deadline included
    problems: list[str] = field(default_factory=list)


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(a), fold(b), autojunk=False).ratio()


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


def compare(name: str, hand, draft, registry) -> Score:
    sc = Score(name, hand=len(hand.tasks), found=0)
    got = draft.tasks
    pairs = pair([t.text for t in hand.tasks], [t.text for t in got])
    sc.found = len(pairs)
    sc.missed = len(hand.tasks) - len(pairs)
    sc.extra = len(got) - len(pairs)
    canon = registry.canonical
    for i, j in pairs:
        h, g = hand.tasks[i], got[j]
        if {canon(x) for x in h.lead} == {canon(x) for x in g.lead}:
            sc.lead_ok += 1
        else:
            sc.problems.append(f"#{h.n} lead: hand {list(h.lead)} / import {list(g.lead)}")
        if h.every or g.every:
            ok = (h.every == g.every) if h.every else (h.due is None and h.due_text == g.due_text)
        else:
            ok = h.due == g.due
        if h.due and not h.every:
            sc.dated += 1
            sc.dated_ok += ok
        sc.deadline_ok += ok
        if not ok:
            sc.problems.append(f"#{h.n} due: hand {h.due} {h.every or ''} / import {g.due} {g.every or ''}")
    for i in set(range(len(hand.tasks))) - {i for i, _ in pairs}:
        sc.problems.append(f"#{hand.tasks[i].n} missed: {hand.tasks[i].text[:70]}")
    for j in set(range(len(got))) - {j for _, j in pairs}:
        sc.problems.append(f"extra: {got[j].text[:70]}")
    return sc


def evaluate(seeds: Path, directives: Path) -> list[Score]:
    from dtrack.store import files as store
    from dtrack.importer.doctext import read_document
    from dtrack.importer.draft import extract
    st = store.load(directives)
    by_source = {Path(d.source).name: d for d in st.directives if d.source}
    scores = []
    for path in sorted(seeds.iterdir()):
        if path.suffix.lower() not in (".txt", ".md", ".docx", ".pdf") or path.name not in by_source:
            continue
        hand = by_source[path.name]
        others = [d.issuer for d in st.directives if d is not hand]
        draft = extract(read_document(path), st.registry, others, source=path.name)
        scores.append(compare(path.name, hand, draft, st.registry))
    return scores


def total(scores: list[Score]) -> Score:
    t = Score("total")
    for s in scores:
        for k in ("hand", "found", "missed", "extra", "lead_ok", "dated", "dated_ok", "deadline_ok"):
            setattr(t, k, getattr(t, k) + getattr(s, k))
    return t


def table(scores: list[Score]) -> str:
    head = f"{'document':<28} {'hand':>4} {'found':>5} {'missed':>6} {'extra':>5} {'lead':>7} {'deadline':>8} {'dated':>7}"
    lines = [head, "-" * len(head)]
    for s in [*scores, total(scores)]:
        lines.append(f"{s.name:<28} {s.hand:>4} {s.found:>5} {s.missed:>6} {s.extra:>5} "
                     f"{s.lead_ok:>3}/{s.found:<3} {s.deadline_ok:>3}/{s.found:<4} {s.dated_ok:>3}/{s.dated:<3}")
    return "\n".join(lines)


def meets_target(t: Score) -> bool:
    return t.missed == 0 and t.lead_ok == t.found and t.dated_ok == t.dated


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
