"""Helpers shared by the benchmarks: best-of-N timing, peak memory, the result row, the table."""

from __future__ import annotations

import gc
import time
import tracemalloc

COLUMNS = ("benchmark", "seconds", "baseline", "baseline_seconds", "ratio", "target", "peak_mb")


def timed(func, repeat: int = 3):
    """Smallest wall time of ``repeat`` calls (seconds) and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return min(times), result


def best_of(func, repeat: int = 3) -> float:
    """Smallest wall time of ``repeat`` calls (seconds)."""
    return timed(func, repeat)[0]


def peak_mb(func) -> float:
    """Peak Python-allocated memory of one call, in MB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def row(benchmark, seconds, baseline, baseline_seconds, target=None, peak=None) -> dict:
    return {"benchmark": benchmark, "seconds": seconds, "baseline": baseline,
            "baseline_seconds": baseline_seconds,
            "ratio": seconds / baseline_seconds if baseline_seconds else None,
            "target": target, "peak_mb": peak}


def print_table(rows) -> None:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        print(frame.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
