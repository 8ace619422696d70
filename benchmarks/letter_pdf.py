#!/usr/bin/env python3
"""Convert a follow-up letter and the report (Word) to PDF with LibreOffice and render their first page.

    python benchmarks/letter_pdf.py [OUT_FOLDER] [--as-of 2024-08-15]

Needs Debian's libreoffice-writer and poppler-utils (apt-get install -y libreoffice-writer
poppler-utils). Writes don-doc.pdf / don-doc-1.png and bao-cao.pdf / bao-cao-1.png from the bundled
store with a Vietnamese settings.yaml: look at the PNGs (header table, rules, date line, table
widths, signature block).
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETTINGS = """version: 1
language: vi
office: Văn phòng UBND tỉnh Quảng Ngãi
parent: UBND tỉnh Quảng Ngãi
place: Quảng Ngãi
signer:
  title: "KT. CHÁNH VĂN PHÒNG\\nPHÓ CHÁNH VĂN PHÒNG"
  name: Nguyễn Văn An
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default=".")
    ap.add_argument("--as-of", default="2024-08-15")
    args = ap.parse_args()
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not (soffice and pdftoppm):
        print("needs soffice and pdftoppm: apt-get install -y libreoffice-writer poppler-utils", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "directives"
        shutil.copytree(REPO / "directives", store)
        (store / "settings.yaml").write_text(SETTINGS, encoding="utf-8")
        dtrack = [sys.executable, "-m", "dtrack", "--dir", str(store), "--as-of", args.as_of]
        subprocess.run([*dtrack, "remind", "--agency", "STTTT", "--format", "docx", "--due-soon",
                        "--reply-by", "30/8/2024", "-o", str(out / "don-doc.docx")], check=True)
        subprocess.run([*dtrack, "report", "--format", "docx", "--list", "-o", str(out / "bao-cao.docx")], check=True)
        for name in ("don-doc", "bao-cao"):
            # A profile of its own: a LibreOffice already open on the desktop would swallow the job.
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to", "pdf",
                            "--outdir", str(out), str(out / f"{name}.docx")], check=True, capture_output=True,
                           timeout=300)
            subprocess.run([pdftoppm, "-r", "80", "-png", "-f", "1", "-l", "1", str(out / f"{name}.pdf"),
                            str(out / name)], check=True)
    pngs = sorted(out.glob("*-1.png"))
    for p in pngs:
        print(p)
    return 0 if len(pngs) == 2 else 1


if __name__ == "__main__":
    sys.exit(main())
