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

from evaluators.answers import ANSWER_HIT, answer_hits, query_answers
from evaluators.bm25 import BM25Index
from evaluators.cache import EmbeddingCache, LazyEncoder, Probe, encode_cached
from evaluators.dataset_cache import fingerprint_of
from evaluators.dense_perf import dense_perf
from evaluators.eta import announce_estimates, eta_record
from evaluators.fidelity import Sample
from evaluators.hybrid import DEPTH as FUSION_DEPTH
from evaluators.hybrid import RRF_K, rrf
from evaluators.ingest.model_chunking import View, Views, passage_text, recut_relevance
from evaluators.measure import LATENCY_PROBES, MEM_METHOD, MIN_PROBES, PeakMemory, latency_ms
from evaluators.metrics import PRIMARY, mean_metrics, per_query_metrics
from evaluators.models import ModelRef, resolve_model
from evaluators.optins import check_kinds, deeper_checks, int8_agreement, spend_estimates
from evaluators.rerank import DEFAULT_DEPTH, LazyReranker, rerank, rerank_budget, rerank_row_info
from evaluators.search import maxp, search
from evaluators.stats import bootstrap_ci, compare_to_best
from evaluators.tradeoffs import tradeoff_table
from evaluators.types import (
    Dataset,
    ModelResult,
    PhaseEvent,
    PhaseFn,
    Query,
    TrialCancelled,
    TrialInputError,
    TrialResult,
)
from evaluators.urls import strip_credentials
from evaluators.winner.assess import doc_sample, winner_stability
from evaluators.winner.model import WinnerStability
from evaluators.winner.projection import RowRanking, row_ranking

DEPTH = 100
"""Units retrieved per query: enough for MaxP to find 10 distinct parents and for RRF to fuse."""
BATCH = 128
"""Passages per progress/cancel step (each is encoded in sub-batches by the encoder)."""
LATENCY_SHARE = 0.03
"""Latency probes stop after max(1 s, this share of the passage-encoding time)."""
SEED = 0
"""Seed of the bootstrap and randomisation tests (results are reproducible)."""

__all__ = ["DEPTH", "passage_text", "run_trial", "describe_dataset"]


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
    view: View | None = None
    """The chunks this run indexed (the model's own cut), with the relevance labels that follow them."""


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
    phase: PhaseFn = field(default=lambda event: None)
    etas: dict[str, Any] = field(default_factory=dict)  # model reference -> Estimate made before the run
    estimates: dict[str, dict[str, Any]] = field(default_factory=dict)
    memo: dict[Any, _Run] = field(default_factory=dict)
    checked: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: Views | None = None
    size: int | None = None
    """The chunk size of the rows being run (None: the dataset's own)."""
    sweep: bool = False
    last: _Run | None = None
    """The run behind the row just added (the rerank stage re-scores its ranking)."""
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Answer texts per evaluated query (answer-hit@1), when the queries carry them."""
    reranker: LazyReranker | None = None
    rerank_depth: int = DEFAULT_DEPTH
    rankings: dict[str, tuple[np.ndarray, np.ndarray, View]] = field(default_factory=dict)
    """Row name -> its ranking (top-k unit indices, scores) and its cut, for the winner-stability step."""


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
    on_phase: PhaseFn | None = None, etas: Sequence[Any] | None = None,
    chunk_sizes: Sequence[int] | None = None,
    rerank: str | None = None,
    rerank_depth: int = DEFAULT_DEPTH,
    tradeoffs: bool = True,
) -> TrialResult:
    """Run every model on the dataset; see the module docstring for the contract.

    checks: deeper checks ('all' or names from `evaluators.checks.CHECKS`) run on each embedding model after
    its retrieval numbers, reusing its loaded encoder and passage vectors; stored in `details["checks"]`.
    int8: after each local dense model, also run its opt-in int8 ONNX variant as its own row, with the
    Recall@10 agreement of its rankings with the fp32 row's (`details["int8_recall_agreement@10"]`).
    max_usd: API models' cost is estimated before any call (`details["cost_estimate"]`); over the cap the
    trial raises TrialInputError and sends nothing.
    on_phase: each model's estimate first, then one-time costs (download, export, precision check) as they
    start. etas: Estimates already made (the CLI prints them), else made here; rows keep estimate and actual.
    chunk_sizes: a chunk-size sweep (0: whole documents): every model runs at every size, rows labelled
    '<model> @<size>'. Without it the dataset's own size applies. Either way a model with a tokenizer gets
    its own chunks (evaluators.ingest.model_chunking); BM25 keeps the regex-v1 chunks; a hybrid fuses over
    its dense model's chunks. Each row says its cut in `chunk_tokens` and `details["chunking"]`.
    rerank: a reranker (evaluators.rerank) re-scores the top `rerank_depth` of every first-stage row; its
    result is a row of its own, '<model> -> <reranker>', with the added latency per query.
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
        on_phase or (lambda event: None),
    )
    ctx.answers = {q.id: query_answers(q) for q in queries}
    sizes: list[int | None] = list(dict.fromkeys(chunk_sizes)) if chunk_sizes else [None]
    ctx.views, ctx.sweep = Views(dataset), len(sizes) > 1
    if ctx.sweep and recut_relevance(dataset) is None:
        raise TrialInputError("a chunk-size sweep needs queries with relevant document ids or answers: "
                              "synthetic queries are cut from the chunks of one size")
    # Every chunk once, every query twice (ranked, and up to LATENCY_PROBES more alone): an upper bound.
    ctx.estimates = spend_estimates(model_refs, (ctx.texts + ctx.qtexts + ctx.qtexts) * len(sizes), max_usd)
    if rerank:
        left = None if max_usd is None else max_usd - sum(e.get("usd") or 0 for e in ctx.estimates.values())
        rows = len(model_refs) * len(sizes)
        ctx.estimates["rerank"] = rerank_budget(rerank, ctx.qtexts, ctx.texts, rerank_depth, rows, left) or {}
        ctx.reranker, ctx.rerank_depth = LazyReranker(rerank), rerank_depth
    ctx.etas = announce_estimates(dataset, model_refs, etas, ctx.cache_dir, backend, ctx.phase)
    result = TrialResult(
        describe_dataset(dataset, len(queries)), environment=_environment(), started_at=_now()
    )
    for size in sizes:
        ctx.size = size
        if not _run_models(ctx, result, model_refs, int8, on_model_done):
            break
    compare_to_best(result.results)
    result.stability = _winner_stability(ctx, result)
    result.finished_at = _now()
    return result


