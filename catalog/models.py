"""The catalog's record types: one frozen `ModelSpec` per embedding model, plus its benchmark scores.

Separate from loading and ranking so every package (evaluators, storage, tui) can share the types without
pulling in parsing or scoring logic. Unknown facts are `None`, never guessed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Tokenizer(str, Enum):
    """Tokenization unit, the articles' factor #2."""

    BPE = "bpe"
    WORDPIECE = "wordpiece"
    SENTENCEPIECE_UNIGRAM = "sentencepiece-unigram"
    WORD = "word"


class Benchmark(str, Enum):
    """MTEB benchmarks the catalog carries (keys of `ModelSpec.scores`)."""

    MTEB_ENG_V2 = "mteb_eng_v2"
    MMTEB_MULTILINGUAL_V2 = "mmteb_multilingual_v2"
    CMTEB_V1 = "cmteb_v1"
    MTEB_CODE_V1 = "mteb_code_v1"
    MTEB_MEDICAL_V1 = "mteb_medical_v1"
    MTEB_LAW_V1 = "mteb_law_v1"

    @property
    def label(self) -> str:
        return _BENCHMARK_LABELS[self]


_BENCHMARK_LABELS = {
    Benchmark.MTEB_ENG_V2: "MTEB(eng, v2)",
    Benchmark.MMTEB_MULTILINGUAL_V2: "MTEB(Multilingual, v2)",
    Benchmark.CMTEB_V1: "C-MTEB (MTEB(cmn, v1))",
    Benchmark.MTEB_CODE_V1: "MTEB(Code, v1)",
    Benchmark.MTEB_MEDICAL_V1: "MTEB(Medical, v1)",
    Benchmark.MTEB_LAW_V1: "MTEB(Law, v1)",
}


SOURCED_FACTS = (
    "dims",
    "max_tokens",
    "unbounded_context",
    "n_parameters",
    "languages",
    "multilingual",
    "license",
    "commercial_use",
    "modalities",
    "matryoshka_dims",
)
"""Facts every catalog entry must source when it states them (`fact_sources`); the loader enforces it.
Flags (`unbounded_context`, `multilingual`) need one only when true, `modalities` only when not text-only."""


@dataclass(frozen=True)
class BenchmarkScore:
    """One benchmark's numbers for one model (percent, 0-100)."""

    mean: float | None
    """Leaderboard 'Mean (Task)': only when every task of the benchmark has a result."""
    retrieval_mean: float | None
    """Mean over the benchmark's Retrieval tasks: only when all of them have a result."""
    tasks_with_results: int | None = None
    tasks_total: int | None = None
    retrieval_tasks_with_results: int | None = None
    retrieval_tasks_total: int | None = None
    mean_note: str | None = None
    """Caveat shown next to the number (e.g. the 130-task MMTEB mean is NOT the leaderboard mean)."""
    source: str = ""
    """Where the numbers come from (results repo folder + commit, or a model card URL)."""
    implausible: str | None = None
    """Set when the upstream result files look broken (e.g. retrieval tasks scoring ~0): why. Such a score is
    shown with this note and must not be used as evidence of quality."""

    @property
    def usable(self) -> bool:
        """False for a score flagged implausible: rank on other evidence instead."""
        return self.implausible is None


@dataclass(frozen=True)
class ModelSpec:
    """One curated catalog entry. Field names are a contract shared by evaluators, storage and tui."""

    id: str
    """Stable catalog id, e.g. 'BAAI/bge-m3' or 'openai/text-embedding-3-small'."""
    name: str
    provider: str
    open_weights: bool
    hf_id: str | None = None
    """Hugging Face repo to load locally (None for API-only models)."""
    api_provider: str | None = None
    """'openai' | 'cohere' | 'voyage' | 'jina' | 'google' | ... for API models."""
    api_model_name: str | None = None
    modalities: tuple[str, ...] = ("text",)
    sentence_embedder: bool = True
    """False for domain encoders (LegalBERT, BioBERT) that need pooling/fine-tuning to embed sentences."""
    max_tokens: int | None = None
    unbounded_context: bool = False
    """Static (Model2Vec) models: no context window at all."""
    tokenizer: Tokenizer | None = None
    tiktoken_encoding: str | None = None
    """e.g. 'cl100k_base' for OpenAI models; the tokenizer used by the tokenizer-fit check."""
    vocab_size: int | None = None
    dims: int | None = None
    matryoshka_dims: tuple[int, ...] | None = None
    n_parameters: int | None = None
    memory_mb: float | None = None
    """fp32 weights in MB (mteb's memory_usage_mb)."""
    price_usd_per_1m: float | None = None
    price_source: str | None = None
    languages: tuple[str, ...] = ()
    """ISO 639-1 codes where known ('en', 'zh', ...); empty when unknown."""
    multilingual: bool = False
    license: str | None = None
    commercial_use: bool | None = None
    release_date: str | None = None
    domains: tuple[str, ...] = ("general",)
    training_data: str | None = None
    query_prompt: str | None = None
    """Prefix/instruction applied to queries, e.g. 'query: ' (e5)."""
    passage_prompt: str | None = None
    normalize: bool = True
    """L2-normalise vectors before dot-product search (every catalogued model is scored with cosine)."""
    pooling: str | None = None
    """'mean' | 'cls' | 'last' where known."""
    scores: dict[Benchmark, BenchmarkScore] = field(default_factory=dict, hash=False, compare=False)
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    fact_sources: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Field name -> where its value comes from (a model card, config file, vendor doc, or labelled mteb
    ModelMeta). A source starting with 'unknown' explains why the field is absent."""

    def fact_source(self, name: str) -> str | None:
        """The recorded source of one field (None when the catalog records none)."""
        return self.fact_sources.get(name)

    def score(self, benchmark: Benchmark) -> BenchmarkScore | None:
        return self.scores.get(benchmark)

    @property
    def is_api(self) -> bool:
        return not self.open_weights

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: enums as values, tuples as lists, scores keyed by benchmark id; None = unknown."""
        data = asdict(self)
        data["tokenizer"] = self.tokenizer.value if self.tokenizer else None
        data["scores"] = {b.value: {"label": b.label, **asdict(s)} for b, s in self.scores.items()}
        data["multimodal"] = self.multimodal
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data

    @property
    def multimodal(self) -> bool:
        """True when the model embeds more than text (e.g. BGE-VL: image + text)."""
        return any(m != "text" for m in self.modalities)

    @property
    def short_name(self) -> str:
        return self.id.rsplit("/", 1)[-1]

    @property
    def search_text(self) -> str:
        """Casefolded text that `catalog list --filter` matches against."""
        parts = [
            self.id,
            self.name,
            self.provider,
            self.license or "",
            *self.domains,
            *self.languages,
            *self.modalities,
            "open" if self.open_weights else "api",
        ]
        return " ".join(parts).casefold()
