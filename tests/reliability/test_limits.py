"""Issue 18: nothing one file, one argument or one document can do takes the store down.

Each case ends in the right result or in one line `dtrack: error: ...` / `path:line: error: ...`
(never exit 70, never a traceback), within 10 s and 500 MB, and every other file stays usable.
docs/reliability.md lists the cases and the test that proves each."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from conftest import BUNDLED, dtrack_script, git

HEADER = "number: 9/UBND\nkind: cong-van\nissuer: UBND tỉnh\nissued: 2024-07-01\ntitle: Thử\n"
TASK = "  - n: 1\n    text: Việc một\n    lead: Sở Tài chính\n    due: 2024-07-25\n    status: open\n"
LIMIT_SECONDS = 10
LIMIT_MB = 500


@pytest.fixture
def store(tmp_path) -> Path:
    root = tmp_path / "d"
    shutil.copytree(BUNDLED, root)
    return root


def one_error_line(result, starts: str) -> str:
    lines = [x for x in result.stderr.split("\n") if x]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(starts), lines[0]
    assert "Traceback" not in result.output
    return lines[0]


# A wrapper process whose only child is the command: its RUSAGE_CHILDREN peak is the command's.
_MEASURE = ("import json, resource, subprocess, sys, time\n"
            "t = time.monotonic()\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, timeout=60)\n"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "print(json.dumps([p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace'),"
            " time.monotonic() - t, peak / (1024 * 1024 if sys.platform == 'darwin' else 1024)]))\n")


def measured(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run the installed dtrack script; assert it stayed within the time and memory limits."""
    pytest.importorskip("resource", reason="getrusage is POSIX only")
    out = subprocess.run([sys.executable, "-c", _MEASURE, dtrack_script(), *args], cwd=cwd, capture_output=True,
                         check=True).stdout
    code, stdout, stderr, seconds, peak_mb = json.loads(out)
    assert seconds < LIMIT_SECONDS, f"{seconds:.1f} s"
    assert peak_mb < LIMIT_MB, f"{peak_mb:.0f} MB"
    assert "Traceback" not in stderr and code != 70, stderr
    return code, stdout, stderr


# ---------------------------------------------------------------------------- files the loader refuses

