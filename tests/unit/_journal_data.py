"""Sample recommendation and trial dicts, in the shapes other packages hand to storage (journal tests)."""

from __future__ import annotations

from typing import Any


def recommendation(*ids: str, version: str = "2026.11") -> dict[str, Any]:
    return {
        "requirements": {"language": "en"},
        "catalog_version": version,
        "candidates": [
            {"id": m, "score": round(0.9 - i / 10, 2), "reasons": [f"reason {i}"]} for i, m in enumerate(ids)
        ],
        "excluded": [{"id": "big/model", "reasons": ["needs a GPU"]}],
    }


def model_result(model: str, ndcg: float, status: str = "ok") -> dict[str, Any]:
    return {
        "model": model,
        "status": status,
        "error": None if status == "ok" else "out of memory",
        "metrics": {"ndcg@10": ndcg, "recall@10": ndcg + 0.1, "mrr@10": ndcg - 0.05}
        if status == "ok"
        else {},
        "ci95": {"ndcg@10": [ndcg - 0.05, ndcg + 0.05]} if status == "ok" else {},
        "per_query": {"ndcg@10": {"q1": ndcg, "q2": ndcg}} if status == "ok" else {},
        "perf": {"query_p50_ms": 3.5},
        "details": {"backend": "fake"},
    }


def trial(*results: dict[str, Any], complete: bool = True) -> dict[str, Any]:
    return {
        "dataset": {"name": "demo", "fingerprint": "fp-demo-1", "n_queries": 2},
        "results": list(results),
        "environment": {"python": "3.11"},
        "settings": {"sample": 100, "seed": 0},
        "complete": complete,
        "started_at": "2026-11-20T10:00:00Z",
        "finished_at": "2026-11-20T10:05:00Z",
    }
