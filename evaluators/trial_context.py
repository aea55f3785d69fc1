"""The state one trial carries from row to row (evaluators.runner): the texts, the options, the memo of runs,
and what each finished run leaves for the steps after it (rerank, deeper checks, winner stability).

Also the trial-wide constants (ranking depth, batch, seed), so every stage ranks and resamples the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from evaluators.cache import LazyEncoder
from evaluators.ingest.model_chunking import View
from evaluators.ingest.views import Views
from evaluators.rerank import DEFAULT_DEPTH, LazyReranker
from evaluators.types import Dataset, PhaseFn

DEPTH = 100
"""Units retrieved per query: enough for MaxP to find 10 distinct parents and for RRF to fuse."""
BATCH = 128
"""Passages per progress/cancel step (each is encoded in sub-batches by the encoder)."""
LATENCY_SHARE = 0.03
"""Latency probes stop after max(1 s, this share of the passage-encoding time)."""
SEED = 0
"""Seed of the bootstrap and randomisation tests (results are reproducible)."""


class MetaStore(Protocol):
    """Where a measured run's cost is kept beside what it cached (an EmbeddingCache, a BM25 StoredRun)."""

    def write_meta(self, meta: dict[str, Any]) -> None: ...


@dataclass
class Run:
    """One model's ranking of the trial's queries over its chunks, with what it cost."""

    idx: np.ndarray
    val: np.ndarray
    perf: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    meta_cache: MetaStore | None = None
    lazy: LazyEncoder | None = None
    """Dense runs: the (possibly never loaded) encoder, reused by the deeper checks."""
    docs: np.ndarray | None = None
    """Dense runs: the passage vectors, in corpus order."""
    queries: np.ndarray | None = None
    """Dense runs: the query vectors, in the order of TrialContext.qids."""
    view: View | None = None
    """The chunks this run indexed (the model's own cut), with the relevance labels that follow them."""


@dataclass
class TrialContext:
    dataset: Dataset
    texts: list[str]
    qids: list[str]
    qtexts: list[str]
    cache_dir: Path | None
    backend: str
    progress: Callable[[str, int, int], None]
    stop: Callable[[], bool]
    checks: list[str] = field(default_factory=list)
    tradeoffs: bool = True
    phase: PhaseFn = field(default=lambda event: None)
    etas: dict[str, Any] = field(default_factory=dict)  # model reference -> Estimate made before the run
    estimates: dict[str, dict[str, Any]] = field(default_factory=dict)
    memo: dict[Any, Run] = field(default_factory=dict)
    checked: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: Views | None = None
    size: int | None = None
    """The chunk size of the rows being run (None: the dataset's own)."""
    sweep: bool = False
    last: Run | None = None
    """The run behind the row just added (the rerank stage re-scores its ranking)."""
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Answer texts per evaluated query (answer-hit@1), when the queries carry them."""
    reranker: LazyReranker | None = None
    rerank_depth: int = DEFAULT_DEPTH
    rankings: dict[str, tuple[np.ndarray, np.ndarray, View]] = field(default_factory=dict)
    """Row name -> its ranking (top-k unit indices, scores) and its cut, for the winner-stability step."""

    def label(self, name: str) -> str:
        """A row's name: in a chunk-size sweep it carries the size ('@256', '@whole' for whole documents)."""
        return f"{name} @{self.size or 'whole'}" if self.sweep else name


def now() -> str:
    """The current UTC time as the trial records it (ISO 8601, seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
