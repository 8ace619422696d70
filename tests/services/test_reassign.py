"""`dtrack reassign`: the lead handed over with a record, only the task's lines changed, one commit;
show, log and report as of a day read it."""
import json
import os
import subprocess

import yaml

from conftest import dtrack_script, git

DAY = {"DTRACK_TODAY": "2024-07-20"}


def _report(cli, repo, day: str) -> dict:
    out = cli("--dir", str(repo / "directives"), "report", "--format", "json", env={"DTRACK_TODAY": day})
    return {r["agency"]: r["assigned"] for r in json.loads(out.stdout)["rows"]}


def test_reassign_moves_the_lead_and_keeps_who_held_it(cli, repo):
    f = repo / "directives/2023/1502-UBND-KGVX.yaml"
    crlf = f.read_bytes().replace(b"\n", b"\r\n")          # a clerk's Windows editor saved it CRLF
    f.write_bytes(crlf)
    git(repo, "commit", "-qam", "crlf")
    before, june = _report(cli, repo, "2024-07-20"), _report(cli, repo, "2024-06-30")
    r = cli("reassign", "1502#2", "--to", "STC", "--by", "Công văn 88/UBND-KGVX", "--reason", "Chuyển giao chức năng",
            "--on", "1/7/2024", cwd=repo, env=DAY)
    assert r.exit_code == 0, r.output
    assert "reassign 1502-UBND-KGVX#2 [STTTT] STTTT → STC" in r.stdout
    after = f.read_bytes()
    old_lines, new_lines = crlf.split(b"\r\n"), after.split(b"\r\n")
    assert b"\n" not in after.replace(b"\r\n", b"")                  # CRLF kept
    at = old_lines.index(b"  - n: 2")
    lead = next(i for i in range(at, len(old_lines)) if old_lines[i].startswith(b"    lead:"))
    end = old_lines.index(b"  - n: 3")
    # Only task 2's lead line changed and its record added at the task's end; every other line as it was.
    assert new_lines[:lead] == old_lines[:lead] and new_lines[lead] == "    lead: Sở Tài chính".encode()
    assert new_lines[lead + 1:end] == old_lines[lead + 1:end]
    assert new_lines[end + 6:] == old_lines[end:] and new_lines[end] == b"    reassigned:"
    task = yaml.safe_load(after)["tasks"][1]
    assert task["lead"] == "Sở Tài chính"
    assert task["reassigned"] == [{"from": ["Sở Thông tin và Truyền thông"], "to": ["Sở Tài chính"],
                                   True: __import__("datetime").date(2024, 7, 1), "by": "Công văn 88/UBND-KGVX",
                                   "reason": "Chuyển giao chức năng"}]
    assert git(repo, "status", "--porcelain") == "" and git(repo, "show", "--stat", "--format=", "HEAD").count("|") == 1

    show = cli("--dir", str(repo / "directives"), "show", "1502#2", env=DAY)
    assert "Reassigned:" in show.stdout and "Sở Thông tin và Truyền thông → Sở Tài chính" in show.stdout
    log = json.loads(cli("--dir", str(repo / "directives"), "log", "--json", "-n", "1", env=DAY).stdout)
    assert log[0]["action"] == "reassign" and log[0]["refs"] == ["1502-UBND-KGVX#2"]
    # As of a day before the handover the old lead still counts it; after it, the new one.
    assert _report(cli, repo, "2024-06-30") == june
    now = _report(cli, repo, "2024-07-20")
    assert now["Sở Thông tin và Truyền thông"] == before["Sở Thông tin và Truyền thông"] - 1
    assert now["Sở Tài chính"] == before.get("Sở Tài chính", 0) + 1
    assert cli("--dir", str(repo / "directives"), "check").exit_code == 0


def test_reassign_refuses_what_it_cannot_do_and_writes_nothing(cli, repo):
    head = git(repo, "rev-parse", "HEAD")
    for args, words in [
        (("1502#2", "--to", "so tai chin", "--by", "CV 1", "--reason", "x"), "Did you mean: Sở Tài chính?"),
        (("1502#2", "--to", "STC", "--by", "CV 1", "--reason", " "), "the reason is empty"),
        (("1502#2", "--to", "STC", "--by", "CV 1", "--reason", "x", "--on", "1/8/2024"), "after today"),
        (("1502#2", "--to", "STTTT", "--by", "CV 1", "--reason", "x"), "nothing changed"),
    ]:
        r = cli("reassign", *args, cwd=repo, env=DAY)
        assert words in r.stderr + r.stdout, (args, r.output)
        assert "Traceback" not in r.output
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""


def test_the_installed_script_reassigns(repo):
    out = subprocess.run([dtrack_script(), "reassign", "1502#3", "--to", "Sở KH&CN", "--by", "Công văn 90/UBND-KGVX",
                          "--reason", "Theo Nghị định 45/2025/NĐ-CP"], cwd=repo, capture_output=True,
                         env={**os.environ, "DTRACK_TODAY": "2026-12-01"})
    assert out.returncode == 0, out.stderr
    assert git(repo, "log", "-1", "--format=%s").startswith("reassign 1502-UBND-KGVX#3 [STTTT] STTTT → Sở KH&CN")
    assert "Dtrack-Action: reassign" in git(repo, "log", "-1", "--format=%b")
