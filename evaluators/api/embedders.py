"""HTTP embedding models (OpenAI, Cohere, Voyage, Jina, Google, Ollama, OpenAI-compatible) as Encoders.

`load_api_encoder("openai:text-embedding-3-small")` returns an Encoder whose `usage` reports tokens and USD
and whose `details` describe the calls. Keys come from the usual environment variables and never appear in
errors, reprs or details. Base URLs are overridable with EMBEDSCOUT_<PROVIDER>_BASE_URL (tests use 127.0.0.1).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evaluators.api import budget
from evaluators.api.http import ApiError, ApiResponseError, RetryPolicy, make_client, request_json
from evaluators.urls import credentials_message, has_credentials


class MissingApiKey(ApiError):
    """No key in the environment for this provider; only this model fails."""


@dataclass(frozen=True)
class Provider:
    name: str
    base_url: str
    key_envs: tuple[str, ...]
    max_items: int
    """Inputs per request (documented limit)."""
    max_request_tokens: int
    """Summed input tokens per request (documented or conservative)."""
    query_type: str | None = None
    passage_type: str | None = None
    max_input_tokens: int | None = None
    """Set where the API rejects (rather than truncates) longer inputs: we cut them first, and count them."""


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider(
            "openai", "https://api.openai.com/v1", ("OPENAI_API_KEY",), 2048, 300_000, max_input_tokens=8191
        ),
        Provider(
            "cohere",
            "https://api.cohere.com",
            ("COHERE_API_KEY", "CO_API_KEY"),
            96,
            128_000,
            "search_query",
            "search_document",
        ),
        Provider(
            "voyage", "https://api.voyageai.com/v1", ("VOYAGE_API_KEY",), 1000, 120_000, "query", "document"
        ),
        Provider(
            "jina",
            "https://api.jina.ai/v1",
            ("JINA_API_KEY",),
            512,
            64_000,
            "retrieval.query",
            "retrieval.passage",
        ),
        Provider(
            "google",
            "https://generativelanguage.googleapis.com/v1beta",
            ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
            100,
            100_000,
            "RETRIEVAL_QUERY",
            "RETRIEVAL_DOCUMENT",
        ),
        Provider("ollama", "http://localhost:11434", (), 256, 1_000_000),
        Provider("openai-compatible", "", ("OPENAI_COMPATIBLE_API_KEY",), 256, 1_000_000),
    )
}
OPTIONAL_KEY = frozenset({"ollama", "openai-compatible"})
ALIASES = {"voyageai": "voyage", "gemini": "google", "jinaai": "jina", "co": "cohere"}
"""Other spellings of provider prefixes (evaluators.models accepts them too)."""


def parse_api_ref(ref: str) -> tuple[Provider, str, str | None]:
    """'provider:model' (or 'openai-compatible:model@url') -> (provider, model, url from the ref)."""
    if has_credentials(ref):
        raise ApiError(credentials_message(ref))
    name, model = budget.split_ref(ref)
    name = ALIASES.get(name, name)
    if name not in PROVIDERS:
        raise ApiError(f"{ref}: unknown API provider {name!r} (known: {', '.join(PROVIDERS)})")
    url = None
    if name == "openai-compatible":
        model, sep, url = model.rpartition("@")
        if not sep or not model or not url.startswith(("http://", "https://")):
            raise ApiError(f"{ref}: expected openai-compatible:<model>@<http(s) base url>")
    return PROVIDERS[name], model, url


def resolve_base_url(provider: Provider, explicit: str | None) -> str:
    env = "EMBEDSCOUT_" + provider.name.upper().replace("-", "_") + "_BASE_URL"
    if explicit:
        return explicit.rstrip("/")
    if os.environ.get(env):
        return os.environ[env].rstrip("/")
    if provider.name == "ollama" and os.environ.get("OLLAMA_HOST"):
        host = os.environ["OLLAMA_HOST"]
        return (host if host.startswith("http") else f"http://{host}").rstrip("/")
    return provider.base_url


def find_key(provider: Provider) -> str | None:
    for env in provider.key_envs:
        if os.environ.get(env):
            return os.environ[env].strip()
    return None


class ApiEncoder:
    """An Encoder over one provider's embedding endpoint; thread-unsafe like every Encoder here."""

    def __init__(
        self,
        ref: str,
        provider: Provider,
        model: str,
        base_url: str,
        key: str | None,
        *,
        timeout: float,
        max_retries: int,
        backoff_base: float = 0.5,
    ) -> None:
        self.name = ref
        self.provider = provider
        self.model = model
        self._key = key
        self._policy = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base)
        headers = {"User-Agent": "embedscout"}
        if key and provider.name == "google":
            headers["x-goog-api-key"] = key
        elif key:
            headers["Authorization"] = f"Bearer {key}"
        self._client = make_client(base_url, timeout=timeout, headers=headers)
        self.usage: dict[str, Any] = {
            "requests": 0,
            "retries": 0,
            "tokens": 0,
            "tokens_source": "provider",
            "usd": 0.0,
            "usd_source": "estimated from list price",
        }
        price = budget.price_per_1m(ref)
        self._price = price
        if price is None:
            self.usage["usd"] = None
        host = self._client.base_url.host
        self.details: dict[str, Any] = {
            "backend": "api",
            "provider": provider.name,
            "model": model,
            "host": host,
            "price_usd_per_1m": price,
            "query_input_type": provider.query_type,
            "passage_input_type": provider.passage_type,
            "max_items_per_request": provider.max_items,
            "max_tokens_per_request": provider.max_request_tokens,
            "timeout_s": timeout,
            "max_retries": max_retries,
            "usage": self.usage,  # the same live dict: a shallow copy of details still sees final counts
        }

    def __repr__(self) -> str:
        return f"ApiEncoder({self.name!r}, host={self.details['host']!r})"

    def close(self) -> None:
        self._client.close()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.provider.query_type)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.provider.passage_type)

    def _encode(self, texts: Sequence[str], input_type: str | None) -> np.ndarray:
        rows: list[list[float]] = []
        items = list(texts)
        if self.provider.max_input_tokens:
            cut = [budget.truncate_tokens(t, self.provider.max_input_tokens) for t in items]
            items = [t for t, _ in cut]
            self.details["truncated_inputs"] = self.details.get("truncated_inputs", 0) + sum(
                c for _, c in cut
            )
        for batch, est_tokens in batches(items, self.provider):
            vectors, tokens = self._call(batch, input_type)
            if len(vectors) != len(batch):
                raise ApiResponseError(f"{self.name}: got {len(vectors)} vectors for {len(batch)} inputs")
            rows.extend(vectors)
            self._count(tokens, est_tokens)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        arr = np.asarray(rows, dtype=np.float32)
        self.details["dims"] = int(arr.shape[1])
        return arr

    def _count(self, tokens: int | None, estimated: int) -> None:
        if tokens is None:
            tokens = estimated
            self.usage["tokens_source"] = "estimated"
        self.usage["tokens"] += tokens
        if self._price is not None:
            self.usage["usd"] = round(self.usage["tokens"] * self._price / 1_000_000, 8)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        def on_retry(attempt: int, reason: str) -> None:
            self.usage["retries"] += 1

        self.usage["requests"] += 1
        try:
            return request_json(
                self._client,
                "POST",
                path,
                json=body,
                policy=self._policy,
                secrets=(self._key,),
                on_retry=on_retry,
            )
        except ApiError as exc:
            exc.args = (f"{self.name}: {exc}",)  # same class and fields, message names the model
            raise

    def _call(self, batch: list[str], input_type: str | None) -> tuple[list[list[float]], int | None]:
        return _CALLS[self.provider.name](self, batch, input_type)


