"""run_trial: every model gets a row (failures too), cancel keeps finished rows, the cache skips encoding,
parent qrels are scored by MaxP, and one real run with the packaged MiniLM gives sensible numbers."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

import evaluators.backends as backends
from evaluators.metrics import METRICS
from evaluators.runner import run_trial
from evaluators.types import Dataset, Doc, Query, TrialInputError, TrialResult

PERF_KEYS = {
    "load_s",
    "docs_per_s",
    "tokens_per_s",
    "query_p50_ms",
    "query_p95_ms",
    "peak_mem_mb",
    "index_bytes",
    "truncated_share",
    "n_tokens",
}


def beir_slice(root: Path, n_docs: int, n_queries: int) -> Dataset:
    """First n_queries queries, their relevant docs, then others up to n_docs (straight from BEIR files)."""
    qrels: dict[str, dict[str, int]] = {}
    for line in (root / "qrels.tsv").read_text("utf-8").splitlines()[1:]:
        q, d, s = line.split("\t")
        qrels.setdefault(q, {})[d] = int(s)
    queries = [json.loads(x) for x in (root / "queries.jsonl").open(encoding="utf-8")][:n_queries]
    need = {d for q in queries for d in qrels[q["_id"]]}
    corpus = [json.loads(x) for x in (root / "corpus.jsonl").open(encoding="utf-8")]
    kept = [c for c in corpus if c["_id"] in need]
    kept += [c for c in corpus if c["_id"] not in need][: max(0, n_docs - len(kept))]
    return Dataset(
        root.name,
        tuple(Doc(c["_id"], c["text"], c.get("title", "")) for c in kept),
        tuple(Query(q["_id"], q["text"]) for q in queries),
        {q["_id"]: qrels[q["_id"]] for q in queries},
        query_origin="dataset",
    )


class FakeEncoder:
    """Hashed bag-of-words vectors: retrieval works, no model needed."""

    max_tokens = 64

    def __init__(self, name: str) -> None:
        self.name = name
        self.details = {"backend": "fake", "device": "cpu"}

    def _vec(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 256] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    encode_queries = encode_passages = _vec

    def count_tokens(self, texts: list[str], prompt: str | None = None) -> list[int]:
        return [len(t.split()) for t in texts]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Route load_encoder to FakeEncoder ('broken/...' refs raise); records each load."""
    seen: list[str] = []

    def fake_load(ref, *, backend="auto", cache_dir=None, int8=False, **_: object):
        seen.append(ref.ref)
        if ref.ref.startswith("broken/"):
            raise OSError("no such model on this machine")
        return FakeEncoder(ref.name)

    monkeypatch.setattr(backends, "load_encoder", fake_load)
    return seen


@pytest.fixture(scope="module")
def squad(shared_data: Path) -> Dataset:
    return beir_slice(shared_data / "squad_en", 120, 30)


def test_rows_metrics_perf_and_progress(squad: Dataset, loads: list[str]) -> None:
    progress: list[tuple[str, int, int]] = []
    done: list[str] = []
    res = run_trial(
        squad,
        ["bm25", "fake/a", "broken/model"],
        on_progress=lambda *a: progress.append(a),
        on_model_done=lambda r: done.append(r.model),
    )
    assert [r.status for r in res.results] == ["ok", "ok", "failed"] and res.complete
    assert "no such model" in res.results[2].error and done == ["bm25", "fake/a", "broken/model"]
    for row in res.results[:2]:
        assert set(METRICS) <= set(row.metrics) and PERF_KEYS <= set(row.perf)
        lo, hi = row.ci95["ndcg@10"]
        assert 0 <= lo <= row.metrics["ndcg@10"] <= hi <= 1
        assert len(row.per_query["ndcg@10"]) == 30
    assert res.results[0].details["tokenizer"].startswith("en:")
    fake = [p for p in progress if p[0] == "fake/a"]
    assert fake[-1] == ("fake/a", 120, 120) and [p[1] for p in fake] == sorted(p[1] for p in fake)
    assert (
        TrialResult.from_dict(json.loads(json.dumps(res.to_dict()))).results[1].metrics
        == res.results[1].metrics
    )


