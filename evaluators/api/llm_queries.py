"""LLM-written test questions: sample chunks, ask an OpenAI-compatible chat model for one question each, drop
questions that copy the chunk or that an LLM judge says the chunk does not answer, and cache the result.

The cache key is (corpus fingerprint, model, N, seed, prompt version); the caller passes the cache folder
(evaluators never decides paths). A run that fails part-way writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from evaluators.api.embedders import MissingApiKey, find_key, parse_api_ref, resolve_base_url
from evaluators.api.http import ApiError, ApiResponseError, RetryPolicy, make_client, request_json
from evaluators.types import Dataset, Doc, Query, TrialInputError

PROMPT_VERSION = 1
QUESTION_MAX_TOKENS = 96
JUDGE_MAX_TOKENS = 8
"""Reply caps sent with every chat request, so the cost of a run has a hard upper bound."""
OVERLAP_THRESHOLD = 0.5
"""Drop a question when this share (or more) of its word trigrams appear verbatim in the chunk."""
MIN_CHUNK_CHARS = 120

QUESTION_PROMPT = (
    "You write realistic search questions that a user of a document search system would type. "
    "Read the passage and write ONE natural question that the passage answers. Use your own words: do not "
    "copy phrases from the passage. Reply with the question only."
)
JUDGE_PROMPT = (
    "You check search test data. Does the passage contain the answer to the question? "
    "Reply with exactly YES or NO."
)


def chat_target(llm_ref: str) -> tuple[str, str, str | None]:
    """(model, base url of the OpenAI-compatible API, key) for openai:, ollama:, openai-compatible: refs."""
    provider, model, ref_url = parse_api_ref(llm_ref)
    if provider.name not in ("openai", "ollama", "openai-compatible"):
        raise ApiError(f"{llm_ref}: LLM queries need openai:, ollama: or openai-compatible:<model>@<url>")
    key = find_key(provider)
    if key is None and provider.name == "openai":
        raise MissingApiKey(f"{llm_ref}: no API key; set OPENAI_API_KEY to use this model")
    base = resolve_base_url(provider, ref_url)
    if provider.name == "ollama":
        base += "/v1"  # Ollama serves the OpenAI chat API under /v1
    return model, base, key


def copies_chunk(question: str, chunk: str, threshold: float = OVERLAP_THRESHOLD) -> bool:
    """True when the question is mostly lifted from the chunk (share of its word trigrams found in it)."""
    q, c = _words(question), _words(chunk)
    if not q:
        return True
    n = 3 if len(q) >= 3 else len(q)
    grams = {tuple(q[i : i + n]) for i in range(len(q) - n + 1)}
    chunk_grams = {tuple(c[i : i + n]) for i in range(len(c) - n + 1)}
    return len(grams & chunk_grams) / len(grams) >= threshold


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def cache_key(dataset: Dataset, llm_ref: str, n: int, seed: int) -> str:
    from evaluators.datasets import fingerprint

    corpus_fp = fingerprint(dataset.corpus, (), {})
    raw = json.dumps([PROMPT_VERSION, corpus_fp, llm_ref, n, seed])
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def cache_file(dataset: Dataset, llm_ref: str, n: int, seed: int, cache_dir: str | os.PathLike[str]) -> Path:
    """Where generate_queries keeps (or will keep) these questions."""
    return Path(cache_dir) / f"llm-queries-{cache_key(dataset, llm_ref, n, seed)}.json"


def cost_bound(
    dataset: Dataset, n: int, llm_ref: str, *, seed: int = 0, judge: bool = True
) -> dict[str, Any]:
    """An upper bound of what generate_queries may spend, before any call: every sampled chunk asked once
    and judged once, every reply at its max_tokens cap. usd None when the chat model's price is unknown."""
    from evaluators.api.budget import chat_price, count_tokens

    chunks = _sample_chunks(dataset, n, seed) if dataset.corpus else []
    asks = [f"{QUESTION_PROMPT}\nPassage:\n{c.text}" for c in chunks]
    if judge:  # the question in a judge prompt is at most QUESTION_MAX_TOKENS long
        asks += [f"{JUDGE_PROMPT}\nPassage:\n{c.text}\n\nQuestion:" for c in chunks]
    calls = len(asks)
    tokens_in, method = count_tokens(asks)
    tokens_in += calls * 16 + (len(chunks) * QUESTION_MAX_TOKENS if judge else 0)  # message framing
    tokens_out = len(chunks) * (QUESTION_MAX_TOKENS + (JUDGE_MAX_TOKENS if judge else 0))
    price = chat_price(llm_ref)
    usd = None if price is None else (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000
    return {"calls": calls, "tokens_in": tokens_in, "tokens_out": tokens_out, "usd": usd, "method": method}


def origin_label(llm_ref: str) -> str:
    """'llm:openai:gpt-4o-mini'; an openai-compatible URL is left out of the label."""
    return "llm:" + llm_ref.split("@", 1)[0]


class _Chat:
    def __init__(self, llm_ref: str, timeout: float, max_retries: int, backoff_base: float) -> None:
        self.ref = llm_ref
        self.model, base, self._key = chat_target(llm_ref)
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        self.client = make_client(base, timeout=timeout, headers=headers)
        self.policy = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base)
        self.tokens = 0

    def ask(self, system: str, user: str, *, seed: int, temperature: float, max_tokens: int) -> str:
        body = {
            "model": self.model,
            "temperature": temperature,
            "seed": seed,
            "max_tokens": max_tokens,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        }
        try:
            reply = request_json(
                self.client, "POST", "chat/completions", json=body, policy=self.policy, secrets=(self._key,)
            )
        except ApiError as exc:
            exc.args = (f"{self.ref}: {exc}",)
            raise
        try:
            content = reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ApiResponseError(f"{self.ref}: unexpected chat response (no choices[0].message)") from None
        usage = reply.get("usage") if isinstance(reply, dict) else None
        if isinstance(usage, dict):
            self.tokens += int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0))
        return str(content or "")