def scored_queries(dataset: Dataset) -> list[Query]:
    """The queries a trial scores: those with at least one relevant document in the corpus."""
    return [q for q in dataset.queries if any(g > 0 for g in dataset.qrels.get(q.id, {}).values())]


def _winner_stability(ctx: _Ctx, result: TrialResult) -> WinnerStability | None:
    """Once, after every row: how firmly the best row is best (evaluators.winner), from the per-query values
    and rankings already in memory; nothing is re-encoded."""
    sample, doc_index = doc_sample(ctx.dataset, ctx.qids)
    rankings: dict[str, RowRanking] = {}
    for name, (idx, val, view) in ctx.rankings.items() if sample is not None else ():
        if all((u.parent_id or u.id) in doc_index for u in view.units):  # else: no ranking, sample unknown
            qrels = {q: view.qrels[q] for q in ctx.qids if q in view.qrels}
            level = view.qrels_level
            rankings[name] = row_ranking(name, idx, val, view.units, ctx.qids, qrels, level, doc_index)
    return winner_stability(result.results, rankings, sample, seed=SEED)


def _run_models(
    ctx: _Ctx,
    result: TrialResult,
    model_refs: Sequence[str],
    int8: bool,
    on_model_done: Callable[[ModelResult], None] | None,
) -> bool:
    """Every model's rows at the current chunk size; False when the user stopped the trial."""
    for ref in model_refs:
        make = partial(_run_model, ctx, ref)
        if not _run_row(ctx, result, _label(ctx, strip_credentials(str(ref))), make, on_model_done, ref):
            return False
        first = result.results[-1]
        if first.status == "ok" and ctx.reranker is not None:
            label = f"{first.model} -> {ctx.reranker.ref}"
            if not _run_row(ctx, result, label, partial(_rerank_row, ctx, first, label), on_model_done):
                return False
        # The int8 variant follows its own fp32 row, and only a local dense model that ran has one.
        if int8 and first.status == "ok" and first.details.get("kind") == "dense":
            label = f"{first.model} (int8)"
            if not _run_row(ctx, result, label, partial(_run_model, ctx, ref, int8=True), on_model_done, ref):
                return False
    return True


