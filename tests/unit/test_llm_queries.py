"""LLM-written queries against a fake chat endpoint on 127.0.0.1: filters, qrels, cache, nothing partial."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluators.api.embedders import MissingApiKey
from evaluators.api.http import ApiError
from evaluators.api.llm_queries import (
    JUDGE_MAX_TOKENS,
    JUDGE_PROMPT,
    QUESTION_MAX_TOKENS,
    clean_question,
    copies_chunk,
    cost_bound,
    generate_queries,
)
from evaluators.types import Dataset, Doc, TrialInputError
from tests.unit._fake_http import FakeServer, running_server

SECRET = "sk-LLM-SECRET-abcdefghijklmnopqrstuvwxyz"
TOPICS = ["volcano", "glacier", "desert", "rainforest", "coral reef", "tundra", "savanna", "wetland"]


def _dataset(level: str = "unit") -> Dataset:
    corpus = tuple(
        Doc(
            id=f"d{i}#0",
            parent_id=f"d{i}",
            text=f"The {t} is a biome described in this passage. " * 4 + f"Keyword {t} marks doc {i}.",
        )
        for i, t in enumerate(TOPICS)
    )
    return Dataset(
        name="biomes", corpus=corpus, queries=(), qrels={}, qrels_level=level, info={"fingerprint": "old"}
    )


def _topic(text: str) -> str:
    return next(t for t in TOPICS if f"Keyword {t} " in text)


def _chat(messages: list[dict[str, str]]) -> str:
    """Writes a paraphrased question per passage; copies the passage for 'desert'; judge rejects 'tundra'."""
    system, user = messages[0]["content"], messages[1]["content"]
    topic = _topic(user)
    if system == JUDGE_PROMPT:
        return "NO" if topic == "tundra" else "YES, it does."
    if topic == "desert":
        return "The desert is a biome described in this passage."
    return f'Question: "Which ecosystem is called {topic} here?"'


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with running_server() as state:
        state.chat = _chat
        monkeypatch.setenv("EMBEDSCOUT_OPENAI_BASE_URL", state.url + "/v1")
        monkeypatch.setenv("EMBEDSCOUT_OLLAMA_BASE_URL", state.url)
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        yield state


def test_generates_filters_and_labels(server: FakeServer, tmp_path: Path) -> None:
    """Copied and unanswerable questions are dropped; the rest point at their source chunk; a shortfall
    (7 asked, 6 usable among 8 chunks) is reported, not padded."""
    progress: list[tuple[int, int]] = []
    ds = generate_queries(
        _dataset(),
        7,
        "openai:gpt-4o-mini",
        cache_dir=tmp_path,
        seed=1,
        on_progress=lambda d, t: progress.append((d, t)),
    )
    assert ds.query_origin == "llm:openai:gpt-4o-mini" and ds.synthetic
    assert len(ds.queries) == 6 and progress[-1] == (6, 7)
    for q in ds.queries:
        assert "desert" not in q.text and "tundra" not in q.text
        (chunk_id,) = ds.qrels[q.id]
        source = next(d.text for d in ds.corpus if d.id == chunk_id)
        assert q.text == f"Which ecosystem is called {_topic(source)} here?"
    meta = ds.info["llm_queries"]
    assert meta["dropped"]["copies the chunk"] == 1 and meta["dropped"]["judge: not answered"] == 1
    assert meta["label"] == "LLM-generated queries" and not meta["cache_hit"]
    assert meta["requested"] == 7 and meta["generated"] == 6
    assert ds.info["fingerprint"] != "old"
    assert server.requests[0].headers["Authorization"] == f"Bearer {SECRET}"


def test_parent_level_qrels_name_parents(server: FakeServer, tmp_path: Path) -> None:
    ds = generate_queries(_dataset("parent"), 2, "openai:gpt-4o-mini", cache_dir=tmp_path)
    assert all(next(iter(rel)).startswith("d") and "#" not in next(iter(rel)) for rel in ds.qrels.values())


def test_cache_hit_makes_no_requests(server: FakeServer, tmp_path: Path) -> None:
    """Same corpus, model, N and seed: served from the cache file with zero HTTP calls."""
    first = generate_queries(_dataset(), 3, "ollama:llama3.2", cache_dir=tmp_path, seed=7)
    assert server.requests[0].path == "/v1/chat/completions"
    calls = server.count()
    again = generate_queries(_dataset(), 3, "ollama:llama3.2", cache_dir=tmp_path, seed=7)
    assert server.count() == calls
    assert [q.text for q in again.queries] == [q.text for q in first.queries]
    assert again.info["llm_queries"]["cache_hit"]
    generate_queries(_dataset(), 3, "ollama:llama3.2", cache_dir=tmp_path, seed=8)
    assert server.count() > calls  # a different seed is a different cache entry
    assert len(list(tmp_path.glob("llm-queries-*.json"))) == 2


def test_failure_part_way_leaves_no_cache_file(server: FakeServer, tmp_path: Path) -> None:
    """A server error after some questions: the error propagates and nothing is written."""
    server.fault("status", 200, {}, None)  # not a chat reply
    with pytest.raises(ApiError, match="unexpected chat response"):
        generate_queries(_dataset(), 3, "openai:gpt-4o-mini", cache_dir=tmp_path, max_retries=0)
    server.faults.clear()
    real = server.chat
    calls = {"n": 0}

    def flaky(messages: list[dict[str, str]]) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            server.fault("status", 500, times=5)
        return real(messages)

    server.chat = flaky
    with pytest.raises(ApiError, match="HTTP 500"):
        generate_queries(
            _dataset(), 5, "openai:gpt-4o-mini", cache_dir=tmp_path, max_retries=1, backoff_base=0.01
        )
    assert list(tmp_path.iterdir()) == []


def test_missing_key_and_bad_ref(server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(MissingApiKey, match="set OPENAI_API_KEY"):
        generate_queries(_dataset(), 2, "openai:gpt-4o-mini", cache_dir=tmp_path)
    with pytest.raises(ApiError, match="LLM queries need"):
        generate_queries(_dataset(), 2, "cohere:command-r", cache_dir=tmp_path)
    with pytest.raises(TrialInputError):
        generate_queries(_dataset(), 0, "openai:gpt-4o-mini", cache_dir=tmp_path)
    assert server.count() == 0


def test_no_usable_question_is_an_input_error(server: FakeServer, tmp_path: Path) -> None:
    server.chat = lambda messages: "NO" if messages[0]["content"] == JUDGE_PROMPT else "What is it?"
    with pytest.raises(TrialInputError, match="no usable question.*judge: not answered"):
        generate_queries(_dataset(), 2, f"openai-compatible:qwen@{server.url}/v1", cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_copy_filter_and_cleaning() -> None:
    chunk = "Photosynthesis converts light energy into chemical energy in plants."
    assert copies_chunk("Photosynthesis converts light energy into chemical energy", chunk)
    assert not copies_chunk("How do plants turn sunlight into food?", chunk)
    assert clean_question('1. Question: "How do plants eat?"\nextra') == "How do plants eat?"


def test_cost_bound_covers_what_a_run_can_spend(server: FakeServer, tmp_path: Path) -> None:
    """Every request carries a reply cap, and the bound counts every sampled chunk asked and judged at those
    caps: what the run sent stays under it. Local servers cost 0; an unknown chat model has no price."""
    bound = cost_bound(_dataset(), 7, "openai:gpt-4o-mini", seed=1)
    assert bound["calls"] == 16  # 8 chunks (all sampled: 3 x 7 > 8), a question and a verdict each
    assert bound["usd"] == pytest.approx((bound["tokens_in"] * 0.15 + bound["tokens_out"] * 0.60) / 1e6)
    generate_queries(_dataset(), 7, "openai:gpt-4o-mini", cache_dir=tmp_path, seed=1)
    caps = [r.body["max_tokens"] for r in server.requests]
    assert set(caps) == {QUESTION_MAX_TOKENS, JUDGE_MAX_TOKENS} and len(caps) <= bound["calls"]
    sent = sum(len(m["content"]) for r in server.requests for m in r.body["messages"])
    assert bound["tokens_in"] >= sent / 4  # more than the characters sent, at ~4 per token
    assert cost_bound(_dataset(), 7, "ollama:llama3.1")["usd"] == 0.0
    assert cost_bound(_dataset(), 7, "openai:some-future-chat-model")["usd"] is None
