"""The numbers behind the checks: memory at the user's document length, chunking, and monthly API spend.

Pure arithmetic over a ModelSpec and the user's Requirements, each with an `explain()`-style sentence so the
shortlist can say what was assumed. Separate from catalog.filters (which decides pass/fail) so the CLI, the
TUI and the ranking all quote the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from catalog.models import ModelSpec
from catalog.requirements import Requirements
from catalog.sizing import Sizing, human_bytes, size_for

WEIGHTS_OVERHEAD = 1.1
"""Framework, tokenizer and allocator overhead on top of the raw weights."""
ACTIVATION_TOKENS = 8192
"""Tokens in flight per batch: short documents are batched up to this, a longer one goes alone."""
ACTIVATION_FACTOR = 16
"""Values per token per hidden unit alive in one layer: Q, K, V, attention output, the 4x feed-forward
intermediate and its activation, residuals. Assumes memory-efficient attention (PyTorch SDPA), so the cost
grows with the tokens in flight, not with their square."""
NO_CAP_CEILING_USD = 1000.0
"""Without a monthly cap, the cost score falls on a log scale from $0 to this much per month."""


def fmt_gb(value: float) -> str:
    """Estimates: 1 decimal below 10 GB, whole GB above."""
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def sequence_length(spec: ModelSpec, req: Requirements) -> int:
    """Tokens per forward pass: the document, or the window when it is cut into window-sized chunks."""
    if spec.unbounded_context:
        return 0
    if spec.max_tokens is None:
        return req.doc_tokens
    return min(req.doc_tokens, spec.max_tokens)


@dataclass(frozen=True)
class MemoryEstimate:
    params: float
    fp32_gb: float
    fp16_gb: float
    from_memory_mb: bool = False
    seq_len: int = 0
    """Tokens per sequence the activations were sized for (0: static embeddings, no activations)."""
    hidden: int = 0

    def activations_gb(self, bytes_per_value: int) -> float:
        if self.seq_len <= 0 or self.hidden <= 0:
            return 0.0
        tokens = max(self.seq_len, (ACTIVATION_TOKENS // self.seq_len) * self.seq_len)
        return tokens * self.hidden * ACTIVATION_FACTOR * bytes_per_value / 1e9

    @property
    def cpu_need_gb(self) -> float:
        return self.fp32_gb * WEIGHTS_OVERHEAD + self.activations_gb(4)

    @property
    def gpu_need_gb(self) -> float:
        return self.fp16_gb * WEIGHTS_OVERHEAD + self.activations_gb(2)

    def explain(self) -> str:
        basis = "from mteb's fp32 memory figure" if self.from_memory_mb else "from the parameter count"
        act = (
            f" + activations at {self.seq_len:,} tokens ({fmt_gb(self.activations_gb(4))} GB fp32)"
            if self.seq_len
            else ""
        )
        return (
            f"{self.params / 1e6:,.0f}M parameters ({basis}): weights {fmt_gb(self.fp32_gb)} GB fp32 / "
            f"{fmt_gb(self.fp16_gb)} GB fp16, x{WEIGHTS_OVERHEAD} overhead{act} -> "
            f"needs ~{fmt_gb(self.cpu_need_gb)} GB RAM on CPU (fp32) "
            f"or ~{fmt_gb(self.gpu_need_gb)} GB VRAM on GPU (fp16)"
        )


def _hidden_size(spec: ModelSpec, params: float) -> int:
    """Hidden width: the output dims where known (true for nearly every encoder and LLM embedder), else
    the width a transformer of this size would have (params ~ 12 x layers x d^2 with layers ~ d/64)."""
    if spec.dims:
        return spec.dims
    return int(round((params * 64 / 12) ** (1 / 3)))


def memory_estimate(spec: ModelSpec, seq_len: int = 0) -> MemoryEstimate | None:
    """fp32 = 4 bytes/parameter, fp16 = 2, plus activations at `seq_len` tokens; None for API models or
    when neither params nor memory are known."""
    if spec.is_api:
        return None
    if spec.n_parameters:
        params, derived = float(spec.n_parameters), False
    elif spec.memory_mb:
        params, derived = spec.memory_mb * 1e6 / 4, True
    else:
        return None
    hidden = 0 if spec.unbounded_context else _hidden_size(spec, params)
    return MemoryEstimate(params, params * 4 / 1e9, params * 2 / 1e9, derived, seq_len, hidden)


def update_share(req: Requirements) -> float:
    """The share of the corpus re-embedded each month (catalog.sizing's parameter)."""
    return req.updates_per_month / req.corpus_docs


def size(spec: ModelSpec, req: Requirements) -> Sizing:
    """Chunks, vectors, index bytes and API cost at the user's corpus: catalog.sizing's one formula (the
    recommend sizing table, the trade-offs and the decision report print the same numbers)."""
    return size_for(spec, req, update_share=update_share(req))


def chunk_note(spec: ModelSpec, req: Requirements) -> str:
    """A window shorter than the documents forces chunking: say what the chunks cost (the sizing table's
    numbers), and that quality is not marked down for it."""
    s = size(spec, req)
    return (
        f"max {spec.max_tokens:,} tokens < your {req.doc_tokens:,}-token documents: they must be "
        f"chunked ({s.chunks_per_doc} chunks of up to {s.chunk_tokens} tokens per document -> "
        f"{s.n_vectors:,} vectors, index {human_bytes(s.index_bytes)}); embedding time about the same (same "
        "tokens in shorter pieces), search scans more vectors; quality is not marked down for it"
    )


def monthly_cost(spec: ModelSpec, req: Requirements) -> float | None:
    """API USD in the first month (the corpus embedded once, chunk overlaps included, + the queries): the
    month a cap must cover. None when the price is unknown or the model is self-hosted."""
    if spec.open_weights or spec.price_usd_per_1m is None:
        return None
    s = size(spec, req)
    if s.usd_once is None or s.usd_month_queries is None:
        return None
    return s.usd_once + s.usd_month_queries


def later_monthly_cost(spec: ModelSpec, req: Requirements) -> float | None:
    """API USD in every later month: updated documents re-embedded + the queries."""
    if spec.open_weights or spec.price_usd_per_1m is None:
        return None
    return size(spec, req).usd_month


def average_monthly_cost(spec: ModelSpec, req: Requirements) -> float | None:
    """Mean spend over the first year: one corpus embedding, then eleven months of updates."""
    first, later = monthly_cost(spec, req), later_monthly_cost(spec, req)
    if first is None or later is None:
        return None
    return (first + 11 * later) / 12


def cost_score(spend: float, req: Requirements) -> float:
    """0-1 from the user's own monthly spend: linear against their cap, else log-scaled up to
    NO_CAP_CEILING_USD."""
    if req.monthly_cap_usd:
        return max(0.0, 1.0 - spend / req.monthly_cap_usd)
    return max(0.0, 1.0 - math.log10(1.0 + spend) / math.log10(1.0 + NO_CAP_CEILING_USD))


def cost_assumption(req: Requirements) -> str:
    cap = (
        f"against your cap of ${req.monthly_cap_usd:,.2f}"
        if req.monthly_cap_usd
        else (f"log-scaled from $0 to ${NO_CAP_CEILING_USD:,.0f}/month (no cap given)")
    )
    return (
        f"API cost: first month = corpus ({req.corpus_docs:,} docs x {req.doc_tokens:,} tokens, chunk "
        f"overlaps included) embedded once + {req.queries_per_month:,} queries x {req.query_tokens} "
        f"tokens; later months = {req.updates_per_month:,} updated docs + the same queries; cost score uses "
        f"the first-year average, {cap}"
    )
