"""Timing and query counting shared by the benchmarks."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection


@dataclass(frozen=True)
class Timing:
    label: str
    per_second: float
    mean_ms: float
    p95_ms: float
    queries: int

    def row(self) -> str:
        return (
            f"  {self.label:<34} {self.per_second:9.1f}/s   mean {self.mean_ms:8.2f} ms"
            f"   p95 {self.p95_ms:8.2f} ms   queries {self.queries}"
        )


def count_queries(call: Callable[[], object]) -> int:
    """Queries one call sends. A wrapper, not connection.queries: the test client's
    request_started signal resets that log mid-request."""
    sent = 0

    def counter(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        nonlocal sent
        sent += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return sent


def measure(label: str, call: Callable[[], object], *, repeat: int, warmup: int = 3) -> Timing:
    """Call ``call`` ``warmup`` times, count one call's queries, then time ``repeat`` calls."""
    for _ in range(warmup):
        call()
    queries = count_queries(call)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    samples.sort()
    mean = statistics.fmean(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return Timing(label, 1 / mean, mean * 1000, p95 * 1000, queries)


def ratio(label: str, ours: Timing, baseline: Timing, goal: float | None = None) -> str:
    """How many times slower ours is than the baseline (1.00 = as fast)."""
    value = baseline.per_second / ours.per_second
    verdict = (
        "" if goal is None else f"  (goal <= {goal:.2f}: {'met' if value <= goal else 'MISSED'})"
    )
    return f"  ratio {label}: {value:.2f}{verdict}"
