"""One trial row from one run: score it (per-query metrics, answer-hit@1, bootstrap intervals), add what the
row reports beside its metrics (cost, estimate vs actual, size/quality trade-offs, deeper checks), and the
reranker's row over the first stage's ranking.
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from evaluators.answers import ANSWER_HIT, answer_hits
from evaluators.eta import eta_record
from evaluators.ingest.model_chunking import View
from evaluators.measure import MEM_METHOD, PeakMemory
from evaluators.metrics import PRIMARY, mean_metrics, per_query_metrics, per_query_ndcg
from evaluators.models import ModelRef, resolve_model
from evaluators.optins import deeper_checks, int8_agreement
from evaluators.rerank import rerank, rerank_row_info
from evaluators.search import maxp
from evaluators.stats import bootstrap_ci
from evaluators.tradeoff_cache import cached_table, table_key
from evaluators.tradeoffs import tradeoff_table
from evaluators.trial_context import DEPTH, SEED, Run, TrialContext, now
from evaluators.trial_runs import bm25_run, dense_run, hybrid_run, memo_key
from evaluators.types import ModelResult

Scores = tuple[dict[str, dict[str, float]], dict[str, tuple[float, float]]]


def model_row(ctx: TrialContext, ref: str, *, int8: bool = False) -> ModelResult:
    """The row of model `ref` (its int8 variant with int8=True) at the context's chunk size."""
    started = time.perf_counter()
    mref = fp32 = resolve_model(ref)
    if int8:
        mref = replace(mref, name=f"{mref.name} (int8)", identity=f"{mref.identity}#int8-dynamic")
    mref = replace(mref, name=ctx.label(mref.name))
    with PeakMemory() as mem:
        if mref.kind == "bm25":
            run = bm25_run(ctx, mref)
        elif mref.kind == "hybrid":
            run = hybrid_run(ctx, mref)
        else:
            run = dense_run(ctx, mref, int8=int8)
    ctx.last = run
    if int8:
        base = ctx.memo.get(memo_key(ctx, fp32))  # the fp32 row ran just before
        run.details["int8_recall_agreement@10"] = int8_agreement(
            base.docs if base else None, base.queries if base else None, run.docs, run.queries
        )
    perf = _row_perf(run, mem)
    per_query, ci = score(ctx, run)
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
    _add_reports(ctx, details, ref, mref, run, perf, per_query[PRIMARY], int8=int8)
    return ModelResult(
        model=mref.name,
        metrics=mean_metrics(per_query),
        ci95=ci,
        per_query=per_query,
        perf=perf,
        details=details,
        chunk_tokens=view.size,
    )


def _row_perf(run: Run, mem: PeakMemory) -> dict[str, float]:
    """The run's cost with its peak memory; a measured run's cost is kept beside its cached vectors."""
    perf = dict(run.perf)
    perf.setdefault("peak_mem_mb", round(mem.peak_mb, 1))
    if run.details.get("perf_source") == "measured":
        perf["process_peak_mb"] = round(mem.process_peak_mb, 1)
    if run.meta_cache is not None and run.details.get("perf_source") == "measured":
        run.meta_cache.write_meta({**perf, "details": run.details, "measured_at": now()})
    return perf


def _add_reports(
    ctx: TrialContext,
    details: dict[str, Any],
    ref: str,
    mref: ModelRef,
    run: Run,
    perf: dict[str, float],
    reference: dict[str, float],
    *,
    int8: bool,
) -> None:
    """What a row reports beside its metrics: cost estimate, ETA vs actual, trade-offs, deeper checks."""
    if ref in ctx.estimates:
        details["cost_estimate"] = ctx.estimates[ref]
    if ref in ctx.etas and not int8:
        details["eta"] = eta_record(ctx.etas[ref], perf, run.details, ctx.cache_dir, mref.identity)
    if ctx.tradeoffs and not int8 and mref.kind in ("dense", "api"):
        if (table := _tradeoffs(ctx, mref, run, reference)) is not None:
            details["tradeoffs"] = table
    if ctx.checks:
        view = run.view
        assert view is not None
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


