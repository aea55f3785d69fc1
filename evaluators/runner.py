"""The trial runner: per model, index the corpus, rank, score and measure cost; then compare to the best.

Pure orchestration over evaluators.* (no UI): progress goes out through `on_progress(model, done, total)`,
cancellation comes in through `should_stop()` polled between batches. A failing model becomes a failed row;
on cancel the finished rows are kept and the result says complete=False.
"""

from __future__ import annotations

import platform
import threading
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
from evaluators.metrics import METRICS, PRIMARY, mean_metrics, per_query_metrics
from evaluators.models import ModelRef, resolve_model
from evaluators.search import maxp, search
from evaluators.stats import bootstrap_ci, compare_to_best
from evaluators.types import Dataset, Doc, ModelResult, TrialCancelled, TrialInputError, TrialResult

DEPTH = 100
"""Units retrieved per query: enough for MaxP to find 10 distinct parents and for RRF to fuse."""
BATCH = 128
"""Passages per progress/cancel step (each is encoded in sub-batches by the encoder)."""
LATENCY_PROBES = 20
MIN_PROBES = 5
LATENCY_SHARE = 0.03
"""Latency probes stop after max(1 s, this share of the passage-encoding time)."""
SEED = 0
"""Seed of the bootstrap and randomisation tests (results are reproducible)."""
MEM_METHOD = "process RSS peak (psutil, sampled every 50 ms while the model ran)"


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
    int8: bool = False
    estimates: dict[str, dict[str, Any]] = field(default_factory=dict)
    memo: dict[str, _Run] = field(default_factory=dict)
    checked: dict[str, dict[str, Any]] = field(default_factory=dict)


class PeakMemory:
    """Samples this process's RSS in a background thread; `peak_mb` after exit."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval, self.peak = interval, 0
        self._done = threading.Event()

    def _sample(self) -> None:
        import psutil

        proc = psutil.Process()
        while True:
            self.peak = max(self.peak, proc.memory_info().rss)
            if self._done.wait(self.interval):
                return

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


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
) -> TrialResult:
    """Run every model on the dataset; see the module docstring for the contract.

    checks: deeper checks ('all' or names from `evaluators.checks.CHECKS`) run on each embedding model after
    its retrieval numbers, reusing its loaded encoder and passage vectors; stored in `details["checks"]`.
    int8: after each local dense model, also run its opt-in int8 ONNX variant as its own row, with the
    Recall@10 agreement of its rankings with the fp32 row's (`details["int8_recall_agreement@10"]`).
    max_usd: API models' cost is estimated before any call (`details["cost_estimate"]`); over the cap the
    trial raises TrialInputError and sends nothing.
    """
    if not dataset.corpus:
        raise TrialInputError("the corpus is empty: nothing to search")
    queries = [q for q in dataset.queries if any(g > 0 for g in dataset.qrels.get(q.id, {}).values())]
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
        _check_kinds(checks),
        int8,
    )
    ctx.estimates = _spend(ctx, model_refs, max_usd)
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


def _run_row(
    ctx: _Ctx,
    result: TrialResult,
    ref: str,
    int8: bool,
    on_model_done: Callable[[ModelResult], None] | None,
) -> bool:
    """Append one model's row (a failure is a row too); False when the user stopped the trial."""
    label = f"{ref} (int8)" if int8 else str(ref)
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


def _spend(ctx: _Ctx, model_refs: Sequence[str], max_usd: float | None) -> dict[str, dict[str, Any]]:
    """Estimated API cost per model before any call; over `max_usd` nothing runs."""
    api = []
    for ref in model_refs:
        try:
            mref = resolve_model(ref)
        except Exception:  # its row will say why it does not resolve
            continue
        dense = mref.parts[0] if mref.kind == "hybrid" and mref.parts else mref
        if dense.kind == "api":
            api.append((ref, dense.ref))
    if not api:
        return {}
    from evaluators.api.budget import SpendCapExceeded, check_budget

    # Every chunk once, every query twice (ranked, and up to LATENCY_PROBES more alone): an upper bound.
    texts = ctx.texts + ctx.qtexts + ctx.qtexts
    try:
        estimates = check_budget([a for _, a in api], texts, max_usd)
    except SpendCapExceeded as exc:
        raise TrialInputError(str(exc)) from None
    by_api = {e.ref: e for e in estimates}
    out = {}
    for ref, a in api:
        est = by_api.get(a)
        if est is not None:
            out[ref] = {"tokens": est.tokens, "usd": est.usd, "method": est.method, "cap_usd": max_usd}
    return out


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
        run.details["int8_recall_agreement@10"] = _agreement(ctx, fp32, run)
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
    if ctx.checks:
        details["checks"] = _checks(ctx, mref, run)
    return ModelResult(
        model=mref.name,
        metrics=mean_metrics(per_query),
        ci95=ci,
        per_query=per_query,
        perf=perf,
        details=details,
    )