def clean_question(text: str) -> str:
    """First non-empty line, without 'Question:' prefixes, quotes or list markers."""
    for line in text.strip().splitlines():
        line = re.sub(r"^\s*(?:[-*\d.)]+\s*)?(?:question\s*:\s*)?", "", line.strip(), flags=re.I)
        line = line.strip().strip("\"'“”").strip()
        if line:
            return line
    return ""


def _sample_chunks(dataset: Dataset, n: int, seed: int) -> list[Doc]:
    pool = [d for d in dataset.corpus if len(d.text) >= MIN_CHUNK_CHARS] or list(dataset.corpus)
    rng = random.Random(seed)
    rng.shuffle(pool)
    return pool[: min(len(pool), max(3 * n, n + 5))]  # oversample: filters drop some questions


def _generate(
    chat: _Chat, chunks: list[Doc], n: int, seed: int, judge: bool, on_progress: Callable[[int, int], None]
) -> tuple[list[dict[str, str]], dict[str, int]]:
    kept: list[dict[str, str]] = []
    dropped = {"empty": 0, "copies the chunk": 0, "judge: not answered": 0}
    for i, chunk in enumerate(chunks):
        if len(kept) >= n:
            break
        question = clean_question(
            chat.ask(
                QUESTION_PROMPT,
                f"Passage:\n{chunk.text}",
                seed=seed + i,
                temperature=0.7,
                max_tokens=QUESTION_MAX_TOKENS,
            )
        )
        if len(_words(question)) < 2:
            dropped["empty"] += 1
            continue
        if copies_chunk(question, chunk.text):
            dropped["copies the chunk"] += 1
            continue
        if judge:
            verdict = chat.ask(
                JUDGE_PROMPT,
                f"Passage:\n{chunk.text}\n\nQuestion: {question}",
                seed=seed,
                temperature=0.0,
                max_tokens=JUDGE_MAX_TOKENS,
            )
            if not verdict.strip().upper().startswith("YES"):
                dropped["judge: not answered"] += 1
                continue
        kept.append({"text": question, "chunk_id": chunk.id, "parent_id": chunk.parent_id or chunk.id})
        on_progress(len(kept), n)
    return kept, dropped


def _write_atomic(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_cache(path: Path, key: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("key") == key and data.get("queries") else None


def generate_queries(
    dataset: Dataset,
    n: int,
    llm_ref: str,
    *,
    cache_dir: str | os.PathLike[str],
    seed: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
    judge: bool = True,
    timeout: float = 60.0,
    max_retries: int = 5,
    backoff_base: float = 0.5,
) -> Dataset:
    """A copy of `dataset` whose queries are N LLM-written questions (qrels: the chunk each came from).

    Raises TrialInputError for bad N / empty corpus / no usable question, MissingApiKey, ApiError.
    """
    if n <= 0:
        raise TrialInputError(f"--generate-queries needs a positive number, got {n}")
    if not dataset.corpus:
        raise TrialInputError("cannot generate queries: the corpus is empty")
    progress = on_progress or (lambda done, total: None)
    key = cache_key(dataset, llm_ref, n, seed)
    path = cache_file(dataset, llm_ref, n, seed, cache_dir)
    cached = _read_cache(path, key)
    if cached is None:
        chat = _Chat(llm_ref, timeout, max_retries, backoff_base)
        try:
            kept, dropped = _generate(chat, _sample_chunks(dataset, n, seed), n, seed, judge, progress)
        finally:
            chat.client.close()
        if not kept:
            raise TrialInputError(f"{llm_ref} wrote no usable question ({_dropped_text(dropped)})")
        cached = {
            "key": key,
            "model": llm_ref.split("@", 1)[0],
            "n": n,
            "seed": seed,
            "judge": judge,
            "prompt_version": PROMPT_VERSION,
            "queries": kept,
            "dropped": dropped,
            "tokens": chat.tokens,
        }
        _write_atomic(path, cached)
        hit = False
    else:
        hit = True
        progress(len(cached["queries"]), n)
    return _as_dataset(dataset, cached, llm_ref, n, hit)


def _dropped_text(dropped: dict[str, int]) -> str:
    return ", ".join(f"{v} {k}" for k, v in dropped.items() if v) or "nothing returned"


def _as_dataset(dataset: Dataset, cached: dict[str, Any], llm_ref: str, n: int, hit: bool) -> Dataset:
    queries: list[Query] = []
    qrels: dict[str, dict[str, int]] = {}
    for i, q in enumerate(cached["queries"]):
        qid = f"llm-{i + 1}"
        queries.append(Query(id=qid, text=q["text"]))
        target = q["parent_id"] if dataset.qrels_level == "parent" else q["chunk_id"]
        qrels[qid] = {target: 1}
    from evaluators.datasets import fingerprint

    origin = origin_label(llm_ref)
    info = dict(dataset.info)
    info["source_fingerprint"] = info.get("fingerprint")
    info["fingerprint"] = fingerprint(dataset.corpus, queries, qrels)
    info.update(
        {
            "query_origin": origin,
            "n_queries": len(queries),
            "llm_queries": {
                "model": cached["model"],
                "requested": n,
                "generated": len(queries),
                "dropped": cached.get("dropped", {}),
                "seed": cached.get("seed"),
                "judge": cached.get("judge", True),
                "cache_hit": hit,
                "tokens": cached.get("tokens"),
                "label": "LLM-generated queries",
            },
        }
    )
    return replace(dataset, queries=tuple(queries), qrels=qrels, query_origin=origin, info=info)
