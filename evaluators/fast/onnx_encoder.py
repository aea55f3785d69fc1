"""Encode with ONNX Runtime + `tokenizers` + numpy pooling: the fast CPU path, with no torch import.

`TokenEncoder` holds everything that is not the runtime (tokenising, length-sorted batching, padding, pooling,
normalising) so the OpenVINO encoder reuses it and only swaps `_forward`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.fast.errors import FastPathUnavailable

MAX_BATCH = 64
"""Sequences per forward pass at most."""
TOKEN_BUDGET = 1024
"""Padded tokens per forward pass at most: batches of long texts shrink, short ones grow up to MAX_BATCH.
Small batches keep activations in cache: 512-1024 tokens gave ~1.45x the tokens per CPU-second of 8192 for
MiniLM on this machine (2026-11-22, interleaved runs)."""


def default_threads() -> int:
    """Physical cores (what ORT would pick), so the number we record is the number we used."""
    try:
        import psutil

        return int(psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:
        return os.cpu_count() or 1


def pool(hidden: np.ndarray, mask: np.ndarray, modes: Sequence[str]) -> np.ndarray:
    """sentence-transformers pooling in numpy; several modes are concatenated in order (as ST does)."""
    mask_f = mask.astype(np.float32)[..., None]
    lengths = np.maximum(mask_f.sum(axis=1), 1e-9)
    out = []
    for mode in modes:
        if mode == "cls":
            out.append(hidden[:, 0])
        elif mode == "mean":
            out.append((hidden * mask_f).sum(axis=1) / lengths)
        elif mode == "mean_sqrt_len_tokens":
            out.append((hidden * mask_f).sum(axis=1) / np.sqrt(lengths))
        elif mode == "max":
            out.append(np.where(mask_f > 0, hidden, np.float32(-1e9)).max(axis=1))
        elif mode == "weightedmean":
            # position weights 1..n counted from the first real token, whichever side was padded
            weights = (np.cumsum(mask, axis=1) * mask).astype(np.float32)[..., None]
            out.append((hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9))
        elif mode == "lasttoken":
            last = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
            out.append(hidden[np.arange(hidden.shape[0]), last])
        else:
            raise FastPathUnavailable(f"pooling mode {mode!r} not supported")
    return np.concatenate(out, axis=1) if len(out) > 1 else out[0]


class TokenEncoder:
    """Runtime-independent half of a fast encoder (an evaluators.types.Encoder once `_forward` exists)."""

    def __init__(self, export_dir: Path, manifest: dict[str, Any], *, name: str, query_prompt: str | None,
                 passage_prompt: str | None, normalize: bool, max_seq_length: int | None) -> None:
        from tokenizers import Tokenizer  # deferred: rule 1 (nothing heavy at import time)

        self.name = name
        self.manifest = manifest
        self.query_prompt = query_prompt or ""
        self.passage_prompt = passage_prompt or ""
        self.normalize = bool(normalize or manifest["normalize"])
        limit = manifest.get("max_seq_length") or manifest.get("max_position_embeddings") or 512
        self.max_seq_length = min(int(max_seq_length), int(limit)) if max_seq_length else int(limit)
        self._tok = Tokenizer.from_file(str(export_dir / manifest["tokenizer_file"]))
        self._tok.no_padding()
        self._tok.enable_truncation(self.max_seq_length, direction=manifest.get("truncation_side", "right"))
        self._inputs: tuple[str, ...] = tuple(manifest["input_names"])
        self.n_tokens = 0
        """Real (unpadded) tokens encoded so far: the runner's tokens/s numerator."""
        self.details: dict[str, Any] = {"normalize": self.normalize, "max_seq_length": self.max_seq_length,
                                        "pooling": "+".join(manifest["pooling"])}

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.query_prompt + t for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.passage_prompt + t for t in texts])

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids exactly as they go into the model (lower-cased first when the model asks for it)."""
        if self.manifest.get("do_lower_case"):
            texts = [t.lower() for t in texts]
        return [e.ids for e in self._tok.encode_batch(list(texts), add_special_tokens=True)]

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, int(self.manifest["dim"])), dtype=np.float32)
        ids = self.token_ids(texts)
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))  # longest first: least padding
        out: np.ndarray | None = None
        for batch in _length_batches(order, ids):
            vecs = self._encode_batch([ids[i] for i in batch])
            if out is None:
                out = np.empty((len(texts), vecs.shape[1]), dtype=np.float32)
            out[batch] = vecs  # restore the caller's order
        assert out is not None
        return out

    def _encode_batch(self, seqs: list[list[int]]) -> np.ndarray:
        width = max(len(s) for s in seqs)
        ids = np.full((len(seqs), width), int(self.manifest.get("pad_token_id") or 0), dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        left = self.manifest.get("padding_side") == "left"
        for row, seq in enumerate(seqs):
            cols = slice(width - len(seq), width) if left else slice(0, len(seq))
            ids[row, cols] = seq
            mask[row, cols] = 1
        self.n_tokens += int(mask.sum())
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._forward({k: feed[k] for k in self._inputs})
        vecs = pool(hidden.astype(np.float32, copy=False), mask, self.manifest["pooling"])
        if self.normalize:
            vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def _forward(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError


def _length_batches(order: list[int], ids: list[list[int]]) -> list[list[int]]:
    """Cut the length-sorted indices into batches bounded by MAX_BATCH and TOKEN_BUDGET padded tokens."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = len(ids[current[0]]) if current else len(ids[i])  # sorted: first is the longest
        if current and (len(current) >= MAX_BATCH or (len(current) + 1) * width > TOKEN_BUDGET):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class OnnxEncoder(TokenEncoder):
    """ONNX Runtime on the CPU execution provider."""

    def __init__(self, export_dir: Path, manifest: dict[str, Any], *, model_file: str, precision: str,
                 threads: int | None = None, **kw: Any) -> None:
        super().__init__(export_dir, manifest, **kw)
        self._session = make_session(export_dir / model_file, threads)
        self.details.update({
            "backend": "onnx", "precision": precision, "threads": self._threads,
            "provider": self._session.get_providers()[0], "export": str(export_dir), "model_file": model_file,
            "verified_min_cosine": manifest.get("verification", {}).get("min_cosine"),
        })

    @property
    def _threads(self) -> int:
        return int(self._session.get_session_options().intra_op_num_threads)

    def _forward(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        out: np.ndarray = self._session.run(None, feed)[0]
        return out


def make_session(model_file: Path | bytes, threads: int | None = None) -> Any:
    """A CPU InferenceSession with full graph optimisation and an explicit, recordable thread count."""
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise FastPathUnavailable("onnxruntime is not installed (pip install 'embedscout[onnx]')") from exc
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(threads or default_threads())
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    # No busy-waiting between ops: on a shared laptop CPU (other apps, the TUI, a test run) spinning threads
    # steal the cores they wait for; measured +30% tokens/s under load, within noise when idle.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    source = model_file if isinstance(model_file, bytes) else str(model_file)
    return ort.InferenceSession(source, opts, providers=["CPUExecutionProvider"])


def make_session_from_bytes(model: bytes, threads: int | None = None) -> Any:
    """The same session settings for an in-memory graph (the estimator's GEMM probe)."""
    return make_session(model, threads)
