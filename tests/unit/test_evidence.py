"""The evidence model's parts: which slices a profile reads, labelled priors for the unmeasured, language
evidence for and against, and the cache that keeps re-ranking cheap."""

from __future__ import annotations

import time

import pytest

from catalog.evidence import language_evidence, profile_evidence
from catalog.evidence_data import TaskInfo, TaskScores, load_task_scores
from catalog.evidence_prior import ModelFacts, family_key, priors
from catalog.evidence_select import select
from catalog.ranking import recommend
from catalog.requirements import Requirements

INFO = {
    "EnRet": ("Retrieval", {"en": ("default",)}, ()),
    "ZhRet": ("Retrieval", {"zh": ("default",)}, ()),
    "XRet": ("Retrieval", {"zh": ("z",), "en": ("e",), "en-zh": ("ez",)}, ()),
    "ZhLaw": ("Retrieval", {"zh": ("default",)}, ("Legal",)),
    "DeLaw": ("Retrieval", {"de": ("default",)}, ("Legal",)),
    "Code": ("Retrieval", {"code-en": ("py",), "code": ("java",)}, ("Programming",)),
    "ViForum": ("Retrieval", {"vi": ("default",)}, ("Programming",)),
    "ZhRerank": ("Reranking", {"zh": ("default",)}, ()),
}


def _layout() -> TaskScores:
    tasks = {n: TaskInfo(n, t, "m", ("test",), s, d) for n, (t, s, d) in INFO.items()}
    scores = {n: {k: {"m/a": 50.0} for k in s} for n, (_, s, _) in INFO.items()}
    return TaskScores.from_scores(tasks, scores)


def _slices(groups: tuple, key: str) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return set(next(g for g in groups if g.key == key).slices)


def test_each_language_is_its_own_group_with_an_equal_share() -> None:
    groups = select(_layout(), ("zh", "en"), "general", "retrieval")
    assert [g.key for g in groups] == ["lang:zh", "lang:en", "cross"]
    assert _slices(groups, "cross") == {("XRet", "en-zh")}
    zh, en, cross = (g.share for g in groups)
    # languages weigh equally, scaled down while a group has fewer than FULL_GROUP (5) tasks: 3 vs 2 here;
    # cross-lingual counts half
    assert zh / en == pytest.approx(3 / 2) and cross == pytest.approx(en / 2 / 2)
    assert sum(g.share for g in groups) == pytest.approx(1.0)


def test_domain_evidence_is_read_in_the_users_languages_only() -> None:
    groups = select(_layout(), ("zh",), "legal", "retrieval")
    assert _slices(groups, "domain") == {("ZhLaw", "zh")}
    assert not any(("DeLaw", "de") in g.slices for g in groups)


def test_code_reads_programming_tasks_in_code_or_the_users_language() -> None:
    groups = select(_layout(), ("en",), "code", "retrieval")
    assert [g.key for g in groups] == ["code"]
    assert _slices(groups, "code") == {("Code", "code-en"), ("Code", "code")}


def test_reranking_also_reads_retrieval_as_a_related_task() -> None:
    groups = select(_layout(), ("zh",), "general", "reranking")
    assert [g.key for g in groups] == ["lang:zh", "related:zh"]
    assert _slices(groups, "lang:zh") == {("ZhRerank", "zh")}
    assert groups[1].label == "Chinese retrieval (related task)"


def test_priors_are_labelled_family_then_size_then_vendor_then_typical() -> None:
    fitted = {f"o/open-{i}": (0.2 * i, 8) for i in range(6)} | {
        "acme/api-1": (1.0, 8),
        "acme/api-2": (0.6, 9),
    }
    fitted |= {"acme/api-3": (0.8, 6), "qwen/qwen3-embedding-8b": (2.0, 10)}
    facts = {f"o/open-{i}": ModelFacts(10 ** (7 + i / 2), False) for i in range(6)}
    facts |= {f"acme/api-{i}": ModelFacts(None, True) for i in (1, 2, 3)}
    facts |= {
        "qwen/qwen3-embedding-0.6b": ModelFacts(6e8, False),
        "new/open-model": ModelFacts(3e8, False),
        "new/api-model": ModelFacts(None, True),
        "new/unknown": ModelFacts(None, False),
    }
    facts["qwen/qwen3-embedding-8b"] = ModelFacts(8e9, False)
    out = priors(fitted, facts, group_tasks=20)
    assert out["qwen/qwen3-embedding-0.6b"].label == "family prior (qwen3-embedding-8b)"
    assert out["qwen/qwen3-embedding-0.6b"].mean == pytest.approx(2.0)
    assert out["new/open-model"].label == "size prior (open models of ~300M parameters)"
    assert out["new/api-model"].label == "prior: measured API models"
    assert out["new/api-model"].mean == pytest.approx(0.8)
    assert out["new/unknown"].label.startswith("typical-model prior") and out["new/unknown"].sd >= 1.5
    assert (
        family_key("voyageai/voyage-4-lite") == family_key("voyageai/voyage-4-large") == "voyageai/voyage-4"
    )
    assert family_key("BAAI/bge-small-zh-v1.5") == "baai/bge-zh-v1.5"


def test_language_evidence_on_the_shipped_table() -> None:
    """all-MiniLM-L6-v2's C-MTEB-era scores are evidence against Chinese; bge-large-zh's are for it."""
    zh = language_evidence(load_task_scores(), "zh")
    minilm, bge = zh["sentence-transformers/all-MiniLM-L6-v2"], zh["BAAI/bge-large-zh-v1.5"]
    assert not minilm.supports and minilm.relative < 0.2 and minilm.n_tasks >= 8
    assert bge.supports and bge.relative > 0.9
    assert language_evidence(load_task_scores(), "zh") is zh  # cached per table


def test_hardware_answers_reuse_the_fit_and_a_language_change_refits() -> None:
    table = load_task_scores()
    facts = {
        "BAAI/bge-m3": ModelFacts(5.68e8, False),
        "intfloat/multilingual-e5-base": ModelFacts(2.78e8, False),
    }
    first = profile_evidence(table, ("zh",), "general", "retrieval", facts)
    assert profile_evidence(table, ("zh",), "general", "retrieval", dict(facts)) is first
    assert profile_evidence(table, ("ja",), "general", "retrieval", facts) is not first


def test_recommend_stays_fast_on_the_real_catalog() -> None:
    """A cold English fit (~85 models x ~190 tasks) and a warm re-rank; generous bounds for shared CI."""
    recommend(Requirements(languages=("ko",)))  # load the table and catalog once
    start = time.perf_counter()
    recommend(Requirements(languages=("en",), ram_gb=8.0))
    cold = time.perf_counter() - start
    start = time.perf_counter()
    recommend(Requirements(languages=("en",), ram_gb=16.0, gpu="cuda", vram_gb=12.0))
    warm = time.perf_counter() - start
    assert cold < 3.0 and warm < 1.5
