"""Opt-in int8: dynamic quantisation of the verified fp32 export, and how much it changes retrieval.

Quantised vectors never pass the 0.9999 cosine bar, so int8 is never chosen automatically; instead it is
measured against the fp32 export (probe cosine here, and `recall_agreement` on the user's own
sample in the runner).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

INT8_FILE = "model.int8.onnx"
QUANT_OPS = ("MatMul",)
"""Only the dense MatMuls, per-channel weights, on the plain graph. ORT's defaults gave min cosine 0.79
(issue 7); this recipe measured min 0.983 / mean 0.991 on the probe for MiniLM (2026-11-22)."""


def recall_agreement(fp32_passages: np.ndarray, int8_passages: np.ndarray, fp32_queries: np.ndarray,
                     int8_queries: np.ndarray | None = None, *, k: int = 10) -> float:
    """Mean share of each query's fp32 top-k passages that int8 also puts in its top-k (1.0 = same sets).

    Exact cosine search; ties broken by corpus order (stable sort), as in evaluators.metrics.
    """
    q32 = _unit(fp32_queries)
    q8 = _unit(int8_queries) if int8_queries is not None else q32
    p32, p8 = _unit(fp32_passages), _unit(int8_passages)
    k = min(k, p32.shape[0])
    if k == 0 or q32.shape[0] == 0:
        return 1.0
    top32 = np.argsort(-(q32 @ p32.T), axis=1, kind="stable")[:, :k]
    top8 = np.argsort(-(q8 @ p8.T), axis=1, kind="stable")[:, :k]
    shared = [len(set(a.tolist()) & set(b.tolist())) for a, b in zip(top32, top8, strict=True)]
    return float(np.mean(shared) / k)


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    out: np.ndarray = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return out


def ensure_int8(export_dir: Path, manifest: dict[str, Any],
                threads: int | None) -> tuple[str, dict[str, Any]]:
    """Quantise once next to the fp32 export (cached); returns (file name, quality vs fp32 on the probe)."""
    from evaluators.fast.stconfig import write_json_atomic

    record = export_dir / "int8.json"
    if (export_dir / INT8_FILE).is_file() and record.is_file():
        import json

        return INT8_FILE, json.loads(record.read_text(encoding="utf-8"))
    _quantize(export_dir / "model.onnx", export_dir / INT8_FILE)  # the fused graph has ORT-only ops
    quality = _probe_quality(export_dir, manifest, threads)
    write_json_atomic(record, quality)
    return INT8_FILE, quality


def _quantize(src: Path, dst: Path) -> None:
    import logging
    import os

    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    # ORT logs a root-level "consider pre-processing" advice on every call; it is not ours to show.
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=list(QUANT_OPS))
    finally:
        logging.disable(logging.NOTSET)
    os.replace(tmp, dst)


def _probe_quality(export_dir: Path, manifest: dict[str, Any], threads: int | None) -> dict[str, Any]:
    """Min and mean cosine of int8 vs fp32 probe vectors (fp32 is the verified reference; no torch needed)."""
    from evaluators.fast.onnx_encoder import OnnxEncoder
    from evaluators.fast.verify import PROBE_TEXTS

    def vectors(file: str) -> np.ndarray:
        enc = OnnxEncoder(export_dir, manifest, model_file=file, precision="", threads=threads, name="probe",
                          query_prompt=None, passage_prompt=None, normalize=True, max_seq_length=None)
        return enc.encode_passages(list(PROBE_TEXTS))

    a, b = vectors(manifest["model_file"]), vectors(INT8_FILE)
    cos = (a * b).sum(axis=1)
    return {"probe_min_cosine": round(float(cos.min()), 5), "probe_mean_cosine": round(float(cos.mean()), 5),
            "ops": list(QUANT_OPS), "per_channel": True}
