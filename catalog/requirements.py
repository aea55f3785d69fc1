"""The user's profile for a recommendation: languages, documents, budget, hardware, licence, priorities.

A frozen, JSON-friendly value built by the CLI flags and the TUI questionnaire alike, stored verbatim with
every saved decision (`to_dict`/`from_dict` round-trip), and consumed by `catalog.ranking.recommend`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

DOMAINS = ("general", "legal", "medical", "code", "finance", "scientific", "ecommerce", "support")
TASKS = ("retrieval", "reranking", "clustering", "classification")
"""The task nature: which MTEB task type's scores count (search/QA = retrieval)."""
DEFAULT_UPDATE_SHARE = 0.1
"""Without a stated update volume, a tenth of the corpus is assumed re-embedded each month."""
GPU_KINDS = ("cuda", "mps")


@dataclass(frozen=True)
class Requirements:
    """What the user needs. None means 'not constrained' (or unknown, for hardware)."""

    languages: tuple[str, ...] = ("en",)
    """ISO 639-1 codes of the documents and queries, e.g. ('zh',) or ('en', 'de')."""
    domain: str = "general"
    task: str = "retrieval"
    """What the embeddings are for: retrieval (search/QA), reranking, clustering or classification."""
    doc_tokens: int = 512
    """Typical document length in tokens."""
    will_chunk: bool = True
    """True: long documents get split, so a short context window is a penalty, not an exclusion."""
    corpus_docs: int = 10_000
    queries_per_month: int = 100_000
    """Assumed query volume for the monthly API cost estimate."""
    query_tokens: int = 30
    """Assumed tokens per query."""
    docs_updated_per_month: int | None = None
    """New or changed documents re-embedded each month; None = DEFAULT_UPDATE_SHARE of the corpus."""
    open_only: bool = False
    """Budget: open-weights models only (no per-token spend)."""
    max_usd_per_1m: float | None = None
    monthly_cap_usd: float | None = None
    ram_gb: float | None = None
    gpu: str | None = None
    """'cuda', 'mps' or None (CPU only)."""
    vram_gb: float | None = None
    api_allowed: bool = True
    commercial_use: bool = False
    """The licence must allow commercial use."""
    image_text: bool = False
    """The corpus has images too: image-text models (CLIP-style, caption-length text windows) are
    candidates only then."""
    open_weights_required: bool = False
    quality_weight: float = 0.7
    """Retrieval quality dominates by default: a RAG system is only as good as what it retrieves."""
    speed_weight: float = 0.15
    cost_weight: float = 0.15

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        """Human-readable reasons this profile is invalid (empty when valid)."""
        out: list[str] = []
        if not self.languages or any(not isinstance(x, str) or not x.isalpha() for x in self.languages):
            out.append(f"languages must be ISO codes like 'en', got {list(self.languages)!r}")
        if self.domain not in DOMAINS:
            out.append(f"domain must be one of {', '.join(DOMAINS)}, got {self.domain!r}")
        if self.task not in TASKS:
            out.append(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if self.docs_updated_per_month is not None and self.docs_updated_per_month < 0:
            out.append(f"docs_updated_per_month must be >= 0, got {self.docs_updated_per_month}")
        for name in ("doc_tokens", "corpus_docs", "query_tokens"):
            if getattr(self, name) <= 0:
                out.append(f"{name} must be positive, got {getattr(self, name)}")
        if self.queries_per_month < 0:
            out.append(f"queries_per_month must be >= 0, got {self.queries_per_month}")
        for name in ("max_usd_per_1m", "monthly_cap_usd", "ram_gb", "vram_gb"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):  # nan compares False
                out.append(f"{name} must be a finite number >= 0, got {value}")
        if self.gpu is not None and self.gpu not in GPU_KINDS:
            out.append(f"gpu must be one of {', '.join(GPU_KINDS)} or none, got {self.gpu!r}")
        weights = (self.quality_weight, self.speed_weight, self.cost_weight)
        if not all(math.isfinite(w) and w >= 0 for w in weights) or sum(weights) <= 0:
            out.append(f"priority weights must be finite numbers >= 0, not all zero, got {weights}")
        return out

    @property
    def weights(self) -> tuple[float, float, float]:
        """(quality, speed, cost), normalised to sum to 1."""
        total = self.quality_weight + self.speed_weight + self.cost_weight
        return (self.quality_weight / total, self.speed_weight / total, self.cost_weight / total)

    @property
    def updates_per_month(self) -> int:
        """Documents re-embedded per month (stated, or the assumed share of the corpus)."""
        if self.docs_updated_per_month is not None:
            return self.docs_updated_per_month
        return math.ceil(self.corpus_docs * DEFAULT_UPDATE_SHARE)

    @property
    def needs_open_weights(self) -> bool:
        return self.open_only or self.open_weights_required or not self.api_allowed

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["languages"] = list(self.languages)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Requirements:
        """Inverse of to_dict; unknown keys are rejected so typos never pass silently. Keys added later
        (task, image_text, docs_updated_per_month) take their defaults, so older journals still load."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown requirement field(s): {', '.join(sorted(unknown))}")
        values = dict(data)
        if "languages" in values:
            langs = values["languages"]
            values["languages"] = (langs,) if isinstance(langs, str) else tuple(langs)
        return cls(**values)
