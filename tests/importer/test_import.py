"""dtrack import: documents in, directive files out — measured on the seeds, tried on other kinds
of directives, through the CLI on real git repositories."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED, SEEDS, git, make_repo

from dtrack.store import files as store_mod
from dtrack.importer.doctext import read_document
from dtrack.importer.draft import extract, to_yaml
from dtrack.domain.model import directive_from_data

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


@pytest.fixture(scope="module")
def bundled():
    return store_mod.load(BUNDLED)


def test_evaluation_meets_the_target_on_the_seeds():
    from dtrack.importer.evaluate import evaluate, meets_target, total
    scores = evaluate(SEEDS, BUNDLED)
    assert [s.name for s in scores] == sorted(p.name for p in SEEDS.glob("*.txt"))
    t = total(scores)
    assert (t.hand, t.found, t.missed, t.extra) == (33, 33, 0, 0)
    assert t.lead_ok == 33 and t.dated == t.dated_ok == 11 and t.deadline_ok == 33
    assert meets_target(t)


def test_evaluation_script_prints_the_table_and_exits_zero():
    proc = subprocess.run([sys.executable, "-m", "dtrack.importer.evaluate"], capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == ("target met: 33/33 tasks found, 0 extra, 33/33 leads, "
                                            "11/11 dated deadlines, 33/33 deadlines")


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_headers_match_the_hand_files(seed, bundled):
    hand = next(d for d in bundled.directives if d.source and d.source.endswith(seed))
    others = [d.issuer for d in bundled.directives if d is not hand]
    d = extract(read_document(SEEDS / seed), bundled.registry, others)
    h = d.header
    assert (h.number, h.kind, h.issuer, d.issued, h.signer or None, h.title) == \
           (hand.number, hand.kind, hand.issuer, hand.issued, hand.signer, hand.title)
    # The seeds without a date of issue: the header leaves it empty, the file holds the meeting's.
    assert h.issued in (None, hand.issued) and (h.issued is not None or d.issued == h.meeting)
    assert (h.meeting, h.chair or None) == (hand.extra.get("meeting"), hand.extra.get("chair"))


def test_recurring_report_gets_every_and_its_first_due(bundled):
    d = extract(read_document(SEEDS / "003_7d8544acb95e07e8.txt"), bundled.registry)
    task = d.tasks[1]
    assert (task.every, task.due, task.due_text) == ("2 weeks", date(2024, 3, 25), "định kỳ 02 tuần/lần")


# ---------------------------------------------------------------------------- other directives

EXPECTED = {
    "quyet-dinh-dieu.txt": dict(
        number="2150/QĐ-UBND", kind="quyet-dinh", issuer="UBND tỉnh Hà Tĩnh", issued=date(2024, 8, 5),
        signer="Trần Văn Hòa", title="giao nhiệm vụ triển khai nền tảng số dùng chung của tỉnh năm 2024",
        tasks=[
            ("Giao Sở Thông tin", ["Sở Thông tin và Truyền thông"], ["Sở Tài chính", "Sở Kế hoạch và Đầu tư"],
             date(2024, 12, 31), None),
            ("Sở Tài chính thẩm định", ["Sở Tài chính"], [], date(2024, 9, 4), None),
            ("Rà soát, kiện toàn", ["Sở Nội vụ"], [], date(2024, 10, 15), None),
            ("Tổng hợp kết quả", ["Sở Nội vụ"], [], date(2024, 9, 30), "3 months on day 31"),
            ("UBND các huyện", ["UBND các huyện, thị xã, thành phố"], [], date(2024, 11, 30), None),
        ]),
    "ke-hoach-muc.md": dict(
        number="112/KH-UBND", kind="ke-hoach", issuer="UBND tỉnh Bình Định", issued=date(2024, 5, 20),
        signer="Phạm Anh Tuấn",
        title="Triển khai Đề án 06 về phát triển ứng dụng dữ liệu dân cư trên địa bàn tỉnh năm 2024",
        tasks=[
            ("Công an tỉnh chủ trì", ["Công an tỉnh"], ["Sở Tư pháp"], date(2024, 9, 30), None),
            ("Sở Y tế triển khai", ["Sở Y tế"], [], date(2024, 8, 31), None),
            ("Cập nhật dữ liệu", ["Sở Giáo dục và Đào tạo"], [], date(2024, 7, 15), None),
            ("Báo cáo định kỳ", ["Sở Giáo dục và Đào tạo"], [], date(2024, 6, 20), "1 month on day 20"),
            ("Giao Văn phòng UBND tỉnh", ["Văn phòng UBND tỉnh"], [], date(2024, 12, 15), None),
        ]),
    "cong-van-de-nghi.txt": dict(
        number="3456/UBND-KTN", kind="cong-van", issuer="UBND tỉnh Quảng Nam", issued=date(2024, 9, 12),
        signer="Lê Thị Mai", title="tăng cường bảo đảm an toàn thông tin mạng trong dịp cuối năm",
        tasks=[
            ("Các Sở: TTTT, NV, TC", ["Sở Thông tin và Truyền thông", "Sở Nội vụ", "Sở Tài chính"], [],
             date(2024, 9, 30), None),
            ("Sở TTTT tổ chức", ["Sở Thông tin và Truyền thông"], [], date(2024, 11, 30), None),
            # Counted from an event the document does not date: the words, no date.
            ("UBND các huyện", ["UBND các huyện, thị xã, thành phố"], ["Công an tỉnh"], None, None),
        ]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_other_kinds_of_directive(name, bundled):
    want = EXPECTED[name]
    d = extract(read_document(FIXTURES / name), bundled.registry)
    h = d.header
    assert (h.number, h.kind, h.issuer, h.issued, h.signer, h.title) == \
           (want["number"], want["kind"], want["issuer"], want["issued"], want["signer"], want["title"])
    got = [(t.text[:len(w[0])], list(t.lead), list(t.support), t.due, t.every) for t, w in zip(d.tasks, want["tasks"])]
    assert got == [tuple(w) for w in want["tasks"]]
    assert len(d.tasks) == len(want["tasks"])


def test_output_is_a_valid_directive_in_the_hand_style(bundled):
    d = extract(read_document(SEEDS / "004_3a4777c10706b630.txt"), bundled.registry, source="seeds/004.txt")
    text = to_yaml(d)
    directive, problems = directive_from_data(yaml.safe_load(text), d.stem, d.relpath())
    assert problems == [] and len(directive.tasks) == 8
    assert '    lead: ["Các cơ quan, đơn vị thuộc UBND thị xã", "UBND các xã, phường"]\n' in text
    assert "    text: >-\n      Chịu trách nhiệm chính" in text
    assert max(len(line) for line in text.splitlines() if line.startswith("      ")) <= 94
    assert "number: \"\"\n" in text and "source: seeds/004.txt\n" in text


# ---------------------------------------------------------------------------- the command

def test_import_writes_validates_and_commits_only_the_new_file(cli, tmp_path):
    repo = make_repo(tmp_path / "office")
    (repo / "notes.txt").write_text("uncommitted\n", encoding="utf-8")
    doc = FIXTURES / "quyet-dinh-dieu.txt"
    result = cli("import", str(doc), "--yes", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "directives/2024/2150-QĐ-UBND.yaml" in result.stdout
    assert re.search(r"\n1 +STTTT +31/12/2024 +trong quý IV/2024 ", result.stdout)
    shown = git(repo, "-c", "core.quotepath=false", "show", "--name-only", "--format=%s%n%b", "HEAD")
    assert shown.splitlines()[0] == "import 2150/QĐ-UBND [UBND tỉnh Hà Tĩnh]: 5 task(s)"
    assert "Dtrack-Action: import" in shown and "Dtrack-Ref: 2150-QĐ-UBND" in shown
    assert shown.strip().splitlines()[-1] == "directives/2024/2150-QĐ-UBND.yaml"
    st_ = store_mod.load(repo / "directives")
    assert not st_.problems
    listed = cli("list", "--all", "--json", cwd=repo)
    assert "2150-QĐ-UBND#5" in listed.stdout
    # The same number again: never a second copy; the same text changes nothing.
    before = git(repo, "rev-parse", "HEAD")
    again = cli("import", str(doc), "--yes", cwd=repo)
    assert again.exit_code == 0
    assert "already in the store; the document changes nothing" in again.output
    assert git(repo, "rev-parse", "HEAD") == before and git(repo, "status", "--porcelain") == "?? notes.txt\n"


def test_import_of_a_seed_already_transcribed_is_no_second_copy(cli, repo):
    result = cli("import", str(SEEDS / "001_3500f724eaa31015.txt"), "--yes", cwd=repo)
    assert result.exit_code == 0
    assert "2023/1502-UBND-KGVX.yaml: already in the store; the document changes nothing" in result.output
    assert git(repo, "status", "--porcelain") == ""


def test_stdout_prints_yaml_and_touches_nothing(cli, repo):
    result = cli("import", str(FIXTURES / "ke-hoach-muc.md"), "--stdout", cwd=repo)
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert data["number"] == "112/KH-UBND" and len(data["tasks"]) == 5
    assert data["tasks"][3]["every"] == "1 month on day 20"
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / "directives" / "2024" / "112-KH-UBND.yaml").exists()


def test_no_commit_writes_the_file_only(cli, repo):
    result = cli("import", str(FIXTURES / "cong-van-de-nghi.txt"), "--no-commit", cwd=repo)
    assert result.exit_code == 0, result.output
    assert git(repo, "status", "--porcelain") == "?? directives/2024/3456-UBND-KTN.yaml\n"
    assert "written, not committed" in result.stdout


def test_unreadable_inputs_give_one_line_errors(cli, repo, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Số: 1/UBND\nHà Nội".encode("cp1258", "replace"))     # UTF-16 with its BOM is read now
    r = cli("import", str(bad), cwd=repo)
    assert r.exit_code == 4 and r.output.startswith("dtrack: error: ") and "UTF-8" in r.output
    r = cli("import", str(tmp_path / "x.doc"), cwd=repo)
    assert r.exit_code == 2 and ".txt, .md, .docx and .pdf" in r.output
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n", encoding="utf-8")
    r = cli("import", str(empty), cwd=repo)
    assert r.exit_code == 4 and "no text" in r.output


# ---------------------------------------------------------------------------- .docx and .pdf

# The header table is now read side by side, as Word shows it; the header reader of impstruct (issue 14)
# parses that form. Remove this mark when both branches are merged (it passes there).
def test_docx_is_read_in_document_order(tmp_path, bundled):
    docx = pytest.importorskip("docx", reason="the docx extra (python-docx) is not installed")
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"
    table.cell(0, 1).text = "Hà Tĩnh, ngày 05 tháng 8 năm 2024"
    for line in ["Số: 77/UBND-VX", "V/v rà soát dữ liệu", "UBND tỉnh có ý kiến như sau:",
                 "1. Giao Sở Y tế rà soát dữ liệu, hoàn thành trước ngày 20/8/2024.", "Nơi nhận:", "Lê Văn An"]:
        document.add_paragraph(line)
    path = tmp_path / "cv.docx"
    document.save(str(path))
    d = extract(read_document(path), bundled.registry)
    assert (d.header.number, d.header.issuer, d.header.issued) == ("77/UBND-VX", "UBND tỉnh Hà Tĩnh", date(2024, 8, 5))
    assert [(list(t.lead), t.due) for t in d.tasks] == [(["Sở Y tế"], date(2024, 8, 20))]


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a Helvetica text layer, written by hand (ASCII text only)."""
    ops = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({x}) Tj T*" for x in lines) + " ET" if lines else ""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(ops)} >>\nstream\n{ops}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_pdf_with_a_text_layer_is_read(tmp_path):
    pytest.importorskip("pypdf", reason="the pdf extra (pypdf) is not installed")
    path = tmp_path / "cv.pdf"
    path.write_bytes(_pdf(["So: 12/UBND-VX", "Giao So Y te ra soat du lieu truoc ngay 20/8/2024."]))
    text = read_document(path)
    assert "12/UBND-VX" in text and "truoc ngay 20/8/2024" in text


