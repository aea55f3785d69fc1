"""The reranking stage: a cross-encoder (or a provider's rerank endpoint) re-scores each first-stage top-k.

`load_reranker(ref)` takes a local CrossEncoder folder, a Hugging Face id (e.g. BAAI/bge-reranker-v2-m3,
cross-encoder/ms-marco-MiniLM-L6-v2) or `cohere:`/`voyage:`/`jina:<model>`; sentence-transformers is imported
only inside it. `rerank()` reorders the top `depth` units of every query by the reranker's score (ties keep
the first-stage order), leaves the rest in first-stage order, and times each query: the added latency.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from evaluators.types import TrialCancelled

DEFAULT_DEPTH = 50
"""Units re-scored per query unless --rerank-depth says otherwise."""
API_RERANKERS = ("cohere", "voyage", "jina")
_LOW = np.float32(-1e30)
"""Score given to units below the reranked depth: they keep their first-stage order, after the reranked."""


class Reranker(Protocol):
    name: str
    details: dict[str, Any]

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray: ...


def is_api_reranker(ref: str) -> bool:
    return ref.partition(":")[0].strip().lower() in API_RERANKERS and ":" in ref


def load_reranker(ref: str) -> Reranker:
    """A reranker for `ref`; raises with a one-line reason (offline and not cached, no API key, bad id)."""
    text = (ref or "").strip()
    if not text or any(c.isspace() for c in text):
        raise ValueError(f"not a reranker reference: {ref!r}")
    if is_api_reranker(text):
        from evaluators.api.rerankers import load_api_reranker

        return load_api_reranker(text)
    return CrossEncoderReranker.load(text)


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder scoring (query, passage) pairs in batches."""

    def __init__(self, model: Any, ref: str, device: str) -> None:
        self.model = model
        self.name = ref
        self.details: dict[str, Any] = {
            "backend": "torch",
            "device": device,
            "reranker": ref,
            "max_length": getattr(model, "max_length", None),
            "precision": str(next(model.model.parameters()).dtype).replace("torch.", ""),
        }

    @classmethod
    def load(cls, ref: str) -> CrossEncoderReranker:
        from sentence_transformers import CrossEncoder

        from evaluators.backends import best_device, offline_reason, quiet_transformers

        quiet_transformers()
        device = best_device()
        offline = os.environ.get("HF_HUB_OFFLINE") == "1" and not os.path.isdir(ref)
        try:
            model = CrossEncoder(ref, device=device, local_files_only=offline)
        except OSError as exc:
            raise offline_reason(ref, exc, "CrossEncoder folder") from None
        return cls(model, ref, device)

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        out = self.model.predict(
            [(query, p) for p in passages], batch_size=64, show_progress_bar=False, convert_to_numpy=True
        )
        return np.asarray(out, dtype=np.float32).reshape(len(passages), -1)[:, 0]


@dataclass
class LazyReranker:
    """Loads the reranker once per trial, on first use; a failed load is remembered, not retried per row."""

    ref: str
    loader: Callable[[str], Reranker] = load_reranker
    model: Reranker | None = None
    error: Exception | None = None
    load_s: float = 0.0

    def get(self) -> Reranker:
        if self.error is not None:
            raise self.error
        if self.model is None:
            t0 = time.perf_counter()
            try:
                self.model = self.loader(self.ref)
            except Exception as exc:
                self.error = exc
                raise
            self.load_s = time.perf_counter() - t0
        return self.model


@dataclass
class Reranked:
    idx: np.ndarray
    val: np.ndarray
    times_s: list[float] = field(default_factory=list)
    """Seconds per query: scoring its `depth` pairs and reordering (the latency a reranker adds)."""
    n_pairs: int = 0


