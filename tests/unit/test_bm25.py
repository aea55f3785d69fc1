"""BM25 picks its tokenizer by script and reports it; rankings use the shared tie rule."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evaluators.bm25 import BM25Index, detect_script, make_tokenizer


def test_script_detection() -> None:
    assert detect_script(["The Normans were the people"]) == "latin"
    assert detect_script(["《战国无双3》是由光荣开发的"]) == "zh"
    assert detect_script(["東京は日本の首都です。ひらがなとカタカナ"]) == "ja"


def test_english_stems_and_drops_stop_words() -> None:
    tok = make_tokenizer("latin")
    assert "Snowball" in tok.name
    assert tok("The runners are running") == ["runner", "run"]


def test_chinese_uses_jieba_and_japanese_bigrams() -> None:
    assert "jieba" in make_tokenizer("zh").name
    ja = make_tokenizer("ja")
    assert ja.name == "ja: character bigrams"
    assert ja("東京都") == ["東京", "京都"]


def test_retrieves_the_right_doc_and_breaks_ties_by_corpus_order() -> None:
    index = BM25Index(["cats purr softly", "dogs bark loudly", "dogs bark loudly", "birds sing"])
    idx, val = index.search(["barking dogs", "zebra"], k=3)
    assert idx[0].tolist()[:2] == [1, 2] and val[0][0] == val[0][1]
    assert idx[1].tolist() == [0, 1, 2] and (val[1] == 0).all()  # unknown terms: all zero, corpus order
    assert index.nbytes > 0 and "en:" in index.tokenizer.name


@pytest.mark.parametrize("name,floor", [("squad_en", 0.6), ("cmrc_zh", 0.5)])
def test_real_slice_hit_rate(shared_data: Path, name: str, floor: float) -> None:
    root = shared_data / name
    corpus = [json.loads(x) for x in (root / "corpus.jsonl").open(encoding="utf-8")][:300]
    ids = {c["_id"]: i for i, c in enumerate(corpus)}
    qrels = [line.split("\t")[:2] for line in (root / "qrels.tsv").read_text("utf-8").splitlines()[1:]]
    queries = {
        json.loads(x)["_id"]: json.loads(x)["text"] for x in (root / "queries.jsonl").open(encoding="utf-8")
    }
    pairs = [(queries[q], ids[d]) for q, d in qrels if d in ids][:40]
    index = BM25Index([c["title"] + " " + c["text"] for c in corpus])
    idx, _ = index.search([q for q, _ in pairs], k=10)
    hits = np.mean([gold in row for (_, gold), row in zip(pairs, idx.tolist(), strict=True)])
    assert hits >= floor
