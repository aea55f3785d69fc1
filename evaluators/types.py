"""Shared trial types: documents and queries in, per-model numbers out.

Kept apart from the runner so storage and tui can read results without importing any ML code. Every
result type round-trips through plain JSON (`to_dict` / `from_dict`), which is what storage saves and what
`embedscout trial --json` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from evaluators.winner.model import WinnerStability

if TYPE_CHECKING:
    import numpy as np  # only in annotations: importing numpy costs ~0.27 s, and a replay needs none

ProgressFn = Callable[[str, int, int], None]
"""on_progress(model, done, total): called from the worker thread after each batch of passages."""
StopFn = Callable[[], bool]
"""should_stop(): polled between batches; True makes the trial raise TrialCancelled."""


@dataclass(frozen=True)
class PhaseEvent:
    """A named stage of one model's run, sent before it starts so a UI can say what the wait is for."""

    model: str
    phase: str
    """'estimate' (before anything runs), 'download', 'export' (one-time ONNX export), 'verify' (the
    precision check), 'load', 'encode'."""
    text: str
    """What the user reads, e.g. 'exporting all-MiniLM-L6-v2 to ONNX (one time per model)'."""
    estimate_s: float | None = None
    """Expected seconds of this stage when known (the 'estimate' event: the whole model)."""


PhaseFn = Callable[[PhaseEvent], None]
"""on_phase(event): called from the worker thread; cheap, must not block."""


class TrialCancelled(Exception):
    """Raised inside a trial when should_stop() turned True; what finished before is kept by the caller."""


class TrialInputError(ValueError):
    """Bad user input for a trial (empty corpus, unreadable path, malformed queries): a one-line message."""


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    title: str = ""
    source: str = ""
    """File path (or dataset name) the text came from."""
    parent_id: str | None = None
    """Set on chunks: the id of the document it was cut from (chunk ids are '<parent id>#<n>')."""


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    answer: str | None = None
    """Answer text when the user gave question+answer (relevance = chunks containing it)."""
    answers: tuple[str, ...] = ()
    """Every accepted answer text (SQuAD lists several); `answer` is the first. Read by answer-hit@1."""


@dataclass(frozen=True)
class Dataset:
    """A retrieval test set: corpus (already chunked if chunking applies), queries, and graded qrels."""

    name: str
    corpus: tuple[Doc, ...]
    queries: tuple[Query, ...]
    qrels: dict[str, dict[str, int]]
    """query id -> {id: relevance grade > 0}; ids are corpus unit ids, or parent ids (see qrels_level)."""
    qrels_level: str = "unit"
    """'unit': qrels name corpus entries (chunks); 'parent': they name parent documents, and the runner ranks
    parents by their best chunk's score (MaxP) before computing metrics."""
    query_origin: str = "user"
    """'user' | 'dataset' | 'synthetic:<method>' | 'llm:<model>'; anything but user/dataset is flagged."""
    info: dict[str, Any] = field(default_factory=dict)
    """Counts and settings for honest reporting: files read/skipped, chunk size/overlap, sample, seed."""
    documents: tuple[Doc, ...] = ()
    """The documents before chunking (empty when unknown): the runner re-cuts these per model, with the
    model's own tokenizer, and per size in a chunk-size sweep."""

    @property
    def synthetic(self) -> bool:
        return self.query_origin not in ("user", "dataset")


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into vectors: sentence-transformers, ONNX, an API, or a test fake."""

    name: str

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class ModelResult:
    """One model's row in a trial. Metric keys: ndcg@10, recall@1, recall@5, recall@10, mrr@10, hit@1."""

    model: str
    status: str = "ok"
    """'ok' | 'failed' | 'cancelled'."""
    error: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    ci95: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per metric: 95% bootstrap interval over queries."""
    p_vs_best: dict[str, float] = field(default_factory=dict)
    """Per metric: paired test p-value against the best model (absent for the best itself)."""
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)
    """metric -> {query id: value}; kept for significance tests and diffs."""
    perf: dict[str, float] = field(default_factory=dict)
    """load_s, encode_s, docs_per_s, tokens_per_s, query_p50_ms, query_p95_ms, peak_mem_mb, index_bytes,
    truncated_share, n_tokens."""
    details: dict[str, Any] = field(default_factory=dict)
    """backend, precision, threads, device, prompts, normalise, bm25 tokenizer, cost, cache hits, checks."""
    chunk_tokens: int | None = None
    """The chunk size this row ran at (tokens of its chunking's counter, see details["chunking"]); None:
    whole documents or units as given. Trade-off tables group rows by it."""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(replace(self, per_query={}))  # asdict's deep copy of per_query was most of a replay's time
        d["per_query"] = {metric: dict(values) for metric, values in self.per_query.items()}
        d["ci95"] = {k: list(v) for k, v in self.ci95.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelResult:
        d = dict(d)
        d["ci95"] = {k: (float(v[0]), float(v[1])) for k, v in d.get("ci95", {}).items()}
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass
class TrialResult:
    dataset: dict[str, Any]
    """name, n_docs, n_chunks, n_queries, query_origin, fingerprint, sample, seed, chunking, files skipped."""
    results: list[ModelResult] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    """hardware, OS, Python and library versions."""
    complete: bool = True
    started_at: str = ""
    finished_at: str = ""
    stability: WinnerStability | None = None
    """Winner stability of the ok rows (evaluators.winner); None with fewer than two, or in older records."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "results": [r.to_dict() for r in self.results],
            "environment": self.environment,
            "complete": self.complete,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "stability": self.stability.to_dict() if self.stability else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrialResult:
        return cls(
            dataset=d.get("dataset", {}),
            results=[ModelResult.from_dict(r) for r in d.get("results", [])],
            environment=d.get("environment", {}),
            complete=bool(d.get("complete", True)),
            started_at=d.get("started_at", ""),
            finished_at=d.get("finished_at", ""),
            stability=WinnerStability.load(d.get("stability")),
        )
