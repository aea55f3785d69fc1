"""What the runner measures besides quality: peak memory and single-query latency."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from evaluators.cache import Probe

LATENCY_PROBES = 20
MIN_PROBES = 5
MEM_METHOD = "process RSS peak (psutil, sampled every 50 ms while the model ran)"


class PeakMemory:
    """Samples this process's RSS in a background thread; `peak_mb` after exit."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval, self.peak = interval, 0
        self._done = threading.Event()

    def _sample(self) -> None:
        import psutil

        proc = psutil.Process()
        while True:
            self.peak = max(self.peak, proc.memory_info().rss)
            if self._done.wait(self.interval):
                return

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


def latency_ms(fn: Callable[[str], object], texts: Sequence[str], budget_s: float = 1.0) -> dict[str, float]:
    """p50/p95 of one query processed by `fn` (probe limits as in `cache.Probe`)."""
    probe = Probe(after=lambda v: None, budget_s=budget_s, min_n=MIN_PROBES, max_n=LATENCY_PROBES)
    probe.run(lambda batch: fn(batch[0]), list(texts), list(range(len(texts))))
    return latency_stats(probe.times)


def latency_stats(times: Sequence[float]) -> dict[str, float]:
    ms = np.array(times) * 1000
    return {
        "query_p50_ms": float(np.percentile(ms, 50)),
        "query_p95_ms": float(np.percentile(ms, 95)),
        "latency_probes": float(len(ms)),
    }
