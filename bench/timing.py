"""Medians of repeated runs, after one warm-up run that fills the caches."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def median_ms(run: Callable[[], object], runs: int) -> float:
    run()
    gc.collect()
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return round(statistics.median(samples), 3)


def compared(run: Callable[[], object], floor: Callable[[], object], runs: int) -> dict[str, float]:
    """The scenario's median, its floor's median from the same run, and their ratio."""
    scenario_ms, floor_ms = median_ms(run, runs), median_ms(floor, runs)
    return {
        "median_ms": scenario_ms,
        "floor_ms": floor_ms,
        "ratio": round(scenario_ms / floor_ms, 1) if floor_ms else float("inf"),
        "runs": runs,
    }
