"""Provider rerank endpoints (Cohere, Voyage, Jina) against a real HTTP server on 127.0.0.1: request shape,
scores back in input order, usage and retries counted, keys never leaked, spend refused when unbounded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from evaluators.api.embedders import MissingApiKey
from evaluators.api.rerankers import load_api_reranker
from evaluators.rerank import load_reranker
from evaluators.runner import run_trial
from evaluators.types import Dataset, Doc, Query, TrialInputError
from tests.unit._fake_http import rerank_score, running_server

KEY = "rk-test-SECRET-reranker-key-0123456789"
PASSAGES = ["castle gate tour", "river boat tour from the harbour", "nothing here"]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with running_server() as srv:
        monkeypatch.setenv("EMBEDSCOUT_COHERE_BASE_URL", srv.url)
        monkeypatch.setenv("EMBEDSCOUT_VOYAGE_BASE_URL", srv.url + "/v1")
        monkeypatch.setenv("EMBEDSCOUT_JINA_BASE_URL", srv.url + "/v1")
        for env in ("COHERE_API_KEY", "VOYAGE_API_KEY", "JINA_API_KEY"):
            monkeypatch.setenv(env, KEY)
        yield srv


@pytest.mark.parametrize(
    ("ref", "path", "tokens_source"),
    [
        ("cohere:rerank-v3.5", "/v2/rerank", "estimated"),
        ("voyage:rerank-2", "/v1/rerank", "provider"),
        ("jina:jina-reranker-v2-base-multilingual", "/v1/rerank", "provider"),
    ],
)
def test_each_provider_scores_in_input_order(server: Any, ref: str, path: str, tokens_source: str) -> None:
    rr = load_reranker(ref)
    scores = rr.score("river boat tour", PASSAGES)
    assert scores.tolist() == [rerank_score("river boat tour", p) for p in PASSAGES]  # server answered sorted
    (req,) = server.requests
    assert req.path == path and req.body["documents"] == PASSAGES and req.body["query"] == "river boat tour"
    assert req.body["model"] == ref.split(":", 1)[1] and req.headers["Authorization"] == f"Bearer {KEY}"
    assert rr.details["usage"]["requests"] == 1 and rr.details["usage"]["tokens"] > 0
    assert rr.details["usage"]["tokens_source"] == tokens_source
    if ref.startswith("cohere"):
        assert rr.details["usage"]["search_units"] == 1


def test_retries_are_counted(server: Any) -> None:
    server.fault("status", 429, {"Retry-After": "0"})
    rr = load_api_reranker("voyage:rerank-2", backoff_base=0.0)
    assert rr.score("tour", PASSAGES).shape == (3,)
    assert server.count("/rerank") == 2 and rr.usage["retries"] == 1 and rr.usage["requests"] == 1


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHERE_API_KEY", raising=False)
    monkeypatch.delenv("CO_API_KEY", raising=False)
    with pytest.raises(MissingApiKey, match="set COHERE_API_KEY or CO_API_KEY"):
        load_reranker("cohere:rerank-v3.5")


def _dataset() -> Dataset:
    docs = (Doc("d1", "river boat tour at noon"), Doc("d2", "castle tour"), Doc("d3", "boat harbour river"))
    queries = (Query("q1", "castle tour"), Query("q2", "river boat harbour"))
    return Dataset("tiny", docs, queries, {"q1": {"d2": 1}, "q2": {"d3": 1}}, query_origin="dataset")


def test_trial_row_with_an_api_reranker_keeps_the_key_out(server: Any) -> None:
    result = run_trial(_dataset(), ["bm25"], rerank="jina:jina-reranker-v2-base-multilingual")
    bm25, rr = result.results
    assert rr.status == "ok", rr.error
    assert rr.details["provider"] == "jina" and rr.details["usage"]["requests"] == 2  # one per query
    assert rr.metrics["hit@1"] == 1.0  # the fake scores word overlap: each query's relevant doc wins
    assert KEY not in json.dumps(result.to_dict(), default=str)


def test_spend_cap_refuses_an_unpriced_reranker_before_any_call(server: Any) -> None:
    with pytest.raises(TrialInputError, match="no price known for reranker cohere:rerank-v3.5"):
        run_trial(_dataset(), ["bm25"], rerank="cohere:rerank-v3.5", max_usd=1.0)
    assert server.count() == 0
