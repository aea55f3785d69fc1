"""The trial runner: per model, index the corpus, rank, score and measure cost; then compare to the best.

Pure orchestration over evaluators.* (no UI): progress goes out through `on_progress(model, done, total)`,
cancellation comes in through `should_stop()` polled between batches. A failing model becomes a failed row;
on cancel the finished rows are kept and the result says complete=False.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.bm25 import BM25Index
from evaluators.cache import EmbeddingCache, LazyEncoder, Probe, encode_cached
from evaluators.hybrid import DEPTH as FUSION_DEPTH
from evaluators.hybrid import RRF_K, rrf
from evaluators.measure import LATENCY_PROBES, MEM_METHOD, MIN_PROBES, PeakMemory, latency_ms, latency_stats
from evaluators.metrics import METRICS, PRIMARY, mean_metrics, per_query_metrics
from evaluators.models import ModelRef, resolve_model
from evaluators.optins import check_kinds, deeper_checks, int8_agreement, spend_estimates
from evaluators.search import maxp, search
from evaluators.stats import bootstrap_ci, compare_to_best
from evaluators.tradeoffs import tradeoff_table
from evaluators.types import Dataset, Doc, ModelResult, Query, TrialCancelled, TrialInputError, TrialResult

DEPTH = 100
"""Units retrieved per query: enough for MaxP to find 10 distinct parents and for RRF to fuse."""
BATCH = 128
"""Passages per progress/cancel step (each is encoded in sub-batches by the encoder)."""
LATENCY_SHARE = 0.03
"""Latency probes stop after max(1 s, this share of the passage-encoding time)."""
SEED = 0
"""Seed of the bootstrap and randomisation tests (results are reproducible)."""


def passage_text(doc: Doc) -> str:
    """What every model indexes: 'title text' (the BEIR/MTEB convention), or the text alone."""
    return f"{doc.title} {doc.text}" if doc.title else doc.text


@dataclass
class _Run:
    idx: np.ndarray
    val: np.ndarray
    perf: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    meta_cache: EmbeddingCache | None = None
    lazy: LazyEncoder | None = None
    """Dense runs: the (possibly never loaded) encoder, reused by the deeper checks."""
    docs: np.ndarray | None = None
    """Dense runs: the passage vectors, in corpus order."""
    queries: np.ndarray | None = None
    """Dense runs: the query vectors, in the order of _Ctx.qids."""


@dataclass
class _Ctx:
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
    estimates: dict[str, dict[str, Any]] = field(default_factory=dict)
    memo: dict[str, _Run] = field(default_factory=dict)
    checked: dict[str, dict[str, Any]] = field(default_factory=dict)


def run_trial(
    dataset: Dataset,
    model_refs: Sequence[str],
    *,
    cache_dir: str | Path | None = None,
    backend: str = "auto",
    on_progress: Callable[[str, int, int], None] | None = None,
    on_model_done: Callable[[ModelResult], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    checks: Sequence[str] | str = (),
    int8: bool = False,
    max_usd: float | None = None,
    tradeoffs: bool = True,
) -> TrialResult:
    """Run every model on the dataset; see the module docstring for the contract.

    checks: deeper checks ('all' or names from `evaluators.checks.CHECKS`) run on each embedding model after
    its retrieval numbers, reusing its loaded encoder and passage vectors; stored in `details["checks"]`.
    int8: after each local dense model, also run its opt-in int8 ONNX variant as its own row, with the
    Recall@10 agreement of its rankings with the fp32 row's (`details["int8_recall_agreement@10"]`).
    max_usd: API models' cost is estimated before any call (`details["cost_estimate"]`); over the cap the
    trial raises TrialInputError and sends nothing.
    tradeoffs: each dense/API model's size/quality table from its own vectors (`details["tradeoffs"]`,
    evaluators.tradeoffs); no re-encoding, a small fraction of the model's time.
    """
    if not dataset.corpus:
        raise TrialInputError("the corpus is empty: nothing to search")
    queries = scored_queries(dataset)
    if not queries:
        raise TrialInputError("no query has a relevant document in the corpus: nothing to score")
    ctx = _Ctx(
        dataset,
        [passage_text(d) for d in dataset.corpus],
        [q.id for q in queries],
        [q.text for q in queries],
        Path(cache_dir) if cache_dir else None,
        backend,
        on_progress or (lambda m, d, t: None),
        should_stop or (lambda: False),
        check_kinds(checks),
        tradeoffs,
    )
    # Every chunk once, every query twice (ranked, and up to LATENCY_PROBES more alone): an upper bound.
    ctx.estimates = spend_estimates(model_refs, ctx.texts + ctx.qtexts + ctx.qtexts, max_usd)
    result = TrialResult(
        describe_dataset(dataset, len(queries)), environment=_environment(), started_at=_now()
    )
    for ref in model_refs:
        if not _run_row(ctx, result, ref, False, on_model_done):
            break
        last = result.results[-1]
        # The int8 variant follows its own fp32 row, and only a local dense model that ran has one.
        if int8 and last.status == "ok" and last.details.get("kind") == "dense":
            if not _run_row(ctx, result, ref, True, on_model_done):
                break
    compare_to_best(result.results)
    result.finished_at = _now()
    return result


def scored_queries(dataset: Dataset) -> list[Query]:
    """The queries a trial scores: those with at least one relevant document in the corpus."""
    return [q for q in dataset.queries if any(g > 0 for g in dataset.qrels.get(q.id, {}).values())]


def _run_row(
    ctx: _Ctx,
    result: TrialResult,
    ref: str,
    int8: bool,
    on_model_done: Callable[[ModelResult], None] | None,
) -> bool:
    """Append one model's row (a failure is a row too); False when the user stopped the trial."""
    label = f"{result.results[-1].model} (int8)" if int8 else str(ref)  # int8 follows its fp32 row
    if ctx.stop():
        result.complete = False
        return False
    try:
        row = _run_model(ctx, ref, int8=int8)
    except TrialCancelled:
        result.results.append(ModelResult(model=label, status="cancelled", error="stopped by the user"))
        result.complete = False
        return False
    except Exception as exc:  # one model's failure (offline, OOM, bad id) must not stop the others
        row = ModelResult(model=label, status="failed", error=_reason(exc), details={"ref": str(ref)})
    result.results.append(row)
    if on_model_done is not None:
        on_model_done(row)
    return True


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text[:240]}"


