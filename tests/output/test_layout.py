"""Every terminal layout keeps what matters at every width, in English and Vietnamese: the
reference (whole, never wrapped), the deadline, the state and the lead of every task; long texts
wrap and are never cut. The store has unnumbered notices with long stems and a long agency name."""
from __future__ import annotations

import json
import re
import subprocess

import pytest
from typer.testing import CliRunner

WIDTHS = (60, 80, 100, 120, 200)
LANGS = ("en", "vi")
LONG_AGENCY = "Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh"
AGENCIES = f"""- name: Sở Tài chính
  aliases: [STC]
- name: Sở Thông tin và Truyền thông
  aliases: [TTTT, STTTT, Sở TTTT]
- name: Sở Nội vụ
  aliases: [NV, SNV]
- name: "UBND các huyện, thị xã, thành phố"
  aliases: [UBND cấp huyện]
- name: {LONG_AGENCY}
"""
LONG_TEXT = ("Chủ trì, phối hợp với các sở, ngành và địa phương rà soát toàn bộ danh mục dự án đầu tư "
             "hạ tầng khu công nghiệp, báo cáo tiến độ giải phóng mặt bằng và đề xuất giải pháp tháo gỡ "
             "vướng mắc trước khi trình Ủy ban nhân dân tỉnh xem xét, quyết định.")
