#!/usr/bin/env python3
"""Render `dtrack report --format html` in a real headless browser, as a leader's screen and a phone see it.

    python benchmarks/screenshot_report.py [OUT_FOLDER] [--as-of 2024-08-15] [--lang vi|en] [--list]

Writes report-1200x900.png (a desktop window: the figures and the chart must be in it, above
the fold) and report-390x844.png (a phone), of the bundled store copied with a settings.yaml
in --lang. Uses Debian's chromium (apt-get install -y chromium), networking off: the page must
need nothing from the network. Look at both PNGs.
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIZES = ((1200, 900), (390, 844))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default=".")
    ap.add_argument("--as-of", default="2024-08-15")
    ap.add_argument("--lang", default="vi")
    ap.add_argument("--list", action="store_true", help="the overdue tasks unfolded")
    args = ap.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        print("chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 2
    out_dir = Path(args.out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "directives"
        shutil.copytree(REPO / "directives", store)
        (store / "settings.yaml").write_text(f"version: 1\nlanguage: {args.lang}\n", encoding="utf-8")
        page = Path(tmp) / "report.html"
        subprocess.run([sys.executable, "-m", "dtrack", "--dir", str(store), "--as-of", args.as_of, "report",
                        "--format", "html", *(["--list"] if args.list else []), "-o", str(page)], check=True)
        for width, height in SIZES:
            out = out_dir / f"report-{width}x{height}.png"
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--no-first-run", "--hide-scrollbars", "--proxy-server=127.0.0.1:9",
                            f"--window-size={width},{height}", f"--screenshot={out}", page.as_uri()],
                           check=True, capture_output=True, timeout=120)
            written.append(out)
    for out in written:
        print(out)
    return 0 if all(p.exists() and p.stat().st_size > 5000 for p in written) else 1


if __name__ == "__main__":
    sys.exit(main())
