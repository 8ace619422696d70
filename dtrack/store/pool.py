"""The one process pool of dtrack: a big first build of the index (or of values derived from every
file) runs on every core, and reports its progress through a callback the command line passes in
(store/ draws nothing)."""
from __future__ import annotations

import functools
import gc
import os
import sys
import time
from typing import Callable, Iterator

POOL_MIN_FILES = 400 if sys.platform != "win32" else 2000   # below this, starting workers costs more than it saves
PROGRESS_AFTER = 1.0             # seconds: a slow build reports its progress after this

Progress = Callable[[int, int], None]     # (done, total); called with done == total at the end


def _chunk(fn, items: list) -> list:
    gc.disable()        # a bulk load makes only long-lived objects: collecting is wasted work
    return [fn(item) for item in items]


def run_all(fn, items: list, progress: Progress | None = None) -> Iterator:
    """fn(item) of every item, in any order: on every core when there are many (the one process pool
    of dtrack, for a first build of a big store), reporting progress when it is slow. `fn` must be
    picklable (a top-level function or a partial of one)."""
    started = time.perf_counter()
    reported = False
    # A bar moves in hundredths: reporting each of 10,000 results cost the parent ~0.03 s of a first build.
    step = max(1, len(items) // 100)
    if len(items) >= POOL_MIN_FILES and (os.cpu_count() or 1) > 1:
        results = _pooled(fn, items)
    else:
        results = (fn(item) for item in items)
    try:
        for done, result in enumerate(results, 1):
            yield result
            if progress is not None and done % step == 0 and (
                    reported or time.perf_counter() - started > PROGRESS_AFTER):
                reported = True
                progress(done, len(items))
    finally:
        if reported:
            progress(len(items), len(items))


def _pooled(fn, items: list) -> Iterator:
    import multiprocessing
    workers = min(os.cpu_count() or 1, 8)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin" else "spawn"
    size = max(20, min(500, len(items) // (workers * 8)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    with multiprocessing.get_context(method).Pool(workers) as pool:
        for chunk in pool.imap_unordered(functools.partial(_chunk, fn), chunks):
            yield from chunk
