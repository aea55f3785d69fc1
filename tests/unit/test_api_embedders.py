"""API embedders against a fake provider server on 127.0.0.1: request shapes, batching, usage, keys."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from evaluators.api.embedders import PROVIDERS, MissingApiKey, load_api_encoder
from evaluators.api.http import ApiError, ApiResponseError
from evaluators.types import Encoder
from tests.unit._fake_http import DIMS, FakeServer, fake_vector, running_server

SECRET = "sk-SECRET-abcdefghijklmnopqrstuvwxyz"
KEY_ENVS = [
    "OPENAI_API_KEY",
    "COHERE_API_KEY",
    "CO_API_KEY",
    "VOYAGE_API_KEY",
    "JINA_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENAI_COMPATIBLE_API_KEY",
    "OLLAMA_HOST",
]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    for env in KEY_ENVS:
        monkeypatch.delenv(env, raising=False)
    with running_server() as state:
        for name, path in [
            ("openai", "/v1"),
            ("voyage", "/v1"),
            ("jina", "/v1"),
            ("cohere", ""),
            ("google", "/v1beta"),
            ("ollama", ""),
        ]:
            monkeypatch.setenv(f"EMBEDSCOUT_{name.upper()}_BASE_URL", state.url + path)
        yield state


@pytest.mark.parametrize(
    ("ref", "env", "path", "type_field", "q_type", "p_type"),
    [
        ("openai:text-embedding-3-small", "OPENAI_API_KEY", "/v1/embeddings", None, None, None),
        (
            "cohere:embed-multilingual-v3.0",
            "CO_API_KEY",
            "/v2/embed",
            "input_type",
            "search_query",
            "search_document",
        ),
        ("voyage:voyage-3.5", "VOYAGE_API_KEY", "/v1/embeddings", "input_type", "query", "document"),
        (
            "jina:jina-embeddings-v3",
            "JINA_API_KEY",
            "/v1/embeddings",
            "task",
            "retrieval.query",
            "retrieval.passage",
        ),
        ("ollama:nomic-embed-text", None, "/api/embed", None, None, None),
    ],
)
def test_provider_round_trip(
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    ref: str,
    env: str | None,
    path: str,
    type_field: str | None,
    q_type: str | None,
    p_type: str | None,
) -> None:
    """Each provider gets its request shape and input types; vectors come back in input order."""
    if env:
        monkeypatch.setenv(env, SECRET)
    enc = load_api_encoder(ref, backoff_base=0.01)
    assert isinstance(enc, Encoder)
    q = enc.encode_queries(["what is a cat", "dogs?"])
    p = enc.encode_passages(["cats are animals"])
    assert q.dtype == np.float32 and q.shape == (2, DIMS) and p.shape == (1, DIMS)
    np.testing.assert_allclose(q[1], fake_vector("dogs?"), rtol=1e-6)
    assert [r.path for r in server.requests] == [path, path]
    if type_field:
        assert server.requests[0].body[type_field] == q_type
        assert server.requests[1].body[type_field] == p_type
    if env:
        assert server.requests[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert enc.usage["requests"] == 2 and enc.usage["tokens"] > 0
    assert enc.details["dims"] == DIMS
    assert SECRET not in repr(enc) and SECRET not in repr(enc.details) and SECRET not in repr(enc.usage)


def test_google_uses_header_key_and_task_types(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Google's key goes in x-goog-api-key (never the URL); tokens are estimated, labelled as such."""
    monkeypatch.setenv("GEMINI_API_KEY", SECRET)
    enc = load_api_encoder("google:gemini-embedding-001")
    vecs = enc.encode_queries(["a", "b", "c"])
    req = server.requests[0]
    assert vecs.shape == (3, DIMS)
    assert req.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents" and SECRET not in req.path
    assert req.headers["x-goog-api-key"] == SECRET
    assert req.body["requests"][0]["taskType"] == "RETRIEVAL_QUERY"
    assert enc.usage["tokens_source"] == "estimated"


def test_openai_compatible_url_in_ref(server: FakeServer) -> None:
    """openai-compatible:<model>@<url> needs no key and posts to <url>/embeddings."""
    enc = load_api_encoder(f"openai-compatible:bge-m3@{server.url}/v1")
    enc.encode_passages(["x"])
    assert server.requests[0].path == "/v1/embeddings"
    assert server.requests[0].body["model"] == "bge-m3"
    assert "Authorization" not in server.requests[0].headers
    assert enc.usage["usd"] == 0.0


