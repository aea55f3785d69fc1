"""recommend(): quality comes from head-to-head evidence, every hard constraint excludes with its number or
puts the model in a stated lower tier, and chunking, cost and memory are the user's own numbers. Uses
hand-built mini catalogs and evidence tables so the expected order is obvious."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.estimates import memory_estimate, monthly_cost
from catalog.models import Benchmark, BenchmarkScore
from catalog.ranking import benchmarks_for, primary_benchmark, recommend
from catalog.requirements import Requirements
from catalog.sizing import hnsw_link_bytes
from tests.unit._evidence_tables import merge, spec, spread, table

EMPTY = table({})


def rec(req: Requirements, models: list[Any], evidence: Any = EMPTY) -> Any:
    return recommend(req, models, evidence=evidence)


def excluded_reasons(req: Requirements, models: list[Any], evidence: Any = EMPTY) -> dict[str, list[str]]:
    return {e.spec.id: list(e.reasons) for e in rec(req, models, evidence).excluded}


def candidate(req: Requirements, models: list[Any], mid: str, evidence: Any = EMPTY) -> Any:
    return next(c for c in rec(req, models, evidence).candidates if c.spec.id == mid)


# --- language -> published benchmark shown for reference ----------------------------------------------


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


def test_medical_and_legal_also_show_their_domain_benchmark() -> None:
    assert benchmarks_for(Requirements(languages=("zh",), domain="legal")) == (
        Benchmark.CMTEB_V1,
        Benchmark.MTEB_LAW_V1,
    )
    assert benchmarks_for(Requirements(domain="finance")) == (Benchmark.MTEB_ENG_V2,)


# --- quality from evidence -------------------------------------------------------------------------------


def test_head_to_head_evidence_orders_the_models() -> None:
    ev = table(spread({"low": 40.0, "high": 60.0, "mid": 50.0}, 8, jitter=0.0))
    models = [spec("low"), spec("high"), spec("mid")]
    ranked = rec(Requirements(), models, ev).candidates
    assert [c.spec.id for c in ranked] == ["high", "mid", "low"]
    assert ranked[0].quality > ranked[1].quality > ranked[2].quality
    assert ranked[0].quality_low < ranked[0].quality < ranked[0].quality_high
    assert "English retrieval: 8 tasks; vs mid on the same 8: +10.0 points, won 8 of 8" in ranked[0].reasons


def test_chinese_quality_never_rides_english_scores() -> None:
    """A model strong in English but unmeasured in Chinese gets a labelled prior for Chinese, never its
    English numbers under a Chinese label, and never a zero."""
    ev = merge(
        table(spread({"eng-star": 80.0, "zh-a": 50.0, "zh-b": 40.0}, 6, prefix="E")),
        table(spread({"zh-a": 70.0, "zh-b": 60.0}, 6, prefix="Z"), lang="zh"),
    )
    models = [spec(m, languages=("en", "zh")) for m in ("eng-star", "zh-a", "zh-b")]
    star = candidate(Requirements(languages=("zh",)), models, "eng-star", ev)
    assert star.evidence_tasks == 0 and star.flags
    assert any("Chinese retrieval: no scores" in r for r in star.reasons)
    assert not any("80" in r for r in star.reasons)
    assert not any("counted as 0" in r for r in star.reasons)
    assert 0.2 < star.quality < 0.8 and star.quality_high - star.quality_low > 0.5


def test_unmeasured_is_not_bad_and_says_so() -> None:
    ev = table(spread({"a": 60.0, "b": 50.0, "c": 40.0, "d": 45.0, "e": 55.0}, 6))
    models = [spec(m) for m in "abcde"] + [spec("new")]
    new = candidate(Requirements(), models, "new", ev)
    assert new.evidence_tasks == 0
    assert "unmeasured for English retrieval" in new.flags[0] and "include it in the trial" in new.flags[0]
    assert new.quality > 0.2  # a prior, not a zero


def test_thin_evidence_is_flagged_and_suggested_for_the_trial() -> None:
    broad = spread({"a": 50.0, "b": 52.0, "c": 48.0, "d": 45.0, "e": 55.0}, 10)
    broad["T0"]["thin"] = 70.0
    broad["T1"]["thin"] = 70.0
    ranked = rec(Requirements(), [spec(m) for m in ("a", "b", "c", "d", "e", "thin")], table(broad))
    thin = next(c for c in ranked.candidates if c.spec.id == "thin")
    assert thin.evidence_tasks == 2
    assert thin.flags == (
        "thin evidence (2 tasks): promising but unmeasured for English retrieval: include it in the trial",
    )


def test_implausible_scores_are_excluded_and_named() -> None:
    """A model that handles English on most tasks but scores 0.00 on one has a broken result file."""
    scores = spread({"a": 60.0, "b": 55.0, "c": 50.0, "d": 58.0, "broken": 57.0}, 6)
    scores["T3"]["broken"] = 0.0
    ranked = rec(Requirements(), [spec(m) for m in ("a", "b", "c", "d", "broken")], table(scores))
    broken = next(c for c in ranked.candidates if c.spec.id == "broken")
    note = next(r for r in broken.reasons if r.startswith("excluded 1 implausible"))
    assert "T3 (en) 0.00 vs typical" in note
    assert broken.evidence_tasks == 5


def test_near_zero_in_a_declared_language_is_broken_but_weak_is_weak() -> None:
    """Like jina-embeddings-v2-base-en: 0.00 on most English tasks, normal on the rest: the zeros are
    excluded even though they are the majority. A weak model at 15% of typical keeps its scores."""
    scores = spread({"a": 60.0, "b": 55.0, "c": 50.0, "d": 58.0, "half": 54.0, "weak": 9.0}, 7)
    for task in ("T0", "T1", "T2", "T3"):
        scores[task]["half"] = 0.0
    ranked = rec(Requirements(), [spec(m) for m in ("a", "b", "c", "d", "half", "weak")], table(scores))
    half = next(c for c in ranked.candidates if c.spec.id == "half")
    weak = next(c for c in ranked.candidates if c.spec.id == "weak")
    assert half.evidence_tasks == 3 and any(r.startswith("excluded 4 implausible") for r in half.reasons)
    assert weak.evidence_tasks == 7 and not any("implausible" in r for r in weak.reasons)
    assert ranked.candidates[-1].spec.id == "weak"


# --- hard constraints -------------------------------------------------------------------------------------


def test_vram_constraint_states_need_and_have() -> None:
    big = spec("seven-b", n_parameters=7_000_000_000, dims=4096)
    reasons = excluded_reasons(Requirements(gpu="cuda", vram_gb=8, ram_gb=16), [big])["seven-b"]
    assert reasons == ["needs ~16 GB VRAM at 512 tokens, you have 8 (and ~33 GB RAM on CPU, you have 16)"]


def test_memory_includes_activations_at_the_document_length() -> None:
    m = spec("m", n_parameters=500_000_000, dims=1024, max_tokens=32768)
    short, long = memory_estimate(m, 512), memory_estimate(m, 32_768)
    assert short is not None and long is not None
    assert short.fp32_gb == pytest.approx(2.0) and short.fp16_gb == pytest.approx(1.0)
    assert long.cpu_need_gb > short.cpu_need_gb + 1.5  # 32k tokens in flight instead of 8k
    assert "activations at 32,768 tokens" in long.explain() and "fp32" in long.explain()
    assert memory_estimate(spec("api", open_weights=False)) is None
    from_mb = memory_estimate(spec("mb", n_parameters=None, memory_mb=400.0))
    assert from_mb is not None and from_mb.params == pytest.approx(1e8) and from_mb.from_memory_mb


def test_ram_constraint_on_cpu() -> None:
    reasons = excluded_reasons(Requirements(ram_gb=16), [spec("four-b", n_parameters=4_000_000_000)])
    assert reasons["four-b"] == [
        "needs ~18 GB RAM on CPU (fp32 weights 16 GB + activations at 512 tokens), you have 16"
    ]


def test_small_model_missing_the_gpu_runs_on_cpu_and_is_scored_there() -> None:
    m = spec("one-b", n_parameters=1_000_000_000, dims=2048)
    c = candidate(Requirements(gpu="cuda", vram_gb=2, ram_gb=32), [m], "one-b")
    assert any("needs ~2.7 GB VRAM at 512 tokens, you have 2: would run on CPU" in r for r in c.reasons)
    assert "speed: 1,000M parameters on CPU" in c.reasons and c.penalty == 0


def test_declared_language_list_excludes() -> None:
    reasons = excluded_reasons(Requirements(languages=("zh",)), [spec("en-only")])
    assert reasons["en-only"] == ["no Chinese support (languages: en)"]


def test_near_chance_scores_are_evidence_against_support() -> None:
    """Scores far below typical in a language exclude a model that does not declare it (MiniLM on C-MTEB)."""
    zh = table(spread({"a": 70.0, "b": 72.0, "c": 68.0, "d": 75.0, "minilm": 3.6}, 5), lang="zh")
    models = [spec(m, languages=("zh",)) for m in "abcd"] + [spec("minilm")]
    reasons = excluded_reasons(Requirements(languages=("zh",)), models, zh)["minilm"]
    assert reasons[0].startswith(
        "evidence against Chinese support: its Chinese retrieval scores are 5% of typical"
    )


def test_measured_language_support_counts_without_a_declaration() -> None:
    zh = table(spread({"a": 70.0, "b": 72.0, "c": 68.0, "d": 75.0, "gte-like": 74.0}, 5), lang="zh")
    models = [spec(m, languages=("zh",)) for m in "abcd"] + [spec("gte-like")]
    c = candidate(Requirements(languages=("zh",)), models, "gte-like", zh)
    assert c.tier == 0
    assert any(
        r.startswith("Chinese: not in its language list, but its Chinese retrieval scores") for r in c.reasons
    )


def test_unconfirmed_language_goes_to_the_lower_tier() -> None:
    """A multilingual model that neither lists Japanese nor has Japanese scores ranks below a weaker model
    known to handle Japanese, and says why."""
    ev = table(spread({"sure": 40.0, "multi": 70.0}, 6), lang="de")
    listed = tuple("ab ac ad ae af ag ah ai aj ak".split())
    models = [spec("sure", languages=("ja", "de")), spec("multi", languages=listed, multilingual=True)]
    ranked = rec(Requirements(languages=("ja",)), models, ev).candidates
    assert [(c.spec.id, c.tier) for c in ranked] == [("sure", 0), ("multi", 1)]
    assert ranked[1].unverified == (
        "Japanese support unconfirmed: multilingual, Japanese not among its 10 listed languages, "
        "no Japanese scores",
    )
    assert "lower tier: Japanese support unconfirmed" in " ".join(ranked[1].reasons)


def test_chunking_costs_vectors_and_index_not_quality() -> None:
    ev = table(spread({"short": 50.0, "long": 50.0}, 6, jitter=0.0))
    models = [spec("short", max_tokens=512, dims=1024), spec("long", max_tokens=8192, dims=1024)]
    req = Requirements(doc_tokens=3000, corpus_docs=10_000)
    short, long = (candidate(req, models, m, ev) for m in ("short", "long"))
    assert short.quality == long.quality and short.score == long.score and short.penalty == 0
    # the sizing table's chunking (256-token chunks, overlap 32): ceil((3000 - 32) / 224) = 14 per document
    assert (short.chunks_per_doc, short.vectors) == (14, 140_000)
    assert short.index_gb == pytest.approx(140_000 * (1024 * 4 + hnsw_link_bytes()) / 1e9, abs=0.001)
    note = next(r for r in short.reasons if r.startswith("max 512 tokens < your 3,000-token documents"))
    assert "must be chunked (14 chunks of up to 256 tokens per document -> 140,000 vectors, index" in note
    assert "quality is not marked down for it" in note
    assert not any("must be chunked" in r for r in long.reasons)


def test_no_chunk_excludes_short_windows_and_tiers_unknown_ones() -> None:
    models = [spec("short", max_tokens=512), spec("unknown", max_tokens=None), spec("fits", max_tokens=32768)]
    ev = table(spread({"unknown": 80.0, "fits": 40.0, "short": 60.0}, 6))
    result = rec(Requirements(doc_tokens=20_000, will_chunk=False), models, ev)
    assert {e.spec.id: list(e.reasons) for e in result.excluded} == {
        "short": ["max 512 tokens < your 20,000-token documents (you won't chunk)"]
    }
    assert [c.spec.id for c in result.candidates] == ["fits", "unknown"]
    assert result.candidates[1].unverified == ("window unknown: check the model card (you won't chunk)",)


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


def test_monthly_cap_checks_the_first_month_and_price_cap() -> None:
    api = spec("api", open_weights=False, price_usd_per_1m=0.13)
    req = Requirements(
        corpus_docs=100_000, doc_tokens=1000, queries_per_month=100_000, query_tokens=30, monthly_cap_usd=5.0
    )
    # 1,000-token documents in 256-token chunks overlapping by 32: 5 chunks, 1,128 tokens embedded each;
    # (100,000 x 1,128 + 100,000 x 30) tokens = 115.8M tokens x $0.13/1M = $15.05
    assert monthly_cost(api, req) == pytest.approx(15.054)
    assert excluded_reasons(req, [api])["api"] == ["API cost ~$15.05 in the first month > cap $5.00"]
    assert excluded_reasons(Requirements(max_usd_per_1m=0.05), [api])["api"] == [
        "API price $0.13/1M tokens > your max $0.05/1M"
    ]


def test_cost_is_the_users_monthly_spend() -> None:
    """The same API price costs a small corpus almost nothing and a large one real money."""
    api = spec("api", open_weights=False, price_usd_per_1m=0.13)
    small = candidate(Requirements(corpus_docs=1_000, queries_per_month=1_000), [api], "api")
    large = candidate(
        Requirements(corpus_docs=2_000_000, doc_tokens=2000, queries_per_month=5_000_000), [api], "api"
    )
    assert small.cost > 0.95 > 0.5 > large.cost
    assert small.monthly_cost_usd == pytest.approx(0.07, abs=0.01)
    capped = candidate(
        Requirements(corpus_docs=1_000, monthly_cap_usd=1.0, queries_per_month=1_000), [api], "api"
    )
    assert capped.cost < small.cost  # the same spend weighs more against a $1 cap
    later = candidate(Requirements(corpus_docs=10_000, docs_updated_per_month=500), [api], "api")
    doc = 512 + 2 * 32  # 3 chunks of 256 overlapping by 32
    assert later.later_monthly_cost_usd == pytest.approx((500 * doc + 100_000 * 30) / 1e6 * 0.13, abs=0.01)


def test_unknown_price_cannot_pass_a_budget_but_is_not_a_penalty() -> None:
    api = spec("api", open_weights=False)
    assert (
        "API price not in the catalog" in excluded_reasons(Requirements(monthly_cap_usd=10), [api])["api"][0]
    )
    c = candidate(Requirements(), [api], "api")
    assert any("price not recorded" in r for r in c.reasons) and c.cost == 0.5 and c.penalty == 0


def test_commercial_licence_constraint() -> None:
    models = [spec("nc", license="cc-by-nc-4.0", commercial_use=False), spec("unknown", commercial_use=None)]
    reasons = excluded_reasons(Requirements(commercial_use=True), models)
    assert reasons["nc"] == ["licence cc-by-nc-4.0 does not allow commercial use"]
    assert reasons["unknown"][0].startswith("commercial-use terms not recorded")
    assert "licence cc-by-nc-4.0: non-commercial use only" in candidate(Requirements(), models, "nc").reasons


def test_domain_encoder_is_excluded() -> None:
    enc = spec("legal-bert", sentence_embedder=False, domains=("legal",))
    assert "not a sentence embedder" in excluded_reasons(Requirements(domain="legal"), [enc])["legal-bert"][0]


def test_image_text_models_only_when_asked() -> None:
    clip = spec("clip", modalities=("image", "text"), max_tokens=77)
    docs = spec("doc-mm", modalities=("image", "text"), max_tokens=32768)
    cohere_like = spec("text-first", modalities=("image", "text"), max_tokens=512)
    reasons = excluded_reasons(Requirements(), [clip, docs, cohere_like])
    assert reasons == {
        "clip": [
            "image-text model (image+text, 77-token text window): for image search; "
            "ask for image-text models to include it"
        ]
    }
    assert [c.spec.id for c in rec(Requirements(image_text=True), [clip]).candidates] == ["clip"]


def test_several_failures_are_all_listed() -> None:
    m = spec("bad", open_weights=False, price_usd_per_1m=1.0, languages=("en",), max_tokens=256)
    reasons = excluded_reasons(
        Requirements(languages=("zh",), doc_tokens=1000, will_chunk=False, max_usd_per_1m=0.1), [m]
    )["bad"]
    assert len(reasons) == 3


def test_domain_specialist_gets_a_bonus_and_others_a_penalty() -> None:
    general = rec(Requirements(), [spec("general"), spec("coder", domains=("code",))]).candidates
    assert [c.spec.id for c in general] == ["general", "coder"]
    assert any("specialised for code, not general (-10 pts)" == r for r in general[1].reasons)
    coded = rec(Requirements(domain="code"), [spec("general"), spec("coder", domains=("code",))])
    assert coded.candidates[0].spec.id == "coder"


def test_speed_priority_prefers_the_small_model() -> None:
    ev = table(spread({"big": 60.0, "small": 55.0}, 6))
    models = [spec("big", n_parameters=1_500_000_000), spec("small", n_parameters=30_000_000)]
    quality = rec(Requirements(quality_weight=1, speed_weight=0, cost_weight=0), models, ev)
    speed = rec(Requirements(quality_weight=0.2, speed_weight=0.8, cost_weight=0), models, ev)
    assert quality.candidates[0].spec.id == "big" and speed.candidates[0].spec.id == "small"


# --- explanations -------------------------------------------------------------------------------------------


def test_reasons_show_every_part_of_the_score() -> None:
    ev = table(spread({"a": 60.0, "b": 50.0}, 6))
    a = candidate(Requirements(), [spec("a"), spec("b")], "a", ev)
    assert a.reasons[0].startswith("quality: wins ~") and "(90% interval" in a.reasons[0]
    assert any(r.startswith("speed: 100M parameters on CPU") for r in a.reasons)
    assert any(r.startswith("cost: open weights: no per-token fee") for r in a.reasons)
    assert a.reasons[-1].startswith(f"score {a.score:.1f} = 70% x quality")


def test_recommendation_dict_keeps_old_keys_and_adds_the_parts() -> None:
    published = {Benchmark.MTEB_ENG_V2: BenchmarkScore(mean=None, retrieval_mean=50.0, source="test")}
    result = rec(Requirements(doc_tokens=3000), [spec("a", scores=published), spec("b", languages=("zh",))])
    data = result.to_dict()
    cand = data["candidates"][0]
    old = {"id", "name", "score", "reasons", "benchmark", "benchmark_label", "benchmark_value", "quality"}
    new = {"quality_interval", "evidence", "evidence_tasks", "flags", "tier", "unverified", "penalty"}
    assert old | new | {"speed", "cost", "monthly_cost_usd", "memory_gb"} <= set(cand)
    assert cand["benchmark_value"] == 50.0
    assert data["excluded"] == [{"id": "b", "name": "b", "reasons": ["no English support (languages: zh)"]}]
    assert any("queries x 30 tokens" in a for a in data["assumptions"])
    assert any(a.startswith("quality: Bradley-Terry") for a in data["assumptions"])


def test_real_catalog_example_profile() -> None:
    """The issue's example: zh legal, 3,000-token docs, open only, CPU with 16 GB."""
    req = Requirements(languages=("zh",), domain="legal", doc_tokens=3000, open_only=True, ram_gb=16)
    result = recommend(req)
    assert len(result.candidates) >= 5 and result.excluded
    assert all(not c.spec.is_api for c in result.candidates)
    ex = {e.spec.id: e.reasons for e in result.excluded}
    assert ex["Qwen/Qwen3-Embedding-8B"][0].startswith("needs ~")
    assert ex["Qwen/Qwen3-Embedding-8B"][0].endswith("you have 16")
    groups = next(a for a in result.assumptions if a.startswith("quality:"))
    assert "Chinese retrieval" in groups and "legal retrieval in your languages" in groups


