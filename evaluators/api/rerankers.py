"""Providers' rerank endpoints (Cohere v2/rerank, Voyage and Jina /rerank) as rerankers for the trial.

Same rules as the embedding APIs (evaluators.api.embedders): keys from the provider's usual environment
variables, base URLs overridable with EMBEDSCOUT_<PROVIDER>_BASE_URL, every call through the one HTTP helper
(retries, redacted one-line errors). `usage` counts requests, tokens and, where the catalog knows a price,
USD; Cohere bills per search unit, which is reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from evaluators.api import budget
from evaluators.api.embedders import (
    ALIASES,
    PROVIDERS,
    MissingApiKey,
    find_key,
    resolve_base_url,
)
from evaluators.api.http import ApiError, ApiResponseError, RetryPolicy, make_client, request_json

PATHS = {"cohere": "v2/rerank", "voyage": "rerank", "jina": "rerank"}
"""Rerank endpoint of each provider, relative to its API base URL."""


class ApiReranker:
    """One provider's rerank endpoint; one request per query (its first-stage top-k)."""

    def __init__(self, ref: str, provider: str, model: str, key: str, *, timeout: float = 30.0,
                 max_retries: int = 5, backoff_base: float = 0.5) -> None:
        self.name = ref
        self.provider = provider
        self.model = model
        self._key = key
        self._policy = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base)
        base = resolve_base_url(PROVIDERS[provider], None)
        headers = {"User-Agent": "embedscout", "Authorization": f"Bearer {key}"}
        self._client = make_client(base, timeout=timeout, headers=headers)
        price = _price(ref)
        self._price = price
        self.usage: dict[str, Any] = {
            "requests": 0,
            "retries": 0,
            "tokens": 0,
            "tokens_source": "provider",
            "usd": 0.0 if price is not None else None,
            "usd_source": "estimated from list price" if price is not None else "no price known",
        }
        self.details: dict[str, Any] = {
            "backend": "api",
            "provider": provider,
            "reranker": ref,
            "host": self._client.base_url.host,
            "price_usd_per_1m": price,
            "usage": self.usage,
        }

    def __repr__(self) -> str:
        return f"ApiReranker({self.name!r}, host={self.details['host']!r})"

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        docs = list(passages)
        if not docs:
            return np.zeros(0, dtype=np.float32)
        body: dict[str, Any] = {"model": self.model, "query": query, "documents": docs}
        body["top_k" if self.provider == "voyage" else "top_n"] = len(docs)
        if self.provider == "jina":
            body["return_documents"] = False
        reply = self._post(body)
        field = "data" if self.provider == "voyage" else "results"
        items = reply.get(field) if isinstance(reply, dict) else None
        scores = np.full(len(docs), np.nan, dtype=np.float32)
        try:
            for item in items or []:
                scores[int(item["index"])] = float(item["relevance_score"])
        except (KeyError, TypeError, ValueError, IndexError):
            raise ApiResponseError(f"{self.name}: unexpected rerank response shape") from None
        if np.isnan(scores).any():
            got = int((~np.isnan(scores)).sum())
            raise ApiResponseError(f"{self.name}: scores for only {got} of {len(docs)} passages")
        self._count(reply, [query, *docs])
        return scores

    def _post(self, body: dict[str, Any]) -> Any:
        def on_retry(attempt: int, reason: str) -> None:
            self.usage["retries"] += 1

        self.usage["requests"] += 1
        try:
            return request_json(self._client, "POST", PATHS[self.provider], json=body, policy=self._policy,
                                secrets=(self._key,), on_retry=on_retry)
        except ApiError as exc:
            exc.args = (f"{self.name}: {exc}",)
            raise

    def _count(self, reply: dict[str, Any], texts: list[str]) -> None:
        usage = reply.get("usage") or {}
        billed = (reply.get("meta") or {}).get("billed_units") or {}
        tokens = usage.get("total_tokens") if isinstance(usage, dict) else None
        if isinstance(billed.get("search_units"), (int, float)):
            self.usage["search_units"] = self.usage.get("search_units", 0) + int(billed["search_units"])
        if not isinstance(tokens, (int, float)):
            tokens = budget.count_tokens(texts)[0]
            self.usage["tokens_source"] = "estimated"
        self.usage["tokens"] += int(tokens)
        if self._price is not None:
            self.usage["usd"] = round(self.usage["tokens"] * self._price / 1_000_000, 8)


def _price(ref: str) -> float | None:
    """USD per 1M tokens from the catalog (None when unknown: a --max-usd cap then refuses the reranker)."""
    try:
        return budget.price_per_1m(ref)
    except ValueError:
        return None


def split_reranker_ref(ref: str) -> tuple[str, str]:
    provider, model = budget.split_ref(ref)
    provider = ALIASES.get(provider, provider)
    if provider not in PATHS:
        raise ApiError(f"{ref}: no rerank endpoint known for {provider!r} (known: {', '.join(PATHS)})")
    return provider, model


def load_api_reranker(ref: str, **kwargs: Any) -> ApiReranker:
    """An ApiReranker for `cohere:|voyage:|jina:<model>`; MissingApiKey names the variable to set."""
    provider, model = split_reranker_ref(ref)
    key = find_key(PROVIDERS[provider])
    if key is None:
        envs = " or ".join(PROVIDERS[provider].key_envs)
        raise MissingApiKey(f"{ref}: no API key; set {envs} to use this reranker")
    return ApiReranker(ref, provider, model, key, **kwargs)


def rerank_estimate(ref: str, queries: Sequence[str], passages: Sequence[str], depth: int, rows: int
                    ) -> dict[str, Any]:
    """An upper bound of what reranking sends: every row, every query with `depth` of the longest passages."""
    q_tokens, method = budget.count_tokens(queries)
    longest = sorted(budget.count_tokens([p])[0] for p in passages)[-depth:] if passages else []
    tokens = rows * (q_tokens * depth + len(queries) * sum(longest))
    price = _price(ref)
    return {"tokens": tokens, "usd": None if price is None else tokens * price / 1_000_000,
            "method": method + ", upper bound: each query with the longest passages"}
