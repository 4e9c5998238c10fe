"""Medians of repeated runs, after one warm-up run that fills the caches."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

After = Callable[[Any], object] | None


def once_ms(run: Callable[[], object], after: After = None) -> float:
    """One timed run; ``after`` (closing a window, say) gets its result outside the timing."""
    started = time.perf_counter_ns()
    result = run()
    elapsed = (time.perf_counter_ns() - started) / 1e6
    if after is not None:
        after(result)
    return elapsed


def median_ms(run: Callable[[], object], runs: int, after: After = None) -> float:
    once_ms(run, after)
    gc.collect()
    return round(statistics.median(once_ms(run, after) for _ in range(runs)), 3)


def compared(
    run: Callable[[], object], floor: Callable[[], object], runs: int, after: After = None
) -> dict[str, float]:
    """The scenario's median, its floor's median from the same run, and their ratio."""
    scenario_ms, floor_ms = median_ms(run, runs, after), median_ms(floor, runs, after)
    return {
        "median_ms": scenario_ms,
        "floor_ms": floor_ms,
        "ratio": round(scenario_ms / floor_ms, 1) if floor_ms else float("inf"),
        "runs": runs,
    }