def rerank_row(ctx: TrialContext, first: ModelResult, label: str) -> ModelResult:
    """The reranker's row over `first`'s ranking (the run just before it): same chunks, same queries."""
    run, lazy = ctx.last, ctx.reranker
    assert run is not None and run.view is not None and lazy is not None
    with PeakMemory() as mem:
        model = lazy.get()
        before = dict(model.details.get("usage") or {})
        done = rerank(model, run.idx, run.view.texts, ctx.qtexts, ctx.rerank_depth,
                      on_progress=partial(ctx.progress, label), should_stop=ctx.stop)
    per_query, ci = score(ctx, Run(done.idx, done.val, view=run.view))
    ctx.rankings[label] = (done.idx, done.val, run.view)
    perf, details = rerank_row_info(first, model, done, lazy.load_s, ctx.rerank_depth, before)
    perf["peak_mem_mb"] = round(mem.peak_mb, 1)
    details.update(name=label, peak_mem_method=MEM_METHOD, n_queries=len(per_query[PRIMARY]))
    if ctx.estimates.get("rerank"):
        details["cost_estimate"] = ctx.estimates["rerank"]
    return ModelResult(label, metrics=mean_metrics(per_query), ci95=ci, per_query=per_query, perf=perf,
                       details=details, chunk_tokens=first.chunk_tokens)


def score(ctx: TrialContext, run: Run) -> Scores:
    """Per-query metrics (answer-hit@1 too when queries carry answers) and their 95% bootstrap intervals."""
    view = run.view
    assert view is not None
    qrels = {q: view.qrels[q] for q in ctx.qids if q in view.qrels}  # queries that have relevant docs
    per_query = per_query_metrics(ranked(ctx, run.idx, run.val, view), qrels)
    if any(ctx.answers.values()):
        rows = zip(ctx.qids, run.idx, strict=True)
        top1 = {q: view.units[int(r[0])].text if len(r) else None for q, r in rows}
        per_query[ANSWER_HIT] = answer_hits(top1, ctx.answers)
    ci = {m: bootstrap_ci([v[q] for q in sorted(v)], seed=SEED) for m, v in per_query.items()}
    return per_query, ci


def _tradeoffs(
    ctx: TrialContext, mref: ModelRef, run: Run, reference: dict[str, float]
) -> dict[str, Any] | None:
    """The size/quality table re-scored from this run's own vectors (scored exactly like the row); kept in
    the cache folder, so a re-run on the same vectors and labels reads it back (evaluators.tradeoff_cache)."""
    view, queries, docs = run.view, run.queries, run.docs
    if docs is None or queries is None or view is None:
        return None
    qrels = {q: view.qrels[q] for q in ctx.qids if q in view.qrels}
    options: dict[str, Any] = {
        "matryoshka": list(mref.spec.matryoshka_dims or ()) if mref.spec else None,
        "normalize": mref.normalize,
        "depth": DEPTH,
        "seed": SEED,
    }

    def compute() -> dict[str, Any]:
        return tradeoff_table(
            queries,
            docs,
            score=lambda idx, val: per_query_ndcg(ranked(ctx, idx, val, view), qrels),
            reference=reference,
            matryoshka=mref.spec.matryoshka_dims if mref.spec else None,
            normalize=mref.normalize,
            depth=DEPTH,
            seed=SEED,
            should_stop=ctx.stop,
        )

    if ctx.cache_dir is None:
        return compute()
    scoring = {
        "qids": ctx.qids,
        "qrels": qrels,
        "level": view.qrels_level,
        "units": [[u.id, u.parent_id] for u in view.units],
        "reference": [reference.get(q) for q in sorted(reference)],
    }
    return cached_table(ctx.cache_dir, table_key(queries, docs, scoring, options), compute)


def ranked(ctx: TrialContext, idx: np.ndarray, val: np.ndarray, view: View) -> dict[str, list[str]]:
    """Top-10 ids per query: units, or parents by MaxP when qrels name parent documents."""
    if view.qrels_level == "parent":
        parents = [d.parent_id or d.id for d in view.units]
        return {q: [p for p, _ in lst] for q, lst in zip(ctx.qids, maxp(idx, val, parents, 10), strict=True)}
    ids = [d.id for d in view.units]
    return {q: [ids[i] for i in row[:10]] for q, row in zip(ctx.qids, idx.tolist(), strict=True)}
