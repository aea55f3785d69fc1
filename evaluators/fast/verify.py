"""Does the exported model give the same vectors as sentence-transformers? Measured on a fixed probe batch.

Separate from export.py so the rule (threshold, probe, message) reads in one place and needs no torch: the
reference vectors come in as arrays, and a cached verdict is re-checked against the current threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evaluators.fast.errors import FastPathUnavailable

MIN_COSINE = 0.9999
"""Every probe vector must match torch to at least this cosine, or the fast path is refused for the model."""

_LONG = ("Retrieval-augmented generation grounds a language model in documents fetched at query time; "
         "the embedding model decides which passages are found. ") * 40
PROBE_TEXTS: tuple[str, ...] = (
    "hello",
    "What is the capital of France?",
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",
    "how do I rotate an API key without downtime",
    "Photosynthesis converts light energy into chemical energy stored in glucose; oxygen is released.",
    "naïve café résumé — ünïcödé, emoji 🚀 and CJK 東京都 text",
    "1234 5678 3.14159 2026-11-22 v2.13.0 0x7f",
    "def encode(texts):\n    return [model(t) for t in texts]  # code in a passage",
    "A",
    "Queen Victoria reigned from 1837 until her death in 1901, longer than any previous British monarch.",
    "the the the the the the the the",
    _LONG,
    _LONG[:700],
    "Short one.",
    "Mixed CASE Words And Punctuation!!! ???",
    "Das ist ein deutscher Satz über Maschinelles Lernen und Vektorsuche.",
)
"""Short, long (truncated at max_seq_length), unicode, code, numbers, repeats: sorting and padding vary."""


def min_cosine(reference: np.ndarray, candidate: np.ndarray) -> float:
    """Smallest row-wise cosine between two [n x d] arrays (1.0 = identical directions)."""
    if reference.shape != candidate.shape:
        raise FastPathUnavailable(f"export gives shape {candidate.shape}, torch gives {reference.shape}")
    ref = reference.astype(np.float64)
    cand = candidate.astype(np.float64)
    num = (ref * cand).sum(axis=1)
    den = np.linalg.norm(ref, axis=1) * np.linalg.norm(cand, axis=1)
    return float(np.min(num / np.maximum(den, 1e-30)))


def verdict(min_cos: float, threshold: float | None = None) -> dict[str, Any]:
    """The verification record stored in the manifest."""
    limit = MIN_COSINE if threshold is None else threshold
    return {"min_cosine": round(min_cos, 7), "threshold": limit, "n_probe": len(PROBE_TEXTS),
            "passed": bool(min_cos >= limit)}


def check_verified(manifest: dict[str, Any], threshold: float | None = None) -> None:
    """Raise FastPathUnavailable unless the manifest's measured min cosine meets the (current) threshold."""
    limit = MIN_COSINE if threshold is None else threshold
    if manifest.get("export_error"):
        raise FastPathUnavailable(f"ONNX export failed ({manifest['export_error']}); using torch")
    record = manifest.get("verification") or {}
    measured = record.get("min_cosine")
    if measured is None:
        raise FastPathUnavailable("export was never verified against torch")
    if float(measured) < limit:
        raise FastPathUnavailable(
            f"ONNX export differs from torch: min cosine {float(measured):.6f} < {limit} on "
            f"{record.get('n_probe', '?')} probe texts; using torch")
