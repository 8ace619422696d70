"""Benchmark: ics 0.7 alone vs dtrack.ical on the same all-day events.

    /work/venv/bin/python benchmarks/bench_ical.py [N]      (default 20,000)

(a) ics alone: build ics.Event objects (all-day, 1 DisplayAlarm, categories,
    TRANSP) and str(Calendar) -- what ics needs, without any of the fixes;
(b) dtrack.ical.build_calendar on the same data (DTSTAMP, DTEND, SEQUENCE,
    folding, CRLF, NFC, escaping cleanup included).
Each is timed as the median of 3 runs after one warm-up run. Imports are
done before timing.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import warnings
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ics  # noqa: E402  (imported up front: the import is not what is measured)

from dtrack.output.ical import EventSpec, build_calendar  # noqa: E402

STAMP = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=7)))
UNITS = ["UBND các huyện, thị xã, thành phố", "Sở Tài chính", "Sở Kế hoạch và Đầu tư",
         "Sở Giáo dục và Đào tạo", "Công an tỉnh"]


def make_specs(n: int) -> list[EventSpec]:
    specs = []
    base = date(2024, 1, 1)
    for i in range(n):
        unit = UNITS[i % len(UNITS)]
        specs.append(EventSpec(
            uid=f"{1000 + i // 5}-UBND-KGVX-{i % 5}@dtrack",
            day=base + timedelta(days=i % 700),
            summary=f"Chỉ thị {1000 + i // 5}/CT-UBND: {unit} báo cáo kết quả thực hiện nhiệm vụ số {i}",
            description=("Tổng hợp, đánh giá tình hình triển khai; đề xuất giải pháp tháo gỡ "
                         "khó khăn, vướng mắc trong quá trình thực hiện.\nGửi về Văn phòng UBND tỉnh."),
            categories=(unit, "Chỉ thị"),
            sequence=i % 3,
            alarms=(timedelta(days=3),),
        ))
    return specs


def ics_alone(specs: list[EventSpec]) -> str:
    events = []
    for s in specs:
        e = ics.Event(name=s.summary, begin=s.day, uid=s.uid, description=s.description,
                      categories=s.categories, transparent=True,
                      alarms=[ics.DisplayAlarm(trigger=-s.alarms[0], display_text=s.summary)])
        e.make_all_day()
        events.append(e)
    return str(ics.Calendar(events=events))


def layer(specs: list[EventSpec]) -> bytes:
    return build_calendar(specs, "dtrack: nhiệm vụ", STAMP, "Hạn xử lý các nhiệm vụ")


def timed(fn, specs) -> float:
    gc.collect()
    t = time.perf_counter()
    out = fn(specs)
    dt = time.perf_counter() - t
    del out
    return dt


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    warnings.simplefilter("ignore", FutureWarning)  # str(Component) warns in ics 0.7
    specs = make_specs(n)
    ics_alone(specs)  # warm-up
    layer(specs)
    # Runs are interleaved (a, b, a, b, ...) so that drift in the machine's
    # speed (shared 2-core box) hits both sides alike.
    at, bt = [], []
    for _ in range(runs):
        at.append(timed(ics_alone, specs))
        bt.append(timed(layer, specs))
    a, b = statistics.median(at), statistics.median(bt)
    print(f"N = {n} all-day events, 1 alarm each, Vietnamese text; median of {runs} runs after a warm-up")
    print(f"(a) ics alone      : median {a:.3f} s  ({n / a:,.0f} events/s)  runs {[round(x, 3) for x in at]}")
    print(f"(b) dtrack.ical    : median {b:.3f} s  ({n / b:,.0f} events/s)  runs {[round(x, 3) for x in bt]}")
    print(f"ratio (b)/(a)      : {b / a:.3f}   (of the fastest runs: {min(bt) / min(at):.3f})")


if __name__ == "__main__":
    main()
