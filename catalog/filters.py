"""Hard constraints: each check says pass, fail (excluded, with the number that failed) or unverified.

Unverified means a hard constraint cannot be checked from the catalog (window unknown under --no-chunk,
language neither declared nor measured, memory unknown): such a model is not dropped silently but placed in
a lower tier, below every model known to pass. Soft facts (chunk count, cost, fit) are notes; the only
penalties left are stated domain-fit judgements. `Filters`/`apply` serve `catalog list`. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.estimates import (
    MemoryEstimate,
    chunk_note,
    cost_assumption,
    fmt_gb,
    memory_estimate,
    monthly_cost,
    sequence_length,
)
from catalog.evidence import IMPLAUSIBLE_SHARE, SUPPORT_FLOOR, LanguageEvidence
from catalog.languages import LANGUAGE_NAMES, language_name
from catalog.models import ModelSpec
from catalog.requirements import Requirements

__all__ = [
    "LANGUAGE_NAMES",
    "Filters",
    "MemoryEstimate",
    "Verdict",
    "apply",
    "cost_assumption",
    "evaluate",
    "image_text_only",
    "language_name",
    "memory_estimate",
    "monthly_cost",
]

CPU_FALLBACK_MAX_PARAMS = 1.5e9
"""Above this a model that misses the GPU is too slow on CPU to count as a fallback."""
MULTIPLE = "mul"
"""ISO 639-2 'multiple languages': many or unknown languages, so only multilingual models pass."""
CAPTION_WINDOW = 128
"""An image-text model whose text window is at most this is a caption encoder (CLIP-style: BGE-VL's 77
tokens, SigLIP's 64): an image-search model, offered only when the user asks for image-text models. Text
models that also take images (Cohere embed v3 at 512 tokens, jina-embeddings-v4, Cohere v4) stay text
candidates."""


def _have(value: float) -> str:
    """The user's own figure, as given (8 -> '8', 23.5 -> '23.5')."""
    return f"{round(value, 1):g}"


@dataclass(frozen=True)
class Verdict:
    """Outcome of the hard checks for one model."""

    failures: list[str] = field(default_factory=list)
    penalties: list[tuple[float, str]] = field(default_factory=list)
    """(points off a 0-1 score, reason): stated domain-fit judgements only."""
    notes: list[str] = field(default_factory=list)
    """Neutral facts worth showing (fits in memory, chunking, cost, ...)."""
    unverified: list[str] = field(default_factory=list)
    """Hard constraints the catalog cannot check: the model goes to a lower tier."""
    unknown_window: list[str] = field(default_factory=list)
    """The window is unknown and the user won't chunk: whether a document fits at all is the most basic
    unknown, so such a model goes to the lowest tier, below other unverified ones."""

    @property
    def tier(self) -> int:
        """0: every hard constraint known to pass; 1: one cannot be checked; 2: the window cannot."""
        return 2 if self.unknown_window else 1 if self.unverified else 0
    language_failed: list[str] = field(default_factory=list)
    """Languages with evidence or a declaration against support (the model leaves the fit pool)."""
    numbers: dict[str, Any] = field(default_factory=dict)
    """Figures the ranking reuses: 'device' ('cpu'/'gpu'), 'memory_gb'."""


def image_text_only(spec: ModelSpec) -> bool:
    """An image-text model built for image search: multimodal with a caption-sized text window."""
    return spec.multimodal and spec.max_tokens is not None and spec.max_tokens <= CAPTION_WINDOW


def check_language(spec: ModelSpec, lang: str, out: Verdict, evidence: LanguageEvidence | None) -> None:
    """Declared (catalog languages) or measured above the floor passes; measured below it fails."""
    if lang == MULTIPLE:
        if not spec.multilingual:
            langs = ", ".join(spec.languages[:5]) or "not recorded"
            out.failures.append(f"not a multilingual model (languages: {langs})")
            out.language_failed.append(lang)
        return
    name = language_name(lang)
    scores = (
        f"its {name} retrieval scores are {evidence.relative:.0%} of typical on {evidence.n_tasks} "
        f"task(s), e.g. {evidence.example}"
        if evidence is not None
        else ""
    )
    if lang in spec.languages:
        # below IMPLAUSIBLE_SHARE the scores are broken files, excluded and named by the evidence model
        if evidence is not None and IMPLAUSIBLE_SHARE <= evidence.relative < SUPPORT_FLOOR:
            out.notes.append(f"declares {name}, but {scores}")
        return
    if evidence is not None and evidence.supports:
        out.notes.append(f"{name}: not in its language list, but {scores}")
    elif evidence is not None:
        out.failures.append(f"evidence against {name} support: {scores}")
        out.language_failed.append(lang)
    elif spec.languages and not spec.multilingual:
        out.failures.append(f"no {name} support (languages: {', '.join(spec.languages[:5])})")
        out.language_failed.append(lang)
    elif spec.multilingual:
        listed = f"not among its {len(spec.languages)} listed languages" if spec.languages else "not listed"
        out.unverified.append(f"{name} support unconfirmed: multilingual, {name} {listed}, no {name} scores")
    else:
        out.unverified.append(f"{name} support unknown: languages not recorded and no {name} scores")


def check_context(spec: ModelSpec, req: Requirements, out: Verdict) -> None:
    """Chunking costs vectors and index size, shown; only --no-chunk turns a short window into a failure."""
    doc = req.doc_tokens
    if spec.unbounded_context:
        out.notes.append("no context window (static embeddings): whole documents in one pass")
    elif spec.max_tokens is None:
        if req.will_chunk:
            out.notes.append("context window unknown: chunk count not estimated")
        else:
            out.unverified.append("window unknown: check the model card (you won't chunk)")
            out.unknown_window.append(spec.id)
    elif spec.max_tokens >= doc:
        out.notes.append(f"max {spec.max_tokens:,} tokens fits your {doc:,}-token documents in one pass")
    elif not req.will_chunk:
        out.failures.append(
            f"max {spec.max_tokens:,} tokens < your {doc:,}-token documents (you won't chunk)"
        )
    else:
        out.notes.append(chunk_note(spec, req))


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
            out.notes.append("API price not recorded in the catalog: check the vendor's page (cost unknown)")
        return
    if req.max_usd_per_1m is not None and price > req.max_usd_per_1m:
        out.failures.append(f"API price ${price:g}/1M tokens > your max ${req.max_usd_per_1m:g}/1M")
    if req.monthly_cap_usd is not None and month > req.monthly_cap_usd:
        out.failures.append(f"API cost ~${month:,.2f} in the first month > cap ${req.monthly_cap_usd:,.2f}")


def check_hardware(spec: ModelSpec, req: Requirements, out: Verdict) -> None:
    if spec.is_api:
        return
    est = memory_estimate(spec, sequence_length(spec, req))
    if est is None:
        if req.ram_gb is not None or req.vram_gb is not None:
            out.unverified.append("memory need unknown (no parameter count in the catalog): check it fits")
        return
    vram = req.vram_gb if req.vram_gb is not None or req.gpu != "mps" else req.ram_gb
    fits_ram = req.ram_gb is not None and est.cpu_need_gb <= req.ram_gb
    at = f" at {est.seq_len:,} tokens" if est.seq_len else ""
    if req.gpu is not None and vram is not None:
        if est.gpu_need_gb <= vram:
            out.notes.append(f"fits your {_have(vram)} GB GPU (~{fmt_gb(est.gpu_need_gb)} GB in fp16{at})")
            out.numbers.update(device="gpu", memory_gb=round(est.gpu_need_gb, 2))
            return
        gpu_msg = f"needs ~{fmt_gb(est.gpu_need_gb)} GB VRAM{at}, you have {_have(vram)}"
        if fits_ram and est.params <= CPU_FALLBACK_MAX_PARAMS:
            out.notes.append(f"{gpu_msg}: would run on CPU instead (slower; speed scored on CPU)")
            out.numbers.update(device="cpu", memory_gb=round(est.cpu_need_gb, 2))
        elif req.ram_gb is not None and not fits_ram:
            out.failures.append(
                f"{gpu_msg} (and ~{fmt_gb(est.cpu_need_gb)} GB RAM on CPU, you have {_have(req.ram_gb)})"
            )
        else:
            out.failures.append(gpu_msg)
        return
    out.numbers.update(device="cpu", memory_gb=round(est.cpu_need_gb, 2))
    if req.ram_gb is None:
        out.notes.append(
            f"memory ~{fmt_gb(est.cpu_need_gb)} GB RAM fp32 / ~{fmt_gb(est.gpu_need_gb)} GB VRAM fp16{at} "
            "(hardware not given, not checked)"
        )
    elif fits_ram:
        out.notes.append(
            f"fits your {_have(req.ram_gb)} GB RAM on CPU (~{fmt_gb(est.cpu_need_gb)} GB in fp32{at})"
        )
    else:
        out.failures.append(
            f"needs ~{fmt_gb(est.cpu_need_gb)} GB RAM on CPU (fp32 weights {fmt_gb(est.fp32_gb)} GB + "
            f"activations{at}), you have {_have(req.ram_gb)}"
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
    if image_text_only(spec) and not req.image_text:
        window = f"{spec.max_tokens}-token" if spec.max_tokens else "unknown"
        out.failures.append(
            f"image-text model ({'+'.join(spec.modalities)}, {window} text window): for image search; "
            "ask for image-text models to include it"
        )
    elif spec.multimodal:
        out.notes.append(f"also embeds {', '.join(m for m in spec.modalities if m != 'text')}")


def evaluate(
    spec: ModelSpec, req: Requirements, languages: Mapping[str, LanguageEvidence | None] | None = None
) -> Verdict:
    """Run every check; a model with any failure is excluded. `languages`: per profile language, this
    model's measured evidence (None or absent: no scores in that language)."""
    out = Verdict()
    check_access(spec, req, out)
    check_licence(spec, req, out)
    for lang in dict.fromkeys(req.languages):
        check_language(spec, lang, out, (languages or {}).get(lang))
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
