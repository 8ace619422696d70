#!/usr/bin/env python3
"""Benchmark: `dtrack export-ics` on a generated store against the ics package alone.

    python benchmarks/bench_export.py [--directives 10000] [--runs 3] [--store DIR]

Figures (median of --runs, after a warm-up where it matters), each measured in the same run
so the ratio holds on a busy machine:
  ics alone   ics 0.7 builds ics.Event objects for the same open dated tasks (all-day, one
              DisplayAlarm, categories, TRANSP) and serializes the Calendar; the directives are
              loaded before timing (what ics needs, nothing else);
  first       `dtrack export-ics -o FILE` as a subprocess, every cache removed (YAML parsing
              of every file included);
  first, parse cache warm
              the same with only the export cache removed: the events are built from the
              parse cache that `dtrack list` keeps, no YAML parsed;
  warm        the same, nothing changed since the last export;
  one edited  one directive file touched since the last export.
Targets (issue 7): warm <= 1.5 s; first <= 1.2 x ics alone.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def dtrack_cmd() -> list[str]:
    script = Path(sys.executable).parent / "dtrack"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dtrack"]


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--directives", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--store", help="use (or create) this store instead of a temporary one")
    a = ap.parse_args()

    import gen_store
    from dtrack.store import files as store
    tmp = Path(tempfile.mkdtemp(prefix="dtrack-bench-"))
    root = Path(a.store) if a.store else tmp / "store"
    if not (root / "agencies.yaml").exists():
        gen_store.generate(str(root), a.directives, git=True)
    out = tmp / "out.ics"
    cache = store.cache_dir(root)
    env = {**os.environ, "DTRACK_TODAY": "2024-07-20"}

    def export() -> None:
        subprocess.run([*dtrack_cmd(), "--dir", str(root), "export-ics", "-o", str(out)], check=True,
                       env=env, stderr=subprocess.DEVNULL)

    def first() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        export()

    def first_parsed() -> None:
        for f in cache.glob("export-*"):
            f.unlink()
        export()

    import ics
    st = store.load(root)
    tasks = [(d, x) for d in st.directives for x in d.tasks if x.is_open and x.due]
    from datetime import timedelta

    def ics_alone() -> None:
        events = []
        for d, x in tasks:
            summary = f"[{x.lead[0]}] {x.text[:60]}"
            e = ics.Event(name=summary, begin=x.due, uid=f"{d.stem}-{x.n}@dtrack",
                          description=f"{x.text}\n\n{d.number} — {d.title}\n{d.issuer}", categories=x.lead,
                          transparent=True, alarms=[ics.DisplayAlarm(trigger=-timedelta(days=3), display_text=summary)])
            e.make_all_day()
            events.append(e)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            str(ics.Calendar(events=events))

    edited = next(p for _, p in store.iter_files(root))
    figures: dict[str, list[float]] = {"ics alone": [], "first": [], "first, parse cache warm": [], "warm": [],
                                       "one edited": []}
    export()  # warm-up: OS file cache
    for _ in range(a.runs):
        figures["ics alone"].append(timed(ics_alone))
        figures["first"].append(timed(first))
        subprocess.run([*dtrack_cmd(), "--dir", str(root), "list"], env=env, stdout=subprocess.DEVNULL, check=True)
        figures["first, parse cache warm"].append(timed(first_parsed))
        export()
        figures["warm"].append(timed(export))
        os.utime(edited)
        figures["one edited"].append(timed(export))
    med = {k: statistics.median(v) for k, v in figures.items()}
    print(f"store: {len(st.directives)} directives, {len(tasks)} open dated tasks, "
          f"{out.stat().st_size / 1e6:.1f} MB of iCalendar; {os.cpu_count()} cores")
    for k, v in med.items():
        print(f"{k:>23}: {v:6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in figures[k])})")
    print(f"first / ics alone = {med['first'] / med['ics alone']:.2f}  (target <= 1.2)")
    print(f"first, parse cache warm / ics alone = {med['first, parse cache warm'] / med['ics alone']:.2f}")
    print(f"warm = {med['warm']:.2f} s  (target <= 1.5 s)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
