"""A recurring task's occurrences: each keeps its own note and reply document, `reopen` undoes the last
one, and a series N occurrences behind is N overdue in `report` and says so in `list`."""
from __future__ import annotations

import json

from conftest import git

REF = "2024-03-11-du-an-cntt#2"        # fortnightly from 25/03/2024, never reported; today 20/07/2024
REL = "directives/2024/2024-03-11-du-an-cntt.yaml"


def test_notes_and_documents_go_on_the_occurrence_and_reopen_undoes_the_last(cli, repo):
    original = (repo / REL).read_bytes()
    note_before = json.loads(cli("show", REF, "--json", cwd=repo).stdout)["note"]
    assert cli("done", REF, "--on", "26/3/2024", "--note", "Báo cáo tuần 1", "--by", "Báo cáo số 12/BC-STTTT",
               cwd=repo).exit_code == 0
    first = (repo / REL).read_bytes()
    assert cli("done", REF, "--on", "9/4/2024", "--note", "Báo cáo tuần 2", cwd=repo).exit_code == 0
    text = (repo / REL).read_text(encoding="utf-8")
    assert ("    occurrences:\n      - due: 2024-03-25\n        done: 2024-03-26\n        note: Báo cáo tuần 1\n"
            "        by: Báo cáo số 12/BC-STTTT\n      - due: 2024-04-08\n        done: 2024-04-09\n"
            "        note: Báo cáo tuần 2\n") in text
    shown = json.loads(cli("show", REF, "--json", cwd=repo).stdout)
    assert shown["note"] == note_before                       # never glued onto the task's note
    assert shown["occurrences"] == [
        {"due": "2024-03-25", "done": "2024-03-26", "note": "Báo cáo tuần 1", "by": "Báo cáo số 12/BC-STTTT"},
        {"due": "2024-04-08", "done": "2024-04-09", "note": "Báo cáo tuần 2", "by": None}]
    assert "  25/03/2024  done 26/03/2024  1d late  Báo cáo số 12/BC-STTTT · Báo cáo tuần 1" in \
        cli("show", REF, cwd=repo).stdout
    log = cli("log", "--json", cwd=repo)
    assert json.loads(log.stdout)[1]["note"] == "Báo cáo tuần 1\nBy: Báo cáo số 12/BC-STTTT"

    reopened = cli("reopen", REF, cwd=repo)
    assert reopened.exit_code == 0, reopened.output
    assert (repo / REL).read_bytes() == first                 # the second occurrence undone, byte for byte
    assert git(repo, "log", "-1", "--format=%s").strip() == \
        f"reopen {REF} [STTTT] occurrence 08/04/2024 (done 09/04/2024) undone"
    assert cli("reopen", REF, cwd=repo).exit_code == 0
    assert (repo / REL).read_bytes() == original              # and the first: the file as it was
    assert "already open" in cli("reopen", REF, cwd=repo).stdout


def test_a_series_behind_counts_each_missed_occurrence_in_both_languages(cli, repo, monkeypatch):
    report = json.loads(cli("--as-of", "2024-05-01", "report", "--from", "2024-03-11", "--to", "2024-03-11",
                            "--format", "json", cwd=repo).stdout)
    sttt = next(r for r in report["rows"] if r["agency"] == "Sở Thông tin và Truyền thông")
    # As of 01/05: #2 missed 25/03, 08/04 and 22/04 (three overdue occurrences), #4 (due 25/03) one.
    assert sttt["open_overdue"] == 4
    line = next(x for x in cli("list", "-f", "table", cwd=repo).stdout.splitlines() if x.startswith(REF))
    assert "↻ (9 periods overdue)" in line and "STTTT" in line
    from dtrack import i18n
    monkeypatch.setenv("DTRACK_LANG", "vi")
    i18n.reset()
    line = next(x for x in cli("list", "-f", "table", cwd=repo).stdout.splitlines() if x.startswith(REF))
    assert "↻ (9 kỳ quá hạn)" in line and "STTTT" in line