FILES = {
    "2024/2024-07-17-bo-sung-kinh-phi.yaml": f"""number: ""
kind: thong-bao
issuer: UBND tỉnh Lâm Hải Giang
issued: 2024-07-17
title: Kết luận cuộc họp về bổ sung kinh phí chuyển đổi số năm 2024
tasks:
  - n: 1
    text: Tổng hợp đề xuất kinh phí của các huyện.
    lead: [Sở Tài chính, Sở Thông tin và Truyền thông]
    due: 2024-07-23
    status: open
  - n: 2
    text: {LONG_TEXT}
    lead: {LONG_AGENCY}
    due: 2024-07-18
    status: open
""",
    "2024/2024-07-19-ha-tang-khu-cong-nghiep-va-khu-kinh-te.yaml": f"""number: ""
kind: thong-bao
issuer: UBND tỉnh Lâm Hải Giang
issued: 2024-07-19
title: Kết luận về hạ tầng khu công nghiệp
tasks:
  - n: 1
    text: Báo cáo kết quả.
    lead: {LONG_AGENCY}
    status: open
  - n: 2
    text: Lập kế hoạch triển khai năm 2025 cho toàn bộ các khu công nghiệp trên địa bàn tỉnh.
    lead: Sở Tài chính
    due: 2024-08-30
    status: open
""",
}
STEMS = ("2024-07-17-bo-sung-kinh-phi", "2024-07-19-ha-tang-khu-cong-nghiep-va-khu-kinh-te")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("layout")
    folder = root / "directives"
    (folder / "2024").mkdir(parents=True)
    (folder / "agencies.yaml").write_text(AGENCIES, encoding="utf-8")
    for rel, text in FILES.items():
        (folder / rel).write_text(text, encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "Văn thư Test"],
                 ["config", "user.email", "clerk@example.org"], ["add", "-A"], ["commit", "-qm", "store"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    done = _run(folder, "en", 120, "done", f"{STEMS[0]}#1", "--note", "Công văn 12/STC gửi ngày 19/7/2024")
    assert done.exit_code == 0, done.output
    return folder


def _run(folder, lang, width, *args):
    from dtrack import i18n
    from dtrack.cli.app import app
    i18n.reset()
    env = {"COLUMNS": str(width), "DTRACK_LANG": lang, "DTRACK_TODAY": "2024-07-20"}
    return CliRunner().invoke(app, ["--dir", str(folder), *args], env=env, catch_exceptions=False)


def _words(text: str) -> str:
    return " ".join(text.split())


def _within(output: str, width: int) -> list[str]:
    lines = output.splitlines()
    assert lines and max(len(line) for line in lines) <= width, max(lines, key=len)
    return lines


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_list_keeps_reference_deadline_state_lead_and_the_whole_task(store, width, lang):
    from dtrack import i18n
    from dtrack.output.render import agencies_label, left_label
    rows = json.loads(_run(store, lang, width, "list", "--all", "--json").stdout)
    result = _run(store, lang, width, "list", "--all", "--format", "table")
    lines = _within(result.stdout, width)
    refs = {r["ref"] for r in rows}
    starts = [i for i, line in enumerate(lines) if line.split(" ")[0] in refs]
    assert sorted(lines[i].split(" ")[0] for i in starts) == sorted(refs)      # each reference whole, once
    i18n.set_language(lang)
    from dtrack.store.collection import Collection
    registry = Collection(store).registry
    header = lines[0] if not lines[0].split(" ")[0] in refs else None
    for k, start in enumerate(starts):
        record = lines[start:(starts + [len(lines) - 1])[k + 1]]
        row = next(r for r in rows if r["ref"] == record[0].split(" ")[0])
        due = "/".join(reversed(row["due"].split("-"))) if row["due"] else None
        state = left_label(type("Row", (), {"state": row["state"], "days_left": row["days_left"]}))
        lead = agencies_label(row["lead"], registry, short=True)
        if header:          # a table: all on the task's first line, the lead and task read from their columns
            assert (due or "") in record[0] and state in record[0]
            lead_at, task_at = header.index(i18n.t("Lead")), header.index(i18n.t("Task"))
            assert _words(" ".join(x[lead_at:task_at] for x in record)) == lead
            assert _words(" ".join(x[task_at:] for x in record)) == _words(row["text"])
        else:               # stacked: the reference, deadline, state and lead in this order, then the task
            head = " ".join(x for x in (row["ref"], due, state, lead) if x)
            assert _words(" ".join(record)) == f"{head} {_words(row['text'])}"
    i18n.reset()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_report_keeps_every_agency_and_its_numbers(store, width, lang):
    result = _run(store, lang, width, "report", "--format", "table")
    lines = _within(result.stdout, width)
    text = _words(result.stdout)
    for label in ("STC", LONG_AGENCY, "STTTT"):     # a long name wraps inside its column, word by word
        assert all(word in text.split() for word in label.split())
    counts = json.loads(_run(store, lang, width, "report", "--format", "json").stdout)["rows"]
    long_row = next(r for r in counts if r["agency"] == LONG_AGENCY)
    if any(set(line) == {"─"} for line in lines):       # a table: the numbers on the row's first line
        first = next(line for line in lines if line.startswith(LONG_AGENCY.split()[0]))
        assert re.findall(r"\b\d+\b", first)[:2] == [str(long_row["assigned"]), str(long_row["done_on_time"])]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_log_never_wraps_a_reference(store, width, lang):
    result = _run(store, lang, width, "log", "--format", "table")
    lines = _within(result.stdout, width)
    assert any(f"{STEMS[0]}#1" in line for line in lines)
    assert all(w in result.stdout.split() for w in "Công văn 12/STC gửi ngày 19/7/2024".split())
    assert len(lines) <= 12         # two commits: a few lines each, not one line a word


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_show_keeps_the_reference_and_the_full_lead(store, width, lang):
    result = _run(store, lang, width, "show", f"{STEMS[0]}#2")
    lines = _within(result.stdout, width)
    assert lines[0] == f"{STEMS[0]}#2"
    assert LONG_AGENCY in _words(result.stdout) and _words(LONG_TEXT) in _words(result.stdout)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_import_review_keeps_every_task_its_lead_due_and_phrase(store, width, lang):
    from conftest import REPO
    doc = REPO / "tests" / "fixtures" / "import" / "cong-van-de-nghi.txt"
    result = _run(store, lang, width, "import", "--stdout", str(doc))
    assert result.exit_code == 0, result.output
    review = result.stderr.split("\n")
    review = [line for line in review if not line.startswith(("check", "kiểm tra"))]
    _within("\n".join(review), width)
    text = _words(" ".join(review))
    for piece in ("30/09/2024", "30/11/2024", "STTTT", "UBND cấp huyện", "trước ngày 30/9/2024",
                  "trong 05 ngày làm việc"):
        assert piece.split()[0] in text and all(w in text for w in piece.split())
    for word in "tuyên truyền, nâng cao nhận thức về lừa đảo trực tuyến cho người dân".split():
        assert word in text
