"""Commit subjects and file stems shortened at a word boundary, never in the middle of a word."""
from __future__ import annotations

from datetime import date

from conftest import git


def test_a_long_subject_is_cut_after_a_whole_word(cli, repo):
    from dtrack.store.commitmsg import SUBJECT_WIDTH, Message, cut
    title = "Kế hoạch triển khai thực hiện chuyển đổi số năm 2024 trên địa bàn tỉnh Quảng Ngãi và các huyện"
    assert cut(title, 60) == "Kế hoạch triển khai thực hiện chuyển đổi số năm 2024 trên…"
    assert cut("hello world", 11) == "hello world" and cut("hello world", 8) == "hello…"
    assert cut("1502-UBND-KGVX#2-very-long-reference tail", 10) == "1502-UBND-KGVX#2-very-long-reference…"
    subject = Message("edit " + "giao nhiệm vụ " * 20, "edit").text().split("\n", 1)[0]
    assert len(subject) <= SUBJECT_WIDTH and subject.endswith("nhiệm vụ…")
    assert cli("add", "--number", "7/KH-UBND", "--kind", "ke-hoach", "--issuer", "UBND tỉnh", "--issued", "1/7/2024",
               "--title", title, cwd=repo).exit_code == 0
    assert git(repo, "log", "-1", "--format=%s").strip() == f"add 7/KH-UBND: {cut(title, 60)}"


def test_stems_keep_whole_words():
    from dtrack.store.files import STEM_BYTES, stem_for
    long_number = "1234/" + "/".join(["UBND-KGVX"] * 20)
    stem = stem_for(long_number, date(2024, 7, 1), "x")
    assert len(stem.encode("utf-8")) <= STEM_BYTES and len(stem) > STEM_BYTES - 10
    assert set(stem.split("-")) == {"1234", "UBND", "KGVX"}          # every part whole
    unnumbered = stem_for("", date(2024, 3, 11), "Kết luận về chuyển đổi số khuyến nông nghiệp công nghệ cao")
    assert unnumbered == "2024-03-11-chuyen-doi-khuyen-nong"
    wordy = stem_for("", date(2024, 3, 11), "Xaydungchinhquyendientu Chuyendoisoquocgia Phattrienkinhtexahoi Abc")
    assert wordy == "2024-03-11-xaydungchinhquyendientu-chuyendoisoquocgia"