DEEP = "[" * 490 + "x" * 40 + "]" * 490          # ~1 KB, below the careful loader's threshold
BAD_FILES = {
    # item 2: a task number past int64 overflowed the cache's array column (exit 70 for every command).
    "n-int64": (HEADER + "tasks:\n" + TASK.replace("n: 1", "n: 9223372036854775808"),
                "7:8: error: task n must be a whole number from 1 to 99999 (found '9223372036854775808')"),
    # item 2: a value nested ~490 levels made pickling raise RecursionError (exit 70 for every command).
    "deep-value": (HEADER + "tasks:\n" + TASK + f"    extra: {DEEP}\n",
                   "12:12: error: extra is nested more than 20 levels deep"),
    # item 7: the first task list vanished from list, report and check; the last status/due won.
    "two-task-lists": (HEADER + "tasks:\n" + TASK + "tasks:\n" + TASK.replace("n: 1", "n: 2"),
                       "12:1: error: the key 'tasks' is written twice in the same mapping"),
    "two-statuses": (HEADER + "tasks:\n" + TASK + "    status: done\n",
                     "12:5: error: the key 'status' is written twice in the same mapping"),
    "two-dues": (HEADER + "tasks:\n" + TASK.replace("    status", "    due: 2024-09-30\n    status"),
                 "11:5: error: the key 'due' is written twice in the same mapping"),
    # the careful loader (anchors) refuses them too
    "two-dues-careful": (HEADER + "tasks:\n" + TASK.replace("lead: Sở", "lead: &s Sở").replace(
        "    status", "    due: 2024-09-30\n    status"), "11:5: error: the key 'due' is written twice"),
    # item 10: listed, but no edit could find task 16 or 1000 again.
    "n-hex": (HEADER + "tasks:\n" + TASK.replace("n: 1", "n: 0x10"),
              "7:8: error: task n must be a whole number from 1 to 99999 (found '0x10')"),
    "n-underscore": (HEADER + "tasks:\n" + TASK.replace("n: 1", "n: 1_000"),
                     "7:8: error: task n must be a whole number from 1 to 99999 (found '1_000')"),
    # item 10: int() refuses 4,300+ digits; that was reported as "not a real date".
    "n-5000-digits": (HEADER + "tasks:\n" + TASK.replace("n: 1", "n: " + "9" * 5000),
                      "7:8: error: task n must be a whole number from 1 to 99999 (found '" + "9" * 29 + "…)"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_one_located_line_and_the_store_still_works(cli, store, tmp_path, monkeypatch, name):
    content, expected = BAD_FILES[name]
    (store / "2024" / f"{name}.yaml").write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    for _ in range(2):                       # the second run is served from the cache
        result = cli("--dir", str(store), "list", "--all")
        assert result.exit_code == 0, result.output
        assert expected in one_error_line(result, f"d/2024/{name}.yaml:")
        assert "1502-UBND-KGVX#1" in result.stdout and f"{name}#" not in result.stdout
    assert time.monotonic() - started < LIMIT_SECONDS
    for command in (("report",), ("check",), ("list", "--json")):
        assert cli("--dir", str(store), *command).exit_code in (0, 1)
    edit = cli("--dir", str(store), "done", f"{name}#1")
    assert edit.exit_code not in (0, 70) and edit.output.count("\n") == 1, edit.output
    assert cli("--dir", str(store), "done", "1502-UBND-KGVX#1", "--no-commit").exit_code == 0


def test_integers_are_plain_decimal_and_fit_64_bits():
    from dtrack.store import files
    data = files.parse("a: 1\nb: -7\nc: 0x10\nd: 1_000\ne: 10:30\nf: 007\ng: 123456789012345678\n"
                       "h: 1234567890123456789\n")
    assert data == {"a": 1, "b": -7, "c": "0x10", "d": "1_000", "e": "10:30", "f": "007",
                    "g": 123456789012345678, "h": "1234567890123456789"}


def test_an_alias_of_one_megabyte_used_500_times_is_refused_in_time_and_memory(store, tmp_path):
    # item 3: under the 100,000-value limit, `list` took 2 GB and wrote a 479 MB cache.
    text = HEADER + "big: &b " + "x" * (1024 * 1024) + "\ntasks:\n" + "".join(
        f"  - {{n: {i}, text: *b, lead: Sở Tài chính}}\n" for i in range(1, 501))
    (store / "2024" / "bomb.yaml").write_text(text, encoding="utf-8")
    code, stdout, stderr = measured("--dir", str(store), "list", "--all", cwd=tmp_path)
    assert code == 0 and "1502-UBND-KGVX#1" in stdout
    assert stderr.splitlines() == [
        "d/2024/bomb.yaml:8:3: error: YAML anchors and aliases expand this file to more than 8 MB of "
        "text; a directive file does not need them: write the values out"]
    assert sum(f.stat().st_size for f in (tmp_path / "user-cache").rglob("*") if f.is_file()) < 10 * 1024 * 1024


def test_aliases_that_stay_small_still_load():
    from dtrack.store import files
    data = files.parse(HEADER + "s: &s " + "y" * 1000 + "\ntasks: []\nt: [" + ", ".join(["*s"] * 100) + "]\n")
    assert data["t"] == ["y" * 1000] * 100


# ---------------------------------------------------------------------------- item 9: the careful loader

def test_the_careful_loader_uses_libyaml_and_still_stops_deep_nesting(tmp_path):
    yaml = pytest.importorskip("yaml")
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    from dtrack.store import files
    careful = files._yaml()[2]
    assert issubclass(careful, yaml.cyaml.CParser)          # a pure-Python parser took 11.5 s for `done`
    # 100,000 levels: a catchable error, never libyaml's crash (a subprocess, so a SIGSEGV fails the test).
    code = ("from dtrack.store import files\n"
            "try:\n    files.parse('a: ' + '[' * 100000 + ']' * 100000)\n"
            "except files._Unreadable as e:\n    print(e.message)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().strip() == "nested too deeply to be a directive file"


@pytest.mark.slow
def test_a_4000_task_file_reads_the_same_through_the_careful_loader():
    from dtrack.store import files
    yaml = files._yaml()[0]
    text = HEADER + "tasks:\n" + "".join(TASK.replace("n: 1", f"n: {i}") for i in range(1, 4001))
    assert files._needs_care(text)
    assert files.parse(text) == yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# ---------------------------------------------------------------------------- item 10: the smaller cases

@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "86401"])
def test_a_lock_timeout_that_would_wait_forever_is_refused(cli, repo, value):
    result = cli("done", "1502-UBND-KGVX#1", cwd=repo, env={"DTRACK_LOCK_TIMEOUT": value})
    assert result.exit_code == 2
    assert result.output.startswith(f"dtrack: error: DTRACK_LOCK_TIMEOUT={value}: give a number of seconds from "
                                    "0 to 86400") and result.output.count("\n") == 1
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.skipif(os.name != "posix", reason="Windows passes arguments as UTF-16")
def test_a_note_in_another_encoding_is_named_as_the_problem_not_the_store_file(repo):
    path = repo / "directives" / "2023" / "1502-UBND-KGVX.yaml"
    before = path.read_bytes()
    out = subprocess.run([dtrack_script(), "done", "1502-UBND-KGVX#1", "--note", b"Xong \xe0 \xff"], cwd=repo,
                         capture_output=True)
    assert out.returncode == 2
    message = out.stderr.decode("utf-8")
    assert message.startswith("dtrack: error: the text 'Xong � �' is not valid UTF-8 (0xe0); nothing was written")
    assert message.count("\n") == 1 and "1502-UBND-KGVX.yaml" not in message
    assert path.read_bytes() == before and git(repo, "status", "--porcelain") == ""


def test_a_reference_with_a_5000_digit_task_number_is_a_usage_error(cli, repo):
    for command in ("done", "show", "reopen"):
        result = cli(command, "1502#" + "9" * 5000, cwd=repo)
        assert result.exit_code == 2, result.output
        assert "the part after '#' must be a task number" in result.output and result.output.count("\n") == 1


@pytest.mark.parametrize("number, stem", [("NUL.txt", "NUL-vb.txt"), ("LPT1.yaml", "LPT1-vb.yaml"),
                                          ("con", "con-vb"), ("AUX.1/UBND", "AUX-vb.1-UBND")])
def test_a_number_windows_reserves_gets_a_safe_name(number, stem):
    from dtrack.store.files import check_name, stem_for
    assert stem_for(number, date(2024, 7, 1), "Thử") == stem
    assert check_name(stem) == stem


def test_import_stdout_escapes_what_a_terminal_would_act_on(cli, tmp_path):
    doc = tmp_path / "rtl.txt"
    doc.write_text("Số: 12/UBND\nV/v thử \u202enghiệm\n\nChủ tịch UBND tỉnh yêu cầu:\n\n1. Sở Tài chính chủ trì "
                   "thực hiện việc \u202e rà soát, hoàn thành trước ngày 30/6/2024.\n", encoding="utf-8")
    result = cli("import", "--stdout", str(doc), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.output and "\\u202e" in result.stdout
    from dtrack.store import files
    data = files.parse(result.stdout)
    assert data["tasks"][0]["text"] == "Sở Tài chính chủ trì thực hiện việc \u202e rà soát, hoàn thành trước ngày " \
                                       "30/6/2024."


@pytest.mark.parametrize("command", [("done", "2024-07-17-bo-sung-kinh-phi#1"),
                                     ("extend", "2024-07-17-bo-sung-kinh-phi#2", "--to", "30/9/2024",
                                      "--reason", "Xin gia hạn")])
def test_a_cr_only_file_is_edited_in_its_own_line_endings(cli, repo, command):
    path = repo / "directives" / "2024" / "2024-07-17-bo-sung-kinh-phi.yaml"
    lf = path.read_bytes().replace(b"\r\n", b"\n")
    path.write_bytes(lf.replace(b"\n", b"\r"))
    git(repo, "commit", "-qam", "CR-only file")
    result = cli(*command, cwd=repo)
    assert result.exit_code == 0, result.output
    edited = path.read_bytes()
    assert b"\n" not in edited and edited.count(b"\r") > lf.count(b"\n")
    from dtrack.store import files
    [task] = [x for x in files.parse(edited.decode("utf-8"))["tasks"] if x["n"] == int(command[1][-1])]
    assert task["status"] == "done" if command[0] == "done" else task["due"] == date(2024, 9, 30)
    assert edited.replace(b"\r", b"\n").count(b"\n") - lf.count(b"\n") == (1 if command[0] == "done" else 5)


# ---------------------------------------------------------------------------- item 8: hostile documents

def _docx(path: Path, *, body_xml: str | None = None, doctype: str = "", inject: str = "",
          padding: int = 0) -> Path:
    """A real .docx (python-docx) of a short directive, its document.xml then edited by hand."""
    docx = pytest.importorskip("docx", reason="the docx extra (python-docx) is not installed")
    document = docx.Document()
    for line in ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "Số: 77/UBND-KGVX", "Quảng Ngãi, ngày 12 tháng 4 năm 2023",
                 "V/v triển khai chuyển đổi số", "Chủ tịch UBND tỉnh yêu cầu:",
                 "1. Sở Tài chính chủ trì rà soát kinh phí, hoàn thành trước ngày 30/6/2024.",
                 "2. Sở Nội vụ chủ trì xây dựng kế hoạch đào tạo, hoàn thành trước ngày 30/9/2024."):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "word/document.xml":
                out.writestr(info.filename, data)
                continue
            xml = data.decode("utf-8").replace("?>", "?>" + doctype, 1)
            xml = xml.replace("<w:t>1. Sở", inject + "<w:t>1. Sở", 1)
            if body_xml is not None:
                start, end = xml.index("<w:body>") + len("<w:body>"), xml.index("<w:sectPr")
                xml = xml[:start] + body_xml + xml[end:]
            with out.open(info.filename, "w") as member:
                head, tail = xml.split("</w:body>")
                member.write(head.encode("utf-8"))
                for _ in range(padding):            # whitespace between elements: the XML stays valid
                    member.write(b" " * (1024 * 1024))
                member.write(("</w:body>" + tail).encode("utf-8"))
    return path


@pytest.mark.parametrize("name, kwargs", [
    ("comment-and-pi", {"inject": "<!-- ghi chú --><?mso-application progid?>"}),
    ("entity", {"doctype": '<!DOCTYPE w:document [<!ENTITY e "Sở">]>', "inject": "<w:t>&e;</w:t>"}),
    ("external-entity", {"doctype": '<!DOCTYPE w:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                         "inject": "<w:t>&e;</w:t>"}),
])
def test_xml_comments_instructions_and_entities_in_a_docx_are_read_past(cli, tmp_path, name, kwargs):
    doc = _docx(tmp_path / f"{name}.docx", **kwargs)
    result = cli("--dir", str(BUNDLED), "import", "--stdout", str(doc), cwd=tmp_path)
    assert result.exit_code == 0, result.output                 # exit 70 (AttributeError) before
    from dtrack.store import files
    tasks = files.parse(result.stdout)["tasks"]
    assert [(t["lead"], t["due"]) for t in tasks] == [("Sở Tài chính", date(2024, 6, 30)),
                                                      ("Sở Nội vụ", date(2024, 9, 30))]
    assert "root:" not in result.stdout


@pytest.mark.parametrize("padding, message", [
    (60, "the .docx unpacks to 61 MB in 17 parts; a document has a few MB"),
    (25, "its part word/document.xml unpacks to 25 MB; the text of a document is a few MB")])
def test_a_docx_that_unpacks_too_far_is_refused_before_it_is_read(tmp_path, padding, message):
    doc = _docx(tmp_path / "bomb.docx", padding=padding)
    assert doc.stat().st_size < 1024 * 1024
    code, stdout, stderr = measured("import", "--stdout", str(doc), cwd=tmp_path)
    assert code == 4 and stdout == ""
    assert stderr.startswith(f"dtrack: error: {doc}: {message}") and stderr.count("\n") == 1


def test_a_docx_member_that_lies_about_its_size_is_refused(cli, tmp_path):
    doc = _docx(tmp_path / "liar.docx", padding=20)
    raw = bytearray(doc.read_bytes())
    with zipfile.ZipFile(doc) as z:
        info = z.getinfo("word/document.xml")
    small = (4096).to_bytes(4, "little")
    raw[info.header_offset + 22:info.header_offset + 26] = small        # the local header's size
    entry = raw.index(b"PK\x01\x02")
    while raw[entry + 46:entry + 46 + int.from_bytes(raw[entry + 28:entry + 30], "little")] != b"word/document.xml":
        entry = raw.index(b"PK\x01\x02", entry + 4)
    raw[entry + 24:entry + 28] = small                                  # the central directory's
    doc.write_bytes(bytes(raw))
    result = cli("import", "--stdout", str(doc), cwd=tmp_path)
    assert result.exit_code == 4
    assert result.output.startswith(f"dtrack: error: {doc}: not a readable .docx file (") and \
        result.output.count("\n") == 1


def _numbered(n: int) -> str:
    return ("Số: 1502/UBND-KGVX\nQuảng Ngãi, ngày 12 tháng 4 năm 2023\n\nV/v triển khai chuyển đổi số\n\n"
            "Chủ tịch UBND tỉnh yêu cầu:\n\n" + "".join(
                f"{i}. Sở Tài chính chủ trì, phối hợp với Sở Nội vụ thực hiện việc số {i}, hoàn thành trước "
                f"ngày 30/6/2024.\n\n" for i in range(1, n + 1)))


@pytest.mark.slow
def test_import_of_8000_tasks_is_refused_within_the_limits(tmp_path):
    # 2,000 tasks took 9 s and 8,000 took 56 s (a list.index per task comparing dataclasses).
    doc = tmp_path / "many.txt"
    doc.write_text(_numbered(8000), encoding="utf-8")
    code, stdout, stderr = measured("import", "--stdout", str(doc), cwd=tmp_path)
    assert code == 4 and stdout == ""
    # Refused before the tasks are analysed now: the body's pieces are bounded (tasks.MAX_PIECES).
    assert stderr.startswith(f"dtrack: error: {doc}: the body has 8000 paragraphs and clauses to read; dtrack "
                             "reads up to 4000") and stderr.count("\n") == 1


@pytest.mark.slow
def test_300000_short_paragraphs_in_a_docx_are_refused_within_the_limits(tmp_path):
    body = "<w:p><w:r><w:t>Sở Tài chính làm.</w:t></w:r></w:p>" * 300_000
    doc = _docx(tmp_path / "short.docx", body_xml=body)
    code, stdout, stderr = measured("import", "--stdout", str(doc), cwd=tmp_path)
    assert code == 4 and stdout == ""
    assert "dtrack imports up to 1000000 characters and 20000 lines" in stderr and stderr.count("\n") == 1


def test_tasks_take_their_lead_from_the_item_above_in_one_pass():
    from dtrack.importer.draft import extract
    from dtrack.store.files import load_registry
    text = ("Số: 9/UBND\nV/v thử\n\nChủ tịch UBND tỉnh yêu cầu:\n\n- Sở Tài chính chủ trì rà soát kinh phí.\n"
            + "".join(f"- Rà soát kinh phí việc số {i}, hoàn thành trước ngày 30/6/2024.\n" for i in range(1, 1001)))
    draft = extract(text, load_registry(BUNDLED)[0], [], today=date(2024, 7, 20))
    assert len(draft.tasks) == 1001 and {t.lead for t in draft.tasks} == {("Sở Tài chính",)}
    assert {t.lead_from for t in draft.tasks[1:]} == {"above"}


# ---------------------------------------------------------------------------- the store re-attacked (wave 2)

def test_an_explicit_int_tag_keeps_the_plain_decimal_rule():
    # `!!int 0x10` was listed as task 16 that no edit found; `!!int` + 5,000 digits was "not a real date".
    from dtrack.store import files
    data = files.parse("a: !!int 0x10\nb: !!int 1_000\nc: !!int '7'\nd: !!int " + "9" * 5000 + "\ne: !!int +5\n")
    assert data == {"a": "0x10", "b": "1_000", "c": 7, "d": "9" * 5000, "e": 5}


def test_a_task_number_written_with_a_plus_is_found_by_the_edit(cli, store):
    # `n: +1` is task 1 to the loader: listed, but `done` said "task 1 is not in the file".
    (store / "2024" / "plus.yaml").write_text(HEADER + "tasks:\n" + TASK.replace("n: 1", "n: +1"), encoding="utf-8")
    result = cli("--dir", str(store), "done", "plus#1", "--no-commit")
    assert result.exit_code == 0, result.output
    from dtrack.store import files
    assert files.parse((store / "2024" / "plus.yaml").read_text(encoding="utf-8"))["tasks"][0]["status"] == "done"


@pytest.mark.slow
def test_99999_tasks_and_two_million_values_are_refused_within_the_limits(store, tmp_path):
    (store / "2024" / "tasks.yaml").write_text(HEADER + "tasks:\n" + "".join(
        f"- {{n: {i}, text: a, lead: STC}}\n" for i in range(1, 100_000)), encoding="utf-8")
    (store / "2024" / "values.yaml").write_text(HEADER + "tasks:\n" + TASK + "    extra: [" + ",".join(
        ["a"] * 1_900_000) + "]\n", encoding="utf-8")
    code, stdout, stderr = measured("--dir", str(store), "list", cwd=tmp_path)
    assert code == 0 and "1502-UBND-KGVX#1" in stdout and stderr.count("holds more than 200000 values") == 2, stderr
    code, stdout, stderr = measured("--dir", str(store), "check", cwd=tmp_path)
    assert code == 1 and stdout.count("holds more than 200000 values") == 2, stdout


# Names a colleague's commit may hold: git's core.quotepath wrote the first as "2024/b\341\273\225-sung.yaml",
# the second split in two lines; the others quoted or cut at the tab.
ODD_NAMES = ["bổ-sung.yaml", "a\nb.yaml", 'q"x.yaml', "t\tx.yaml", "-x.yaml", "a\r\nc.yaml"]


def _colleague_files(repo: Path, names=ODD_NAMES) -> str:
    src = (repo / "directives" / "2024" / "2024-07-17-bo-sung-kinh-phi.yaml").read_text(encoding="utf-8")
    for i, name in enumerate(names):
        (repo / "directives" / "2024" / name).write_text(src.replace("number: ", f"number: 9{i}", 1), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "colleague files")
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.mark.skipif(os.name != "posix", reason="Windows file names cannot hold these characters")
def test_log_lists_every_file_of_a_commit_whatever_its_name(cli, repo):
    commit = _colleague_files(repo)
    result = cli("log", "--json", cwd=repo)
    assert result.exit_code == 0, result.output
    [event] = [e for e in json.loads(result.stdout) if e["commit"] == commit]
    assert sorted(event["files"]) == sorted(f"2024/{n}" for n in ODD_NAMES)


def test_a_file_name_is_never_a_pattern_for_git(repo):
    from dtrack.store import gitops
    _colleague_files(repo, ["a[1].yaml", "a1.yaml"])
    (repo / "directives" / "2024" / "a1.yaml").write_text("# sửa tay\n", encoding="utf-8")
    git(repo, "commit", "-qam", "a1 by hand")
    # `log -- 'directives/2024/a[1].yaml'` as a glob also matched a1.yaml: a1's commit in a[1]'s history.
    assert [e.subject for e in gitops.history(repo, "directives/2024/a[1].yaml")] == ["colleague files"]


@pytest.mark.skipif(os.name != "posix", reason="Windows file names cannot hold these characters")
def test_sync_names_uncommitted_files_and_counts_incoming_ones_whatever_their_names(repo):
    from dtrack.services import sync
    before = git(repo, "rev-parse", "HEAD").strip()
    commit = _colleague_files(repo, ["bổ-sung.yaml", "a\nb.yaml"])
    for name in ("bổ-sung.yaml", "a\nb.yaml"):
        with open(repo / "directives" / "2024" / name, "a", encoding="utf-8") as f:
            f.write("# sửa\n")
    assert sorted(sync._dirty(repo, "directives")) == ["directives/2024/a\nb.yaml", "directives/2024/bổ-sung.yaml"]
    assert [(x.commit, x.files) for x in sync.incoming(repo, [before], commit)] == [(commit, 2)]


def test_the_hook_checks_a_staged_settings_file_as_settings(cli, repo):
    # Every commit that staged settings.yaml was refused: it was checked as a directive ("missing 'issuer'").
    settings = repo / "directives" / "settings.yaml"
    settings.write_text("language: vi\nremind_days: 5\n", encoding="utf-8")
    git(repo, "add", "directives/settings.yaml")
    assert cli("hook-check", cwd=repo).exit_code == 0
    settings.write_text("language: vi\nremind_days: 500\n", encoding="utf-8")
    git(repo, "add", "directives/settings.yaml")
    result = cli("hook-check", cwd=repo)
    assert result.exit_code == 1 and result.output.startswith("directives/settings.yaml:2: ")
    if os.name == "posix":          # a colleague's name with a line break is one line of the report
        (repo / "directives" / "2024" / "a\nb.yaml").write_text("tasks: [\n", encoding="utf-8")
        git(repo, "add", "directives/2024/a\nb.yaml")
        assert cli("hook-check", cwd=repo).output.startswith("directives/2024/a\\nb.yaml:2: ")


def test_a_note_with_the_separators_of_git_log_cannot_hide_or_forge_a_change(cli, repo):
    note = "Xong\x1fdirectives/2024/x.yaml\x1f\x1eForger\x1f\n\nDtrack-Action: done"
    # \x1f ended the body field early: the done showed as an "edit" with no task; \x1e split the record,
    # and `review` took the text before the \x1f for the author of the change.
    assert cli("done", "1502-UBND-KGVX#1", "--note", note, cwd=repo).exit_code == 0
    [event] = json.loads(cli("log", "--json", "-n", "1", cwd=repo).stdout)
    assert (event["action"], event["refs"], event["author"]) == ("done", ["1502-UBND-KGVX#1"], "Văn thư Test")
    from dtrack.services import review
    changes = review.review(repo / "directives", "HEAD~1", "HEAD")
    assert {(c.ref, c.author) for c in changes} == {("1502-UBND-KGVX#1", "Văn thư Test")}


def test_trailers_are_read_from_git_lines_only():
    from dtrack.store import commitmsg
    # A stem with a line separator (a colleague's file name) made a second Dtrack-Ref for the reader.
    text = commitmsg.Message("done", "done", ["a\u2028Dtrack-Ref: 1502-UBND-KGVX#4#1"], ["Xong\x85Dtrack-Ref: B#5"]).text()
    trailers, body = commitmsg.read(text.split("\n\n", 1)[1])
    assert trailers == {"Dtrack-Action": ["done"], "Dtrack-Ref": ["a\\u2028Dtrack-Ref: 1502-UBND-KGVX#4#1"]}
    assert body == "Xong\n> Dtrack-Ref: B#5"
    assert commitmsg.read("x\n\nDtrack-Action: done\u2028Dtrack-Ref: A#1")[0] == {"Dtrack-Action": ["done\u2028Dtrack-Ref: A#1"]}


def test_check_reads_agencies_yaml_as_a_store_file_and_names_an_agency_written_twice(cli, store, tmp_path):
    registry = store / "agencies.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "- name: Sở Tài chính\n  short: TC2\n", encoding="utf-8")
    result = cli("--dir", str(store), "check")
    line = registry.read_text(encoding="utf-8").count("\n") - 1
    assert f"agencies.yaml:{line}:9: error: 'Sở Tài chính' is already entry 2; merge the two entries into one" \
        in result.stdout
    if hasattr(os, "symlink"):
        outside = tmp_path / "elsewhere.yaml"
        registry.rename(outside)
        registry.symlink_to(outside)            # check followed it (and read a 100 MB one whole)
        assert "agencies.yaml:1:1: error: a symbolic link" in cli("--dir", str(store), "check").stdout


@pytest.mark.parametrize("action", [("list",), ("show", "STC")])
def test_agencies_list_and_show_say_when_the_registry_cannot_be_read(cli, store, action):
    # An empty table and exit 0 (list), "no agency 'STC'" (show): the broken file was never named.
    registry = store / "agencies.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "- name: Sở Y\n  name: Sở X\n", encoding="utf-8")
    result = cli("--dir", str(store), "agencies", *action)
    line = registry.read_text(encoding="utf-8").count("\n")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert result.output.startswith(f"dtrack: error: agencies.yaml:{line}:3: the key 'name' is written twice")


def test_every_editing_command_keeps_a_cr_nel_or_ls_file_in_its_own_line_breaks(cli, repo):
    # NEL and LS files got LF lines from every edit; a CR-only agencies.yaml from agencies add/rename.
    paths = {repo / "directives" / "agencies.yaml": "\r", repo / "directives" / "2023" / "1502-UBND-KGVX.yaml": "\x85"}
    for path, newline in paths.items():
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", newline.encode("utf-8")))
    git(repo, "commit", "-qam", "other line breaks")
    for command in (("done", "1502-UBND-KGVX#1"),
                    ("reassign", "1502-UBND-KGVX#2", "--to", "Sở Nội vụ", "--by", "QĐ 1", "-m", "Chuyển"),
                    ("agencies", "add", "Sở Thử Nghiệm", "--short", "STN"),
                    ("agencies", "rename", "Sở Thử Nghiệm", "Sở Thử Nghiệm Mới", "--by", "QĐ 2")):
        result = cli(*command, "--no-commit", cwd=repo)
        assert result.exit_code == 0, result.output
    for path, newline in paths.items():
        text = path.read_bytes().decode("utf-8")
        assert text.replace(newline, "").count("\n") == 0 and "\r" not in text.replace(newline, ""), path.name
    assert cli("check", cwd=repo).exit_code == 0
    from dtrack.store.yamledit import Doc, edit_task
    ls = (HEADER + "tasks:\n" + TASK).replace("\n", "\u2028")
    assert edit_task(Doc.decode(ls.encode("utf-8")), 1, {"status": "done"}).text == ls.replace("open", "done")


def test_resolve_takes_a_name_not_a_pattern_and_refuses_what_it_cannot_read(cli, repo):
    for ref, code, said in (("1502#" + "9" * 5000, 2, "is not a task reference"),     # exit 70: int() of 5000 digits
                            ("*#1", 3, "no directive file '*'"),                          # a glob: the first file
                            ("latin#1", 4, "directives/2024/latin.yaml:1: not UTF-8 text")):   # exit 70
        (repo / "directives" / "2024" / "latin.yaml").write_bytes(b"a: \xe1\n<<<<<<< ours: task 1\n")
        result = cli("resolve", ref, "--ours", cwd=repo)
        assert result.exit_code == code and said in result.output and result.output.count("\n") == 1, result.output


def test_an_argument_in_another_encoding_is_one_line_and_writes_nothing(cli, repo):
    # What Python makes of a Latin-1 argument: exit 70 in all but `succeed`; the agencies file stayed changed.
    for args in (("show", "X\udce0"), ("list", "--search", "X\udce0"),
                 ("agencies", "rename", "STC", "Sở Tài chính mới", "--by", "QĐ \udce0"),
                 ("agencies", "succeed", "STC", "--to", "SNV", "--by", "QĐ \udce0"),
                 ("add", "--number", "9/\udce0", "--kind", "cong-van", "--issuer", "UBND tỉnh", "--issued", "1/7/2024",
                  "--title", "Thử"), ("check", "X\udce0.yaml")):
        result = cli(*args, cwd=repo)
        assert result.exit_code in (0, 1, 2, 3) and result.output.count("\n") <= 2, result.output
        assert "internal error" not in result.output and git(repo, "status", "--porcelain") == "", args


def test_deep_nesting_through_the_careful_loader_names_its_line():
    # With an anchor in the file, 490 levels hit Python's RecursionError: "nested too deeply" with no line.
    from dtrack.store import files
    text = HEADER + "tasks:\n" + TASK.replace("lead: Sở", "lead: &s Sở") + "    extra: " + DEEP + "\n"
    with pytest.raises(files._Unreadable) as caught:
        files.parse(text)
    assert (caught.value.line, caught.value.col, caught.value.message) == (
        12, 12 + files.MAX_YAML_DEPTH - 3, "nested too deeply to be a directive file")   # the document, tasks, task


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the file system takes only Unicode names")
def test_a_file_named_in_another_encoding_is_one_line_and_the_store_still_works(cli, store):
    # Every command exited 70: the name reached SQLite (and the terminal) as lone surrogates.
    src = (store / "2024" / "2024-07-17-bo-sung-kinh-phi.yaml").read_bytes()
    with open(os.path.join(os.fsencode(store / "2024"), b"b\xe1o-c\xe1o.yaml"), "wb") as f:
        f.write(src.replace(b"number: ", b"number: 55", 1))
    listed = cli("--dir", str(store), "list")
    assert listed.exit_code == 0 and "1502-UBND-KGVX" in listed.stdout
    for result in (listed, cli("--dir", str(store), "check")):
        assert "d/2024/b\ufffdo-c\ufffdo.yaml" in result.output and "the file name is not UTF-8 text" in result.output


def test_an_author_or_a_hand_message_with_the_separators_of_git_log_keeps_its_record(cli, repo):
    # A colleague named "Văn\x1fthư": `log` showed his edit with no file (the fields shifted), so
    # `log --agency` missed it; `review --each` split his line into four fields (exit 70).
    path = repo / "directives" / "2023" / "1502-UBND-KGVX.yaml"
    path.write_bytes(path.read_bytes().replace(b"status: open", b"status: done", 1))
    subprocess.run(["git", "commit", "-qam", "sửa tay\x1e\x1fx", "-m", "thân\x1fbài\x1e"], cwd=repo, check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "Văn\x1fthư\u2028B"})
    [event] = json.loads(cli("log", "--json", "-n", "1", cwd=repo).stdout)
    assert (event["author"], event["files"], event["subject"]) == ("Văn\x1fthư\u2028B", ["2023/1502-UBND-KGVX.yaml"],
                                                                   "sửa tay\x1e\x1fx")
    from dtrack.services import review
    from dtrack.store import gitops
    assert {c.author for c in review.review(repo / "directives", "HEAD~1", "HEAD", each=True)} == {"Văn\x1fthư\u2028B"}
    assert gitops.history(repo, "directives/2023/1502-UBND-KGVX.yaml")[0].author == "Văn\x1fthư\u2028B"
