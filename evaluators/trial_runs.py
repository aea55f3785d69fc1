"""How each kind of model indexes and ranks the trial's chunks: BM25, dense (encoded through the embedding
cache, with latency probes) and hybrid (reciprocal rank fusion of the two over the dense model's chunks).

Each returns a `Run` (ranking, cost, vectors) and memoises it in the trial context, so a hybrid or an int8
row reuses the run it builds on instead of indexing again.
"""

from __future__ import annotations

import time
from functools import partial

from evaluators.bm25_cache import StoredRun, run_key
from evaluators.cache import EmbeddingCache, LazyEncoder, Probe, encode_cached
from evaluators.dense_perf import dense_perf
from evaluators.fidelity import Sample
from evaluators.hybrid import DEPTH as FUSION_DEPTH
from evaluators.hybrid import RRF_K, rrf
from evaluators.ingest.model_chunking import View
from evaluators.measure import LATENCY_PROBES, MIN_PROBES, latency_ms
from evaluators.models import ModelRef
from evaluators.search import search
from evaluators.trial_context import BATCH, DEPTH, LATENCY_SHARE, Run, TrialContext, now
from evaluators.types import PhaseEvent, TrialCancelled


def memo_key(ctx: TrialContext, mref: ModelRef) -> tuple[str, int | None]:
    """Memo key of a dense run: the same model at another chunk size is another run."""
    return (mref.identity, ctx.size)


def bm25_run(ctx: TrialContext, mref: ModelRef, view: View | None = None) -> Run:
    """BM25 over the regex-v1 chunks (it has no window), or over `view`: a hybrid's dense chunks. A run
    already made on the same chunks and queries is read back from the cache (evaluators.bm25_cache)."""
    assert ctx.views is not None
    view = view or ctx.views.regex(ctx.size)
    key = ("bm25", id(view))  # Views keeps every view for the trial, so ids are not reused
    if key in ctx.memo:
        return ctx.memo[key]
    stored = StoredRun(ctx.cache_dir, run_key(view.texts, ctx.qtexts, DEPTH)) if ctx.cache_dir else None
    hit = stored.read() if stored else None
    if hit is not None:
        ctx.progress(mref.name, len(view.texts), len(view.texts))
        ctx.memo[key] = run = Run(*hit, view=view)
        return run
    ctx.memo[key] = run = _bm25_measured(ctx, mref, view)
    if stored is not None:  # stored now (a hybrid's BM25 part is no row), again by the row with its memory
        stored.ranking = (run.idx, run.val)
        stored.write_meta({**run.perf, "details": run.details, "measured_at": now()})
        run.meta_cache = stored
    return run


def _bm25_measured(ctx: TrialContext, mref: ModelRef, view: View) -> Run:
    from evaluators.bm25 import BM25Index  # bm25s imports numba and scipy: only when BM25 really runs

    texts = view.texts
    ctx.progress(mref.name, 0, len(texts))
    t0 = time.perf_counter()
    index = BM25Index(texts)
    index_s = max(time.perf_counter() - t0, 1e-9)
    ctx.progress(mref.name, len(texts), len(texts))
    if ctx.stop():
        raise TrialCancelled(mref.name)
    idx, val = index.search(ctx.qtexts, DEPTH)
    perf = {
        "load_s": 0.0,
        "encode_s": index_s,
        "docs_per_s": len(texts) / index_s,
        "tokens_per_s": index.n_tokens / index_s,
        "n_tokens": float(index.n_tokens),
        "index_bytes": float(index.nbytes),
        "truncated_share": 0.0,
        **latency_ms(lambda q: index.search([q], 10), ctx.qtexts),
    }
    details = {
        "backend": "bm25s",
        "tokenizer": index.tokenizer.name,
        "script": index.script,
        "bm25": "bm25s lucene k1=1.5 b=0.75",
        "perf_source": "measured",
    }
    return Run(idx, val, perf, details, view=view)


def hybrid_run(ctx: TrialContext, mref: ModelRef) -> Run:
    """The dense part's run fused with BM25 over the same (dense) chunks; latencies added."""
    dense_ref, bm25_ref = mref.parts
    dense = dense_run(ctx, dense_ref)
    assert dense.view is not None
    bm = bm25_run(ctx, bm25_ref, dense.view)  # fused rankings must rank the same chunks
    idx, val = rrf([dense.idx[:, :FUSION_DEPTH], bm.idx[:, :FUSION_DEPTH]], len(dense.view.units), DEPTH)
    perf = dict(dense.perf)
    perf["index_bytes"] = dense.perf.get("index_bytes", 0.0) + bm.perf.get("index_bytes", 0.0)
    for key in ("query_p50_ms", "query_p95_ms"):
        if key in dense.perf and key in bm.perf:
            perf[key] = dense.perf[key] + bm.perf[key]
    details = {
        **dense.details,
        "fusion": f"reciprocal rank fusion, k={RRF_K}, top-{FUSION_DEPTH} of each",
        "tokenizer": bm.details["tokenizer"],
        "latency_note": "dense + bm25 latencies added",
    }
    return Run(idx, val, perf, details, lazy=dense.lazy, docs=dense.docs, view=dense.view)


def dense_run(ctx: TrialContext, mref: ModelRef, *, int8: bool = False) -> Run:
    """Encode the model's own chunks and the queries (through the cache), rank, and measure the cost."""
    if memo_key(ctx, mref) in ctx.memo:
        return ctx.memo[memo_key(ctx, mref)]
    assert ctx.views is not None
    view = ctx.views.for_model(mref, ctx.size)
    lazy = LazyEncoder(mref, backend=ctx.backend, cache_dir=ctx.cache_dir, int8=int8,
                       sample=Sample.of(ctx.texts, ctx.qtexts),  # the user's texts for auto's precision check
                       on_phase=lambda phase, text: ctx.phase(PhaseEvent(mref.name, phase, text)))
    encode = partial(encode_cached, lazy, cache_dir=ctx.cache_dir, should_stop=ctx.stop, batch=BATCH)
    progress = partial(ctx.progress, mref.name)
    docs, ntok, encode_s, misses = encode(view.texts, passages=True, on_progress=progress)
    if ctx.stop():
        raise TrialCancelled(mref.name)
    # The first query misses double as latency probes: each is encoded alone and searched, then reused.
    probe = Probe(
        lambda v: search(v, docs, 10), max(1.0, LATENCY_SHARE * encode_s), MIN_PROBES, LATENCY_PROBES
    )
    queries, _, query_s, _ = encode(ctx.qtexts, passages=False, probe=probe)
    idx, val = search(queries, docs, DEPTH)
    cache = (
        EmbeddingCache(ctx.cache_dir, mref.identity, mref.passage_prompt, mref.normalize)
        if ctx.cache_dir
        else None
    )
    perf, details = dense_perf(lazy, cache, ntok, encode_s, misses, probe, docs, ctx.qtexts)
    perf["query_encode_s"] = query_s  # the ETA compares passages + queries
    ctx.memo[memo_key(ctx, mref)] = run = Run(idx, val, perf, details, cache, lazy, docs, queries, view)
    return run
