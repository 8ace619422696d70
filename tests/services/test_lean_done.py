"""What makes `done` lean: one git process for HEAD and the committed files, and its one-line report
printed without rich when standard output is not a terminal (the same bytes rich prints)."""
from __future__ import annotations

import io

from conftest import git

from dtrack.cli import printing as cli
from dtrack.store import gitops
from dtrack.output import render


def test_committed_reads_head_and_every_file_at_once(tmp_path):
    repo = tmp_path / "r"
    (repo / "d 1").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    assert gitops.committed(repo, ["d 1/a.yaml"]) == (None, {"d 1/a.yaml": None})      # no commit yet
    (repo / "d 1" / "a.yaml").write_bytes(b"x: 1\r\n")
    (repo / "d 1" / "b 2.yaml").write_bytes(b"")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "m")
    (repo / "d 1" / "a.yaml").write_bytes(b"x: 2\n")                                   # not committed
    head, blobs = gitops.committed(repo, ["d 1/a.yaml", "d 1/b 2.yaml", "d 1/missing 1 2"])
    assert head == git(repo, "rev-parse", "HEAD").strip()
    assert blobs == {"d 1/a.yaml": b"x: 1\r\n", "d 1/b 2.yaml": b"", "d 1/missing 1 2": None}
    assert blobs["d 1/a.yaml"] == gitops.committed_bytes(repo, "d 1/a.yaml")


LINES = ["done 1502-UBND-KGVX#2 [STC, SNV] on 20/07/2024 — committed abc1234",
         "Đẩy mạnh " * 20 + "— a line far wider than any terminal",
         "a control \x1b[31m and a bidi \u202e override\tand a tab"]


def _rich(line: str, style: str) -> str:
    buffer = io.StringIO()
    console = render.console()
    console.file = buffer
    render.message(line, console, style=style)
    return buffer.getvalue()


def test_plain_report_is_what_rich_prints(monkeypatch, capsys):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    for line in LINES:
        cli._message(line, None, "green")
        assert capsys.readouterr().out == _rich(line, "green")


def test_a_terminal_still_gets_rich(monkeypatch, capsys):
    # FORCE_COLOR makes rich colour even a pipe: then rich must print it, not the plain path.
    monkeypatch.setenv("FORCE_COLOR", "1")
    cli._message(LINES[0], None, "green")
    out = capsys.readouterr().out
    assert out.startswith("\x1b[") and LINES[0] in out
