#!/usr/bin/env python3
"""Two dtracks against the targets, interleaved run by run on two copies of the same store.

    python benchmarks/compare.py --before OLD/bin/dtrack --after NEW/bin/dtrack --store S [--runs 5]

S is a store made by gen_store.py with --git; S-before is made as its copy. Each figure is the
median of `runs` runs after one warm-up, each run a fresh process, the two versions alternating
(which one goes first alternates too), so that a machine shared with other work slows both alike.
Prints one JSON object: figure -> {"before": s, "after": s}, plus Taskwarrior's due list and a bare
C-loader parse, measured in the same rounds. Benchmarks, not tests: nothing fails on a slow machine.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import AS_OF, BARE, Taskwarrior, drop_caches, peak_mb  # noqa: E402


def once(cmd: list[str], env=None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed


def interleaved(sides: dict, make, runs: int, before=None) -> dict[str, float]:
    """make(side) -> command; before(side, i) prepares run i of a side (not timed). Every time is
    also printed to stderr, so that a long run that fails keeps what it measured."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for i in range(runs + 1):
        for name in (names if i % 2 else names[::-1]):
            if before:
                before(name, i)
            elapsed = once(make(name))
            print(f"{name} {i} {elapsed:.3f} {' '.join(make(name)[3:])}", file=sys.stderr, flush=True)
            if i:
                times[name].append(elapsed)
    return {name: round(statistics.median(x), 3) for name, x in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    store = args.store.resolve()
    copy = store.with_name(store.name + "-before")
    if not copy.exists():
        shutil.copytree(store, copy, symlinks=True)
    sides = {"before": (args.before, copy), "after": (args.after, store)}

    def dtrack(name: str, *rest: str) -> list[str]:
        exe, root = sides[name]
        return [exe, "--dir", str(root), "--as-of", AS_OF, *rest]
    out: dict[str, dict] = {}
    runs = args.runs
    out["load_at_start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())

    out["first_run"] = interleaved(sides, lambda n: dtrack(n, "list"), runs,
                                   before=lambda n, i: drop_caches(sides[n][1]))
    bare = [once([sys.executable, "-c", BARE, str(store)]) for _ in range(runs + 1)][1:]
    out["bare_loop"] = round(statistics.median(bare), 3)
    out["list_warm"] = interleaved(sides, lambda n: dtrack(n, "list"), runs)
    out["list_all_json"] = interleaved(sides, lambda n: dtrack(n, "list", "--all", "--json"), runs)
    out["help"] = interleaved(sides, lambda n: [sides[n][0], "--help"], runs)

    victim = sorted(store.glob("*/*.yaml"))[5000 % max(1, len(list(store.glob("*/*.yaml"))))].relative_to(store)
    original = (store / victim).read_bytes()

    def edit(name: str, i: int) -> None:
        path = sides[name][1] / victim
        path.write_bytes(original + (b"# edited %d\n" % i))
        # As an edit a few seconds before the command: within the racy window (2 s) the file is
        # parsed but not kept, which would flatter this figure.
        past = time.time_ns() - 3_000_000_000
        os.utime(path, ns=(past, past))
    out["list_after_edit"] = interleaved(sides, lambda n: dtrack(n, "list"), runs, before=edit)
    for name in sides:
        (sides[name][1] / victim).write_bytes(original)
        once(dtrack(name, "list"))
    out["peak_mb_list"] = {name: round(peak_mb(dtrack(name, "list")), 1) for name in sides}

    rows = json.loads(subprocess.run(dtrack("after", "list", "--all", "--status", "all", "--json"),
                                     capture_output=True, check=True).stdout)
    refs = [x["ref"] for x in rows if x["status"] == "open"][::97]
    cmd: dict[str, list[str]] = {}

    def pick(name: str, i: int) -> None:
        cmd[name] = dtrack(name, "done", refs[i])
        # A clerk's commands are seconds apart: past the racy window.
        time.sleep(2.2)
    out["done"] = interleaved(sides, lambda n: cmd[n], runs, before=pick)

    ics = {name: str(store.parent / f"{name}.ics") for name in sides}
    for name in sides:
        once(dtrack(name, "export-ics", "-o", ics[name]))
    out["export_ics_unchanged"] = interleaved(sides, lambda n: dtrack(n, "export-ics", "-o", ics[n]), runs)

    tw = Taskwarrior(Path(tempfile.mkdtemp(prefix="tw-", dir=store.parent)), rows)
    if tw.exe:
        out["taskwarrior_due_list"] = round(tw.due_soon(runs), 3)
    out["load_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