def batches(texts: list[str], provider: Provider) -> Iterator[tuple[list[str], int]]:
    """Split texts so each request stays within the provider's item and summed-token limits."""
    batch: list[str] = []
    tokens = 0
    for text in texts:
        n = budget.count_tokens([text])[0]
        if batch and (len(batch) >= provider.max_items or tokens + n > provider.max_request_tokens):
            yield batch, tokens
            batch, tokens = [], 0
        batch.append(text)
        tokens += n
    if batch:
        yield batch, tokens


def _data_vectors(body: Any, name: str) -> list[list[float]]:
    """OpenAI-style {'data': [{'index', 'embedding'}]} -> vectors in input order."""
    try:
        items = sorted(body["data"], key=lambda d: d.get("index", 0))
        return [list(map(float, d["embedding"])) for d in items]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ApiResponseError(f"{name}: unexpected response shape (no data[].embedding)") from None


def _usage(body: Any, *keys: str) -> int | None:
    node = body
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return int(node) if isinstance(node, (int, float)) else None


def _openai(
    enc: ApiEncoder, batch: list[str], input_type: str | None
) -> tuple[list[list[float]], int | None]:
    body = enc._post("embeddings", {"model": enc.model, "input": batch, "encoding_format": "float"})
    return _data_vectors(body, enc.name), _usage(body, "usage", "prompt_tokens")


