"""The size/quality trade-off table's cost on a cached re-run (issue 18: a cached re-run must stay fast).

On tests/data/squad_en (300 queries, ~1,040 chunks; `--demo`: the bundled demo) with the packaged MiniLM:
one trial fills a temporary embeddings cache; then, alternating `--reps` times in this one process, cached
re-runs: without the table; computing it with the row's full metric scorer (the code before); computing it
with the nDCG-only scorer (a first run now); reading it back from the table cache (a re-run now). Checks the
three tables agree; prints every wall time and the minimum of each (the machine is shared).
Usage: `bench/bench_tradeoffs.py [--demo] [--reps R]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from evaluators import trial_rows  # noqa: E402
from evaluators.datasets import load_dataset, load_demo  # noqa: E402
from evaluators.metrics import PRIMARY, per_query_metrics  # noqa: E402
from evaluators.runner import run_trial  # noqa: E402
from evaluators.types import Dataset  # noqa: E402


def _trial(ds: Dataset, cache: Path, *, tradeoffs: bool = True, table: str = "cached") -> tuple[float, Any]:
    """(wall seconds, the row's table) of a cached re-run; table: 'cached' (read back if stored), 'ndcg'
    (computed, nDCG-only scorer) or 'full' (computed with the row's full metric scorer, the code before)."""
    if table != "cached":
        shutil.rmtree(cache / "tradeoffs", ignore_errors=True)
    saved = trial_rows.per_query_ndcg
    if table == "full":
        trial_rows.per_query_ndcg = lambda ranked, qrels: per_query_metrics(ranked, qrels)[PRIMARY]
    try:
        t0 = time.perf_counter()
        res = run_trial(ds, ["minilm"], cache_dir=cache, tradeoffs=tradeoffs)
        wall = time.perf_counter() - t0
    finally:
        trial_rows.per_query_ndcg = saved
    row = res.results[0]
    assert row.status == "ok", row.error
    return wall, row.details.get("tradeoffs")


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def drop(t: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in t.items() if k not in ("seconds", "cached")}

    return drop(a) == drop(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", action="store_true", help="the bundled demo instead of tests/data/squad_en")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    ds = load_demo() if args.demo else load_dataset(ROOT / "tests" / "data" / "squad_en")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs (shared, noisy)")
    walls: dict[str, list[float]] = {k: [] for k in ("off", "cached", "ndcg", "full")}
    tables: dict[str, list[float]] = {k: [] for k in ("cached", "ndcg", "full")}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        first = run_trial(ds, ["minilm"], cache_dir=cache).results[0]
        print(f"dataset: {ds.name}, {first.details['n_queries']} queries x {first.details['n_units']} chunks")
        for _ in range(args.reps):
            walls["off"].append(_trial(ds, cache, tradeoffs=False)[0])
            got = {}
            for kind in ("full", "ndcg", "cached"):  # 'cached' last: it reads what 'ndcg' stored
                wall, got[kind] = _trial(ds, cache, table=kind)
                walls[kind].append(wall)
                tables[kind].append(got[kind]["seconds"])
            assert got["cached"].get("cached") and not got["ndcg"].get("cached")
            assert _same(got["full"], got["ndcg"]) and _same(got["ndcg"], got["cached"]), "tables differ"
    names = {"off": "no table", "full": "table computed, full-metric scorer (before)",
             "ndcg": "table computed, nDCG-only scorer (first run now)",
             "cached": "table from the cache (now)"}
    for kind, name in names.items():
        line = f"re-run wall, {name:48s} min {min(walls[kind]):6.3f} s"
        if kind in tables:
            line += f"   table itself min {min(tables[kind]):6.3f} s"
        print(line + "   walls: " + ", ".join(f"{v:.3f}" for v in walls[kind]))


if __name__ == "__main__":
    main()
