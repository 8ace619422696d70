"""A letter through LibreOffice to PDF (slow: starts an office suite): it opens, keeps the Vietnamese
text and the header, and pdftoppm renders its first page (benchmarks/letter_pdf.py keeps the PNGs)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")),
                    reason="needs libreoffice-writer and poppler-utils")
def test_libreoffice_converts_the_letter_and_the_first_page_renders(tmp_path):
    from pypdf import PdfReader
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "letter_pdf.py"), str(tmp_path)], check=True,
                   timeout=600, capture_output=True)
    first = PdfReader(str(tmp_path / "don-doc.pdf")).pages[0].extract_text()
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Kính gửi: Sở Thông tin",
                 "Quảng Ngãi, ngày 15 tháng 8 năm 2024"):
        assert line in first
    box = PdfReader(str(tmp_path / "don-doc.pdf")).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    assert (tmp_path / "don-doc-1.png").stat().st_size > 20_000
    assert (tmp_path / "bao-cao-1.png").stat().st_size > 20_000
