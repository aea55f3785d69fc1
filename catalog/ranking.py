"""Recommendation engine: Requirements + catalog + evidence -> ranked candidates with their parts explained.

Score (0-100) = weighted quality, speed and cost, minus stated domain-fit penalties. Quality is the
evidence model's estimate (catalog.evidence): the expected share of head-to-head tasks a model wins against
the other eligible models, with an interval; a model without evidence gets a labelled prior, never a zero.
Hard failures (catalog.filters) exclude; unverified hard constraints put a model in a lower tier, ranked
below every model known to pass. The explanation text lives in catalog.explain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from catalog.estimates import (
    average_monthly_cost,
    cost_assumption,
    cost_score,
    later_monthly_cost,
    memory_estimate,
    monthly_cost,
    sequence_length,
    size,
)
from catalog.evidence import ProfileEvidence, language_evidence, profile_evidence
from catalog.evidence_data import TaskScores, load_task_scores
from catalog.evidence_fit import win_rate
from catalog.evidence_prior import ModelFacts
from catalog.explain import Quality, benchmark_line, explain_quality, method_lines, quality_flag
from catalog.filters import Verdict, evaluate
from catalog.languages import language_name
from catalog.models import Benchmark, ModelSpec
from catalog.requirements import Requirements

DOMAIN_BENCHMARKS = {"medical": Benchmark.MTEB_MEDICAL_V1, "legal": Benchmark.MTEB_LAW_V1}
API_SPEED = 0.5
"""A network round trip per query (~0.1-0.3 s) is about what a 0.5-1B-parameter model costs on a CPU;
bulk embedding is bound by rate limits."""
UNKNOWN = 0.5
"""Speed or cost that cannot be estimated counts as middling, stated, never as 0 or 1."""
Z90 = 1.645


def primary_benchmark(req: Requirements) -> Benchmark:
    """Code domain -> Code; only Chinese -> C-MTEB; only English -> MTEB(eng, v2); else -> Multilingual."""
    langs = set(req.languages)
    if req.domain == "code":
        return Benchmark.MTEB_CODE_V1
    if langs == {"zh"}:
        return Benchmark.CMTEB_V1
    if langs == {"en"}:
        return Benchmark.MTEB_ENG_V2
    return Benchmark.MMTEB_MULTILINGUAL_V2


def benchmarks_for(req: Requirements) -> tuple[Benchmark, ...]:
    """The published benchmark(s) shown next to each candidate, primary first (medical/legal add theirs)."""
    primary = primary_benchmark(req)
    extra = DOMAIN_BENCHMARKS.get(req.domain)
    return (primary,) if extra is None or extra == primary else (primary, extra)


@dataclass(frozen=True)
class Ranked:
    spec: ModelSpec
    score: float
    """0-100, higher is better (within a tier)."""
    reasons: tuple[str, ...]
    benchmark: Benchmark | None
    """The published benchmark shown for context (its retrieval mean, never a stand-in for quality)."""
    benchmark_value: float | None
    """Its retrieval mean for this model; None = not available (no penalty: quality is the evidence)."""
    quality: float = 0.0
    """Estimated share of head-to-head tasks won against the other eligible models (0-1)."""
    speed: float = 0.0
    cost: float = 0.0
    monthly_cost_usd: float | None = None
    """First month (corpus once + queries)."""
    memory_gb: float | None = None
    """Estimated need on the device it would run on, at the document length."""
    quality_low: float = 0.0
    quality_high: float = 0.0
    evidence: tuple[str, ...] = ()
    """Plain-words provenance of the quality estimate, one line per evidence group."""
    evidence_tasks: int = 0
    flags: tuple[str, ...] = ()
    """Thin or missing evidence, implausible scores excluded: what to check in a trial."""
    tier: int = 0
    """0: every hard constraint known to pass; 1: one could not be verified (see `unverified`); 2: the
    context window could not, and you won't chunk."""
    unverified: tuple[str, ...] = ()
    penalty: float = 0.0
    later_monthly_cost_usd: float | None = None
    chunks_per_doc: int | None = None
    vectors: int | None = None
    index_gb: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.spec.id,
            "name": self.spec.name,
            "score": self.score,
            "reasons": list(self.reasons),
            "benchmark": self.benchmark.value if self.benchmark else None,
            "benchmark_label": self.benchmark.label if self.benchmark else None,
            "benchmark_value": self.benchmark_value,
            "quality": self.quality,
            "quality_interval": [self.quality_low, self.quality_high],
            "evidence": list(self.evidence),
            "evidence_tasks": self.evidence_tasks,
            "flags": list(self.flags),
            "tier": self.tier,
            "unverified": list(self.unverified),
            "speed": self.speed,
            "cost": self.cost,
            "penalty": self.penalty,
            "monthly_cost_usd": self.monthly_cost_usd,
            "later_monthly_cost_usd": self.later_monthly_cost_usd,
            "memory_gb": self.memory_gb,
            "chunks_per_doc": self.chunks_per_doc,
            "vectors": self.vectors,
            "index_gb": self.index_gb,
            "open_weights": self.spec.open_weights,
            "max_tokens": self.spec.max_tokens,
            "dims": self.spec.dims,
        }