def test_mul_means_multilingual_models_only() -> None:
    """The TUI sends 'mul' for 'many or unknown languages' (ISO 639-2)."""
    models = [spec("mono"), spec("multi", languages=("en", "de", "fr"), multilingual=True)]
    req = Requirements(languages=("en", "mul"))
    result = rec(req, models)
    assert primary_benchmark(req) == Benchmark.MMTEB_MULTILINGUAL_V2
    assert [c.spec.id for c in result.candidates] == ["multi"]
    assert result.excluded[0].reasons == ("not a multilingual model (languages: en)",)


def test_the_task_nature_picks_the_task_type() -> None:
    ev = merge(
        table(spread({"searcher": 70.0, "grouper": 40.0}, 6, prefix="R")),
        table(spread({"searcher": 30.0, "grouper": 60.0}, 6, prefix="C"), type_="Clustering"),
    )
    models = [spec("searcher"), spec("grouper")]
    assert rec(Requirements(task="retrieval"), models, ev).candidates[0].spec.id == "searcher"
    clustering = rec(Requirements(task="clustering"), models, ev)
    assert clustering.candidates[0].spec.id == "grouper"
    assert clustering.candidates[0].benchmark_value is None  # a retrieval mean is not a clustering score
    assert "English clustering: 6 tasks" in clustering.candidates[0].reasons[1]
