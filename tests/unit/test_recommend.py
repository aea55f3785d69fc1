"""recommend(): every hard constraint excludes with its number, soft issues are stated penalties, and the
benchmark follows the language/domain. Uses hand-built mini catalogs so the expected order is obvious."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.filters import memory_estimate, monthly_cost
from catalog.models import Benchmark, BenchmarkScore, ModelSpec
from catalog.ranking import benchmarks_for, primary_benchmark, recommend
from catalog.requirements import Requirements


def spec(mid: str, **kw: Any) -> ModelSpec:
    """An open, English, 100M-parameter, 8k-context model unless told otherwise."""
    scores = {
        Benchmark(k): BenchmarkScore(mean=None, retrieval_mean=v, source="test")
        for k, v in kw.pop("scores", {}).items()
    }
    base: dict[str, Any] = {
        "name": mid,
        "provider": "test",
        "open_weights": True,
        "hf_id": mid,
        "max_tokens": 8192,
        "n_parameters": 100_000_000,
        "languages": ("en",),
        "license": "apache-2.0",
        "commercial_use": True,
    }
    if not kw.get("open_weights", True):
        base.update(hf_id=None, api_provider="acme", api_model_name=mid, n_parameters=None)
    base.update(kw)
    return ModelSpec(id=mid, scores=scores, **base)


def excluded_reasons(req: Requirements, models: list[ModelSpec]) -> dict[str, list[str]]:
    return {e.spec.id: list(e.reasons) for e in recommend(req, models).excluded}


def candidate(req: Requirements, models: list[ModelSpec], mid: str) -> Any:
    return next(c for c in recommend(req, models).candidates if c.spec.id == mid)


# --- language -> benchmark ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("langs", "domain", "expected"),
    [
        (("zh",), "general", Benchmark.CMTEB_V1),
        (("en",), "general", Benchmark.MTEB_ENG_V2),
        (("en", "de"), "general", Benchmark.MMTEB_MULTILINGUAL_V2),
        (("zh", "en"), "general", Benchmark.MMTEB_MULTILINGUAL_V2),
        (("de",), "general", Benchmark.MMTEB_MULTILINGUAL_V2),
        (("en",), "code", Benchmark.MTEB_CODE_V1),
        (("zh",), "code", Benchmark.MTEB_CODE_V1),
    ],
)
def test_language_picks_the_benchmark(langs: tuple[str, ...], domain: str, expected: Benchmark) -> None:
    assert primary_benchmark(Requirements(languages=langs, domain=domain)) == expected


def test_medical_and_legal_also_weigh_their_domain_benchmark() -> None:
    assert benchmarks_for(Requirements(languages=("zh",), domain="legal")) == (
        Benchmark.CMTEB_V1,
        Benchmark.MTEB_LAW_V1,
    )
    assert benchmarks_for(Requirements(domain="medical")) == (
        Benchmark.MTEB_ENG_V2,
        Benchmark.MTEB_MEDICAL_V1,
    )
    assert benchmarks_for(Requirements(domain="finance")) == (Benchmark.MTEB_ENG_V2,)


def test_chinese_ranking_uses_cmteb_not_the_english_number() -> None:
    """A model strong on English but without C-MTEB must not ride its English score for Chinese."""
    models = [
        spec("eng-star", languages=("en", "zh"), scores={"mteb_eng_v2": 70.0}),
        spec("zh-ok", languages=("zh",), scores={"cmteb_v1": 50.0}),
    ]
    rec = recommend(Requirements(languages=("zh",)), models)
    assert [c.spec.id for c in rec.candidates] == ["zh-ok", "eng-star"]
    star = candidate(Requirements(languages=("zh",)), models, "eng-star")
    assert star.benchmark == Benchmark.CMTEB_V1 and star.benchmark_value is None
    assert any("no C-MTEB" in r and "penalty" in r for r in star.reasons)
    assert not any("70.0" in r for r in star.reasons)


def test_multilingual_profile_uses_multilingual_retrieval_mean() -> None:
    models = [
        spec("a", languages=("en", "de"), scores={"mmteb_multilingual_v2": 60.0, "mteb_eng_v2": 40.0}),
        spec("b", languages=("en", "de"), scores={"mmteb_multilingual_v2": 50.0, "mteb_eng_v2": 70.0}),
    ]
    rec = recommend(Requirements(languages=("en", "de")), models)
    assert [c.spec.id for c in rec.candidates] == ["a", "b"]
    assert rec.candidates[0].benchmark_value == 60.0


# --- ranking order ----------------------------------------------------------------------------------------


def test_higher_benchmark_ranks_first_all_else_equal() -> None:
    models = [
        spec("low", scores={"mteb_eng_v2": 40.0}),
        spec("high", scores={"mteb_eng_v2": 60.0}),
        spec("mid", scores={"mteb_eng_v2": 50.0}),
    ]
    rec = recommend(Requirements(), models)
    assert [c.spec.id for c in rec.candidates] == ["high", "mid", "low"]
    assert rec.candidates[0].score > rec.candidates[1].score > rec.candidates[2].score


def test_speed_priority_prefers_the_small_model() -> None:
    models = [
        spec("big", n_parameters=1_500_000_000, scores={"mteb_eng_v2": 60.0}),
        spec("small", n_parameters=30_000_000, scores={"mteb_eng_v2": 55.0}),
    ]
    quality = recommend(Requirements(quality_weight=1, speed_weight=0, cost_weight=0), models)
    speed = recommend(Requirements(quality_weight=0.2, speed_weight=0.8, cost_weight=0), models)
    assert quality.candidates[0].spec.id == "big"
    assert speed.candidates[0].spec.id == "small"


def test_domain_specialist_gets_a_bonus_and_others_a_penalty() -> None:
    models = [
        spec("general", scores={"mteb_eng_v2": 50.0}),
        spec("coder", domains=("code",), scores={"mteb_eng_v2": 50.0}),
    ]
    general = recommend(Requirements(), models)
    assert [c.spec.id for c in general.candidates] == ["general", "coder"]
    assert any("specialised for code" in r for r in general.candidates[1].reasons)
    code_models = [
        spec("general", scores={"mteb_code_v1": 50.0}),
        spec("coder", domains=("code",), scores={"mteb_code_v1": 50.0}),
    ]
    assert recommend(Requirements(domain="code"), code_models).candidates[0].spec.id == "coder"


# --- hard constraints -------------------------------------------------------------------------------------


def test_vram_constraint_states_need_and_have() -> None:
    big = spec("seven-b", n_parameters=7_000_000_000)
    reasons = excluded_reasons(Requirements(gpu="cuda", vram_gb=8, ram_gb=16), [big])["seven-b"]
    assert reasons == ["needs ~17 GB VRAM, you have 8 (and ~34 GB RAM on CPU, you have 16)"]


def test_ram_constraint_on_cpu() -> None:
    reasons = excluded_reasons(Requirements(ram_gb=16), [spec("four-b", n_parameters=4_000_000_000)])
    assert reasons["four-b"] == ["needs ~19 GB RAM on CPU (fp32 weights 16 GB + 20%), you have 16"]


def test_small_model_missing_the_gpu_falls_back_to_cpu_with_penalty() -> None:
    m = spec("one-b", n_parameters=1_000_000_000, scores={"mteb_eng_v2": 50.0})
    c = candidate(Requirements(gpu="cuda", vram_gb=2, ram_gb=32), [m], "one-b")
    assert any("needs ~2.4 GB VRAM, you have 2: would run on CPU" in r for r in c.reasons)


def test_language_constraint() -> None:
    reasons = excluded_reasons(Requirements(languages=("zh",)), [spec("en-only")])
    assert reasons["en-only"] == ["no Chinese support (languages: en)"]


def test_multilingual_model_missing_a_listed_language_is_penalised_not_excluded() -> None:
    m = spec("multi", languages=tuple("ab ac ad ae af ag ah ai aj ak".split()), multilingual=True)
    c = candidate(Requirements(languages=("zh",)), [m], "multi")
    assert any("Chinese not among its 10 listed languages" in r for r in c.reasons)


def test_cmteb_score_counts_as_evidence_of_chinese() -> None:
    m = spec("gte-like", languages=("en",), scores={"cmteb_v1": 70.0})
    assert recommend(Requirements(languages=("zh",)), [m]).candidates[0].spec.id == "gte-like"


def test_context_window_excludes_only_when_not_chunking() -> None:
    short = spec("short", max_tokens=512, scores={"mteb_eng_v2": 50.0})
    no_chunk = excluded_reasons(Requirements(doc_tokens=3000, will_chunk=False), [short])
    assert no_chunk["short"] == ["max 512 tokens < your 3,000-token documents (you won't chunk)"]
    c = candidate(Requirements(doc_tokens=3000, will_chunk=True), [short], "short")
    assert any(
        "max 512 tokens < your 3,000-token documents: ~6 chunks per document (-10 pts)" == r
        for r in c.reasons
    )


def test_short_window_ranks_below_long_window_when_chunking() -> None:
    models = [
        spec("short", max_tokens=512, scores={"mteb_eng_v2": 50.0}),
        spec("long", max_tokens=8192, scores={"mteb_eng_v2": 50.0}),
    ]
    rec = recommend(Requirements(doc_tokens=3000), models)
    assert [c.spec.id for c in rec.candidates] == ["long", "short"]


def test_open_only_budget_and_no_api_exclude_api_models() -> None:
    api = spec("api", open_weights=False, price_usd_per_1m=0.02)
    assert excluded_reasons(Requirements(open_only=True), [api])["api"] == [
        "API-only model; your budget is open-weights only"
    ]
    assert excluded_reasons(Requirements(api_allowed=False), [api])["api"] == [
        "API model; API use is not allowed"
    ]
    assert excluded_reasons(Requirements(open_weights_required=True), [api])["api"] == [
        "closed weights; you require open weights"
    ]


def test_monthly_cap_and_price_cap() -> None:
    api = spec("api", open_weights=False, price_usd_per_1m=0.13)
    req = Requirements(
        corpus_docs=100_000, doc_tokens=1000, queries_per_month=100_000, query_tokens=30, monthly_cap_usd=5.0
    )
    # (100,000 x 1,000 + 100,000 x 30) tokens = 103M tokens x $0.13/1M = $13.39
    assert monthly_cost(api, req) == pytest.approx(13.39)
    assert excluded_reasons(req, [api])["api"] == ["API cost ~$13.39/month > cap $5.00"]
    assert excluded_reasons(Requirements(max_usd_per_1m=0.05), [api])["api"] == [
        "API price $0.13/1M tokens > your max $0.05/1M"
    ]


def test_unknown_price_cannot_pass_a_budget() -> None:
    api = spec("api", open_weights=False)
    assert (
        "API price not in the catalog" in excluded_reasons(Requirements(monthly_cap_usd=10), [api])["api"][0]
    )
    c = candidate(Requirements(), [api], "api")
    assert any("price not recorded" in r for r in c.reasons)


def test_commercial_licence_constraint() -> None:
    models = [spec("nc", license="cc-by-nc-4.0", commercial_use=False), spec("unknown", commercial_use=None)]
    reasons = excluded_reasons(Requirements(commercial_use=True), models)
    assert reasons["nc"] == ["licence cc-by-nc-4.0 does not allow commercial use"]
    assert reasons["unknown"][0].startswith("commercial-use terms not recorded")
    c = candidate(Requirements(), models, "nc")
    assert "licence cc-by-nc-4.0: non-commercial use only" in c.reasons


def test_domain_encoder_is_excluded() -> None:
    enc = spec("legal-bert", sentence_embedder=False, domains=("legal",))
    assert "not a sentence embedder" in excluded_reasons(Requirements(domain="legal"), [enc])["legal-bert"][0]


def test_several_failures_are_all_listed() -> None:
    m = spec("bad", open_weights=False, price_usd_per_1m=1.0, languages=("en",), max_tokens=256)
    reasons = excluded_reasons(
        Requirements(languages=("zh",), doc_tokens=1000, will_chunk=False, max_usd_per_1m=0.1), [m]
    )["bad"]
    assert len(reasons) == 3


# --- explanations -------------------------------------------------------------------------------------------


def test_memory_estimate_is_explained() -> None:
    est = memory_estimate(spec("m", n_parameters=500_000_000))
    assert est is not None and est.fp32_gb == pytest.approx(2.0) and est.fp16_gb == pytest.approx(1.0)
    assert "fp32" in est.explain() and "x1.2" in est.explain()
    assert memory_estimate(spec("api", open_weights=False)) is None
    from_mb = memory_estimate(spec("mb", n_parameters=None, memory_mb=400.0))
    assert from_mb is not None and from_mb.params == pytest.approx(1e8) and from_mb.from_memory_mb


def test_recommendation_dict_shape_and_assumptions() -> None:
    rec = recommend(
        Requirements(doc_tokens=3000),
        [spec("a", scores={"mteb_eng_v2": 50.0}), spec("b", languages=("zh",))],
        catalog_version="t",
    )
    data = rec.to_dict()
    assert data["catalog_version"] == "t" and data["requirements"]["doc_tokens"] == 3000
    assert data["candidates"][0]["id"] == "a" and isinstance(data["candidates"][0]["reasons"], list)
    assert data["excluded"] == [{"id": "b", "name": "b", "reasons": ["no English support (languages: zh)"]}]
    assert any("queries x 30 tokens" in a for a in data["assumptions"])


def test_real_catalog_example_profile() -> None:
    """The issue's example: zh legal, 3,000-token docs, open only, CPU with 16 GB."""
    req = Requirements(languages=("zh",), domain="legal", doc_tokens=3000, open_only=True, ram_gb=16)
    rec = recommend(req)
    assert len(rec.candidates) >= 5 and rec.excluded
    top = rec.candidates[0]
    assert top.spec.open_weights and "zh" in top.spec.languages or top.spec.score(Benchmark.CMTEB_V1)
    assert all(not c.spec.is_api for c in rec.candidates)
    ex = {e.spec.id: e.reasons for e in rec.excluded}
    assert ex["Qwen/Qwen3-Embedding-8B"] == (
        "needs ~36 GB RAM on CPU (fp32 weights 30 GB + 20%), you have 16",
    )


def test_mul_means_multilingual_models_only_and_the_multilingual_benchmark() -> None:
    """The TUI sends 'mul' for 'many or unknown languages' (ISO 639-2)."""
    models = [
        spec("mono", scores={"mmteb_multilingual_v2": 70.0}),
        spec(
            "multi", languages=("en", "de", "fr"), multilingual=True, scores={"mmteb_multilingual_v2": 50.0}
        ),
    ]
    req = Requirements(languages=("en", "mul"))
    rec = recommend(req, models)
    assert primary_benchmark(req) == Benchmark.MMTEB_MULTILINGUAL_V2
    assert [c.spec.id for c in rec.candidates] == ["multi"]
    assert rec.excluded[0].reasons == ("not a multilingual model (languages: en)",)
