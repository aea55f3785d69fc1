"""What the user has told the assistant so far, and what it computed from that: no Textual in here.

`Answers` mirrors the questionnaire one field per question; `Session` adds the recommendation, the ticked
models and the last trial. Kept apart from the screens so the whole flow can be checked without a terminal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

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
    ("other", "Other"),
)
TASKS: tuple[tuple[str, str], ...] = (
    ("retrieval", "Search / question answering"),
    ("reranking", "Reranking candidates"),
    ("clustering", "Clustering / grouping by topic"),
    ("classification", "Classification / tagging"),
)
"""catalog.requirements.TASKS: picks the MTEB task type whose scores count."""
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
CATALOG_DOMAINS = ("general", "legal", "medical", "code", "finance", "scientific", "ecommerce", "support")
"""catalog.requirements.DOMAINS; 'other' is ranked as general."""
MULTI = "mul"
BASELINE = "bm25"
"""The lexical baseline every trial includes unless the user unticks it."""


@dataclass(frozen=True)
class Answers:
    """One field per question; defaults are a sensible English/general/CPU profile."""

    languages: tuple[str, ...] = ("en",)
    multilingual: bool = False
    """Cross-lingual or many languages: rank on the multilingual benchmark."""
    domain: str = "general"
    task: str = "retrieval"
    """What the embeddings are for (catalog.requirements.TASKS)."""
    doc_tokens: int = 400
    """Typical document length in tokens."""
    will_chunk: bool = True
    """When False, a window shorter than doc_tokens excludes a model instead of costing points."""
    corpus_docs: int = 10_000
    budget: str = "open"
    max_price_per_1m: float | None = None
    monthly_cap_usd: float | None = None
    ram_gb: float | None = None
    gpu: str = "none"
    """'none' | 'cuda' | 'mps'."""
    vram_gb: float | None = None
    api_allowed: bool = True
    """Only consulted when the budget is not open-weights-only."""
    licence: str = "any"

    def replace(self, **changes: Any) -> Answers:
        return dataclasses.replace(self, **changes)

    @property
    def open_only(self) -> bool:
        return self.budget == "open"

    def requirements_dict(self) -> dict[str, Any]:
        """The answers as `catalog.requirements.Requirements` fields (its `from_dict` input)."""
        languages = list(dict.fromkeys(self.languages or ("en",)))
        if self.multilingual and len(languages) < 2:
            # 'mul' (ISO 639-2 "multiple languages") keeps monolingual models out and selects the
            # Multilingual benchmark, which is what "many or unknown languages" means for ranking.
            languages.append(MULTI)
        return {
            "languages": languages,
            "domain": self.domain if self.domain in CATALOG_DOMAINS else "general",
            "task": self.task,
            "doc_tokens": max(1, self.doc_tokens),
            "will_chunk": self.will_chunk,
            "corpus_docs": max(1, self.corpus_docs),
            "open_only": self.open_only,
            "max_usd_per_1m": self.max_price_per_1m if self.budget == "price" else None,
            "monthly_cap_usd": self.monthly_cap_usd if self.budget == "monthly" else None,
            "ram_gb": self.ram_gb,
            "gpu": None if self.gpu == "none" else self.gpu,
            "vram_gb": self.vram_gb if self.gpu != "none" else None,
            "api_allowed": self.api_allowed and not self.open_only,
            "commercial_use": self.licence in ("commercial", "permissive"),
        }

    def summary_rows(self) -> list[tuple[str, str]]:
        """(question, answer) pairs for the always-visible summary panel."""
        langs = ", ".join(self.languages) or "-"
        if self.multilingual:
            langs += " +multi"
        budget = dict(BUDGETS)[self.budget].split(" (")[0]
        if self.budget == "price" and self.max_price_per_1m is not None:
            budget = f"<= ${self.max_price_per_1m:g}/1M"
        elif self.budget == "monthly" and self.monthly_cap_usd is not None:
            budget = f"<= ${self.monthly_cap_usd:g}/month"
        ram = f"{self.ram_gb:g} GB RAM" if self.ram_gb else "RAM ?"
        gpu = "no GPU" if self.gpu == "none" else f"{self.gpu} {self.vram_gb or '?'} GB"
        return [
            ("Languages", langs),
            ("Domain", dict(DOMAINS)[self.domain] + ("" if self.task == "retrieval" else f", {self.task}")),
            ("Doc length", f"{self.doc_tokens:,} tok" + (", chunked" if self.will_chunk else ", whole")),
            ("Corpus", f"{self.corpus_docs:,} docs"),
            ("Budget", budget),
            ("Hardware", f"{ram}, {gpu}" + (", API ok" if self.api_allowed and not self.open_only else "")),
            ("Licence", dict(LICENCES)[self.licence].split(" (")[0]),
        ]


def build_requirements(answers: Answers, requirements_cls: type) -> Any:
    """A catalog `Requirements` from the answers (ValueError names any invalid field)."""
    data = answers.requirements_dict()
    from_dict = getattr(requirements_cls, "from_dict", None)
    if from_dict is not None and dataclasses.is_dataclass(requirements_cls):
        known = {f.name for f in dataclasses.fields(requirements_cls)}
        return from_dict({k: v for k, v in data.items() if k in known})
    return requirements_cls(**data)


@dataclass
class Session:
    """The App-owned state shared by every screen (screens read it; the App's handlers write it)."""

    answers: Answers = field(default_factory=Answers)
    recommendation: Any = None
    """catalog.ranking.Recommendation (None until the shortlist is shown)."""
    recommended_for: Answers | None = None
    """The answers `recommendation` was computed from; differs from `answers` when it is stale."""
    ticked: set[str] = field(default_factory=lambda: {BASELINE})
    """Model refs chosen for the trial; BM25 is ticked by default."""
    last_trial: Any = None
    """evaluators.types.TrialResult of the most recent trial, if any."""
    trial_source: dict[str, Any] = field(default_factory=dict)
    """Where the last trial's documents came from: {'corpus', 'queries', 'sample', 'demo'}."""
    trial_settings: dict[str, Any] = field(default_factory=dict)
    """How the last trial ran, saved with it: models, trial_source's keys, backend, checks, int8, max_usd."""
    decision_id: int | None = None
    """Journal id of the decision saved in this session."""

    def current_recommendation(self) -> Any:
        """The recommendation if it matches the answers as they are now, else None."""
        return self.recommendation if self.recommended_for == self.answers else None

    def tick(self, ref: str, on: bool | None = None) -> bool:
        """Toggle (or set) whether `ref` is in the trial; returns the new state."""
        now = (ref not in self.ticked) if on is None else on
        (self.ticked.add if now else self.ticked.discard)(ref)
        return now

    def trial_refs(self) -> list[str]:
        """Ticked refs, baseline first, then in shortlist order."""
        order = [BASELINE] + [c.spec.id for c in getattr(self.recommendation, "candidates", [])]
        ranked = [r for r in order if r in self.ticked]
        return ranked + sorted(self.ticked - set(ranked))
