"""load_dataset as a whole: honest info counts, a stable order-independent fingerprint, clear input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.datasets import fingerprint, load_dataset, parent_of
from evaluators.types import Doc, Query, TrialInputError


def test_info_holds_honest_counts(tmp_path: Path) -> None:
    long = " ".join(f"Sentence {i} of file a is here." for i in range(60))
    (tmp_path / "a.txt").write_text(long, encoding="utf-8")
    (tmp_path / "b.md").write_text("Short file b. It says little. But enough for a query.", encoding="utf-8")
    (tmp_path / "c.bin.txt").write_bytes(bytes(64))
    ds = load_dataset(tmp_path, chunk_tokens=64, chunk_overlap=8, seed=3)
    info = ds.info
    assert info["name"] == tmp_path.name and info["format"] == "files" and info["source"] == str(tmp_path)
    assert info["files_read"] == 2 and info["files_skipped"] == {"binary": 1}
    assert info["n_docs"] == 2 and info["n_chunks"] == len(ds.corpus) > 2
    assert info["n_queries"] == len(ds.queries) and info["query_origin"] == "synthetic:ict"
    assert info["chunk_tokens"] == 64 and info["chunk_overlap"] == 8 and info["token_counter"] == "regex-v1"
    assert info["chunking"]["docs_split"] == 1
    assert info["sample"] is None and info["seed"] == 3
    assert len(info["fingerprint"]) == 64
    assert {parent_of(d) for d in ds.corpus} == {"a.txt", "b.md"}


def test_fingerprint_is_order_independent_and_content_sensitive() -> None:
    docs = [Doc("a", "x"), Doc("b", "y")]
    queries = [Query("q", "z")]
    base = fingerprint(docs, queries, {"q": {"a": 1}})
    assert fingerprint(docs[::-1], queries, {"q": {"a": 1}}) == base
    assert fingerprint([Doc("a", "x!"), Doc("b", "y")], queries, {"q": {"a": 1}}) != base
    assert fingerprint(docs, queries, {"q": {"b": 1}}) != base


def test_qrels_without_queries_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text.", encoding="utf-8")
    qrels = tmp_path / "q.tsv"
    qrels.write_text("q1\ta.txt\t1\n", encoding="utf-8")
    with pytest.raises(TrialInputError, match="no queries"):
        load_dataset(tmp_path / "a.txt", qrels=qrels)
    with pytest.raises(TrialInputError, match="qrels file not found"):
        load_dataset(tmp_path / "a.txt", qrels=tmp_path / "missing.tsv")
