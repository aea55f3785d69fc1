"""The user's profile: one frozen value per answer, the same for the questionnaire and `recommend` flags.

`Profile.requirements()` is the one place answers become `catalog.requirements.Requirements`; hardware
detection fills only what the user left blank (`with_hardware`). Choices offered by the front ends live here
too, so both offer the same languages, domains, budgets and licences.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.workflow.errors import UserError

if TYPE_CHECKING:
    from catalog.requirements import Requirements
    from evaluators.hardware import Hardware

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("zh", "Chinese"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("pt", "Portuguese"),
    ("ru", "Russian"),
    ("ar", "Arabic"),
    ("hi", "Hindi"),
    ("it", "Italian"),
)
DOMAINS: tuple[tuple[str, str], ...] = (
    ("general", "General"),
    ("legal", "Legal"),
    ("medical", "Medical / biomedical"),
    ("finance", "Finance"),
    ("scientific", "Scientific"),
    ("code", "Code"),
    ("ecommerce", "E-commerce / social"),
    ("support", "Customer support"),
    ("other", "Other"),
)
"""catalog.requirements.DOMAINS plus 'other', which is ranked as general."""
BUDGETS: tuple[tuple[str, str], ...] = (
    ("open", "Open weights only (self-host)"),
    ("price", "Max price per 1M tokens"),
    ("monthly", "Monthly cap (USD)"),
    ("any", "No limit"),
)
LICENCES: tuple[tuple[str, str], ...] = (
    ("any", "Any licence"),
    ("commercial", "Must allow commercial use"),
    ("permissive", "Permissive only (Apache/MIT/BSD)"),
)
TASKS: tuple[tuple[str, str], ...] = (
    ("retrieval", "Search / question answering"),
    ("reranking", "Reranking candidates"),
    ("clustering", "Clustering / grouping by topic"),
    ("classification", "Classification / tagging"),
)
"""catalog.requirements.TASKS: picks the MTEB task type whose scores count."""
GPUS: tuple[tuple[str, str], ...] = (("none", "No GPU"), ("cuda", "CUDA GPU"), ("mps", "Apple MPS"))
PRIORITIES: dict[str, tuple[float, float, float]] = {
    "balanced": (0.7, 0.15, 0.15),
    "quality": (0.8, 0.1, 0.1),
    "speed": (0.4, 0.5, 0.1),
    "cost": (0.4, 0.1, 0.5),
}
"""(quality, speed, cost) weights by name; 'balanced' is the ranking's default."""
MULTI = "mul"
"""ISO 639-2 'multiple languages': keeps monolingual models out and ranks on the multilingual benchmark."""


@dataclass(frozen=True)
class Profile:
    """What the user told us. Budget fields hold exactly what applies: a price or cap set here is enforced."""

    languages: tuple[str, ...] = ("en",)
    multilingual: bool = False
    """Cross-lingual or many languages: rank on the multilingual benchmark."""
    domain: str = "general"
    task: str = "retrieval"
    """What the embeddings are for (TASKS)."""
    doc_tokens: int = 400
    """Typical document length in tokens."""
    will_chunk: bool = True
    """When False, a window shorter than doc_tokens excludes a model instead of costing points."""
    corpus_docs: int = 10_000
    queries_per_month: int = 100_000
    docs_updated_per_month: int | None = None
    """New or changed documents re-embedded each month (None: the ranking's assumed share)."""
    open_only: bool = True
    """Open weights only (self-hosted): no per-token spend."""
    max_price_per_1m: float | None = None
    monthly_cap_usd: float | None = None
    ram_gb: float | None = None
    gpu: str = "none"
    """'none' | 'cuda' | 'mps'."""
    vram_gb: float | None = None
    api_allowed: bool = True
    licence: str = "any"
    open_weights_required: bool = False
    image_text: bool = False
    """The corpus has images too: image-text (CLIP-style) models become candidates."""
    priority: tuple[float, float, float] = PRIORITIES["balanced"]

    def replace(self, **changes: Any) -> Profile:
        return dataclasses.replace(self, **changes)

    @property
    def budget(self) -> str:
        """The budget kind in BUDGETS: what the price fields say, not what a widget last showed."""
        if self.open_only:
            return "open"
        if self.max_price_per_1m is not None:
            return "price"
        return "monthly" if self.monthly_cap_usd is not None else "any"

    def with_budget(self, kind: str, price: float | None = None, monthly: float | None = None) -> Profile:
        """The budget the questionnaire's radio and fields describe: only the chosen kind's figure applies."""
        return self.replace(
            open_only=kind == "open",
            max_price_per_1m=price if kind == "price" else None,
            monthly_cap_usd=monthly if kind == "monthly" else None,
        )

    def with_hardware(self, hw: Hardware | None, kind: str = "auto") -> Profile:
        """Fill RAM, GPU and VRAM the user left blank from `hw` (a detection); given values always win.

        kind: 'auto' takes the detected GPU; 'cpu' means none; 'cuda'/'mps' insist on that GPU, and a CUDA
        GPU without a known memory size is a UserError (the ranking cannot check what fits).
        """
        ram = self.ram_gb if self.ram_gb is not None else (hw.ram_gb if hw else None)
        if kind == "cpu":
            return self.replace(ram_gb=ram, gpu="none", vram_gb=None)
        detected_gpu = hw.gpu if hw else None
        if kind == "auto":
            gpu = self.gpu if self.gpu != "none" else (detected_gpu or ("cuda" if self.vram_gb else "none"))
        else:
            gpu = kind
        vram = self.vram_gb
        if vram is None and gpu != "none" and hw is not None and detected_gpu == gpu:
            vram = hw.vram_gb
        if gpu == "cuda" and vram is None and kind == "cuda":
            raise UserError("no CUDA GPU found by nvidia-smi", "give its memory with --vram-gb", usage=True)
        return self.replace(ram_gb=ram, gpu=gpu, vram_gb=vram if gpu != "none" else None)

    def requirements_dict(self) -> dict[str, Any]:
        """The profile as `Requirements` fields (its `from_dict` input)."""
        languages = list(dict.fromkeys(self.languages or ("en",)))
        if self.multilingual and len(languages) < 2 and MULTI not in languages:
            languages.append(MULTI)
        q, s, c = self.priority
        return {
            "languages": languages,
            "domain": "general" if self.domain == "other" else self.domain,
            "task": self.task,
            "doc_tokens": self.doc_tokens,
            "will_chunk": self.will_chunk,
            "corpus_docs": self.corpus_docs,
            "queries_per_month": self.queries_per_month,
            "docs_updated_per_month": self.docs_updated_per_month,
            "open_only": self.open_only,
            "max_usd_per_1m": None if self.open_only else self.max_price_per_1m,
            "monthly_cap_usd": None if self.open_only else self.monthly_cap_usd,
            "ram_gb": self.ram_gb,
            "gpu": None if self.gpu == "none" else self.gpu,
            "vram_gb": None if self.gpu == "none" else self.vram_gb,
            "api_allowed": self.api_allowed,
            "commercial_use": self.licence in ("commercial", "permissive"),
            "open_weights_required": self.open_weights_required,
            "image_text": self.image_text,
            "quality_weight": q,
            "speed_weight": s,
            "cost_weight": c,
        }

    def requirements(self) -> Requirements:
        """The catalog's Requirements for this profile; UserError names each invalid answer."""
        from catalog.requirements import Requirements

        try:
            return Requirements.from_dict(self.requirements_dict())
        except ValueError as exc:
            raise UserError(f"the answers do not form a valid profile: {exc}", usage=True) from None