def _label(ctx: _Ctx, name: str) -> str:
    """A row's name: in a chunk-size sweep it carries the size ('@256', '@whole' for whole documents)."""
    return f"{name} @{ctx.size or 'whole'}" if ctx.sweep else name


def _run_row(
    ctx: _Ctx,
    result: TrialResult,
    label: str,
    make_row: Callable[[], ModelResult],
    on_model_done: Callable[[ModelResult], None] | None,
    ref: str | None = None,
) -> bool:
    """Append one row (a failure is a row too); False when the user stopped the trial."""
    if ctx.stop():
        result.complete = False
        return False
    try:
        row = make_row()
    except TrialCancelled:
        result.results.append(ModelResult(model=label, status="cancelled", error="stopped by the user"))
        result.complete = False
        return False
    except Exception as exc:  # one model's failure (offline, OOM, bad id) must not stop the others
        # a password inside a URL never reaches a row (the ref is refused before a trial anyway)
        row = ModelResult(model=label, status="failed", error=_reason(exc),
                          details={"ref": strip_credentials(ref or label)})
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
    mref = replace(mref, name=_label(ctx, mref.name))
    with PeakMemory() as mem:
        if mref.kind == "bm25":
            run = _bm25_run(ctx, mref)
        elif mref.kind == "hybrid":
            run = _hybrid_run(ctx, mref)
        else:
            run = _dense_run(ctx, mref, int8=int8)
    ctx.last = run
    if int8:
        base = ctx.memo.get(_key(ctx, fp32))  # the fp32 row ran just before
        run.details["int8_recall_agreement@10"] = int8_agreement(
            base.docs if base else None, base.queries if base else None, run.docs, run.queries
        )
    perf = dict(run.perf)
    perf.setdefault("peak_mem_mb", round(mem.peak_mb, 1))
    if run.details.get("perf_source") == "measured":
        perf["process_peak_mb"] = round(mem.process_peak_mb, 1)
    if run.meta_cache is not None and run.details.get("perf_source") == "measured":
        run.meta_cache.write_meta({**perf, "details": run.details, "measured_at": _now()})
    per_query, ci = _score(ctx, run)
    view = run.view
    assert view is not None
    ctx.rankings[mref.name] = (run.idx, run.val, view)
    details = {
        "ref": ref,
        **mref.describe(),
        **run.details,
        "peak_mem_method": MEM_METHOD,
        "n_queries": len(per_query[PRIMARY]),
        "n_units": len(view.units),
        "chunking": view.info,
        "wall_s": round(time.perf_counter() - started, 3),
    }
    if ref in ctx.estimates:
        details["cost_estimate"] = ctx.estimates[ref]
    if ref in ctx.etas and not int8:
        details["eta"] = eta_record(ctx.etas[ref], perf, run.details, ctx.cache_dir, mref.identity)
    if ctx.tradeoffs and not int8 and mref.kind in ("dense", "api"):
        if (table := _tradeoffs(ctx, mref, run, per_query[PRIMARY])) is not None:
            details["tradeoffs"] = table
    if ctx.checks:
        details["checks"] = deeper_checks(
            ctx.checks,
            mref,
            encoder_factory=run.lazy.get if run.lazy else None,
            docs=run.docs,
            dataset=replace(ctx.dataset, corpus=view.units, qrels=view.qrels, qrels_level=view.qrels_level),
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
        chunk_tokens=view.size,
    )


def _rerank_row(ctx: _Ctx, first: ModelResult, label: str) -> ModelResult:
    """The reranker's row over `first`'s ranking (the run just before it): same chunks, same queries."""
    run, lazy = ctx.last, ctx.reranker
    assert run is not None and run.view is not None and lazy is not None
    with PeakMemory() as mem:
        model = lazy.get()
        before = dict(model.details.get("usage") or {})
        done = rerank(model, run.idx, run.view.texts, ctx.qtexts, ctx.rerank_depth,
                      on_progress=partial(ctx.progress, label), should_stop=ctx.stop)
    per_query, ci = _score(ctx, _Run(done.idx, done.val, view=run.view))
    ctx.rankings[label] = (done.idx, done.val, run.view)
    perf, details = rerank_row_info(first, model, done, lazy.load_s, ctx.rerank_depth, before)
    perf["peak_mem_mb"] = round(mem.peak_mb, 1)
    details.update(name=label, peak_mem_method=MEM_METHOD, n_queries=len(per_query[PRIMARY]))
    if ctx.estimates.get("rerank"):
        details["cost_estimate"] = ctx.estimates["rerank"]
    return ModelResult(label, metrics=mean_metrics(per_query), ci95=ci, per_query=per_query, perf=perf,
                       details=details, chunk_tokens=first.chunk_tokens)