@dataclass(frozen=True)
class Excluded:
    spec: ModelSpec
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.spec.id, "name": self.spec.name, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Recommendation:
    requirements: Requirements
    catalog_version: str
    candidates: list[Ranked]
    excluded: list[Excluded]
    benchmarks: tuple[Benchmark, ...] = ()
    assumptions: tuple[str, ...] = field(default=())

    def top(self, n: int) -> list[Ranked]:
        return self.candidates[:n]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        chosen = self.candidates if top is None else self.candidates[:top]
        return {
            "requirements": self.requirements.to_dict(),
            "catalog_version": self.catalog_version,
            "benchmarks": [b.value for b in self.benchmarks],
            "assumptions": list(self.assumptions),
            "candidates": [c.to_dict() for c in chosen],
            "excluded": [e.to_dict() for e in self.excluded],
        }


def _speed(spec: ModelSpec, req: Requirements, verdict: Verdict) -> tuple[float, str]:
    if spec.is_api:
        return API_SPEED, "API: throughput bound by network and rate limits"
    if spec.unbounded_context:
        return 1.0, "static embeddings: table lookups, very fast on CPU"
    est = memory_estimate(spec)
    if est is None:
        return UNKNOWN, "size unknown: speed not estimated (counted as middling)"
    span = math.log10(1e10 / 2e7)
    speed = max(0.0, min(1.0, 1.0 - max(0.0, math.log10(max(est.params, 2e7) / 2e7)) / span))
    on_gpu = verdict.numbers.get("device") == "gpu" or (
        req.gpu is not None and "device" not in verdict.numbers
    )
    if on_gpu:
        speed = 0.5 + 0.5 * speed
    return speed, f"{est.params / 1e6:,.0f}M parameters on {'GPU' if on_gpu else 'CPU'}"


def _cost(spec: ModelSpec, req: Requirements, verdict: Verdict) -> tuple[float, str]:
    if spec.is_api:
        avg, first, later = (
            average_monthly_cost(spec, req),
            monthly_cost(spec, req),
            later_monthly_cost(spec, req),
        )
        if avg is None or first is None or later is None:
            return UNKNOWN, "API price not recorded: cost unknown (counted as middling)"
        cap = f" of your ${req.monthly_cap_usd:,.2f} cap" if req.monthly_cap_usd else ""
        return cost_score(avg, req), (
            f"~${first:,.2f} in the first month (corpus once + queries), then ~${later:,.2f}/month "
            f"(updates + queries){cap} at ${spec.price_usd_per_1m:g}/1M tokens"
        )
    need = verdict.numbers.get("memory_gb")
    if need is None:
        est = memory_estimate(spec, sequence_length(spec, req))
        need = est.cpu_need_gb if est else None
    if need is None:
        return UNKNOWN, "open weights: no per-token fee; hardware need unknown"
    return 1.0 - 0.5 * min(1.0, need / 32.0), (
        f"open weights: no per-token fee; self-hosting needs ~{need:,.1f} GB (bigger machines cost more)"
    )


