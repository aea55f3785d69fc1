"""Hard constraints and their numbers: memory and cost estimates, language/context/licence/budget checks.

Each check returns failures (hard: the model is excluded, with the number that failed) and penalties (soft:
stated, subtracted from the score). `ranking` turns these into a ranked shortlist; `Filters`/`apply` serve
`catalog list`. Pure functions over frozen values: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from catalog.models import Benchmark, ModelSpec
from catalog.requirements import Requirements

WORKING_MEMORY = 1.2
"""Weights x 1.2: activations, tokenizer and framework overhead on top of the raw weights."""
CPU_FALLBACK_MAX_PARAMS = 1.5e9
"""Above this a model that misses the GPU is too slow on CPU to count as a fallback."""
LANGUAGE_NAMES = {
    "en": "English",
    "zh": "Chinese",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "ar": "Arabic",
    "pt": "Portuguese",
    "it": "Italian",
    "hi": "Hindi",
    "nl": "Dutch",
    "pl": "Polish",
    "tr": "Turkish",
    "vi": "Vietnamese",
    "id": "Indonesian",
    "sv": "Swedish",
    "mul": "multiple languages",
}
MULTIPLE = "mul"
"""ISO 639-2 'multiple languages': many or unknown languages, so only multilingual models pass."""
LANGUAGE_EVIDENCE = {"zh": Benchmark.CMTEB_V1, "en": Benchmark.MTEB_ENG_V2}
"""A retrieval score on these benchmarks shows the model handles the language even if metadata omits it."""


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _gb(value: float) -> str:
    """Estimates: 1 decimal below 10 GB, whole GB above."""
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _have(value: float) -> str:
    """The user's own figure, as given (8 -> '8', 23.5 -> '23.5')."""
    return f"{round(value, 1):g}"


@dataclass(frozen=True)
class Verdict:
    """Outcome of the hard checks for one model."""

    failures: list[str] = field(default_factory=list)
    penalties: list[tuple[float, str]] = field(default_factory=list)
    """(points off a 0-1 score, reason)."""
    notes: list[str] = field(default_factory=list)
    """Neutral facts worth showing (fits in memory, cost estimate, ...)."""


@dataclass(frozen=True)
class MemoryEstimate:
    params: float
    fp32_gb: float
    fp16_gb: float
    from_memory_mb: bool = False

    @property
    def cpu_need_gb(self) -> float:
        return self.fp32_gb * WORKING_MEMORY

    @property
    def gpu_need_gb(self) -> float:
        return self.fp16_gb * WORKING_MEMORY

    def explain(self) -> str:
        basis = "from mteb's fp32 memory figure" if self.from_memory_mb else "from the parameter count"
        return (
            f"{self.params / 1e6:,.0f}M parameters ({basis}): weights {_gb(self.fp32_gb)} GB fp32 / "
            f"{_gb(self.fp16_gb)} GB fp16, x{WORKING_MEMORY} for activations -> "
            f"needs ~{_gb(self.cpu_need_gb)} GB "
            f"RAM on CPU (fp32) or ~{_gb(self.gpu_need_gb)} GB VRAM on GPU (fp16)"
        )


def memory_estimate(spec: ModelSpec) -> MemoryEstimate | None:
    """fp32 = 4 bytes/parameter, fp16 = 2; None for API models or when neither params nor memory are known."""
    if spec.is_api:
        return None
    if spec.n_parameters:
        params, derived = float(spec.n_parameters), False
    elif spec.memory_mb:
        params, derived = spec.memory_mb * 1e6 / 4, True
    else:
        return None
    return MemoryEstimate(params, params * 4 / 1e9, params * 2 / 1e9, derived)


def monthly_tokens(req: Requirements) -> int:
    """Corpus embedded once in the month plus the assumed query volume."""
    return req.corpus_docs * req.doc_tokens + req.queries_per_month * req.query_tokens


def monthly_cost(spec: ModelSpec, req: Requirements) -> float | None:
    if spec.price_usd_per_1m is None:
        return None
    return monthly_tokens(req) / 1e6 * spec.price_usd_per_1m


