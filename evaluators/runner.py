"""The trial runner: per model, index the corpus, rank, score and measure cost; then compare to the best.

Pure orchestration over evaluators.* (no UI): progress goes out through `on_progress(model, done, total)`,
cancellation comes in through `should_stop()` polled between batches. A failing model becomes a failed row;
on cancel the finished rows are kept and the result says complete=False. How one row is built and scored:
evaluators.trial_rows; how each kind of model ranks: evaluators.trial_runs; the shared state and constants:
evaluators.trial_context.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.answers import query_answers
from evaluators.dataset_cache import fingerprint_of
from evaluators.eta import announce_estimates
from evaluators.ingest.model_chunking import passage_text, recut_relevance
from evaluators.ingest.views import shared_views
from evaluators.optins import check_kinds, spend_estimates
from evaluators.rerank import DEFAULT_DEPTH, LazyReranker, rerank_budget
from evaluators.stats import compare_to_best
from evaluators.trial_context import DEPTH, SEED, TrialContext, now
from evaluators.trial_rows import model_row, rerank_row
from evaluators.types import (
    Dataset,
    ModelResult,
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

__all__ = ["DEPTH", "passage_text", "run_trial", "describe_dataset", "scored_queries"]


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
    ctx = TrialContext(
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
    ctx.views, ctx.sweep = shared_views(dataset, ctx.cache_dir), len(sizes) > 1
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
    result = TrialResult(describe_dataset(dataset, len(queries)), environment=_environment(),
                         started_at=now())
    for size in sizes:
        ctx.size = size
        if not _run_models(ctx, result, model_refs, int8, on_model_done):
            break
    compare_to_best(result.results)
    result.stability = _winner_stability(ctx, result)
    result.finished_at = now()
    return result


def scored_queries(dataset: Dataset) -> list[Query]:
    """The queries a trial scores: those with at least one relevant document in the corpus."""
    return [q for q in dataset.queries if any(g > 0 for g in dataset.qrels.get(q.id, {}).values())]


def _winner_stability(ctx: TrialContext, result: TrialResult) -> WinnerStability | None:
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
    ctx: TrialContext,
    result: TrialResult,
    model_refs: Sequence[str],
    int8: bool,
    on_model_done: Callable[[ModelResult], None] | None,
) -> bool:
    """Every model's rows at the current chunk size; False when the user stopped the trial."""
    for ref in model_refs:
        make = partial(model_row, ctx, ref)
        if not _run_row(ctx, result, ctx.label(strip_credentials(str(ref))), make, on_model_done, ref):
            return False
        first = result.results[-1]
        if first.status == "ok" and ctx.reranker is not None:
            label = f"{first.model} -> {ctx.reranker.ref}"
            if not _run_row(ctx, result, label, partial(rerank_row, ctx, first, label), on_model_done):
                return False
        # The int8 variant follows its own fp32 row, and only a local dense model that ran has one.
        if int8 and first.status == "ok" and first.details.get("kind") == "dense":
            label = f"{first.model} (int8)"
            if not _run_row(ctx, result, label, partial(model_row, ctx, ref, int8=True), on_model_done, ref):
                return False
    return True


def _run_row(
    ctx: TrialContext,
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
    """A failed row's one-line error: the exception's type and its first 240 characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text[:240]}"


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
    """The hardware and software a trial ran on (evaluators.hardware), or the basics when probing fails."""
    try:
        from evaluators.hardware import environment

        return dict(environment())
    except Exception:  # hardware probing is optional; a trial never fails on it
        return {"python": platform.python_version(), "platform": platform.platform(), "numpy": np.__version__}


