"""The evaluation tool on documents with gold files: figures per document and in total, JSON, exit 0."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from dtrack.importer.evaluate import evaluate_gold, main_gold

DEVSET = Path(__file__).resolve().parents[1] / "fixtures" / "devset"
DOC = "d01-thong-bao-ket-luan"


def _copy(tmp_path: Path, gold_edit=None) -> Path:
    shutil.copy(DEVSET / f"{DOC}.txt", tmp_path / f"{DOC}.txt")
    gold = json.loads((DEVSET / f"{DOC}.gold.json").read_text(encoding="utf-8"))
    if gold_edit:
        gold_edit(gold)
    (tmp_path / f"{DOC}.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_a_right_document_scores_every_task_lead_and_date(tmp_path):
    [s] = evaluate_gold(_copy(tmp_path))
    assert (s.hand, s.found, s.extra, s.lead_ok, s.dated, s.dated_ok, s.wrong_dates) == (4, 4, 0, 4, 4, 4, 0)
    assert (s.issued_ok, s.number_ok) == (1, 1)


def test_a_date_the_key_disagrees_with_is_a_wrong_date_and_an_unflagged_one(tmp_path):
    def edit(g):
        g["tasks"][0]["due"] = "2025-03-29"     # the key says the year rolled over; the import does not
        g["tasks"][1]["due"] = None             # the key says no deadline; the import writes one
        g["tasks"][2]["lead"] = ["Sở Nội vụ"]
        g["tasks"].append({"n": 5, "summary": "Một việc mà văn bản không hề giao cho ai cả", "lead": [],
                           "due": None})
    [s] = evaluate_gold(_copy(tmp_path, edit))
    assert (s.hand, s.found, s.lead_ok, s.dated, s.dated_ok) == (5, 4, 3, 3, 2)
    # The year-less "trước ngày 29/3" carries its flag; the dated "15-4-2024" none.
    assert (s.wrong_dates, s.wrong_flagged, s.wrong_unflagged) == (2, 1, 1)
    assert any(p.startswith("#5 missed") for p in s.problems)


def test_json_output_has_documents_and_total(tmp_path, capsys):
    assert main_gold([str(_copy(tmp_path)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in out["documents"]] == [f"{DOC}.txt"]
    assert out["total"]["dated_ok"] == 4 and out["total"]["wrong_unflagged"] == 0


def test_an_unreadable_gold_file_is_reported_not_raised(tmp_path, capsys):
    _copy(tmp_path)
    (tmp_path / f"{DOC}.gold.json").write_text("{not json", encoding="utf-8")
    assert main_gold([str(tmp_path), "-v"]) == 0
    out = capsys.readouterr().out
    assert "not scored" in out and "0/0" in out


def test_the_table_names_each_document_and_ends_with_the_totals(tmp_path, capsys):
    assert main_gold([str(_copy(tmp_path))]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith(f"{DOC}.txt") and out[3].startswith("total")
    assert out[-1].startswith("1 documents: 4/4 tasks found (100 %)") and "dated deadlines 4/4 (100 %)" in out[-1]


def test_the_development_set_meets_the_date_targets():
    """The module as a reviewer runs it, on the whole development set: dated deadlines at least
    90 % right, and no wrong date without a flag."""
    proc = subprocess.run([sys.executable, "-m", "dtrack.eval_import", str(DEVSET), "--json"], capture_output=True,
                          text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["documents"]) == len(list(DEVSET.glob("*.gold.json"))) >= 21
    t = out["total"]
    assert t["dated"] >= 60 and t["dated_ok"] >= 0.9 * t["dated"]
    assert t["wrong_unflagged"] == 0, [p for d in out["documents"] for p in d["problems"] if "due" in p]