def test_batches_respect_item_limit(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cohere takes at most 96 texts per request: 200 texts -> 3 requests, order kept."""
    monkeypatch.setenv("COHERE_API_KEY", SECRET)
    texts = [f"text number {i}" for i in range(200)]
    vecs = load_api_encoder("cohere:embed-english-v3.0").encode_passages(texts)
    assert [len(r.body["texts"]) for r in server.requests] == [96, 96, 8]
    np.testing.assert_allclose(vecs[150], fake_vector(texts[150]), rtol=1e-6)


def test_batches_respect_token_limit(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Summed tokens per request stay under the provider limit (OpenAI: 300k)."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    texts = ["word " * 4000] * 100  # ~4000 tokens each -> 75 fit in one request
    load_api_encoder("openai:text-embedding-3-small").encode_passages(texts)
    sizes = [len(r.body["input"]) for r in server.requests]
    assert sum(sizes) == 100 and len(sizes) == 2 and max(sizes) * 4000 <= 300_000


def test_usage_reports_actual_tokens_and_cost(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    enc = load_api_encoder("openai:text-embedding-3-small")
    enc.encode_passages(["one two three", "four five"])
    assert enc.usage["tokens"] == 5 and enc.usage["tokens_source"] == "provider"
    assert enc.usage["usd"] == pytest.approx(5 * 0.02 / 1e6)
    copied = dict(enc.details)  # what the runner keeps; later calls still show up in it
    enc.encode_queries(["six"])
    assert copied["usage"]["tokens"] == 6 and copied["usage"]["requests"] == 2


def test_retry_counted_in_usage(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOYAGE_API_KEY", SECRET)
    server.fault("status", 429, {"Retry-After": "0"})
    enc = load_api_encoder("voyage:voyage-3.5", backoff_base=0.01)
    enc.encode_queries(["q"])
    assert server.count() == 2 and enc.usage["retries"] == 1


@pytest.mark.parametrize(
    ("ref", "env"),
    [
        ("openai:text-embedding-3-small", "OPENAI_API_KEY"),
        ("cohere:embed-v4.0", "COHERE_API_KEY or CO_API_KEY"),
        ("voyage:voyage-3.5", "VOYAGE_API_KEY"),
        ("jina:jina-embeddings-v3", "JINA_API_KEY"),
        ("google:gemini-embedding-001", "GEMINI_API_KEY or GOOGLE_API_KEY"),
    ],
)
def test_missing_key_is_one_line_for_that_model(server: FakeServer, ref: str, env: str) -> None:
    """No key: a MissingApiKey naming the model and the variable, before any request."""
    with pytest.raises(MissingApiKey) as info:
        load_api_encoder(ref)
    assert str(info.value) == f"{ref}: no API key; set {env} to use this model"
    assert server.count() == 0


def test_errors_name_the_model_and_never_the_key(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A provider error echoing the key is redacted in the exception text and repr."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    server.fault("status", 401, {}, {"error": {"message": f"Incorrect API key provided: {SECRET}"}})
    enc = load_api_encoder("openai:text-embedding-3-small")
    with pytest.raises(ApiError) as info:
        enc.encode_queries(["q"])
    text = str(info.value) + repr(info.value)
    assert text.startswith("openai:text-embedding-3-small: ") and "HTTP 401" in text
    assert SECRET not in text and SECRET[:8] not in text


def test_wrong_vector_count_is_a_response_error(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHERE_API_KEY", SECRET)
    server.fault("status", 200, {}, {"embeddings": {"float": [[0.1, 0.2]]}})
    with pytest.raises(ApiResponseError, match="1 vectors for 2 inputs"):
        load_api_encoder("cohere:embed-english-v3.0").encode_passages(["a", "b"])


def test_unknown_provider_and_bad_compatible_ref() -> None:
    with pytest.raises(ApiError, match="unknown API provider"):
        load_api_encoder("acme:model")
    with pytest.raises(ApiError, match="openai-compatible:<model>@"):
        load_api_encoder("openai-compatible:model-without-url")
    assert "google" in PROVIDERS


@pytest.mark.parametrize("fault", [("status", 401), ("slow", 1.0), ("malformed",), ("truncated",)])
def test_key_absent_from_full_tracebacks(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch, fault: tuple
) -> None:
    """Not only str(exc): the whole formatted traceback (causes, contexts) never contains the key."""
    import traceback

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    server.fault(*fault, times=3)
    enc = load_api_encoder("openai:text-embedding-3-small", timeout=0.3, max_retries=1, backoff_base=0.01)
    with pytest.raises(ApiError) as info:
        enc.encode_queries(["q"])
    text = "".join(traceback.format_exception(info.value))
    assert SECRET not in text and SECRET[:8] not in text
    assert info.value.__cause__ is None  # no httpx exception (which holds the request) is chained


def test_openai_inputs_over_the_limit_are_cut_and_counted(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenAI rejects inputs over 8191 tokens: they are cut client-side and the count is reported."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    enc = load_api_encoder("openai:text-embedding-3-small")
    enc.encode_passages(["word " * 9000, "short"])
    sent = server.requests[0].body["input"]
    assert len(sent[0].split()) <= 8191 and sent[1] == "short"
    assert enc.details["truncated_inputs"] == 1


def test_jina_and_cohere_ask_the_server_to_truncate(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JINA_API_KEY", SECRET)
    monkeypatch.setenv("COHERE_API_KEY", SECRET)
    load_api_encoder("jina:jina-embeddings-v3").encode_passages(["x"])
    load_api_encoder("cohere:embed-v4.0").encode_passages(["x"])
    assert server.requests[0].body["truncate"] is True and server.requests[1].body["truncate"] == "END"