def cost_assumption(req: Requirements) -> str:
    return (
        f"monthly API cost assumes the corpus ({req.corpus_docs:,} docs x {req.doc_tokens:,} tokens) "
        "is embedded "
        f"once in the month, plus {req.queries_per_month:,} queries x {req.query_tokens} tokens"
    )


def check_language(spec: ModelSpec, lang: str, out: Verdict) -> None:
    if lang == MULTIPLE:
        if not spec.multilingual:
            langs = ", ".join(spec.languages[:5]) or "not recorded"
            out.failures.append(f"not a multilingual model (languages: {langs})")
        return
    name = language_name(lang)
    evidence = LANGUAGE_EVIDENCE.get(lang)
    if lang in spec.languages:
        return
    if evidence is not None and spec.score(evidence) is not None:
        out.notes.append(f"{name}: not in its language list, but it has {evidence.label} results")
    elif spec.multilingual and spec.languages:
        count = len(spec.languages)
        out.penalties.append(
            (0.10, f"{name} not among its {count} listed languages (multilingual, unverified)")
        )
    elif spec.multilingual:
        out.penalties.append((0.05, f"multilingual, but {name} support is not confirmed in the catalog"))
    elif spec.languages:
        out.failures.append(f"no {name} support (languages: {', '.join(spec.languages[:5])})")
    else:
        out.penalties.append((0.10, f"{name} support unknown (languages not recorded)"))


def check_context(spec: ModelSpec, req: Requirements, out: Verdict) -> None:
    doc = req.doc_tokens
    if spec.unbounded_context:
        out.notes.append("no context window (static embeddings): whole documents in one pass")
    elif spec.max_tokens is None:
        out.penalties.append((0.05, "context window unknown"))
    elif spec.max_tokens >= doc:
        out.notes.append(f"max {spec.max_tokens:,} tokens fits your {doc:,}-token documents")
    elif not req.will_chunk:
        out.failures.append(
            f"max {spec.max_tokens:,} tokens < your {doc:,}-token documents (you won't chunk)"
        )
    else:
        chunks = math.ceil(doc / spec.max_tokens)
        cost = min(0.10, 0.02 * (chunks - 1))
        out.penalties.append(
            (
                cost,
                f"max {spec.max_tokens:,} tokens < your {doc:,}-token documents: "
                f"~{chunks} chunks per document",
            )
        )


def check_access(spec: ModelSpec, req: Requirements, out: Verdict) -> None:
    if not spec.is_api:
        return
    if req.open_only:
        out.failures.append("API-only model; your budget is open-weights only")
    if req.open_weights_required:
        out.failures.append("closed weights; you require open weights")
    if not req.api_allowed:
        out.failures.append("API model; API use is not allowed")


def check_cost(spec: ModelSpec, req: Requirements, out: Verdict) -> None:
    if not spec.is_api:
        return
    price, month = spec.price_usd_per_1m, monthly_cost(spec, req)
    if price is None or month is None:
        if req.max_usd_per_1m is not None or req.monthly_cap_usd is not None:
            out.failures.append("API price not in the catalog: cannot check it against your budget")
        else:
            out.penalties.append((0.05, "API price not recorded in the catalog: check the vendor's page"))
        return
    if req.max_usd_per_1m is not None and price > req.max_usd_per_1m:
        out.failures.append(f"API price ${price:g}/1M tokens > your max ${req.max_usd_per_1m:g}/1M")
    if req.monthly_cap_usd is not None and month > req.monthly_cap_usd:
        out.failures.append(f"API cost ~${month:,.2f}/month > cap ${req.monthly_cap_usd:,.2f}")
    out.notes.append(f"~${month:,.2f}/month at ${price:g}/1M tokens")


