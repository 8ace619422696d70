#!/usr/bin/env python3
"""Time shell completion of references on a big store: each completion is a fresh `dtrack` process
that the shell starts with _DTRACK_COMPLETE set (as bash does), against a warm index.

    python benchmarks/gen_store.py /tmp/s/directives --directives 10000 --seed 1
    python benchmarks/bench_completion.py /tmp/s/directives [--runs 11] [--dtrack PATH]

Prints the median of each case and, for scale on a busy machine, of `dtrack --help` (the start-up
alone) measured between them. The target is ≤ 0.15 s a completion (issue 15)."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import once  # noqa: E402

CASES = [
    ("command name", ["dtrack", "li"]),
    ("done: references of a number prefix", ["dtrack", "done", "100"]),
    ("done: the tasks of one directive", ["dtrack", "done", "1005-KH-UBND#"]),
    ("show: a directive or its tasks", ["dtrack", "show", "2024-"]),
    ("list --agency: names", ["dtrack", "list", "--agency", "s"]),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--dtrack", default=shutil.which("dtrack") or "dtrack")
    args = ap.parse_args()
    base = {**os.environ, "DTRACK_DIR": args.store, "DTRACK_TODAY": "2024-07-20"}
    subprocess.run([args.dtrack, "list"], env=base, stdout=subprocess.DEVNULL, check=True)   # warm the index
    helps, results = [], []
    for label, words in CASES:
        env = {**base, "_DTRACK_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(words),
               "COMP_CWORD": str(len(words) - 1)}
        times = []
        for _ in range(args.runs):
            times.append(once([args.dtrack], env))
            helps.append(once([args.dtrack, "--help"], base))
        results.append((label, statistics.median(times), max(times)))
    for label, median, worst in results:
        print(f"{label:40s} median {median:.3f} s  worst {worst:.3f} s")
    print(f"{'dtrack --help (start-up, for scale)':40s} median {statistics.median(helps):.3f} s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"1-minute load average at the end: {load:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
