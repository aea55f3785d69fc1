"""The scripted trial runner behind the TUI screen tests: batches with progress, a gate to hold a run, failing
'broken' refs, and the opt-ins (checks, int8 variants, API usage and the spend cap) shaped like the real
runner's rows. It replaces only the encoding (the slow, hardware-bound part): the dataset description and
the environment come from the real functions, as in `evaluators.runner.run_trial`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from evaluators.types import Dataset, ModelResult, PhaseEvent, TrialCancelled, TrialInputError, TrialResult

FAKE_API_USD = 0.001
"""What the fake runner estimates any trial's API models cost (over a lower max_usd it refuses)."""
FAKE_ESTIMATE_S = 20.0
"""What the fake runner estimates each dense model takes (bm25: 0.1 s), sent as 'estimate' phase events."""


@dataclass
class FakeRunner:
    """Runs in the worker thread: 3 batches per model; 'broken' refs fail; `gate` holds batch 2 until set.
    The opt-ins act as in the real runner: checks fill details["checks"] (with 'checks: <model>' progress),
    int8 adds a '<ref> (int8)' row after each local model, 'openai:' refs report usage and cost_estimate,
    and a max_usd under FAKE_API_USD raises TrialInputError before any model runs.
    Like the real runner it sends each model's estimate first, then a 'load' phase per dense model; with
    `spread` its rows carry per-query nDCG@10 (the row's value +- spread) and the trial the real winner
    stability (`evaluators.winner.assess.winner_stability`) over them."""

    gate: threading.Event | None = None
    hold: str | None = None
    """Only this ref's batch 2 waits for `gate` (None: every model's)."""
    gate_timeout: float = 5.0
    spread: float | None = None
    step: float = 0.1
    """Each row's nDCG@10 is 0.5 + step * its index (a small step: a winner within noise)."""
    calls: list[list[str]] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)
    """The opt-ins (backend, checks, int8, max_usd) of each call."""
    cache_dirs: list[Any] = field(default_factory=list)

    def __call__(
        self,
        dataset: Dataset,
        refs: list[str],
        *,
        on_progress: Any = None,
        on_model_done: Any = None,
        should_stop: Any = None,
        **options: Any,
    ) -> TrialResult:
        from evaluators.hardware import environment
        from evaluators.runner import describe_dataset, scored_queries

        self.calls.append(list(refs))
        self.cache_dirs.append(options.pop("cache_dir", None))
        on_phase = options.pop("on_phase", None) or (lambda event: None)  # a callback, not an option
        self.options.append(options)
        cap = options.get("max_usd")
        if cap is not None and cap < FAKE_API_USD and any(r.startswith("openai:") for r in refs):
            raise TrialInputError(
                f"estimated API cost ${FAKE_API_USD} exceeds --max-usd {cap}: nothing was sent"
            )
        jobs = [
            (ref, q)
            for ref in refs
            for q in (False, True)
            if not q or (options.get("int8") and ref != "bm25" and ":" not in ref)
        ]
        for ref in refs:  # as evaluators.eta.announce_estimates: every model's, in order, before any runs
            seconds = 0.1 if ref == "bm25" else FAKE_ESTIMATE_S
            on_phase(PhaseEvent(ref, "estimate", f"~{seconds:g} s (fake)", seconds))
        results: list[ModelResult] = []
        complete = True
        for i, (ref, int8) in enumerate(jobs):
            name = f"{ref} (int8)" if int8 else ref
            if ref != "bm25" and "broken" not in ref and ":" not in ref:  # a local model loads
                on_phase(PhaseEvent(name, "load", f"loading {name}"))
            try:
                self._batches(name, on_progress, should_stop, held=self.hold in (None, ref))
            except TrialCancelled:  # as the real runner: a cancelled row, then stop
                results.append(ModelResult(ref, status="cancelled", error="stopped by the user"))
                complete = False
                break
            if "broken" in ref:
                row = ModelResult(ref, status="failed", error="model not available offline")
            else:
                v = 0.5 + self.step * i
                row = ModelResult(
                    name,
                    metrics={"ndcg@10": v, "recall@10": v + 0.1, "mrr@10": v - 0.05, "hit@1": v - 0.1},
                    ci95={"ndcg@10": (v - 0.05, v + 0.05)},
                    p_vs_best={"ndcg@10": 0.01},
                    perf={"docs_per_s": 100.0 * (i + 1), "query_p50_ms": 2.0, "peak_mem_mb": 50.0},
                    details=_fake_details(ref, name, int8, options, on_progress),
                )
                if self.spread is not None:
                    _per_query(row, dataset, i, self.spread)
            results.append(row)
            if on_model_done:
                on_model_done(row)
        ok = [r for r in results if r.status == "ok"]
        if ok:  # as the runner's compare_to_best: the best row is marked and has no p-value of its own
            best = max(ok, key=lambda r: r.metrics["ndcg@10"])
            best.details["best"] = True
            best.p_vs_best.clear()
        stability = None
        if self.spread is not None:
            from evaluators.winner.assess import winner_stability

            stability = winner_stability(results, seed=0)
        return TrialResult(
            dataset=describe_dataset(dataset, len(scored_queries(dataset))),
            results=results,
            environment=environment(),
            complete=complete,
            started_at="2026-01-01T00:00:00Z",
            finished_at="2026-01-01T00:00:05Z",
            stability=stability,
        )

    def _batches(self, ref: str, on_progress: Any, should_stop: Any, *, held: bool = True) -> None:
        for done in range(1, 4):
            if done == 2 and self.gate is not None and held:
                self.gate.wait(self.gate_timeout)
            if should_stop and should_stop():
                raise TrialCancelled(ref)
            if on_progress:
                on_progress(ref, done, 3)