def test_scanned_pdf_is_refused(cli, repo, tmp_path):
    pytest.importorskip("pypdf", reason="the pdf extra (pypdf) is not installed")
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf([]))
    r = cli("import", str(path), cwd=repo)
    assert r.exit_code == 4
    assert "no text layer (a scanned image?)" in r.output
    assert git(repo, "status", "--porcelain") == ""


def test_missing_extra_is_named(tmp_path):
    path = tmp_path / "a.docx"
    path.write_bytes(b"PK")
    code = ("import sys; sys.modules['docx'] = None\n"
            "from pathlib import Path\nfrom dtrack.importer.doctext import read_document\n"
            "from dtrack.errors import UsageError\n"
            f"try:\n    read_document(Path({str(path)!r}))\nexcept UsageError as e:\n    print(e.message)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8").stdout
    assert out.strip() == ('reading .docx needs python-docx: pip install "dtrack-vn[docx]" '
                           '(under pipx: pipx inject dtrack-vn python-docx)')


# ---------------------------------------------------------------------------- never a traceback

_WORDS = st.sampled_from(["Giao", "Sở", "TTTT", "Tài chính", "1.", "a)", "-", ":", "Số:", "/TB-UBND", "ngày",
                          "tháng", "năm 2024", "trước ngày 31/02/2024", "chủ trì", "phối hợp với", "các Sở:",
                          "UBND tỉnh", "Các xã, phường:", "V/v", "THÔNG BÁO", "\n", "\n\n", "./.", "Nơi nhận:",
                          "định kỳ", "hằng tháng", "**", "Điều 1.", "II.", "Phổ", "Nguyễn Văn A", "kết luận:"])


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.lists(_WORDS, max_size=60).map(" ".join)))
def test_extract_never_raises_and_always_gives_a_valid_file(text):
    from dtrack.domain.agencies import Registry
    registry, _ = Registry.from_data(yaml.safe_load((BUNDLED / "agencies.yaml").read_text(encoding="utf-8")))
    d = extract(text, registry, today=date(2024, 7, 20))
    body = to_yaml(d)
    directive_from_data(yaml.safe_load(body), d.stem, d.relpath())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(_WORDS, max_size=40).map(" ".join))
def test_cli_stdout_on_random_text_writes_nothing(cli, repo, tmp_path, text):
    path = tmp_path / "random.txt"
    path.write_text(text, encoding="utf-8")
    r = cli("import", str(path), "--stdout", cwd=repo)
    assert r.exit_code in (0, 4), r.output
    assert "Traceback" not in r.output
    if r.exit_code == 4:
        assert r.output.startswith("dtrack: error: ")
    assert git(repo, "status", "--porcelain") == ""
