"""Recommendation engine: Requirements + catalog -> ranked candidates with reasons, exclusions with causes.

Score (0-100) = weighted quality, speed and cost minus stated penalties. Quality is the retrieval mean of the
benchmark matching the user's languages/domain, min-max scaled over the eligible pool; a model without that
score gets quality 0 and says so (never another benchmark's number). Hard failures come from catalog.filters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.filters import (
    Verdict,
    cost_assumption,
    evaluate,
    language_name,
    memory_estimate,
    monthly_cost,
)
from catalog.models import Benchmark, ModelSpec
from catalog.requirements import Requirements

DOMAIN_BENCHMARKS = {"medical": Benchmark.MTEB_MEDICAL_V1, "legal": Benchmark.MTEB_LAW_V1}
DOMAIN_SHARE = 1 / 3
"""Share of quality taken by the domain benchmark (medical/legal); the language benchmark keeps the rest."""
API_SPEED = 0.7
REFERENCE_PRICE = 0.20
"""USD per 1M tokens at which an API model's cost score reaches 0."""


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
    """The benchmark(s) whose retrieval means make up quality, primary first; medical/legal add their own."""
    primary = primary_benchmark(req)
    extra = DOMAIN_BENCHMARKS.get(req.domain)
    return (primary,) if extra is None or extra == primary else (primary, extra)


def _benchmark_reason(req: Requirements, bench: Benchmark) -> str:
    if bench == Benchmark.MTEB_CODE_V1:
        return "code domain"
    if bench in DOMAIN_BENCHMARKS.values():
        return f"{req.domain} domain"
    names = ", ".join(language_name(x) for x in req.languages)
    return f"languages: {names}"


@dataclass(frozen=True)
class Ranked:
    spec: ModelSpec
    score: float
    """0-100, higher is better."""
    reasons: tuple[str, ...]
    benchmark: Benchmark | None
    """The primary benchmark used for quality."""
    benchmark_value: float | None
    """Its retrieval mean for this model; None = missing (penalised)."""
    quality: float = 0.0
    speed: float = 0.0
    cost: float = 0.0
    monthly_cost_usd: float | None = None
    memory_gb: float | None = None
    """Estimated need on the user's device kind (VRAM fp16 with a GPU, else RAM fp32)."""

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
            "speed": self.speed,
            "cost": self.cost,
            "monthly_cost_usd": self.monthly_cost_usd,
            "memory_gb": self.memory_gb,
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


def _scaled(values: dict[str, float]) -> dict[str, float]:
    """Min-max over the pool into 0.1-1.0, so any scored model beats an unscored one (0)."""
    if not values:
        return {}
    lo, hi = min(values.values()), max(values.values())
    return {k: 1.0 if hi == lo else 0.1 + 0.9 * (v - lo) / (hi - lo) for k, v in values.items()}


def _quality(pool: Sequence[ModelSpec], benches: tuple[Benchmark, ...]) -> dict[str, tuple[float, list[str]]]:
    raw = {
        b: {m.id: s.retrieval_mean for m in pool if (s := m.score(b)) and s.retrieval_mean is not None}
        for b in benches
    }
    scaled = {b: _scaled(v) for b, v in raw.items()}
    out: dict[str, tuple[float, list[str]]] = {}
    for m in pool:
        parts, reasons = [], []
        for b in benches:
            value = raw[b].get(m.id)
            if value is None:
                parts.append(0.0)
                reasons.append(f"no {b.label} retrieval score in the catalog: quality counted as 0 (penalty)")
            else:
                rank = 1 + sum(v > value for v in raw[b].values())
                parts.append(scaled[b][m.id])
                reasons.append(f"{b.label} retrieval mean {value:.2f} (#{rank} of {len(raw[b])} eligible)")
        shares = [1.0] if len(parts) == 1 else [1 - DOMAIN_SHARE, DOMAIN_SHARE]
        out[m.id] = (sum(p * w for p, w in zip(parts, shares, strict=True)), reasons)
    return out