def _quality(
    spec: ModelSpec,
    pe: ProfileEvidence,
    pool_theta: dict[str, float],
    leader: str | None,
    strongest: Sequence[str],
) -> Quality:
    ev = pe.models[spec.id]
    others = np.array([t for m, t in pool_theta.items() if m != spec.id])
    q = win_rate(ev.theta, others, ev.se)
    lo, hi = win_rate(ev.theta - Z90 * ev.se, others), win_rate(ev.theta + Z90 * ev.se, others)
    lines = explain_quality(spec.id, ev, pe, leader, strongest)
    return Quality(q, lo, hi, ev.theta, ev.se, ev.n_tasks, tuple(lines), ev.implausible)


def _rank_one(
    spec: ModelSpec, req: Requirements, verdict: Verdict, quality: Quality, top_q: Sequence[float], words: str
) -> Ranked:
    wq, ws, wc = req.weights
    s, s_reason = _speed(spec, req, verdict)
    c, c_reason = _cost(spec, req, verdict)
    penalty = sum(p for p, _ in verdict.penalties)
    score = max(0.0, 100.0 * (wq * quality.estimate + ws * s + wc * c - penalty))
    flag = quality_flag(quality, top_q, words)
    flags = tuple(x for x in (flag,) if x)
    bench = primary_benchmark(req)
    bench_text, bench_value = benchmark_line(spec, req, bench, quality.implausible)
    headline = (
        f"quality: wins ~{quality.estimate:.0%} of head-to-head tasks against the other eligible models "
        f"(90% interval {quality.low:.0%}-{quality.high:.0%})"
        if len(top_q) > 1
        else "quality: the only eligible model, nothing to compare it with (counted as 50%)"
    )
    reasons = [
        headline,
        *quality.lines,
        *([bench_text] if bench_text else []),
        *flags,
        *[f"lower tier: {u}" for u in verdict.unverified],
        *[f"{why} ({'+' if p < 0 else '-'}{abs(p) * 100:.0f} pts)" for p, why in verdict.penalties],
        *verdict.notes,
        f"speed: {s_reason}",
        f"cost: {c_reason}",
        f"score {score:.1f} = {wq:.0%} x quality {quality.estimate:.2f} + {ws:.0%} x speed {s:.2f} + "
        f"{wc:.0%} x cost {c:.2f}" + (f" - penalties {penalty * 100:+.0f}" if penalty else ""),
    ]
    sized = size(spec, req)
    first, later = monthly_cost(spec, req), later_monthly_cost(spec, req)
    return Ranked(
        spec=spec,
        score=round(score, 1),
        reasons=tuple(reasons),
        benchmark=bench,
        benchmark_value=bench_value,
        quality=round(quality.estimate, 3),
        speed=round(s, 3),
        cost=round(c, 3),
        monthly_cost_usd=None if first is None else round(first, 2),
        memory_gb=verdict.numbers.get("memory_gb"),
        quality_low=round(quality.low, 3),
        quality_high=round(quality.high, 3),
        evidence=quality.lines,
        evidence_tasks=quality.n_tasks,
        flags=flags,
        tier=verdict.tier,
        unverified=tuple(verdict.unverified),
        penalty=round(penalty, 3),
        later_monthly_cost_usd=None if later is None else round(later, 2),
        chunks_per_doc=sized.chunks_per_doc,
        vectors=sized.n_vectors,
        index_gb=None if sized.index_bytes is None else round(sized.index_bytes / 1e9, 3),
    )


