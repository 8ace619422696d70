#!/usr/bin/env python3
"""Render `dtrack report --format html` in a real headless browser and save a screenshot.

    python benchmarks/screenshot_report.py [OUT.png] [--as-of 2024-08-15]

Uses Debian's chromium (apt-get install -y chromium). The page must need nothing from the
network: chromium runs with networking off, so a missing asset would show as a broken page.
Look at the PNG: the table, the legend and one stacked bar per agency.
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default="report.png")
    ap.add_argument("--as-of", default="2024-08-15")
    args = ap.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        print("chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        subprocess.run([sys.executable, "-m", "dtrack", "--dir", str(REPO / "directives"), "--as-of", args.as_of,
                        "report", "--format", "html", "--list", "-o", str(page)], check=True)
        out = Path(args.out).resolve()
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--proxy-server=127.0.0.1:9", "--window-size=1200,1900", f"--screenshot={out}",
                        page.as_uri()], check=True, capture_output=True, timeout=120)
    print(out)
    return 0 if out.exists() and out.stat().st_size > 10000 else 1


if __name__ == "__main__":
    sys.exit(main())
