"""The shared HTTP helper against a real 127.0.0.1 server: retries, Retry-After, timeouts, bad bodies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import formatdate

import pytest

from evaluators.api.http import (
    ApiError,
    ApiResponseError,
    ApiTimeout,
    OfflineError,
    RetryPolicy,
    make_client,
    parse_retry_after,
    redact,
    request_json,
)
from tests.unit._fake_http import FakeServer, free_closed_port_url, running_server

FAST = RetryPolicy(max_retries=3, backoff_base=0.01)
BODY = {"model": "m", "input": ["hello"]}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with running_server() as state:
        yield state


def _post(server: FakeServer, policy: RetryPolicy = FAST, timeout: float = 5.0) -> object:
    with make_client(server.url + "/v1", timeout=timeout) as client:
        return request_json(client, "POST", "embeddings", json=BODY, policy=policy)


def test_retries_500_then_succeeds(server: FakeServer) -> None:
    """Two 500s are retried; the third request's body is returned."""
    server.fault("status", 500, times=2)
    body = _post(server)
    assert isinstance(body, dict) and len(body["data"]) == 1
    assert server.count("/embeddings") == 3


def test_retry_after_seconds_is_honoured(server: FakeServer) -> None:
    """A 429 with Retry-After: 1 makes the client wait at least one second before retrying."""
    server.fault("status", 429, {"Retry-After": "1"})
    _post(server)
    first, second = server.requests[0].at, server.requests[1].at
    assert len(server.requests) == 2
    assert second - first >= 0.95


def test_retry_after_http_date_is_parsed() -> None:
    now = time.time()
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1.5)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_retry_after_too_long_gives_up_at_once(server: FakeServer) -> None:
    """A server asking for a wait past the policy maximum fails fast with the wait in the message."""
    server.fault("status", 429, {"Retry-After": "3600"})
    with pytest.raises(ApiError, match="wait 3600s"):
        _post(server)
    assert server.count() == 1


def test_gives_up_after_max_retries(server: FakeServer) -> None:
    """max_retries=3 means exactly 4 requests, then an error naming the status and attempts."""
    server.fault("status", 503, times=10)
    with pytest.raises(ApiError, match=r"HTTP 503 after 4 attempts") as info:
        _post(server)
    assert info.value.status == 503
    assert server.count() == 4


def test_slow_response_times_out_and_is_retried(server: FakeServer) -> None:
    """Responses slower than the timeout are retried, then reported as a timeout."""
    server.fault("slow", 1.0, times=3)
    with pytest.raises(ApiTimeout, match="timed out after 3 attempts"):
        _post(server, RetryPolicy(max_retries=2, backoff_base=0.01), timeout=0.3)
    assert server.count_settled("", 3) == 3


def test_slow_once_then_ok(server: FakeServer) -> None:
    server.fault("slow", 1.0)
    assert _post(server, timeout=0.3)
    assert server.count_settled("", 2) == 2


def test_malformed_json_is_a_clear_error(server: FakeServer) -> None:
    server.fault("malformed")
    with pytest.raises(ApiResponseError, match="malformed JSON"):
        _post(server)
    assert server.count() == 1


def test_truncated_body_is_retried_then_reported(server: FakeServer) -> None:
    """Content-Length larger than the body: retried as a network fault, then a clear error."""
    server.fault("truncated", times=4)
    with pytest.raises(ApiResponseError, match="truncated response body after 4 attempts"):
        _post(server)
    assert server.count() == 4


def test_client_error_is_not_retried_and_message_is_redacted(server: FakeServer) -> None:
    """A 401 fails at once; the provider's message is shown with the key redacted."""
    secret = "sk-test-SECRET-0123456789"
    server.fault("status", 401, {}, {"error": {"message": f"Incorrect API key provided: {secret}"}})
    with make_client(server.url, timeout=5) as client, pytest.raises(ApiError) as info:
        request_json(client, "POST", "/v1/embeddings", json=BODY, policy=FAST, secrets=[secret])
    assert "HTTP 401" in str(info.value) and "Incorrect API key" in str(info.value)
    assert secret not in str(info.value) and secret[:8] not in str(info.value)
    assert server.count() == 1


def test_connection_refused_is_offline() -> None:
    url = free_closed_port_url()
    with make_client(url, timeout=2) as client, pytest.raises(OfflineError) as info:
        request_json(client, "GET", "/x.json", policy=FAST)
    assert info.value.host == "127.0.0.1"


def test_redact_replaces_key_and_prefix() -> None:
    assert redact("key sk-abcdefghijklmnop, sk-abcde**mnop", ["sk-abcdefghijklmnop"]) == "key ***, *****mnop"
