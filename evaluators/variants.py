"""Model outputs beyond the dense vector (sparse weights, multi-vectors): whether a trial can run them, and
what is needed where it cannot. Plain data, read by `embedscout catalog show` (no heavy imports here)."""

from __future__ import annotations

EXTRA_OUTPUTS: dict[str, str] = {
    "BAAI/bge-m3": (
        "sparse and multi-vector (ColBERT) outputs are not trial variants: they need FlagEmbedding's "
        "BGEM3FlagModel, and FlagEmbedding 1.4.2 does not import with transformers 5 (it needs "
        "transformers.modeling_attn_mask_utils); sentence-transformers' SparseEncoder has no BGE-M3 sparse "
        "head, and pylate would downgrade sentence-transformers and torch. The hybrid row "
        "(hybrid:BAAI/bge-m3+bm25) uses BM25 as its sparse side. See docs/chunking-and-reranking.md."
    ),
}
"""Catalog id -> what a trial can do with the model's extra outputs, and what it would need."""


def extra_outputs_note(model_id: str) -> str | None:
    return EXTRA_OUTPUTS.get(model_id)
