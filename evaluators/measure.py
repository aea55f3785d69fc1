"""What the runner measures besides quality: each model's own peak memory and single-query latency.

Peak memory belongs to the model: RSS at the model's start is the baseline, and the peak above it while the
model ran is its figure. On Linux the kernel's high-water mark (VmHWM) is reset for the model by writing 5
to /proc/self/clear_refs, so short spikes between samples are caught too; elsewhere a thread samples RSS.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Sequence

import numpy as np

from evaluators.cache import Probe

LATENCY_PROBES = 20
MIN_PROBES = 5
MEM_METHOD = ("the model's own peak: process RSS high-water mark while it ran minus RSS when it started "
              "(Linux VmHWM reset per model; elsewhere RSS sampled every 50 ms)")


def _status_kib(field: str) -> int | None:
    try:
        text = open("/proc/self/status", encoding="ascii").read()
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) if found else None


def _reset_hwm() -> bool:
    """Reset this process's VmHWM to the current RSS (Linux >= 4.0); False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


class PeakMemory:
    """Peak RSS of this process while the block runs (`process_peak_mb`) and above its start (`peak_mb`)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval, self.peak, self.baseline = interval, 0, 0
        self._done = threading.Event()
        self._hwm = False

    def _rss(self) -> int:
        kib = _status_kib("VmRSS")  # Linux: no psutil import (start-up of a cached re-run)
        if kib is not None:
            return kib * 1024
        import psutil

        return int(psutil.Process().memory_info().rss)

    def _sample(self) -> None:
        import psutil

        proc = psutil.Process()
        while True:
            self.peak = max(self.peak, proc.memory_info().rss)
            if self._done.wait(self.interval):
                return

    def __enter__(self) -> PeakMemory:
        self.baseline = self._rss()
        self.peak = self.baseline
        self._hwm = _reset_hwm()
        if not self._hwm:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._hwm:
            self.peak = max(self.peak, (_status_kib("VmHWM") or 0) * 1024)
            return
        self._done.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        """The block's own peak: high-water mark minus the RSS it started from."""
        return max(self.peak - self.baseline, 0) / 2**20

    @property
    def process_peak_mb(self) -> float:
        return self.peak / 2**20

    @property
    def method(self) -> str:
        return "VmHWM reset per model" if self._hwm else "RSS sampled every 50 ms"


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