def _voyage_jina(
    enc: ApiEncoder, batch: list[str], input_type: str | None
) -> tuple[list[list[float]], int | None]:
    field = "input_type" if enc.provider.name == "voyage" else "task"
    request: dict[str, Any] = {"model": enc.model, "input": batch, field: input_type}
    if enc.provider.name == "jina":
        request["truncate"] = True  # Jina rejects over-long inputs unless asked (Voyage cuts by default)
    body = enc._post("embeddings", request)
    return _data_vectors(body, enc.name), _usage(body, "usage", "total_tokens")


def _cohere(
    enc: ApiEncoder, batch: list[str], input_type: str | None
) -> tuple[list[list[float]], int | None]:
    body = enc._post(
        "v2/embed",
        {
            "model": enc.model,
            "texts": batch,
            "input_type": input_type,
            "embedding_types": ["float"],
            "truncate": "END",
        },
    )
    try:
        vectors = body["embeddings"]["float"]
    except (KeyError, TypeError):
        raise ApiResponseError(f"{enc.name}: unexpected response shape (no embeddings.float)") from None
    return vectors, _usage(body, "meta", "billed_units", "input_tokens")


def _google(
    enc: ApiEncoder, batch: list[str], input_type: str | None
) -> tuple[list[list[float]], int | None]:
    model = f"models/{enc.model}"
    requests = [{"model": model, "content": {"parts": [{"text": t}]}, "taskType": input_type} for t in batch]
    body = enc._post(f"{model}:batchEmbedContents", {"requests": requests})
    try:
        return [e["values"] for e in body["embeddings"]], None
    except (KeyError, TypeError):
        raise ApiResponseError(f"{enc.name}: unexpected response shape (no embeddings[].values)") from None


def _ollama(
    enc: ApiEncoder, batch: list[str], input_type: str | None
) -> tuple[list[list[float]], int | None]:
    body = enc._post("api/embed", {"model": enc.model, "input": batch})
    try:
        vectors = body["embeddings"]
    except (KeyError, TypeError):
        raise ApiResponseError(f"{enc.name}: unexpected response shape (no embeddings)") from None
    return vectors, _usage(body, "prompt_eval_count")


_CALLS: dict[str, Callable[[ApiEncoder, list[str], str | None], tuple[list[list[float]], int | None]]] = {
    "openai": _openai,
    "openai-compatible": _openai,
    "voyage": _voyage_jina,
    "jina": _voyage_jina,
    "cohere": _cohere,
    "google": _google,
    "ollama": _ollama,
}


def load_api_encoder(
    ref: str,
    *,
    timeout: float = 30.0,
    max_retries: int = 5,
    base_url: str | None = None,
    backoff_base: float = 0.5,
) -> ApiEncoder:
    """An Encoder for `provider:model`. Raises MissingApiKey (one line naming the env var) or ApiError."""
    provider, model, ref_url = parse_api_ref(ref)
    key = find_key(provider)
    if key is None and provider.name not in OPTIONAL_KEY:
        envs = " or ".join(provider.key_envs)
        raise MissingApiKey(f"{ref}: no API key; set {envs} to use this model")
    url = resolve_base_url(provider, base_url or ref_url)
    return ApiEncoder(
        ref, provider, model, url, key, timeout=timeout, max_retries=max_retries, backoff_base=backoff_base
    )