def check_hardware(spec: ModelSpec, req: Requirements, out: Verdict) -> None:
    if spec.is_api:
        return
    est = memory_estimate(spec)
    if est is None:
        out.penalties.append((0.05, "memory need unknown (no parameter count in the catalog)"))
        return
    vram = req.vram_gb if req.vram_gb is not None or req.gpu != "mps" else req.ram_gb
    fits_ram = req.ram_gb is not None and est.cpu_need_gb <= req.ram_gb
    if req.gpu is not None and vram is not None:
        if est.gpu_need_gb <= vram:
            out.notes.append(f"fits your {_have(vram)} GB GPU (~{_gb(est.gpu_need_gb)} GB in fp16)")
            return
        gpu_msg = f"needs ~{_gb(est.gpu_need_gb)} GB VRAM, you have {_have(vram)}"
        if fits_ram and est.params <= CPU_FALLBACK_MAX_PARAMS:
            out.penalties.append((0.10, f"{gpu_msg}: would run on CPU instead (slower)"))
        elif req.ram_gb is not None and not fits_ram:
            out.failures.append(
                f"{gpu_msg} (and ~{_gb(est.cpu_need_gb)} GB RAM on CPU, you have {_have(req.ram_gb)})"
            )
        else:
            out.failures.append(gpu_msg)
        return
    if req.ram_gb is None:
        out.notes.append(
            f"memory ~{_gb(est.cpu_need_gb)} GB RAM fp32 / ~{_gb(est.gpu_need_gb)} GB VRAM fp16 "
            "(hardware not given, not checked)"
        )
    elif fits_ram:
        out.notes.append(f"fits your {_have(req.ram_gb)} GB RAM on CPU (~{_gb(est.cpu_need_gb)} GB in fp32)")
    else:
        out.failures.append(
            f"needs ~{_gb(est.cpu_need_gb)} GB RAM on CPU (fp32 weights {_gb(est.fp32_gb)} GB "
            f"+ 20%), you have {_have(req.ram_gb)}"
        )


def check_licence(spec: ModelSpec, req: Requirements, out: Verdict) -> None:
    if not spec.sentence_embedder:
        out.failures.append(
            "domain encoder, not a sentence embedder out of the box (needs pooling and fine-tuning)"
        )
    if req.commercial_use and spec.commercial_use is False:
        out.failures.append(f"licence {spec.license or 'unknown'} does not allow commercial use")
    elif req.commercial_use and spec.commercial_use is None:
        out.failures.append(f"commercial-use terms not recorded (licence: {spec.license or 'unknown'})")
    elif spec.commercial_use is False:
        out.notes.append(f"licence {spec.license}: non-commercial use only")


def check_fit(spec: ModelSpec, req: Requirements, out: Verdict) -> None:
    special = [d for d in spec.domains if d != "general"]
    if req.domain != "general" and req.domain in special:
        out.penalties.append((-0.05, f"specialised for {req.domain} (bonus)"))
    elif special:
        out.penalties.append((0.10, f"specialised for {', '.join(special)}, not {req.domain}"))
    if spec.multimodal:
        out.penalties.append(
            (0.05, f"multimodal ({'+'.join(spec.modalities)}): tuned for image-text retrieval")
        )


def evaluate(spec: ModelSpec, req: Requirements) -> Verdict:
    """Run every check; a model with any failure is excluded."""
    out = Verdict()
    check_access(spec, req, out)
    check_licence(spec, req, out)
    for lang in dict.fromkeys(req.languages):
        check_language(spec, lang, out)
    check_context(spec, req, out)
    check_hardware(spec, req, out)
    check_cost(spec, req, out)
    check_fit(spec, req, out)
    return out


@dataclass(frozen=True)
class Filters:
    """`catalog list` filters: all active ones must match."""

    text: str = ""
    open_only: bool = False
    api_only: bool = False
    language: str | None = None
    domain: str | None = None


def apply(filters: Filters, models: Iterable[ModelSpec]) -> list[ModelSpec]:
    """Models passing every active filter, in catalog order (ranking is separate)."""
    needle = filters.text.casefold()
    return [
        m
        for m in models
        if needle in m.search_text
        and not (filters.open_only and m.is_api)
        and not (filters.api_only and not m.is_api)
        and (filters.language is None or filters.language in m.languages)
        and (filters.domain is None or filters.domain in m.domains)
    ]
