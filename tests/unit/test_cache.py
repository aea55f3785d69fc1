"""The embeddings cache returns what was stored, keys on model/prompt/normalisation, survives damage."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from evaluators.cache import EmbeddingCache, LazyEncoder, encode_cached
from evaluators.types import TrialCancelled


def test_round_trip_and_partial_hits(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, "m@1", "query: ", True)
    vecs = np.arange(6, dtype=np.float32).reshape(3, 2)
    cache.store(["a", "b", "c"], vecs, [3, 4, 5])
    got, ntok, misses = EmbeddingCache(tmp_path, "m@1", "query: ", True).lookup(["c", "x", "a"])
    assert misses == [1]
    assert got is not None and np.array_equal(got[[0, 2]], vecs[[2, 0]])
    assert ntok.tolist() == [5, -1, 3]


@pytest.mark.parametrize("other", [("m@2", "query: ", True), ("m@1", "", True), ("m@1", "query: ", False)])
def test_key_includes_identity_prompt_and_normalisation(tmp_path: Path, other: tuple) -> None:
    EmbeddingCache(tmp_path, "m@1", "query: ", True).store(["a"], np.ones((1, 2)), [1])
    got, _, misses = EmbeddingCache(tmp_path, *other).lookup(["a"])
    assert got is None and misses == [0]


def test_damaged_shard_is_ignored(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, "m", None, True)
    cache.store(["a"], np.ones((1, 2)), [1])
    (cache.dir / "0.keys").write_bytes(b"short")
    assert EmbeddingCache(tmp_path, "m", None, True).lookup(["a"])[2] == [0]


class _Fake:
    name = "fake"
    max_tokens = 8

    def __init__(self) -> None:
        self.calls = 0

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    encode_queries = encode_passages

    def count_tokens(self, texts: list[str], prompt: str | None = None) -> list[int]:
        return [len(t.split()) for t in texts]


def _lazy(fake: _Fake) -> LazyEncoder:
    lazy = LazyEncoder(
        SimpleNamespace(
            name="fake", identity="fake@1", passage_prompt=None, query_prompt=None, normalize=True
        )
    )
    lazy.encoder = fake
    return lazy


def test_encode_cached_second_run_encodes_nothing(tmp_path: Path) -> None:
    texts = ["one two", "three", "four five six"]
    fake = _Fake()
    kw = {"passages": True, "cache_dir": tmp_path, "should_stop": lambda: False, "batch": 2}
    first, ntok, _, misses = encode_cached(_lazy(fake), texts, **kw)
    assert misses == [0, 1, 2] and fake.calls == 2 and ntok.tolist() == [2, 1, 3]
    fresh = _Fake()
    again, ntok2, secs, misses2 = encode_cached(_lazy(fresh), texts, **kw)
    assert misses2 == [] and fresh.calls == 0 and secs == 0.0
    assert np.array_equal(first, again) and ntok2.tolist() == [2, 1, 3]


def test_cancel_keeps_what_was_encoded(tmp_path: Path) -> None:
    texts = [f"text {i}" * (i + 1) for i in range(6)]
    fake = _Fake()
    stops = iter([False, True])
    kw = {"passages": True, "cache_dir": tmp_path, "batch": 2}
    with pytest.raises(TrialCancelled):
        encode_cached(_lazy(fake), texts, should_stop=lambda: next(stops), **kw)
    _, _, _, misses = encode_cached(_lazy(_Fake()), texts, should_stop=lambda: False, **kw)
    assert len(misses) == 4  # the first batch of 2 was stored before the cancel


def test_probes_are_reused_not_repeated(tmp_path: Path) -> None:
    """Latency probes encode the first misses singly; their vectors are kept, so nothing is encoded twice."""
    from evaluators.cache import Probe

    texts = [f"query number {i}" for i in range(12)]
    fake, searched = _Fake(), []
    probe = Probe(after=searched.append, budget_s=60.0, min_n=5, max_n=8)
    kw = {"passages": False, "cache_dir": tmp_path, "should_stop": lambda: False, "batch": 100}
    vecs, _, _, _ = encode_cached(_lazy(fake), texts, probe=probe, **kw)
    assert len(probe.times) == 8 == len(searched) and fake.calls == 8 + 1
    assert np.array_equal(vecs, _Fake().encode_passages(texts))
