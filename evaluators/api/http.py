"""The one HTTP helper every network integration uses: timeouts, retries with backoff, clear one-line errors.

Retries 429/5xx, timeouts and truncated bodies with exponential backoff + jitter, honouring Retry-After
(seconds or HTTP date). Error messages name the host and path only, never headers, so keys cannot leak.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


class ApiError(Exception):
    """A network call failed; str() is one line, safe to show and save (no keys, no headers)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class OfflineError(ApiError):
    """The host could not be reached at all (DNS failure, connection refused): we are probably offline."""

    def __init__(self, message: str, *, host: str) -> None:
        super().__init__(message)
        self.host = host


class ApiTimeout(ApiError):
    """Every attempt timed out."""


class ApiResponseError(ApiError):
    """The server answered with something unusable: malformed JSON, a truncated body, an unexpected shape."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    """Retries after the first attempt (so at most max_retries + 1 requests)."""
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 120.0
    """A longer Retry-After is not waited for: the call fails with the server's wait in the message."""

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Exponential backoff with jitter: base * 2**attempt, scaled by a random factor in [0.5, 1.0]."""
        raw = min(self.backoff_max, self.backoff_base * (2**attempt))
        return float(raw * (0.5 + 0.5 * (rng or random).random()))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every secret (and any 8+ char prefix of it echoed by a server) with '***'."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
            if len(secret) > 12:
                text = text.replace(secret[:8], "***")
    return text


def make_client(base_url: str, *, timeout: float, headers: dict[str, str] | None = None) -> httpx.Client:
    """An httpx client with a total timeout per phase; callers keep one per encoder/fetcher and close it."""
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        headers=headers or {},
        follow_redirects=True,
    )


def _where(client: httpx.Client, path: str) -> str:
    url = client.base_url.join(path) if not path.startswith("http") else httpx.URL(path)
    return f"{url.host}{':' + str(url.port) if url.port else ''}{url.path}"


def _error_detail(response: httpx.Response, secrets: Iterable[str | None]) -> str:
    """A short, redacted excerpt of the provider's error message (JSON 'error.message' or 'message')."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        err = body.get("error", body.get("message", body.get("detail", body)))
        if isinstance(err, dict):
            err = err.get("message", err)
        body = err
    text = " ".join(str(body).split())[:200]
    return redact(text, secrets)


def request_json(
    client: httpx.Client,
    method: str,
    path: str,
    *,
    json: Any = None,
    policy: RetryPolicy | None = None,
    secrets: Iterable[str | None] = (),
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, str], None] | None = None,
) -> Any:
    """Send a request and return the decoded JSON body, retrying transient failures.

    Raises OfflineError (cannot connect), ApiTimeout, ApiResponseError (bad body) or ApiError (other HTTP
    errors, e.g. 401 with the provider's redacted message). `on_retry(attempt, reason)` sees every retry.
    """
    policy = policy or RetryPolicy()
    secrets = tuple(secrets)
    where = _where(client, path)
    attempt = 0
    while True:
        wait, reason, final = _attempt(client, method, path, json, where, secrets, policy)
        if final is not _RETRY:
            return final
        if attempt >= policy.max_retries:
            raise _give_up(reason, where, attempt + 1)
        delay = wait if wait is not None else policy.backoff(attempt)
        if delay > policy.max_retry_after:
            raise ApiError(f"{where}: {reason}; server asks to wait {delay:.0f}s, giving up", status=429)
        if on_retry is not None:
            on_retry(attempt + 1, reason)
        sleep(delay)
        attempt += 1


_RETRY = object()


def _attempt(
    client: httpx.Client,
    method: str,
    path: str,
    json: Any,
    where: str,
    secrets: tuple[str | None, ...],
    policy: RetryPolicy,
) -> tuple[float | None, str, Any]:
    """One request: (retry_after, reason, _RETRY) for a transient failure, else (None, '', body)."""
    try:
        response = client.request(method, path, json=json)
    except httpx.TimeoutException:
        return None, "timed out", _RETRY
    except httpx.RemoteProtocolError:
        return None, "truncated response body", _RETRY
    except httpx.ConnectError as exc:
        host = client.base_url.host or httpx.URL(path).host
        raise OfflineError(f"could not reach {host}: {redact(str(exc), secrets)}", host=host) from None
    except httpx.TransportError as exc:
        return None, f"network error ({type(exc).__name__})", _RETRY
    if response.status_code in RETRY_STATUSES or response.status_code >= 500:
        after = parse_retry_after(response.headers.get("retry-after"))
        return after, f"HTTP {response.status_code}", _RETRY
    if response.status_code >= 400:
        detail = _error_detail(response, secrets)
        raise ApiError(f"{where}: HTTP {response.status_code}: {detail}", status=response.status_code)
    try:
        return None, "", response.json()
    except ValueError:
        snippet = redact(" ".join(response.text.split())[:80], secrets)
        raise ApiResponseError(f"{where}: malformed JSON in response ({snippet!r})") from None


def _give_up(reason: str, where: str, attempts: int) -> ApiError:
    message = f"{where}: {reason} after {attempts} attempts"
    if reason == "timed out":
        return ApiTimeout(message)
    if reason.startswith("truncated"):
        return ApiResponseError(message)
    status = int(reason.split()[1]) if reason.startswith("HTTP ") else None
    return ApiError(message, status=status)
