"""Expert panel: fifteen user profiles on the real catalog and evidence table, each with the invariants an
embedding practitioner would sign. No test names a model to favour it: the named models are the ones the
issue and its source articles single out, and each invariant follows from the method (head-to-head
evidence over shared tasks, hard constraints, tiers), not from special cases."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pytest

from catalog.evidence_data import load_task_scores
from catalog.evidence_prior import THIN_TASKS
from catalog.filters import image_text_only
from catalog.languages import language_name
from catalog.ranking import Ranked, Recommendation, recommend
from catalog.requirements import Requirements

GPU24 = {"gpu": "cuda", "vram_gb": 24.0, "ram_gb": 64.0}
SPEED = {"quality_weight": 0.4, "speed_weight": 0.5, "cost_weight": 0.1}


@dataclass(frozen=True)
class Profile:
    name: str
    req: Requirements


PROFILES = {
    p.name: p
    for p in (
        Profile("chinese", Requirements(languages=("zh",), doc_tokens=512, **GPU24)),
        Profile("zh_en_ja", Requirements(languages=("zh", "en", "ja"), **GPU24)),
        Profile("code", Requirements(domain="code", **GPU24)),
        Profile(
            "long_no_chunk",
            Requirements(doc_tokens=20_000, will_chunk=False, gpu="cuda", vram_gb=80, ram_gb=256),
        ),
        Profile("small_cpu_speed", Requirements(ram_gb=4.0, **SPEED)),
        Profile("open_budget", Requirements(open_only=True, ram_gb=16.0)),
        Profile("commercial", Requirements(commercial_use=True, ram_gb=32.0)),
        Profile(
            "zh_legal_contracts",
            Requirements(languages=("zh",), domain="legal", doc_tokens=3000, open_only=True, ram_gb=16.0),
        ),
        Profile("en_medical", Requirements(domain="medical", **GPU24)),
        Profile("german", Requirements(languages=("de",), ram_gb=16.0)),
        Profile("japanese", Requirements(languages=("ja",), gpu="cuda", vram_gb=16.0, ram_gb=32.0)),
        Profile("many_languages", Requirements(languages=("en", "mul"), **GPU24)),
        Profile(
            "large_corpus_cap",
            Requirements(corpus_docs=1_000_000, doc_tokens=1000, monthly_cap_usd=20.0, **GPU24),
        ),
        Profile("chinese_clustering", Requirements(languages=("zh",), task="clustering", **GPU24)),
        Profile("image_search", Requirements(image_text=True, **GPU24)),
    )
}


@cache
def ranked(name: str) -> Recommendation:
    return recommend(PROFILES[name].req)


def ids(rec: Recommendation, n: int | None = None) -> list[str]:
    return [c.spec.id for c in rec.candidates[:n]]


def position(rec: Recommendation, model: str) -> int:
    return ids(rec).index(model)


def _supports(c: Ranked, lang: str) -> bool:
    """Declared, or measured above the floor (the ranking says so in a note), or honestly unverified."""
    name = language_name(lang)
    measured = any(r.startswith(f"{name}: not in its language list, but") for r in c.reasons)
    return lang in c.spec.languages or measured or c.tier == 1


# --- invariants for every profile ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_candidate_names_its_evidence_and_nothing_counts_as_zero(name: str) -> None:
    rec = ranked(name)
    assert len(rec.candidates) >= 5
    for c in rec.candidates:
        assert not any("counted as 0" in r for r in c.reasons), c.spec.id
        assert c.evidence, c.spec.id
        for line in c.evidence[: len(rec.candidates[0].evidence)]:
            assert " task" in line or "no scores;" in line or line.startswith("excluded "), line
        assert (c.evidence_tasks > 0) or any("prior" in line for line in c.evidence)
        assert c.quality_low <= c.quality <= c.quality_high


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_hard_constraints_hold_and_unverified_ranks_last(name: str) -> None:
    rec = ranked(name)
    req = rec.requirements
    tiers = [c.tier for c in rec.candidates]
    assert tiers == sorted(tiers)
    for c in rec.candidates:
        if req.open_only:
            assert not c.spec.is_api
        if req.commercial_use:
            assert c.spec.commercial_use is True
        if req.ram_gb is not None and req.gpu is None and c.memory_gb is not None:
            assert c.memory_gb <= req.ram_gb
        for lang in req.languages:
            if lang == "mul":
                assert c.spec.multilingual
            else:
                assert _supports(c, lang), (c.spec.id, lang)
        if image_text_only(c.spec):
            assert req.image_text


# --- the profiles ----------------------------------------------------------------------------------


def test_chinese_no_english_only_model_is_eligible() -> None:
    rec = ranked("chinese")
    for c in rec.candidates:
        if c.spec.languages == ("en",) and not c.spec.multilingual:
            # an English-declared model is eligible only on measured Chinese scores (an LLM backbone)
            assert any(r.startswith("Chinese: not in its language list, but") for r in c.reasons), c.spec.id
    out = {e.spec.id: " ".join(e.reasons) for e in rec.excluded}
    for english in (
        "sentence-transformers/all-MiniLM-L6-v2",
        "BAAI/bge-large-en-v1.5",
        "intfloat/e5-large-v2",
    ):
        assert "Chinese" in out[english]
    assert "evidence against Chinese support" in out["sentence-transformers/all-MiniLM-L6-v2"]


def _shared_zh_retrieval(a: str, b: str) -> list[float]:
    """Score differences a - b on the Chinese retrieval tasks both ran (straight from the evidence table)."""
    table = load_task_scores()
    out = []
    for task, info in table.tasks.items():
        if info.type == "Retrieval":
            scores = table.slice_scores(task, "zh")
            if a in scores and b in scores:
                out.append(scores[a] - scores[b])
    return out


def test_chinese_bge_family_ranks_on_evidence_and_m3e_below_it() -> None:
    """The issue asked for bge-m3 and bge-large-zh-v1.5 in the top 10 of the 93-model catalog. In the
    112-model catalog newer Chinese models (Conan, Youtu, zpoint, stella-mrl-zh, KaLM, piccolo, gte-large-zh)
    beat both head to head on the same C-MTEB tasks, so what an expert signs is: both stay in the top third;
    every model with a higher quality estimate and 5+ shared Chinese tasks beats them on those tasks; and m3e
    ranks below the whole BGE family."""
    rec = ranked("chinese")
    third = len(rec.candidates) // 3
    quality = {c.spec.id: c.quality for c in rec.candidates}
    for bge in ("BAAI/bge-m3", "BAAI/bge-large-zh-v1.5"):
        assert position(rec, bge) < third
        for other, q in quality.items():
            diffs = _shared_zh_retrieval(other, bge)
            if q > quality[bge] and len(diffs) >= THIN_TASKS:
                assert sum(diffs) / len(diffs) > 0, (other, bge)
    bge = [m for m in ids(rec) if m.startswith("BAAI/bge-") and ("-zh-" in m or m.endswith("bge-m3"))]
    m3e = [m for m in ids(rec) if m.startswith("moka-ai/m3e")]
    assert len(bge) >= 3 and m3e
    assert max(position(rec, m) for m in bge) < min(position(rec, m) for m in m3e)


def test_zh_en_ja_bge_m3_above_multilingual_e5() -> None:
    rec = ranked("zh_en_ja")
    for e5 in ("intfloat/multilingual-e5-base", "intfloat/multilingual-e5-large"):
        assert position(rec, "BAAI/bge-m3") < position(rec, e5)
    labels = next(a for a in rec.assumptions if a.startswith("quality:"))
    for group in ("Chinese retrieval", "English retrieval", "Japanese retrieval"):
        assert group in labels


def test_code_voyage_code_in_the_top_half_and_a_qwen3_in_the_top_five() -> None:
    rec = ranked("code")
    assert position(rec, "voyageai/voyage-code-3") < len(rec.candidates) / 2
    assert any(m.startswith("Qwen/Qwen3-Embedding") for m in ids(rec, 5))


def test_long_documents_without_chunking_put_every_known_fit_first() -> None:
    rec = ranked("long_no_chunk")
    fits = [c.spec.unbounded_context or (c.spec.max_tokens or 0) >= 20_000 for c in rec.candidates]
    assert fits[: fits.count(True)] == [True] * fits.count(True)
    unknown = [c for c in rec.candidates if c.spec.max_tokens is None and not c.spec.unbounded_context]
    # (the 112-model catalog knows every window; test_recommend covers the unknown-window tier itself)
    assert all(c.tier == 2 and "window unknown: check the model card" in c.unverified[-1] for c in unknown)
    short = {e.spec.id for e in rec.excluded if any("you won't chunk" in r for r in e.reasons)}
    assert "BAAI/bge-m3" in short  # 8,192 < 20,000


def test_small_cpu_with_speed_priority_puts_small_models_on_top() -> None:
    for c in ranked("small_cpu_speed").candidates[:5]:
        assert c.spec.open_weights and c.spec.n_parameters is not None and c.spec.n_parameters < 150_000_000


def test_open_budget_and_commercial_licence() -> None:
    assert not any(c.spec.is_api for c in ranked("open_budget").candidates)
    assert all(c.spec.commercial_use is True for c in ranked("commercial").candidates)
    out = {e.spec.id: " ".join(e.reasons) for e in ranked("commercial").excluded}
    assert any("does not allow commercial use" in r for r in out.values())


# --- further profiles an expert would check -----------------------------------------------------------------


def test_chinese_contracts_are_judged_on_chinese_evidence_and_chunking_costs_no_quality() -> None:
    rec = ranked("zh_legal_contracts")
    groups = next(a for a in rec.assumptions if a.startswith("quality:"))
    assert "other languages" not in groups and "Chinese retrieval" in groups
    assert position(rec, "BAAI/bge-large-zh-v1.5") < position(rec, "intfloat/multilingual-e5-large-instruct")
    assert position(rec, "BAAI/bge-base-zh-v1.5") < position(
        rec, "sentence-transformers/static-similarity-mrl-multilingual-v1"
    )
    for c in rec.candidates:
        assert c.penalty <= 0.10  # only stated domain-fit judgements, never chunking
        if c.spec.max_tokens is not None and c.spec.max_tokens < 3000:
            assert c.chunks_per_doc and c.chunks_per_doc > 1
            assert any("quality is not marked down" in r for r in c.reasons)


def test_medical_profile_weighs_medical_evidence_and_leads_with_measured_models() -> None:
    rec = ranked("en_medical")
    groups = next(a for a in rec.assumptions if a.startswith("quality:"))
    assert "medical retrieval in your languages" in groups
    for c in rec.candidates[:3]:
        assert c.tier == 0 and c.evidence_tasks >= THIN_TASKS


@pytest.mark.parametrize(("name", "lang"), [("german", "de"), ("japanese", "ja")])
def test_other_languages_rank_on_their_own_slices(name: str, lang: str) -> None:
    rec = ranked(name)
    label = f"{language_name(lang)} retrieval"
    assert label in next(a for a in rec.assumptions if a.startswith("quality:"))
    assert all(c.evidence[0].startswith(label) for c in rec.candidates)
    assert sum(c.evidence_tasks >= THIN_TASKS for c in rec.candidates[:10]) >= 5


def test_many_languages_means_multilingual_models_only() -> None:
    rec = ranked("many_languages")
    assert all(c.spec.multilingual for c in rec.candidates)
    assert any("not a multilingual model" in " ".join(e.reasons) for e in rec.excluded)


def test_a_monthly_cap_is_checked_against_the_users_own_volume() -> None:
    rec = ranked("large_corpus_cap")
    for c in rec.candidates:
        if c.spec.is_api:
            assert c.monthly_cost_usd is not None and c.monthly_cost_usd <= 20.0
    out = {e.spec.id: " ".join(e.reasons) for e in rec.excluded}
    assert "in the first month > cap $20.00" in out["openai/text-embedding-3-large"]  # 1B tokens x $0.13


def test_clustering_ranks_on_clustering_scores_only() -> None:
    rec = ranked("chinese_clustering")
    assert all(c.benchmark_value is None for c in rec.candidates)
    assert all(c.evidence[0].startswith("Chinese clustering") for c in rec.candidates)


def test_image_text_models_join_only_when_asked() -> None:
    assert "BAAI/BGE-VL-base" in ids(ranked("image_search"))
    out = {e.spec.id: " ".join(e.reasons) for e in ranked("open_budget").excluded}
    assert "image-text model" in out["BAAI/BGE-VL-base"]
