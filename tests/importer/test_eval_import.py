"""The evaluation tool on documents with gold files: figures per document and in total, JSON, exit 0."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from dtrack.importer.evaluate import evaluate_gold, main_gold, total

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
    assert (s.wrong_dates, s.wrong_flagged, s.wrong_unflagged) == (2, 0, 2)
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


def test_the_module_prints_a_table_and_exits_zero():
    proc = subprocess.run([sys.executable, "-m", "dtrack.eval_import", str(DEVSET)], capture_output=True,
                          text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith(f"{len(list(DEVSET.glob('*.gold.json')))} documents: ")
    s = total(evaluate_gold(DEVSET))
    assert f"dated deadlines {s.dated_ok}/{s.dated}" in proc.stdout
