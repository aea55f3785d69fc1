"""Spot benchmark scores built from failed upstream runs: shown with a warning, never ranked on.

A retrieval task at ~0 nDCG@10 is not a weak model (random retrieval scores higher): it is a broken run,
e.g. jina-embeddings-v2-base-en's revision folder 6e85f575 in the results repo (FEVERHardNegatives 0.00).
A revision folder with two or more such tasks is treated as failed, and every benchmark score that uses one of
its files gets an `implausible` note. Pure: the caller reads the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from catalog.mteb_results import normalise_result
from catalog.refresh import BenchmarkDef, ResultFile, load_benchmarks, pick_result, task_fraction

BROKEN_BELOW = 0.001
"""nDCG@10 (0-1) under which a retrieval task counts as a failed run."""
MIN_BROKEN_TASKS = 2


def broken_revisions(
    files: Mapping[str, list[ResultFile]], benchmarks: Iterable[BenchmarkDef] | None = None
) -> dict[str, list[str]]:
    """Revision folders whose runs failed: >= 2 retrieval tasks (any benchmark) at ~0 nDCG@10 -> evidence."""
    tasks = {
        t.name: (t, b.languages) for b in _benchmarks(benchmarks) for t in b.tasks if t.type == "Retrieval"
    }
    found: dict[str, list[str]] = {}
    for name, candidates in files.items():
        if name not in tasks:
            continue
        task, languages = tasks[name]
        for rev, raw in candidates:
            value = task_fraction(task, raw, languages)
            if value is not None and value < BROKEN_BELOW:
                found.setdefault(rev, []).append(f"{name} {100 * value:.2f}")
    return {rev: sorted(set(hits)) for rev, hits in found.items() if len(set(hits)) >= MIN_BROKEN_TASKS}


def implausible_note(
    bench: BenchmarkDef, files: Mapping[str, Any], revision: str | None, broken: Mapping[str, list[str]]
) -> str | None:
    """Why this benchmark's score can't be trusted: some of its tasks come from a failed revision folder."""
    used = set()
    for task in bench.tasks:
        if files.get(task.name):
            chosen = pick_result(files[task.name], revision)
            used |= {
                rev for rev, raw in files[task.name] if rev in broken and normalise_result(raw) == chosen
            }
    if not used:
        return None
    evidence = "; ".join(
        f"{rev[:12]}: {len(broken[rev])} tasks, e.g. {', '.join(broken[rev][:4])}" for rev in sorted(used)
    )
    return (
        f"Upstream result files look broken (retrieval at ~0 nDCG@10 in revision folder {evidence}); "
        "this score uses them: do not rank on it."
    )


def _benchmarks(benchmarks: Iterable[BenchmarkDef] | None) -> Iterable[BenchmarkDef]:
    return benchmarks if benchmarks is not None else load_benchmarks().values()