def rerank(
    model: Reranker,
    idx: np.ndarray,
    texts: Sequence[str],
    queries: Sequence[str],
    depth: int,
    *,
    on_progress: Callable[[int, int], None] = lambda d, t: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Reranked:
    """Re-score the first `depth` units of each row of `idx` (first-stage order) with `model`.

    Returns the new order and scores: reranked units by score, ties in first-stage order (a stable sort),
    then the units beyond `depth` in first-stage order with a score below every reranked one.
    """
    n_q, width = idx.shape
    k = min(depth, width)
    new_idx = np.array(idx, dtype=np.int64, copy=True)
    new_val = np.full((n_q, width), _LOW, dtype=np.float32)
    out = Reranked(new_idx, new_val)
    for q in range(n_q):
        if should_stop():
            raise TrialCancelled(getattr(model, "name", "reranker"))
        top = idx[q, :k]
        t0 = time.perf_counter()
        scores = model.score(queries[q], [texts[i] for i in top])
        order = np.argsort(-scores, kind="stable")
        out.times_s.append(time.perf_counter() - t0)
        new_idx[q, :k] = top[order]
        new_val[q, :k] = scores[order]
        out.n_pairs += k
        on_progress(q + 1, n_q)
    return out


def rerank_budget(ref: str, queries: Sequence[str], passages: Sequence[str], depth: int, rows: int,
                  max_usd: float | None) -> dict[str, Any] | None:
    """An API reranker's worst-case spend, before any call; over `max_usd` (or with no known price under a
    cap) a TrialInputError. None for local rerankers (no bill)."""
    if not is_api_reranker(ref):
        return None
    from evaluators.api.rerankers import rerank_estimate
    from evaluators.types import TrialInputError

    est = rerank_estimate(ref, queries, passages, depth, rows)
    if max_usd is not None and est["usd"] is None:
        raise TrialInputError(f"cannot check --max-usd {max_usd:g}: no price known for reranker {ref}")
    if max_usd is not None and est["usd"] > max_usd:
        raise TrialInputError(
            f"reranker {ref}: estimated ${est['usd']:.4f} ({est['tokens']:,} tokens) exceeds what --max-usd "
            f"{max_usd:g} leaves; nothing was sent"
        )
    return {**est, "cap_usd": max_usd}


def rerank_row_info(
    first: Any, model: Reranker, done: Reranked, load_s: float, depth: int, usage_before: dict[str, Any]
) -> tuple[dict[str, float], dict[str, Any]]:
    """perf and details of a 'first stage -> reranker' row: the added latency per query (p50/p95 over every
    query, each scoring its `depth` pairs), the end-to-end estimate, and what the reranker was."""
    from evaluators.measure import latency_stats

    added = latency_stats(done.times_s)
    perf = {
        "rerank_p50_ms": added["query_p50_ms"],
        "rerank_p95_ms": added["query_p95_ms"],
        "rerank_load_s": round(load_s, 3),
        "pairs_per_s": done.n_pairs / max(sum(done.times_s), 1e-9),
    }
    for key in ("query_p50_ms", "query_p95_ms"):
        if key in first.perf:
            perf[key] = first.perf[key] + added[key]
    for key in ("index_bytes", "max_tokens", "truncated_share"):
        if key in first.perf:
            perf[key] = first.perf[key]
    details: dict[str, Any] = {
        **{k: v for k, v in model.details.items() if k != "usage"},
        "kind": "rerank",
        "name": f"{first.model} -> {model.name}",
        "first_stage": first.model,
        "rerank_depth": depth,
        "rerank_pairs": done.n_pairs,
        "rerank_latency_probes": len(done.times_s),
        "latency_note": "first-stage p50/p95 + reranking p50/p95 (each query's top-k scored as one batch)",
        "chunking": first.details.get("chunking"),
        "perf_source": "measured",
    }
    usage = model.details.get("usage")
    if isinstance(usage, dict):
        details["usage"] = {
            k: round(v - usage_before.get(k, 0), 8) if _number(v) and _number(usage_before.get(k, 0)) else v
            for k, v in usage.items()
        }
    return perf, details


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
