"""Index size and embedding cost of a deployment: arithmetic over the user's profile and a model's facts.

vectors = documents x chunks per document; index bytes = vectors x (dims x bytes per value + HNSW links);
API cost = tokens x list price. One formula for every size the product prints: `recommend`, the trial's
trade-off table (evaluators.tradeoffs), the decision report and `embedscout use`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from catalog.models import ModelSpec
from catalog.requirements import Requirements

BITS = {"fp32": 32, "fp16": 16, "int8": 8, "binary": 1}
"""Bits per stored value, by precision."""
HNSW_M = 16
"""HNSW links per node on the upper layers (2*M on layer 0): the default of hnswlib, Milvus and pgvector."""
ID_BYTES = 4
"""hnswlib stores neighbour ids as 4-byte integers, plus one 4-byte count per node and layer."""
CHUNK_TOKENS = 256
CHUNK_OVERLAP = 32
"""Chunking assumed for sizing: the trial's defaults (`trial --chunk-tokens 256 --chunk-overlap 32`)."""
UPDATE_SHARE = 0.10
"""Assumed share of the corpus re-embedded each month (new or changed documents); `--updates` overrides it."""


def vector_bytes(dims: int, precision: str = "fp32") -> int:
    """Bytes of one stored vector: dims x bits / 8, rounded up (binary packs 8 dimensions per byte)."""
    if precision not in BITS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(BITS)}")
    return math.ceil(dims * BITS[precision] / 8)


def hnsw_link_bytes(m: int = HNSW_M) -> float:
    """Expected HNSW graph bytes per vector in hnswlib's layout: layer 0 holds 2*M neighbour ids and a count;
    a node reaches each upper layer with probability 1/M, so it holds on average 1/(M-1) upper lists of M."""
    if m < 2:
        raise ValueError(f"HNSW M must be >= 2, got {m}")
    return (2 * m + 1) * ID_BYTES + (m + 1) * ID_BYTES / (m - 1)


def index_bytes(n_vectors: int, per_vector: int, *, m: int | None = HNSW_M) -> int:
    """Vectors plus the HNSW graph over them (m None: a flat index, vectors only)."""
    graph = hnsw_link_bytes(m) if m else 0.0
    return int(round(n_vectors * (per_vector + graph)))


def chunks_per_doc(doc_tokens: int, chunk_tokens: int, overlap: int, *, will_chunk: bool = True) -> int:
    """Chunks cut from one document: windows of `chunk_tokens` advancing by chunk - overlap (the trial's
    chunker packs whole sentences, so its chunks are a little shorter and a little more numerous)."""
    if not will_chunk or doc_tokens <= chunk_tokens:
        return 1
    step = max(1, chunk_tokens - overlap)
    return math.ceil((doc_tokens - overlap) / step)


def human_bytes(n: float | None) -> str:
    """1536 -> '1.5 KiB'; binary units, as memory is sold."""
    if n is None:
        return "?"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # unreachable: the loop returns at TiB


@dataclass(frozen=True)
class Sizing:
    """One model's index size and embedding cost at the user's corpus; None = unknown (a missing fact)."""

    model_id: str
    dims: int | None
    precision: str
    chunk_tokens: int
    chunks_per_doc: int
    n_vectors: int
    vector_bytes: int | None
    hnsw_m: int
    index_bytes: int | None
    """Vectors plus HNSW links, bytes."""
    tokens_once: int
    """Tokens embedded to index the corpus once (chunk overlaps counted twice)."""
    price_usd_per_1m: float | None
    usd_once: float | None
    usd_month_queries: float | None
    usd_month_updates: float | None
    update_share: float
    self_hosted: bool

    @property
    def usd_month(self) -> float | None:
        parts = (self.usd_month_queries, self.usd_month_updates)
        return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "usd_month": self.usd_month}