def _facts(spec: ModelSpec) -> ModelFacts:
    est = memory_estimate(spec)
    return ModelFacts(est.params if est else None, spec.is_api, spec.languages)


def _verdicts(req: Requirements, models: Sequence[ModelSpec], table: TaskScores) -> dict[str, Verdict]:
    langs = {lang: language_evidence(table, lang) for lang in dict.fromkeys(req.languages)}
    return {m.id: evaluate(m, req, {lang: ev.get(m.id) for lang, ev in langs.items()}) for m in models}


def recommend(
    req: Requirements,
    models: Iterable[ModelSpec] | None = None,
    *,
    catalog_version: str | None = None,
    evidence: TaskScores | None = None,
) -> Recommendation:
    """Rank every model that passes the hard constraints; list the rest with the constraints they failed.

    `evidence` is the per-task score table (default: the shipped catalog/data/task_scores.json)."""
    if models is None:
        from catalog.load import load_catalog

        pool_all: tuple[ModelSpec, ...] = load_catalog()
        version = catalog_version or _shipped_version()
    else:
        pool_all, version = tuple(models), catalog_version or "custom"
    table = evidence if evidence is not None else load_task_scores()
    verdicts = _verdicts(req, pool_all, table)
    excluded = [Excluded(m, tuple(verdicts[m.id].failures)) for m in pool_all if verdicts[m.id].failures]
    eligible = [m for m in pool_all if not verdicts[m.id].failures]
    # The fit pool is every model that can handle the languages, whatever the hardware or budget, so the
    # estimates stay put while the user changes those answers.
    fit_pool = {m.id: _facts(m) for m in pool_all if not verdicts[m.id].language_failed}
    pe = profile_evidence(table, req.languages, req.domain, req.task, fit_pool)
    pool_theta = {m.id: pe.models[m.id].theta for m in eligible}
    leader = max(
        (m for m in eligible if pe.models[m.id].measured), key=lambda m: pe.models[m.id].theta, default=None
    )
    strongest = sorted(pool_theta, key=lambda m: -pool_theta[m])
    lead = leader.id if leader else None
    qualities = {m.id: _quality(m, pe, pool_theta, lead, strongest) for m in eligible}
    top_q = sorted((q.estimate for q in qualities.values()), reverse=True)[:5]
    words = " and ".join(g.label for g in pe.groups) or _profile_words(req)
    ranked = [_rank_one(m, req, verdicts[m.id], qualities[m.id], top_q, words) for m in eligible]
    ranked.sort(key=lambda r: (r.tier, -r.score, -r.quality, r.spec.id))
    assumptions = (*method_lines(pe, table, req), cost_assumption(req), *_memory_lines(), _formula(req))
    return Recommendation(req, version, ranked, excluded, benchmarks_for(req), assumptions)


@lru_cache(maxsize=1)
def _shipped_version() -> str:
    """The packaged catalog cannot change while the process runs; its version needs a full TOML parse."""
    from catalog.load import catalog_version

    return catalog_version()


def _profile_words(req: Requirements) -> str:
    return f"{', '.join(language_name(x) for x in req.languages)} {req.task}"


def _memory_lines() -> tuple[str, ...]:
    from catalog.estimates import ACTIVATION_FACTOR, ACTIVATION_TOKENS, WEIGHTS_OVERHEAD

    return (
        "memory: weights = parameters x 4 bytes (fp32, CPU) or x 2 (fp16, GPU), "
        f"x{WEIGHTS_OVERHEAD} overhead, "
        f"+ activations at your document length (or the window, when chunked): tokens in flight (batches of "
        f"up to {ACTIVATION_TOKENS:,}) x hidden size x {ACTIVATION_FACTOR} values",
    )


def _formula(req: Requirements) -> str:
    return (
        "score = {:.0%} quality + {:.0%} speed + {:.0%} cost, minus stated penalties; lower-tier models "
        "(an unverified hard constraint) rank below every model known to pass".format(*req.weights)
    )