def _run_model(ctx: _Ctx, ref: str, *, int8: bool = False) -> ModelResult:
    started = time.perf_counter()
    mref = fp32 = resolve_model(ref)
    if int8:
        mref = replace(mref, name=f"{mref.name} (int8)", identity=f"{mref.identity}#int8-dynamic")
    with PeakMemory() as mem:
        if mref.kind == "bm25":
            run = _bm25_run(ctx, mref)
        elif mref.kind == "hybrid":
            run = _hybrid_run(ctx, mref)
        else:
            run = _dense_run(ctx, mref, int8=int8)
    if int8:
        base = ctx.memo.get(fp32.identity)  # the fp32 row ran just before
        run.details["int8_recall_agreement@10"] = int8_agreement(
            base.docs if base else None, base.queries if base else None, run.docs, run.queries
        )
    perf = dict(run.perf)
    perf.setdefault("peak_mem_mb", round(mem.peak_mb, 1))
    if run.meta_cache is not None and run.details.get("perf_source") == "measured":
        run.meta_cache.write_meta({**perf, "details": run.details, "measured_at": _now()})
    qrels = {q: ctx.dataset.qrels[q] for q in ctx.qids}  # only queries that exist and have relevant docs
    per_query = per_query_metrics(_ranked(ctx, run.idx, run.val), qrels)
    ci = {m: bootstrap_ci([per_query[m][q] for q in sorted(per_query[m])], seed=SEED) for m in METRICS}
    details = {
        "ref": ref,
        **mref.describe(),
        **run.details,
        "peak_mem_method": MEM_METHOD,
        "n_queries": len(per_query[PRIMARY]),
        "n_units": len(ctx.texts),
        "wall_s": round(time.perf_counter() - started, 3),
    }
    if ref in ctx.estimates:
        details["cost_estimate"] = ctx.estimates[ref]
    if ctx.tradeoffs and not int8 and mref.kind in ("dense", "api"):
        if (table := _tradeoffs(ctx, mref, run, per_query[PRIMARY], qrels)) is not None:
            details["tradeoffs"] = table
    if ctx.checks:
        details["checks"] = deeper_checks(
            ctx.checks,
            mref,
            encoder_factory=run.lazy.get if run.lazy else None,
            docs=run.docs,
            dataset=ctx.dataset,
            backend=ctx.backend,
            seed=SEED,
            progress=ctx.progress,
            stop=ctx.stop,
            memo=ctx.checked,
        )
    return ModelResult(
        model=mref.name,
        metrics=mean_metrics(per_query),
        ci95=ci,
        per_query=per_query,
        perf=perf,
        details=details,
    )