def size_for(
    spec: ModelSpec,
    req: Requirements,
    *,
    dims: int | None = None,
    precision: str = "fp32",
    chunk_tokens: int = CHUNK_TOKENS,
    overlap: int = CHUNK_OVERLAP,
    m: int = HNSW_M,
    update_share: float = UPDATE_SHARE,
) -> Sizing:
    """Size one model for the profile: chunks no longer than its window, `dims` (default: its full size)."""
    window = None if spec.unbounded_context else spec.max_tokens
    chunk = min(chunk_tokens, window) if window else chunk_tokens
    per_doc = chunks_per_doc(req.doc_tokens, chunk, min(overlap, chunk - 1), will_chunk=req.will_chunk)
    n_vectors = req.corpus_docs * per_doc
    tokens_doc = req.doc_tokens + (per_doc - 1) * min(overlap, chunk - 1)
    if not req.will_chunk and window:
        tokens_doc = min(req.doc_tokens, window)  # the rest is cut off (and not billed)
    use_dims = dims or spec.dims
    per_vector = vector_bytes(use_dims, precision) if use_dims else None
    price = 0.0 if spec.open_weights else spec.price_usd_per_1m

    def usd(tokens: float) -> float | None:
        return None if price is None else round(tokens / 1e6 * price, 8)

    return Sizing(
        model_id=spec.id,
        dims=use_dims,
        precision=precision,
        chunk_tokens=chunk,
        chunks_per_doc=per_doc,
        n_vectors=n_vectors,
        vector_bytes=per_vector,
        hnsw_m=m,
        index_bytes=None if per_vector is None else index_bytes(n_vectors, per_vector, m=m),
        tokens_once=req.corpus_docs * tokens_doc,
        price_usd_per_1m=price,
        usd_once=usd(req.corpus_docs * tokens_doc),
        usd_month_queries=usd(req.queries_per_month * req.query_tokens),
        usd_month_updates=usd(update_share * req.corpus_docs * tokens_doc),
        update_share=update_share,
        self_hosted=spec.open_weights,
    )


def sizing_for(specs: Iterable[ModelSpec], req: Requirements, **options: Any) -> list[Sizing]:
    """`size_for` over several models (e.g. a recommendation's top candidates), in their order."""
    return [size_for(s, req, **options) for s in specs]


def assumptions(req: Requirements, *, update_share: float = UPDATE_SHARE, m: int = HNSW_M) -> str:
    """What the sizes and costs assume, in one sentence (printed under every sizing table)."""
    chunking = (
        f"chunks of up to {CHUNK_TOKENS} tokens (the model's window if shorter), overlap {CHUNK_OVERLAP}"
        if req.will_chunk
        else "one vector per document (no chunking)"
    )
    return (
        f"sizing: {req.corpus_docs:,} documents x {req.doc_tokens:,} tokens, {chunking}; index = vectors "
        f"(fp32) + HNSW links (M={m}, hnswlib layout, {hnsw_link_bytes(m):.0f} B/vector), metadata and "
        f"text excluded; monthly = {req.queries_per_month:,} queries x {req.query_tokens} tokens + "
        f"{update_share:.0%} of the corpus re-embedded; self-hosted models have no per-token price "
        "(compute not estimated)"
    )


def money(value: float | None) -> str:
    """'$0.42', '$1,234', '<$0.01', or '?' when the price is unknown."""
    if value is None:
        return "?"
    if value == 0:
        return "$0"
    if value < 0.01:
        return "<$0.01"
    return f"${value:,.2f}" if value < 100 else f"${value:,.0f}"


def cells(s: Sizing | dict[str, Any]) -> dict[str, str]:
    """Labelled display cells for one sizing (a `Sizing` or its stored dict): shared by every front end."""
    d = s.to_dict() if isinstance(s, Sizing) else s
    self_hosted = bool(d.get("self_hosted"))
    return {
        "Model": str(d.get("model_id", "")),
        "Vectors": f"{int(d.get('n_vectors', 0)):,} ({d.get('chunks_per_doc', 1)}/doc)",
        "Dims": f"{d.get('dims') or '?'} {d.get('precision', 'fp32')}",
        "Index": human_bytes(d.get("index_bytes")),
        "Embed once": "self-hosted" if self_hosted else money(d.get("usd_once")),
        "Per month": "self-hosted" if self_hosted else money(d.get("usd_month")),
    }
