"""Perturbation stability: seeded perturbations; cosine, overlap@10, nDCG@10 drop; strong vs broken."""

from __future__ import annotations

import random

import pytest
from _check_fakes import BagOfWords, RandomEncoder

from evaluators.checks import run_checks
from evaluators.checks.perturb import PERTURBATIONS, perturb
from evaluators.checks.stability import make_variants, stability
from evaluators.types import Dataset, Doc, Query

DOCS = [f"document {i} about topic{i} with words alpha{i} beta{i} gamma{i}" for i in range(24)]
QUERIES = [Query(f"q{i}", f"Where is the topic{i} alpha{i} beta{i} document?") for i in range(0, 24, 4)]
DATASET = Dataset("toy", tuple(Doc(f"d{i}", t) for i, t in enumerate(DOCS)), tuple(QUERIES),
                  {f"q{i}": {f"d{i}": 1} for i in range(0, 24, 4)})
PINNED_BOW_COSINE = 0.942857  # 6 queries x 5 kinds, seed 0
PINNED_BOW_OVERLAP = 299 / 300


def test_the_article_rephrasing_and_each_kind_change_the_text() -> None:
    rng = random.Random(0)
    assert perturb("the cat sat on the mat", "rephrase", rng) == "a cat was sitting on the mat"
    for kind in PERTURBATIONS:
        out = perturb("What is the capital of France?", kind, random.Random(1))
        assert out is not None and out != "What is the capital of France?"


def test_perturbations_are_seeded_and_skip_what_cannot_apply() -> None:
    """Same seed, same variants; casing has no meaning for Chinese, so it is skipped there."""
    qs = [Query("a", "how do I reset my password"), Query("b", "如何申请退款")]
    assert make_variants(qs, PERTURBATIONS, seed=7) == make_variants(qs, PERTURBATIONS, seed=7)
    assert make_variants(qs, PERTURBATIONS, seed=7) != make_variants(qs, PERTURBATIONS, seed=8)
    kinds_b = [k for i, k, _ in make_variants(qs, PERTURBATIONS, seed=7) if i == 1]
    assert "case" not in kinds_b and "typo" in kinds_b
    with pytest.raises(ValueError, match="unknown perturbation"):
        perturb("x", "shout", random.Random(0))


def test_tells_a_stable_model_from_a_random_one() -> None:
    """Bag of words keeps most of each query; random vectors keep nothing (cosine ~0, overlap ~ chance)."""
    bow = stability(DATASET.queries, BagOfWords(), model="bow", corpus=DATASET.corpus, qrels=DATASET.qrels)
    rnd = stability(DATASET.queries, RandomEncoder(), model="rnd", corpus=DATASET.corpus, qrels=DATASET.qrels)
    assert bow.n == rnd.n == 6
    assert bow.values["cosine"] > 0.8 and abs(rnd.values["cosine"]) < 0.15
    assert bow.values["overlap@10"] > 0.8 and rnd.values["overlap@10"] < 0.6
    assert bow.values["ndcg@10_drop"] <= 0.05
    assert bow.ci95["cosine"][0] > rnd.ci95["cosine"][1]
    assert bow.values["cosine:case"] == pytest.approx(1.0)  # lower-cased words: casing changes nothing
    assert {"cosine", "overlap@10", "ndcg@10_drop"} <= set(bow.ci95)
    assert len(bow.values["examples"]) == len(PERTURBATIONS)


def test_pinned_numbers_for_the_bag_of_words_run() -> None:
    res = stability(DATASET.queries, BagOfWords(), model="bow", corpus=DATASET.corpus, qrels=DATASET.qrels)
    assert res.values["cosine"] == pytest.approx(PINNED_BOW_COSINE, abs=1e-6)
    assert res.values["overlap@10"] == pytest.approx(PINNED_BOW_OVERLAP, abs=1e-9)


def test_without_a_corpus_only_the_cosine_is_reported() -> None:
    res = stability(["how do I reset my password", "what is the refund policy"], RandomEncoder(), model="r")
    assert set(k for k in res.values if ":" not in k) == {"cosine", "examples"}
    assert any("no corpus" in n for n in res.notes)


def test_parent_level_qrels_rank_parents_by_best_chunk() -> None:
    """MaxP: chunks of one document are one result; the drop is measured on parents, like a trial."""
    chunks = tuple(Doc(f"p{i // 2}#{i % 2}", t, parent_id=f"p{i // 2}") for i, t in enumerate(DOCS))
    ds = Dataset("chunks", chunks, DATASET.queries, {f"q{i}": {f"p{i // 2}": 1} for i in range(0, 24, 4)},
                 qrels_level="parent")
    out = run_checks("stability", dataset=ds, encoder=BagOfWords(), model="bow", raise_errors=True)
    res = out["stability"]
    assert res.status == "ok" and "ndcg@10_drop" in res.values
    assert any("only 12 documents" in n for n in res.notes)
    assert res.values["overlap@10"] == pytest.approx(179 / 180)  # top-6 of 12 parents, as the note says


def test_a_dataset_without_queries_fails_cleanly() -> None:
    ds = Dataset("empty", DATASET.corpus, (), {})
    res = run_checks("stability", dataset=ds, encoder=BagOfWords(), model="bow")["stability"]
    assert res.status == "failed" and "needs queries" in res.summary