def _tradeoffs(
    ctx: _Ctx, mref: ModelRef, run: _Run, reference: dict[str, float], qrels: dict[str, dict[str, int]]
) -> dict[str, Any] | None:
    """The size/quality table re-scored from this run's own vectors (scored exactly like the row)."""
    if run.docs is None or run.queries is None:
        return None
    return tradeoff_table(
        run.queries,
        run.docs,
        score=lambda idx, val: per_query_metrics(_ranked(ctx, idx, val), qrels)[PRIMARY],
        reference=reference,
        matryoshka=mref.spec.matryoshka_dims if mref.spec else None,
        normalize=mref.normalize,
        depth=DEPTH,
        seed=SEED,
        should_stop=ctx.stop,
    )


def _ranked(ctx: _Ctx, idx: np.ndarray, val: np.ndarray) -> dict[str, list[str]]:
    """Top-10 ids per query: units, or parents by MaxP when qrels name parent documents."""
    corpus = ctx.dataset.corpus
    if ctx.dataset.qrels_level == "parent":
        parents = [d.parent_id or d.id for d in corpus]
        return {q: [p for p, _ in lst] for q, lst in zip(ctx.qids, maxp(idx, val, parents, 10), strict=True)}
    ids = [d.id for d in corpus]
    return {q: [ids[i] for i in row[:10]] for q, row in zip(ctx.qids, idx.tolist(), strict=True)}


