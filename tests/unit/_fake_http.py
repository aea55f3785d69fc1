"""A real HTTP server on 127.0.0.1 mimicking embedding, chat and results endpoints, with scripted faults.

Used by the API, LLM-query and catalog-refresh tests. Faults are queued per request: ('status', code,
headers, body), ('slow', seconds), ('malformed',), ('truncated',). Every request is recorded.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DIMS = 8
TEST_OPENAI_KEY = "sk-test-SECRET-not-a-real-key-0123456789"
"""The key the `openai_server` fixture sets; tests check it never reaches the journal or output."""


def fake_vector(text: str) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [(b - 128) / 128 for b in digest[:DIMS]]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class FakeServer:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    faults: deque[tuple[Any, ...]] = field(default_factory=deque)
    files: dict[str, bytes] = field(default_factory=dict)
    """GET path (e.g. '/results/org__m/rev/Task.json') -> body; anything else is a 404."""
    chat: Callable[[list[dict[str, str]]], str] = lambda messages: "What is this?"
    path_faults: dict[str, deque[tuple[Any, ...]]] = field(default_factory=dict)
    """Faults for one request path only (taken before the global queue)."""

    def fault(self, *spec: Any, times: int = 1, path: str | None = None) -> None:
        queue = self.faults if path is None else self.path_faults.setdefault(path, deque())
        for _ in range(times):
            queue.append(spec)

    def count(self, path_part: str = "") -> int:
        return sum(1 for r in self.requests if path_part in r.path)

    def count_settled(self, path_part: str, expected: int, timeout: float = 5.0) -> int:
        """count(), after waiting up to `timeout` s for it to reach `expected`: a client that gave up on a
        slow reply may return before this server's thread has read its last request (busy CI machines)."""
        deadline = time.monotonic() + timeout
        while self.count(path_part) < expected and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.count(path_part)


def _embed_response(path: str, body: dict[str, Any]) -> dict[str, Any] | None:
    if path.endswith("/embeddings"):
        inputs = body["input"]
        data = [
            {"object": "embedding", "index": i, "embedding": fake_vector(t)} for i, t in enumerate(inputs)
        ]
        data.reverse()  # providers may return any order; clients must sort by index
        tokens = sum(len(t.split()) for t in inputs)
        return {"data": data, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
    if path.endswith("/v2/embed"):
        texts = body["texts"]
        return {
            "embeddings": {"float": [fake_vector(t) for t in texts]},
            "meta": {"billed_units": {"input_tokens": sum(len(t.split()) for t in texts)}},
        }
    if path.endswith("/api/embed"):
        return {"embeddings": [fake_vector(t) for t in body["input"]], "prompt_eval_count": 7}
    if path.endswith(":batchEmbedContents"):
        return {
            "embeddings": [
                {"values": fake_vector(r["content"]["parts"][0]["text"])} for r in body["requests"]
            ]
        }
    return None


def rerank_score(query: str, doc: str) -> float:
    """The fake reranker's score: how many of the query's words the passage contains."""
    words = set(re.findall(r"\w+", query.lower()))
    return float(sum(1 for w in set(re.findall(r"\w+", doc.lower())) if w in words))


def _rerank_response(path: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """Cohere (/v2/rerank), Voyage (/rerank with top_k) and Jina (/rerank with top_n) reply shapes."""
    if not path.endswith("/rerank"):
        return None
    docs = body["documents"]
    scored = [{"index": i, "relevance_score": rerank_score(body["query"], d)} for i, d in enumerate(docs)]
    scored.sort(key=lambda r: -r["relevance_score"])  # providers answer best first; clients use "index"
    tokens = sum(len(t.split()) for t in [body["query"], *body["documents"]])
    if path.endswith("/v2/rerank"):
        return {"results": scored, "meta": {"billed_units": {"search_units": 1}}}
    if "top_k" in body:
        return {"data": scored, "usage": {"total_tokens": tokens}}
    return {"results": scored, "usage": {"total_tokens": tokens}}


def _make_handler(state: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send(
            self, code: int, payload: bytes, headers: dict[str, str] | None = None, length: int | None = None
        ) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload) if length is None else length))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(payload)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _handle(self, method: str) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw) if raw else None
            state.requests.append(Recorded(method, self.path, dict(self.headers), body, time.monotonic()))
            own = state.path_faults.get(self.path.split("?")[0])
            fault = own.popleft() if own else (state.faults.popleft() if state.faults else None)
            if fault is not None and self._apply_fault(fault):
                return
            self._route(method, body)

        def _apply_fault(self, fault: tuple[Any, ...]) -> bool:
            kind = fault[0]
            if kind == "status":
                code, headers, payload = (list(fault[1:]) + [{}, None])[:3]
                text = json.dumps(payload if payload is not None else {"error": {"message": "boom"}})
                self._send(code, text.encode(), headers)
                return True
            if kind == "slow":
                time.sleep(fault[1])
                return False
            if kind == "malformed":
                self._send(200, b'{"data": [oops')
                return True
            if kind == "truncated":
                self._send(200, b'{"data": [', length=500)
                self.close_connection = True
                return True
            raise AssertionError(f"unknown fault {fault!r}")

        def _route(self, method: str, body: Any) -> None:
            path = self.path.split("?")[0]
            if method == "GET":
                data = state.files.get(path)
                self._send(404, b'{"error": "not found"}') if data is None else self._send(200, data)
                return
            if path.endswith("/chat/completions"):
                content = state.chat(body["messages"])
                reply = {
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5},
                }
                self._send(200, json.dumps(reply).encode())
                return
            reply = _embed_response(path, body) or _rerank_response(path, body)
            if reply is None:
                self._send(404, b'{"error": {"message": "no such endpoint"}}')
            else:
                self._send(200, json.dumps(reply).encode())

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

    return Handler


class running_server:  # noqa: N801 - used as a context manager like open()
    """Start a FakeServer on 127.0.0.1:<free port> in a thread; stop it on exit."""

    def __enter__(self) -> FakeServer:
        self.state = FakeServer()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self.state))
        self.httpd.daemon_threads = True
        self.state.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self.state

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused): simulates being offline."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


CHAT_JSON = re.compile(r"\{.*\}", re.S)


def mteb_result(
    task: Any,
    value: float,
    *,
    version: str = "2.0.0",
    subsets: list[str] | None = None,
    languages: list[str] | None = None,
) -> dict[str, Any]:
    """A result file in mteb's current format: main metric `value` on every split x subset of `task`."""
    names = subsets or (["default"] if task.n_subsets == 1 else [f"s{i}" for i in range(task.n_subsets)])
    rows = [
        {"hf_subset": s, "languages": languages or ["eng-Latn"], "main_score": value, task.main_score: value}
        for s in names
    ]
    return {"task_name": task.name, "mteb_version": version, "scores": {split: rows for split in task.splits}}


def serve_results(
    state: FakeServer, folder: str, revision: str, results: dict[str, dict[str, Any]], prefix: str = ""
) -> None:
    """Publish result files under <prefix>/results/<folder>/<revision>/, listed in <prefix>/paths.json."""
    listing_key = f"{prefix}/paths.json"
    listing = json.loads(state.files.get(listing_key, b"{}"))
    for task, body in results.items():
        path = f"results/{folder}/{revision}/{task}.json"
        state.files[f"{prefix}/{path}"] = json.dumps(body).encode()
        listing.setdefault(folder, []).append(path)
    state.files[listing_key] = json.dumps(listing).encode()