def _speed(spec: ModelSpec, req: Requirements) -> tuple[float, str]:
    if spec.is_api:
        return API_SPEED, "API: throughput bound by network and rate limits"
    if spec.unbounded_context:
        return 1.0, "static embeddings: table lookups, very fast on CPU"
    est = memory_estimate(spec)
    if est is None:
        return 0.5, "size unknown: speed not estimated"
    span = math.log10(1e10 / 2e7)
    raw = 1.0 - max(0.0, math.log10(max(est.params, 2e7) / 2e7)) / span
    speed = max(0.0, min(1.0, raw))
    device = "GPU" if req.gpu else "CPU"
    if req.gpu:
        speed = 0.5 + 0.5 * speed
    return speed, f"{est.params / 1e6:,.0f}M parameters on {device}"


def _cost(spec: ModelSpec, req: Requirements) -> float:
    if spec.is_api:
        if spec.price_usd_per_1m is None:
            return 0.0
        return max(0.0, 1.0 - spec.price_usd_per_1m / REFERENCE_PRICE)
    est = memory_estimate(spec)
    need = est.gpu_need_gb if est and req.gpu else est.cpu_need_gb if est else 16.0
    return 1.0 - 0.5 * min(1.0, need / 32.0)


def _memory_need(spec: ModelSpec, req: Requirements) -> float | None:
    est = memory_estimate(spec)
    if est is None:
        return None
    return round(est.gpu_need_gb if req.gpu else est.cpu_need_gb, 2)


def _rank_one(
    spec: ModelSpec, req: Requirements, verdict: Verdict, quality: tuple[float, list[str]], bench: Benchmark
) -> Ranked:
    wq, ws, wc = req.weights
    q, q_reasons = quality
    s, s_reason = _speed(spec, req)
    c = _cost(spec, req)
    penalty = sum(p for p, _ in verdict.penalties)
    score = max(0.0, 100.0 * (wq * q + ws * s + wc * c - penalty))
    reasons = [*q_reasons]
    reasons += [f"{why} ({'+' if p < 0 else '-'}{abs(p) * 100:.0f} pts)" for p, why in verdict.penalties]
    reasons += verdict.notes
    reasons.append(s_reason)
    if not spec.is_api:
        reasons.append("open weights: no per-token fee")
    primary = spec.score(bench)
    return Ranked(
        spec=spec,
        score=round(score, 1),
        reasons=tuple(reasons),
        benchmark=bench,
        benchmark_value=primary.retrieval_mean if primary else None,
        quality=round(q, 3),
        speed=round(s, 3),
        cost=round(c, 3),
        monthly_cost_usd=None if (m := monthly_cost(spec, req)) is None else round(m, 2),
        memory_gb=_memory_need(spec, req),
    )


def recommend(
    req: Requirements, models: Iterable[ModelSpec] | None = None, *, catalog_version: str | None = None
) -> Recommendation:
    """Rank every model that passes the hard constraints; list the rest with the constraints they failed."""
    if models is None:
        from catalog.load import catalog_version as current_version
        from catalog.load import load_catalog

        pool_all: tuple[ModelSpec, ...] = load_catalog()
        version = catalog_version or current_version()
    else:
        pool_all, version = tuple(models), catalog_version or "custom"
    verdicts = {m.id: evaluate(m, req) for m in pool_all}
    excluded = [Excluded(m, tuple(verdicts[m.id].failures)) for m in pool_all if verdicts[m.id].failures]
    eligible = [m for m in pool_all if not verdicts[m.id].failures]
    benches = benchmarks_for(req)
    quality = _quality(eligible, benches)
    ranked = [_rank_one(m, req, verdicts[m.id], quality[m.id], benches[0]) for m in eligible]
    ranked.sort(key=lambda r: (-r.score, -(r.benchmark_value or -1.0), r.spec.id))
    assumptions = (
        "benchmark: " + "; ".join(f"{b.label} retrieval mean ({_benchmark_reason(req, b)})" for b in benches),
        cost_assumption(req),
        "memory: weights = parameters x 4 bytes (fp32, CPU) or x 2 bytes (fp16, GPU), x1.2 for activations",
        "score = {:.0%} quality + {:.0%} speed + {:.0%} cost, minus stated penalties".format(*req.weights),
    )
    return Recommendation(req, version, ranked, excluded, benches, assumptions)