def _agreement(ctx: _Ctx, fp32: ModelRef, run: _Run) -> float | None:
    """Mean share of each query's fp32 top 10 that the int8 variant also ranks in its top 10."""
    from evaluators.fast import recall_agreement

    ref = ctx.memo.get(fp32.identity)
    if ref is None or ref.docs is None or ref.queries is None or run.docs is None:
        return None  # the fp32 row failed: nothing to agree with
    return round(recall_agreement(ref.docs, run.docs, ref.queries, run.queries, k=10), 6)


def _check_kinds(checks: Sequence[str] | str) -> list[str]:
    if not checks:
        return []
    from evaluators.checks import CheckError, expand_kinds

    try:
        return expand_kinds(checks)
    except CheckError as exc:
        raise TrialInputError(str(exc)) from None


def _checks(ctx: _Ctx, mref: ModelRef, run: _Run) -> dict[str, dict[str, Any]]:
    """The deeper checks on one model ({kind: CheckResult.to_dict()}); BM25 has no vectors to check."""
    from evaluators.checks import CheckResult, checks_for_ref

    if run.lazy is None:
        note = "BM25 has no embeddings: the deeper checks apply to dense and API models"
        return {k: CheckResult(k, mref.name, note, status="not_applicable").to_dict() for k in ctx.checks}
    dense = mref.parts[0] if mref.kind == "hybrid" and mref.parts else mref
    if dense.identity in ctx.checked:  # hybrid:<m>+bm25 after <m>: same embeddings, same checks
        return ctx.checked[dense.identity]
    label = f"checks: {mref.name}"
    out: dict[str, dict[str, Any]] = {}
    for i, kind in enumerate(ctx.checks):
        if ctx.stop():
            raise TrialCancelled(mref.name)
        ctx.progress(label, i, len(ctx.checks))
        res = checks_for_ref(
            [kind],
            dense,
            backend=ctx.backend,
            encoder_factory=run.lazy.get,
            dataset=ctx.dataset,
            corpus_vectors=run.docs,
            seed=SEED,
        )
        out.update({k: r.to_dict() for k, r in res.items()})
    ctx.progress(label, len(ctx.checks), len(ctx.checks))
    ctx.checked[dense.identity] = out
    return out


def _ranked(ctx: _Ctx, idx: np.ndarray, val: np.ndarray) -> dict[str, list[str]]:
    """Top-10 ids per query: units, or parents by MaxP when qrels name parent documents."""
    corpus = ctx.dataset.corpus
    if ctx.dataset.qrels_level == "parent":
        parents = [d.parent_id or d.id for d in corpus]
        return {q: [p for p, _ in lst] for q, lst in zip(ctx.qids, maxp(idx, val, parents, 10), strict=True)}
    ids = [d.id for d in corpus]
    return {q: [ids[i] for i in row[:10]] for q, row in zip(ctx.qids, idx.tolist(), strict=True)}


def _latency_ms(fn: Callable[[str], object], texts: Sequence[str], budget_s: float = 1.0) -> dict[str, float]:
    """p50/p95 of one query processed by `fn` (probe limits as in `cache.Probe`)."""
    probe = Probe(after=lambda v: None, budget_s=budget_s, min_n=MIN_PROBES, max_n=LATENCY_PROBES)
    probe.run(lambda batch: fn(batch[0]), list(texts), list(range(len(texts))))
    return _latency_stats(probe.times)


def _latency_stats(times: Sequence[float]) -> dict[str, float]:
    ms = np.array(times) * 1000
    return {
        "query_p50_ms": float(np.percentile(ms, 50)),
        "query_p95_ms": float(np.percentile(ms, 95)),
        "latency_probes": float(len(ms)),
    }


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
        **_latency_ms(lambda q: index.search([q], 10), ctx.qtexts),
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
        perf.update(_latency_stats(probe.times))
    elif enc is not None:  # passages were encoded but every query came from the cache
        perf.update(
            _latency_ms(lambda q: search(enc.encode_queries([q]), docs, 10), ctx.qtexts, probe.budget_s)
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