def test_model_vs_itself_is_not_significant(squad: Dataset, loads: list[str]) -> None:
    res = run_trial(squad, ["fake/a", "fake/a"])
    assert res.results[1].p_vs_best["ndcg@10"] == 1.0 and len(loads) == 1  # second run reuses the first


def test_cancel_keeps_finished_rows(squad: Dataset, loads: list[str]) -> None:
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return loads != [] and calls["n"] > 4

    res = run_trial(squad, ["bm25", "fake/a", "fake/b"], should_stop=should_stop)
    assert not res.complete
    assert [r.status for r in res.results] == ["ok", "cancelled"]


def test_cache_rerun_does_not_load_the_model(squad: Dataset, loads: list[str], tmp_path: Path) -> None:
    first = run_trial(squad, ["fake/a"], cache_dir=tmp_path)
    second = run_trial(squad, ["fake/a"], cache_dir=tmp_path)
    assert loads == ["fake/a"]
    assert second.results[0].metrics == first.results[0].metrics
    assert second.results[0].details["cache_hits"] == 120
    assert second.results[0].perf["docs_per_s"] == pytest.approx(first.results[0].perf["docs_per_s"])


def test_parent_qrels_are_scored_by_maxp(loads: list[str]) -> None:
    chunks = (
        Doc("p1#0", "apples grow on trees", parent_id="p1"),
        Doc("p1#1", "red fruit", parent_id="p1"),
        Doc("p2#0", "bananas are yellow", parent_id="p2"),
        Doc("p3#0", "tall old trees", parent_id="p3"),
    )
    ds = Dataset("toy", chunks, (Query("q", "apples trees"),), {"q": {"p1": 1}}, qrels_level="parent")
    row = run_trial(ds, ["bm25"]).results[0]
    assert row.metrics["recall@1"] == 1.0 and row.details["n_units"] == 4


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(TrialInputError):
        run_trial(Dataset("empty", (), (), {}), ["bm25"])
    with pytest.raises(TrialInputError):
        run_trial(Dataset("noq", (Doc("a", "x"),), (Query("q", "x"),), {}), ["bm25"])


@pytest.mark.slow
def test_real_minilm_run(shared_data: Path, minilm_path: str, tmp_path: Path) -> None:
    ds = beir_slice(shared_data / "squad_en", 60, 20)
    res = run_trial(ds, ["minilm", "bm25"], backend="torch", cache_dir=tmp_path)
    dense, bm = res.results
    assert dense.status == "ok", dense.error
    assert dense.model == "sentence-transformers/all-MiniLM-L6-v2" and dense.details["backend"] == "torch"
    assert dense.metrics["ndcg@10"] > 0.7 and dense.metrics["recall@10"] > 0.85
    assert 0 <= dense.perf["truncated_share"] <= 1 and dense.perf["n_tokens"] > 60 * 20
    assert dense.perf["index_bytes"] == 60 * 384 * 4 and dense.perf["load_s"] > 0
    assert bm.status == "ok" and "p_vs_best" in bm.to_dict()


@pytest.mark.slow
def test_torch_encoder_applies_prompts_and_records_fallback(
    minilm_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catalog prompts reach the model; a fast path that cannot serve falls back to torch and says why."""
    from dataclasses import replace

    import evaluators.fast as fast
    from evaluators.models import resolve_model

    def unavailable(*args: object, **kwargs: object) -> None:
        raise fast.FastPathUnavailable("no export for this test")

    monkeypatch.setattr(fast, "load_fast_encoder", unavailable)
    ref = replace(resolve_model("minilm"), query_prompt="query: ", passage_prompt="passage: ")
    enc = backends.load_encoder(ref, backend="onnx")
    assert enc.details["backend"] == "torch" and "no export" in enc.details["fallback_reason"]
    assert enc.details["device"] == "cpu" and enc.details["precision"] == "float32"
    plain = enc.model.encode(["query: apples", "passage: apples"], normalize_embeddings=True)
    assert np.allclose(enc.encode_queries(["apples"])[0], plain[0], atol=1e-5)
    assert np.allclose(enc.encode_passages(["apples"])[0], plain[1], atol=1e-5)
    assert enc.count_tokens(["apples"], "query: ")[0] > enc.count_tokens(["apples"])[0]
