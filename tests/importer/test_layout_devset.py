"""The structure share of the development set (tests/fixtures/devset/s*): documents written for the
team in every header layout, portal and press form and actor form, scored by the evaluation tool.
The figures are pinned so that a change to the grammar that loses a task or a lead is seen."""
from __future__ import annotations

import shutil
from pathlib import Path

from dtrack.importer.evaluate import evaluate_gold, total

DEVSET = Path(__file__).resolve().parents[1] / "fixtures" / "devset"


def test_structure_devset_finds_every_task_and_lead_with_no_extra(tmp_path):
    docs = sorted(DEVSET.glob("s[0-9][0-9]-*.txt"))
    assert len(docs) >= 20
    for doc in docs:
        shutil.copy(doc, tmp_path / doc.name)
        shutil.copy(doc.with_suffix(".gold.json"), tmp_path / (doc.stem + ".gold.json"))
    scores = evaluate_gold(tmp_path)
    t = total(scores)
    assert (t.found, t.extra, t.lead_ok) == (t.hand, 0, t.hand), "\n".join(p for s in scores for p in s.problems)
    # The header fields of every layout: number and issue date read right in each document.
    assert (t.number_ok, t.issued_ok) == (len(docs), len(docs))