def _bm25_run(ctx: _Ctx, mref: ModelRef) -> _Run:
    if "bm25" in ctx.memo:
        return ctx.memo["bm25"]
    ctx.progress(mref.name, 0, len(ctx.texts))
    t0 = time.perf_counter()
    index = BM25Index(ctx.texts)
    index_s = max(time.perf_counter() - t0, 1e-9)
    ctx.progress(mref.name, len(ctx.texts), len(ctx.texts))
    if ctx.stop():
        raise TrialCancelled(mref.name)
    idx, val = index.search(ctx.qtexts, DEPTH)
    perf = {
        "load_s": 0.0,
        "encode_s": index_s,
        "docs_per_s": len(ctx.texts) / index_s,
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
    ctx.memo["bm25"] = run = _Run(idx, val, perf, details)
    return run


def _hybrid_run(ctx: _Ctx, mref: ModelRef) -> _Run:
    dense_ref, bm25_ref = mref.parts
    dense = _dense_run(ctx, dense_ref)
    bm = _bm25_run(ctx, bm25_ref)
    idx, val = rrf([dense.idx[:, :FUSION_DEPTH], bm.idx[:, :FUSION_DEPTH]], len(ctx.texts), DEPTH)
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
    return _Run(idx, val, perf, details, lazy=dense.lazy, docs=dense.docs)


def _dense_run(ctx: _Ctx, mref: ModelRef, *, int8: bool = False) -> _Run:
    if mref.identity in ctx.memo:
        return ctx.memo[mref.identity]
    lazy = LazyEncoder(mref, backend=ctx.backend, cache_dir=ctx.cache_dir, int8=int8)
    encode = partial(encode_cached, lazy, cache_dir=ctx.cache_dir, should_stop=ctx.stop, batch=BATCH)
    progress = partial(ctx.progress, mref.name)
    docs, ntok, encode_s, misses = encode(ctx.texts, passages=True, on_progress=progress)
    if ctx.stop():
        raise TrialCancelled(mref.name)
    # The first query misses double as latency probes: each is encoded alone and searched, then reused.
    probe = Probe(
        lambda v: search(v, docs, 10), max(1.0, LATENCY_SHARE * encode_s), MIN_PROBES, LATENCY_PROBES
    )
    queries = encode(ctx.qtexts, passages=False, probe=probe)[0]
    idx, val = search(queries, docs, DEPTH)
    cache = (
        EmbeddingCache(ctx.cache_dir, mref.identity, mref.passage_prompt, mref.normalize)
        if ctx.cache_dir
        else None
    )
    perf, details = _dense_perf(ctx, lazy, cache, ntok, encode_s, misses, probe, docs)
    ctx.memo[mref.identity] = run = _Run(idx, val, perf, details, cache, lazy, docs, queries)
    return run


def _dense_perf(
    ctx: _Ctx,
    lazy: LazyEncoder,
    cache: EmbeddingCache | None,
    ntok: np.ndarray,
    encode_s: float,
    misses: list[int],
    probe: Probe,
    docs: np.ndarray,
) -> tuple[dict[str, float], dict[str, Any]]:
    """Speed, size and token figures: measured now, or (fully cached run) as stored when the cache filled."""
    meta = cache.read_meta() if cache else {}
    enc = lazy.encoder
    details: dict[str, Any] = (
        dict(getattr(enc, "details", None) or {}) if enc is not None else dict(meta.get("details", {}))
    )
    details["cache_hits"] = len(ctx.texts) - len(misses)
    max_tokens = int(getattr(enc, "max_tokens", None) or meta.get("max_tokens") or lazy.mref.max_tokens or 0)
    if misses:
        secs = max(encode_s, 1e-9)
        perf = {"load_s": lazy.load_s, "encode_s": encode_s, "docs_per_s": len(misses) / secs}
        done = ntok[misses]
        if (done >= 0).all():  # tokens the model actually processed (truncated at max_tokens)
            perf["tokens_per_s"] = float(np.minimum(done, max_tokens or done.max()).sum()) / secs
        details["perf_source"] = "measured"
    else:
        perf = {k: float(v) for k, v in meta.items() if k in _CACHED_PERF and isinstance(v, (int, float))}
        details["perf_source"] = (
            "embeddings cache: load/encode speed and memory as measured when it was filled"
        )
    if probe.times:
        perf.update(latency_stats(probe.times))
    elif enc is not None:  # passages were encoded but every query came from the cache
        perf.update(
            latency_ms(lambda q: search(enc.encode_queries([q]), docs, 10), ctx.qtexts, probe.budget_s)
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


_CACHED_PERF = (
    "load_s",
    "encode_s",
    "docs_per_s",
    "tokens_per_s",
    "query_p50_ms",
    "query_p95_ms",
    "latency_probes",
    "peak_mem_mb",
)


def describe_dataset(ds: Dataset, n_evaluated: int) -> dict[str, Any]:
    """Counts for honest reporting (what was measured, on how much)."""
    from evaluators.datasets import fingerprint

    parents = {d.parent_id or d.id for d in ds.corpus}
    out = {
        "name": ds.name,
        "n_docs": len(parents),
        "n_chunks": len(ds.corpus),
        "n_queries": len(ds.queries),
        "n_queries_evaluated": n_evaluated,
        "qrels_level": ds.qrels_level,
        "query_origin": ds.query_origin,
        "synthetic": ds.synthetic,
        # The loader's fingerprint (order-independent, qrels included), computed the same way when absent.
        "fingerprint": ds.info.get("fingerprint") or fingerprint(ds.corpus, ds.queries, ds.qrels),
    }
    return {**ds.info, **out}


def _environment() -> dict[str, Any]:
    try:
        from evaluators.hardware import environment

        return dict(environment())
    except Exception:  # hardware probing is optional; a trial never fails on it
        return {"python": platform.python_version(), "platform": platform.platform(), "numpy": np.__version__}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
