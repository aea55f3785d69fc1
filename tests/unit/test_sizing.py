"""catalog.sizing: index bytes (vectors + HNSW links), chunk counts and API cost, against hand-computed values
on real catalog entries."""

from __future__ import annotations

import math

import pytest

from catalog.load import find_model
from catalog.requirements import Requirements
from catalog.sizing import (
    chunks_per_doc,
    hnsw_link_bytes,
    human_bytes,
    index_bytes,
    money,
    size_for,
    vector_bytes,
)


def test_vector_bytes_per_precision() -> None:
    """4, 2, 1 byte per dimension; binary packs 8 dimensions per byte, rounding up."""
    assert [vector_bytes(384, p) for p in ("fp32", "fp16", "int8", "binary")] == [1536, 768, 384, 48]
    assert vector_bytes(100, "binary") == 13
    with pytest.raises(ValueError, match="unknown precision"):
        vector_bytes(384, "int4")


def test_hnsw_links_follow_hnswlib_layout() -> None:
    """Layer 0: (2M + 1) 4-byte slots; upper layers: (M + 1) slots with expected count 1/(M - 1)."""
    assert hnsw_link_bytes(16) == pytest.approx(33 * 4 + 17 * 4 / 15)
    assert hnsw_link_bytes(32) == pytest.approx(65 * 4 + 33 * 4 / 31)
    assert index_bytes(1000, 1536, m=16) == round(1000 * (1536 + 33 * 4 + 17 * 4 / 15))
    assert index_bytes(1000, 1536, m=None) == 1_536_000  # a flat index holds the vectors only
    with pytest.raises(ValueError):
        hnsw_link_bytes(1)


@pytest.mark.parametrize(
    ("doc", "chunk", "overlap", "will_chunk", "expected"),
    [(512, 256, 32, True, 3), (256, 256, 32, True, 1), (3000, 256, 32, True, 14), (3000, 256, 32, False, 1)],
)
def test_chunks_per_doc(doc: int, chunk: int, overlap: int, will_chunk: bool, expected: int) -> None:
    assert chunks_per_doc(doc, chunk, overlap, will_chunk=will_chunk) == expected
    if will_chunk and doc > chunk:
        assert expected == math.ceil((doc - overlap) / (chunk - overlap))


def test_openai_small_sized_by_hand() -> None:
    """10,000 docs x 512 tokens, 256-token chunks overlapping 32: 3 chunks, 576 tokens billed per doc."""
    spec = find_model("openai/text-embedding-3-small")
    assert spec is not None and spec.price_usd_per_1m == 0.02 and spec.dims == 1536
    req = Requirements(corpus_docs=10_000, doc_tokens=512, queries_per_month=100_000, query_tokens=30)
    s = size_for(spec, req)
    assert (s.chunk_tokens, s.chunks_per_doc, s.n_vectors) == (256, 3, 30_000)
    assert s.tokens_once == 10_000 * (512 + 2 * 32)
    assert s.usd_once == pytest.approx(5.76 * 0.02)
    assert s.usd_month_queries == pytest.approx(3.0 * 0.02)
    assert s.usd_month_updates == pytest.approx(0.1 * 5.76 * 0.02)
    assert s.usd_month == pytest.approx(0.06 + 0.01152)
    assert s.index_bytes == round(30_000 * (6144 + hnsw_link_bytes(16)))
    half = size_for(spec, req, dims=512, precision="int8")
    assert half.vector_bytes == 512 and half.index_bytes == round(30_000 * (512 + hnsw_link_bytes(16)))
    assert not s.self_hosted and s.to_dict()["usd_month"] == pytest.approx(s.usd_month)


def test_local_model_is_self_hosted_and_chunks_fit_its_window() -> None:
    """all-MiniLM-L6-v2's 256-token window caps the chunk; open weights cost no tokens; no-chunk cuts docs."""
    spec = find_model("sentence-transformers/all-MiniLM-L6-v2")
    assert spec is not None and spec.max_tokens == 256
    s = size_for(spec, Requirements(doc_tokens=3000, corpus_docs=1000), chunk_tokens=512)
    assert s.chunk_tokens == 256 and s.chunks_per_doc == 14 and s.n_vectors == 14_000
    assert s.self_hosted and s.usd_once == 0 and s.usd_month == 0
    whole = size_for(spec, Requirements(doc_tokens=3000, corpus_docs=1000, will_chunk=False))
    assert whole.n_vectors == 1000 and whole.tokens_once == 1000 * 256  # the rest is cut off


def test_unknown_facts_stay_unknown() -> None:
    """No dims in the catalog: no index size; no price for an API model: no cost (never a guess)."""
    spec = find_model("openai/text-embedding-3-small")
    assert spec is not None
    from dataclasses import replace

    s = size_for(replace(spec, dims=None, price_usd_per_1m=None), Requirements())
    assert s.index_bytes is None and s.vector_bytes is None
    assert s.usd_once is None and s.usd_month is None


def test_formatting() -> None:
    assert [human_bytes(x) for x in (512, 1536, 3 * 2**30, None)] == ["512 B", "1.5 KiB", "3.0 GiB", "?"]
    assert [money(x) for x in (None, 0.0, 0.004, 0.42, 1234.5)] == ["?", "$0", "<$0.01", "$0.42", "$1,234"]
