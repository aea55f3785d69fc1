"""A dense run's speed, size and token figures: measured now, or, for a fully cached run, as stored when the
embeddings cache was filled. Kept out of the runner (which orchestrates) so each stays readable."""

from __future__ import annotations

from typing import Any

import numpy as np

from evaluators.cache import EmbeddingCache, LazyEncoder, Probe
from evaluators.measure import latency_ms, latency_stats
from evaluators.search import search


def dense_perf(
    lazy: LazyEncoder,
    cache: EmbeddingCache | None,
    ntok: np.ndarray,
    encode_s: float,
    misses: list[int],
    probe: Probe,
    docs: np.ndarray,
    qtexts: list[str],
) -> tuple[dict[str, float], dict[str, Any]]:
    """Speed, size and token figures: measured now, or (fully cached run) as stored when the cache filled."""
    meta = cache.read_meta() if cache else {}
    enc = lazy.encoder
    details: dict[str, Any] = (
        dict(getattr(enc, "details", None) or {}) if enc is not None else dict(meta.get("details", {}))
    )
    details["cache_hits"] = len(docs) - len(misses)
    max_tokens = int(getattr(enc, "max_tokens", None) or meta.get("max_tokens") or lazy.mref.max_tokens or 0)
    if misses:
        secs = max(encode_s, 1e-9)
        perf = {"load_s": lazy.load_s, "encode_s": encode_s, "docs_per_s": len(misses) / secs}
        done = ntok[misses]
        if (done >= 0).all():  # tokens the model actually processed (truncated at max_tokens)
            perf["tokens_per_s"] = float(np.minimum(done, max_tokens or done.max()).sum()) / secs
        details["perf_source"] = "measured"
    else:
        perf = {k: float(v) for k, v in meta.items() if k in CACHED_PERF and isinstance(v, (int, float))}
        details["perf_source"] = (
            "embeddings cache: load/encode speed and memory as measured when it was filled"
        )
    if probe.times:
        perf.update(latency_stats(probe.times))
    elif enc is not None:  # passages were encoded but every query came from the cache
        perf.update(
            latency_ms(lambda q: search(enc.encode_queries([q]), docs, 10), qtexts, probe.budget_s)
        )
    known = ntok[ntok >= 0]
    if known.size:
        perf["n_tokens"] = float(known.sum())
        perf["truncated_share"] = float((known > max_tokens).mean()) if max_tokens else 0.0
    perf["max_tokens"] = float(max_tokens)
    perf["index_bytes"] = float(docs.nbytes)
    details["tokens_counted_with"] = (
        "model tokenizer (prompt + special tokens)" if known.size else "not available"
    )
    return perf, details


CACHED_PERF = (
    "load_s",
    "encode_s",
    "docs_per_s",
    "tokens_per_s",
    "query_p50_ms",
    "query_p95_ms",
    "latency_probes",
    "peak_mem_mb",
)
