"""A trial, fully described before it runs: `TrialPlan` (frozen) built from CLI flags or the Trial screen.

`validate()` refuses impossible combinations with one `UserError`; `settings()` is the one schema the journal
keeps with every trial, whichever front end ran it. Nothing here touches files or models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tui.workflow.errors import UserError

BASELINE = "bm25"
"""The lexical baseline every trial includes unless the user leaves it out."""
BACKENDS = ("auto", "onnx", "torch", "openvino")
"""Local inference engines, default first."""
INT8_BACKENDS = ("auto", "onnx")
"""The int8 variant is a dynamically quantised ONNX export: it runs on these backends only."""
CHECK_KINDS = ("tokenizer", "crosslingual", "stability", "neighbourhood")
"""evaluators.checks.CHECKS, spelled out so choosing checks never imports numpy (a test keeps them equal)."""
SYNTHETIC_KINDS = ("auto", "ict", "keyphrase", "none")
"""How to make queries when the documents come without any ('none' refuses)."""


def expand_checks(text: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """'all', 'tokenizer,stability' or a list -> known kinds in CHECK_KINDS order; unknown names refused."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    wanted = {p.strip().casefold() for p in parts if p.strip()}
    if "all" in wanted:
        return CHECK_KINDS
    unknown = sorted(wanted - set(CHECK_KINDS))
    if unknown:
        raise UserError(
            f"unknown check {', '.join(unknown)}", f"choose from {', '.join(CHECK_KINDS)}, or all", usage=True
        )
    return tuple(k for k in CHECK_KINDS if k in wanted)


def public_ref(ref: str | None) -> str | None:
    """A model reference without an openai-compatible server's URL (which may embed credentials)."""
    return None if ref is None else ref.split("@", 1)[0]


@dataclass(frozen=True)
class Source:
    """Where the documents come from: a path, or the bundled demo when `corpus` is None."""

    corpus: str | None = None
    queries: str | None = None
    """JSONL/CSV of questions with a relevant doc id or an answer text."""
    qrels: str | None = None

    @property
    def demo(self) -> bool:
        return self.corpus is None


@dataclass(frozen=True)
class Chunking:
    tokens: int = 256
    """Chunk size in tokens of each model's own tokenizer; 0 reads each document whole."""
    overlap: int = 32
    sweep: tuple[int, ...] = ()
    """Several sizes (the first is `tokens`): every model runs at each size, one row per size."""

    @classmethod
    def parse(cls, text: str, overlap: int) -> Chunking:
        """'256' or '128,256,512' (a sweep); UserError for anything else."""
        from evaluators.ingest.sizes import parse_chunk_sizes
        from evaluators.types import TrialInputError

        try:
            sizes = parse_chunk_sizes(text)
        except TrialInputError as exc:
            raise UserError(f"chunk sizes: {exc}", "e.g. 256, or 128,256,512 (a sweep)", usage=True) from None
        return cls(sizes[0], overlap if any(sizes) else 0, tuple(sizes) if len(sizes) > 1 else ())


@dataclass(frozen=True)
class Sample:
    docs: int | None = None
    """Keep this many documents (every relevant one of the kept queries); None keeps all."""
    seed: int = 0
    """Seed for sampling and synthetic/LLM queries."""


@dataclass(frozen=True)
class Queries:
    """Which questions the trial asks: the dataset's own (else synthetic ones), or LLM-written ones."""

    synthetic: str = "auto"
    """Without queries: auto, ict, keyphrase (optionally ':N'), or none (refuse)."""
    llm: str | None = None
    """Chat model that writes questions from sampled chunks (openai:..., ollama:..., ...)."""
    llm_count: int | None = None


@dataclass(frozen=True)
class TrialPlan:
    """Everything a trial needs to run; equal plans give equal journal settings in both front ends."""

    source: Source
    models: tuple[str, ...]
    chunking: Chunking = field(default_factory=Chunking)
    sample: Sample = field(default_factory=Sample)
    queries: Queries = field(default_factory=Queries)
    backend: str = "auto"
    checks: tuple[str, ...] = ()
    int8: bool = False
    rerank: str | None = None
    """Re-scores each model's top chunks: a CrossEncoder folder or HF id, or cohere:/voyage:/jina:<model>."""
    rerank_depth: int = 50
    """How many of each query's top chunks the reranker re-scores."""
    max_usd: float | None = None
    """Refuse to start when the API spend (LLM questions + embeddings) could exceed this many US dollars."""
    cache: bool = True
    """Read and write the embeddings cache."""

    def validate(self) -> None:
        """Raise UserError for a plan that cannot run as asked (nothing is read or sent)."""
        if not self.models:
            raise UserError("no model to try", "tick at least one model, or give --model", usage=True)
        if self.backend not in BACKENDS:
            raise UserError(
                f"unknown backend {self.backend!r}", f"use one of {', '.join(BACKENDS)}", usage=True
            )
        if self.int8 and self.backend not in INT8_BACKENDS:
            raise UserError(
                f"int8 runs on the onnx backend, not {self.backend}",
                "choose backend auto or onnx",
                usage=True,
            )
        expand_checks(list(self.checks))
        self._check_refs()
        if self.rerank_depth < 1:
            raise UserError(f"the rerank depth must be 1 or more, not {self.rerank_depth}", usage=True)
        q = self.queries
        if q.llm_count is not None and not q.llm:
            raise UserError("LLM-written questions need a chat model", "e.g. openai:gpt-4o-mini", usage=True)
        if q.llm and not q.llm_count:
            raise UserError(
                "say how many questions the LLM should write", "a number of 1 or more", usage=True
            )
        if q.llm_count is not None and q.llm_count < 1:
            raise UserError(f"the LLM should write at least 1 question, not {q.llm_count}", usage=True)
        if self.max_usd is not None and not (math.isfinite(self.max_usd) and self.max_usd >= 0):
            raise UserError(
                f"the spend cap must be a number of US dollars >= 0, not {self.max_usd}", usage=True
            )
        if self.sample.docs is not None and self.sample.docs < 1:
            raise UserError(f"the sample must keep at least 1 document, not {self.sample.docs}", usage=True)

    def _check_refs(self) -> None:
        """A password inside a model's URL would reach tables, the journal and exports: refused."""
        from evaluators.types import TrialInputError
        from evaluators.urls import refuse_credentials

        try:
            refuse_credentials([*self.models, self.queries.llm, self.rerank])
        except TrialInputError as exc:
            raise UserError(str(exc), usage=True) from None

    def settings(self) -> dict[str, Any]:
        """How the trial ran, as the journal keeps it (the same keys from the CLI and the TUI)."""
        q, c = self.queries, self.chunking
        return {
            "models": list(self.models),
            "demo": self.source.demo,
            "corpus": self.source.corpus,
            "queries": self.source.queries,
            "qrels": self.source.qrels,
            "sample": self.sample.docs,
            "seed": self.sample.seed,
            "chunk_tokens": list(c.sweep) if c.sweep else c.tokens,
            "chunk_overlap": c.overlap if any(c.sweep or (c.tokens,)) else 0,
            "synthetic": q.synthetic,
            "generate_queries": {"n": q.llm_count, "llm": public_ref(q.llm)} if q.llm else None,
            "backend": self.backend,
            "checks": list(self.checks),
            "int8": self.int8,
            "rerank": {"ref": public_ref(self.rerank), "depth": self.rerank_depth} if self.rerank else None,
            "max_usd": self.max_usd,
            "cache": self.cache,
        }