def _score(ctx: _Ctx, run: _Run) -> tuple[dict[str, dict[str, float]], dict[str, tuple[float, float]]]:
    """Per-query metrics (answer-hit@1 too when queries carry answers) and their 95% bootstrap intervals."""
    view = run.view
    assert view is not None
    qrels = {q: view.qrels[q] for q in ctx.qids if q in view.qrels}  # queries that have relevant docs
    per_query = per_query_metrics(_ranked(ctx, run.idx, run.val, view), qrels)
    if any(ctx.answers.values()):
        rows = zip(ctx.qids, run.idx, strict=True)
        top1 = {q: view.units[int(r[0])].text if len(r) else None for q, r in rows}
        per_query[ANSWER_HIT] = answer_hits(top1, ctx.answers)
    ci = {m: bootstrap_ci([v[q] for q in sorted(v)], seed=SEED) for m, v in per_query.items()}
    return per_query, ci


def _tradeoffs(ctx: _Ctx, mref: ModelRef, run: _Run, reference: dict[str, float]) -> dict[str, Any] | None:
    """The size/quality table re-scored from this run's own vectors (scored exactly like the row)."""
    view = run.view
    if run.docs is None or run.queries is None or view is None:
        return None
    qrels = {q: view.qrels[q] for q in ctx.qids if q in view.qrels}
    return tradeoff_table(
        run.queries,
        run.docs,
        score=lambda idx, val: per_query_metrics(_ranked(ctx, idx, val, view), qrels)[PRIMARY],
        reference=reference,
        matryoshka=mref.spec.matryoshka_dims if mref.spec else None,
        normalize=mref.normalize,
        depth=DEPTH,
        seed=SEED,
        should_stop=ctx.stop,
    )


def _ranked(ctx: _Ctx, idx: np.ndarray, val: np.ndarray, view: View) -> dict[str, list[str]]:
    """Top-10 ids per query: units, or parents by MaxP when qrels name parent documents."""
    if view.qrels_level == "parent":
        parents = [d.parent_id or d.id for d in view.units]
        return {q: [p for p, _ in lst] for q, lst in zip(ctx.qids, maxp(idx, val, parents, 10), strict=True)}
    ids = [d.id for d in view.units]
    return {q: [ids[i] for i in row[:10]] for q, row in zip(ctx.qids, idx.tolist(), strict=True)}


def _key(ctx: _Ctx, mref: ModelRef) -> tuple[str, int | None]:
    """Memo key of a dense run: the same model at another chunk size is another run."""
    return (mref.identity, ctx.size)


def _bm25_run(ctx: _Ctx, mref: ModelRef, view: View | None = None) -> _Run:
    """BM25 over the regex-v1 chunks (it has no window), or over `view`: a hybrid's dense chunks."""
    assert ctx.views is not None
    view = view or ctx.views.regex(ctx.size)
    key = ("bm25", id(view))  # Views keeps every view for the trial, so ids are not reused
    if key in ctx.memo:
        return ctx.memo[key]
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
    ctx.memo[key] = run = _Run(idx, val, perf, details, view=view)
    return run


def _hybrid_run(ctx: _Ctx, mref: ModelRef) -> _Run:
    dense_ref, bm25_ref = mref.parts
    dense = _dense_run(ctx, dense_ref)
    assert dense.view is not None
    bm = _bm25_run(ctx, bm25_ref, dense.view)  # fused rankings must rank the same chunks
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
    return _Run(idx, val, perf, details, lazy=dense.lazy, docs=dense.docs, view=dense.view)


def _dense_run(ctx: _Ctx, mref: ModelRef, *, int8: bool = False) -> _Run:
    if _key(ctx, mref) in ctx.memo:
        return ctx.memo[_key(ctx, mref)]
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
    ctx.memo[_key(ctx, mref)] = run = _Run(idx, val, perf, details, cache, lazy, docs, queries, view)
    return run


def describe_dataset(ds: Dataset, n_evaluated: int) -> dict[str, Any]:
    """Counts for honest reporting (what was measured, on how much)."""
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
        "fingerprint": ds.info.get("fingerprint") or fingerprint_of(ds),
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