def _per_query(row: ModelResult, dataset: Dataset, seed: int, spread: float) -> None:
    """Per-query nDCG@10 around the row's value (a fixed seed per row), and the row's mean made theirs."""
    import numpy as np

    from evaluators.runner import scored_queries

    qids = [q.id for q in scored_queries(dataset)]
    rng = np.random.default_rng(seed)
    values = np.clip(row.metrics["ndcg@10"] + rng.uniform(-spread, spread, len(qids)), 0.0, 1.0)
    row.per_query["ndcg@10"] = {q: float(v) for q, v in zip(qids, values, strict=True)}
    row.metrics["ndcg@10"] = float(values.mean())


def _fake_details(ref: str, name: str, int8: bool, options: dict[str, Any], progress: Any) -> dict[str, Any]:
    details: dict[str, Any] = {"ref": ref, "backend": "bm25s" if ref == "bm25" else options.get("backend")}
    if int8:
        details.update({"precision": "int8-dynamic", "int8_recall_agreement@10": 0.95})
    if ref.startswith("openai:"):
        details["cost_estimate"] = {"tokens": 50, "usd": FAKE_API_USD, "method": "tiktoken", "cap_usd": 1.0}
        details["usage"] = {
            "requests": 2,
            "retries": 0,
            "tokens": 40,
            "tokens_source": "provider",
            "usd": 0.0008,
            "usd_source": "estimated from list price",
        }
    kinds = list(options.get("checks") or ())
    if kinds:
        checks = {}
        for n, kind in enumerate(kinds):
            if progress and ref != "bm25":
                progress(f"checks: {name}", n, len(kinds))
            checks[kind] = _fake_check(kind, name, applicable=ref != "bm25")
        details["checks"] = checks
    return details


def _fake_check(kind: str, model: str, *, applicable: bool) -> dict[str, Any]:
    if not applicable:
        note = "BM25 has no embeddings: the deeper checks apply to dense and API models"
        return {"kind": kind, "model": model, "status": "not_applicable", "summary": note, "n": 0,
                "values": {}, "ci95": {}, "notes": []}  # fmt: skip
    return {
        "kind": kind,
        "model": model,
        "status": "ok",
        "summary": f"{kind} fit over 2 documents, 12 tokens, 9 words: 0.250 tokens/char",
        "n": 2,
        "values": {
            "tokens_per_char": 0.25,
            "tokens_per_word": 1.333,
            "unk_share": 0.0,
            "context_window": 512,
        },
        "ci95": {"tokens_per_char": [0.2, 0.3], "tokens_per_word": [1.1, 1.5]},
        "notes": ["measured on the trial's chunks, not whole documents"],
    }
