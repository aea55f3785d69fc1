"""The scripted trial runner behind the TUI screen tests: batches with progress, a gate to hold a run, failing
'broken' refs, and the opt-ins (checks, int8 variants, API usage and the spend cap) shaped like the real
runner's rows. It replaces only the encoding (the slow, hardware-bound part): the dataset description and
the environment come from the real functions, as in `evaluators.runner.run_trial`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from evaluators.types import Dataset, ModelResult, TrialCancelled, TrialInputError, TrialResult

FAKE_API_USD = 0.001
"""What the fake runner estimates any trial's API models cost (over a lower max_usd it refuses)."""


@dataclass
class FakeRunner:
    """Runs in the worker thread: 3 batches per model; 'broken' refs fail; `gate` holds batch 2 until set.
    The opt-ins act as in the real runner: checks fill details["checks"] (with 'checks: <model>' progress),
    int8 adds a '<ref> (int8)' row after each local model, 'openai:' refs report usage and cost_estimate,
    and a max_usd under FAKE_API_USD raises TrialInputError before any model runs."""

    gate: threading.Event | None = None
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
        options.pop("on_phase", None)  # a callback (estimates, export...), not a trial option
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
        results: list[ModelResult] = []
        complete = True
        for i, (ref, int8) in enumerate(jobs):
            name = f"{ref} (int8)" if int8 else ref
            try:
                self._batches(name, on_progress, should_stop)
            except TrialCancelled:  # as the real runner: a cancelled row, then stop
                results.append(ModelResult(ref, status="cancelled", error="stopped by the user"))
                complete = False
                break
            if "broken" in ref:
                row = ModelResult(ref, status="failed", error="model not available offline")
            else:
                v = 0.5 + 0.1 * i
                row = ModelResult(
                    name,
                    metrics={"ndcg@10": v, "recall@10": v + 0.1, "mrr@10": v - 0.05, "hit@1": v - 0.1},
                    ci95={"ndcg@10": (v - 0.05, v + 0.05)},
                    p_vs_best={"ndcg@10": 0.01},
                    perf={"docs_per_s": 100.0 * (i + 1), "query_p50_ms": 2.0, "peak_mem_mb": 50.0},
                    details=_fake_details(ref, name, int8, options, on_progress),
                )
            results.append(row)
            if on_model_done:
                on_model_done(row)
        ok = [r for r in results if r.status == "ok"]
        if ok:  # as the runner's compare_to_best: the best row is marked and has no p-value of its own
            best = max(ok, key=lambda r: r.metrics["ndcg@10"])
            best.details["best"] = True
            best.p_vs_best.clear()
        return TrialResult(
            dataset=describe_dataset(dataset, len(scored_queries(dataset))),
            results=results,
            environment=environment(),
            complete=complete,
            started_at="2026-01-01T00:00:00Z",
            finished_at="2026-01-01T00:00:05Z",
        )

    def _batches(self, ref: str, on_progress: Any, should_stop: Any) -> None:
        for done in range(1, 4):
            if done == 2 and self.gate is not None:
                self.gate.wait(5)
            if should_stop and should_stop():
                raise TrialCancelled(ref)
            if on_progress:
                on_progress(ref, done, 3)


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
