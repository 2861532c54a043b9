"""Timing for the tests that compare two costs in one run (a ratio, never an absolute time)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def fastest(run: Callable[[], object], times: int = 5) -> float:
    """Seconds the fastest of a few runs took, after one to warm up, with the garbage collector
    off as `timeit` has it: in a test process holding hundreds of MB of other tests' objects a
    full collection costs more than the code timed, and it lands on the larger input's runs (a
    linear tagger measured 27 times slower on 8 times the text in a CI rehearsal)."""
    run()
    gc.collect()
    was_on = gc.isenabled()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(times):
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
        return best
    finally:
        if was_on:
            gc.enable()
