"""Load an encoder for a resolved model: the ONLY module that imports torch / sentence-transformers.

Every heavy import is inside a function that runs in a trial. On CPU, `backend` auto/onnx/openvino first
tries `evaluators.fast` (ONNX Runtime / OpenVINO) and falls back to torch, recording why in `details`.
API references go to `evaluators.api.embedders.load_api_encoder`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from evaluators.models import ModelRef, resolve_model
from evaluators.types import Encoder

BACKENDS = ("auto", "torch", "onnx", "openvino")
PhaseCallback = Callable[[str, str], None]
"""on_phase(phase, text): a first-run cost starting (download, export, verify), named for the user."""


def best_device() -> str:
    """cuda > mps > cpu (torch is imported here, inside a trial)."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


class SentenceTransformerEncoder:
    """sentence-transformers model with the model's query/passage prompts and normalisation applied."""

    def __init__(self, model: Any, ref: ModelRef, *, device: str, batch_size: int = 32,
                 autocast: str | None = None) -> None:
        import torch

        self.autocast = autocast
        """'bf16': encode under torch.autocast on the CPU (weights stay fp32, matrix products run bf16)."""
        self.model = model
        self.name = ref.name
        self.query_prompt = ref.query_prompt
        self.passage_prompt = ref.passage_prompt
        self.normalize = ref.normalize
        self.batch_size = batch_size
        self.max_tokens = int(getattr(model, "max_seq_length", 0) or ref.max_tokens or 0) or None
        self.details: dict[str, Any] = {
            "backend": "torch",
            "device": device,
            "precision": str(next(model.parameters()).dtype).replace("torch.", "")
            + ("-autocast-bf16" if autocast else ""),
            "threads": torch.get_num_threads() if device == "cpu" else None,
            "max_seq_length": self.max_tokens,
            "default_prompt_name": getattr(model, "default_prompt_name", None),
        }

    def _encode(self, texts: Sequence[str], prompt: str | None) -> np.ndarray:
        import contextlib

        import torch

        scope = torch.autocast("cpu", dtype=torch.bfloat16) if self.autocast else contextlib.nullcontext()
        with scope:
            out = self.model.encode(
                list(texts),
                prompt=prompt or None,
                batch_size=self.batch_size,
                normalize_embeddings=self.normalize,
                convert_to_tensor=True,
                show_progress_bar=False,
            )
        # float() first: numpy has no bf16/fp16 of torch's kind, and vectors are compared in fp32
        return np.asarray(out.float().cpu().numpy(), dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prompt)

    def count_tokens(self, texts: Sequence[str], prompt: str | None = None) -> list[int]:
        """Tokens per text by the model's own tokenizer (prompt and special tokens included, untruncated)."""
        tok = self.model.tokenizer
        batch = [(prompt or "") + t for t in texts]
        ids = tok(batch, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        return [len(x) for x in ids]


def _try_fast(
    ref: ModelRef,
    backend: str,
    cache_dir: Any,
    *,
    int8: bool = False,
    precision: str | None = None,
    on_phase: PhaseCallback | None = None,
) -> tuple[Encoder | None, str | None]:
    """(encoder, None) from evaluators.fast, or (None, reason it was not used). `precision` asks OpenVINO
    for an inference precision (bf16/fp32); None keeps its own choice."""
    try:
        from evaluators import fast
    except ImportError as exc:
        return None, f"fast path not installed ({exc})"
    unavailable = getattr(fast, "FastPathUnavailable", RuntimeError)
    try:
        enc = fast.load_fast_encoder(
            str(ref.path),
            backend=backend,
            query_prompt=ref.query_prompt,
            passage_prompt=ref.passage_prompt,
            normalize=ref.normalize,
            cache_dir=cache_dir,
            int8=int8,
            precision=precision,
            on_phase=on_phase,
        )
    except unavailable as exc:
        return None, f"{backend} unavailable: {exc}"
    except Exception as exc:  # a broken export must not fail the model: torch still works
        return None, f"{backend} failed: {type(exc).__name__}: {exc}"
    try:
        enc.name = ref.name
        _attach_token_counter(enc, ref)
    except AttributeError:
        pass
    return enc, None


def _attach_token_counter(enc: Any, ref: ModelRef) -> None:
    """Give a fast encoder an untruncated token counter (its own tokenizer truncates), for truncated_share."""
    if not getattr(enc, "max_tokens", None):
        enc.max_tokens = getattr(enc, "max_seq_length", None)
    if hasattr(enc, "count_tokens"):
        return
    try:
        from tokenizers import Tokenizer

        from evaluators.fast.stconfig import resolve_model_dir

        tok = Tokenizer.from_file(str(resolve_model_dir(str(ref.path))[0] / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
    except Exception:  # no tokenizer.json: truncated_share is then reported as unknown
        return

    def count_tokens(texts: Sequence[str], prompt: str | None = None) -> list[int]:
        batch = [(prompt or "") + t for t in texts]
        return [len(e.ids) for e in tok.encode_batch(batch, add_special_tokens=True)]

    enc.count_tokens = count_tokens


def quiet_transformers() -> None:
    """No 'Loading weights' progress bar from transformers: the trial shows its own progress."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # an older/newer layout: a stray bar is cosmetic
        pass


def _load_torch(ref: ModelRef, device: str, precision: str = "fp32",
                on_phase: PhaseCallback | None = None) -> SentenceTransformerEncoder:
    """sentence-transformers on `device`; fp16/bf16 cast the weights (GPU), bf16 on the CPU uses autocast."""
    from sentence_transformers import SentenceTransformer

    quiet_transformers()
    if on_phase is not None:
        from evaluators.estimate import download_note

        note = download_note(ref)
        if note:
            on_phase("download", note)
    kwargs: dict[str, Any] = {"device": device}
    if os.environ.get("HF_HUB_OFFLINE") == "1" and not os.path.isdir(str(ref.path)):
        kwargs["local_files_only"] = True
    try:
        model = SentenceTransformer(str(ref.path), **kwargs)
    except OSError as exc:
        raise offline_reason(str(ref.path), exc, "sentence-transformers folder") from None
    if precision == "bf16" and device == "cpu":
        return SentenceTransformerEncoder(model, ref, device=device, autocast="bf16")
    if precision in ("fp16", "bf16"):
        import torch

        model = model.to(torch.float16 if precision == "fp16" else torch.bfloat16)
    return SentenceTransformerEncoder(model, ref, device=device)


def offline_reason(path: str, exc: OSError, local_kind: str) -> OSError:
    """The one-line error for a Hugging Face id neither cached nor downloadable (else `exc` itself)."""
    if not os.path.isdir(path) and any(w in str(exc).lower() for w in ("connect", "offline", "cached files")):
        return OSError(
            f"{path} is not in the local Hugging Face cache and the hub is unreachable (offline?): "
            f"run once with network to download it, or pass a local {local_kind}"
        )
    return exc


@functools.lru_cache(maxsize=1)
def _gpu_seen_without_torch() -> bool:
    """Whether a CUDA/MPS device is likely (nvidia-smi, Apple Silicon); never imports torch. Probed once per
    process: every model of a trial asks."""
    from evaluators.hardware import detect_hardware

    return detect_hardware(probe_gpu=True, allow_torch=False).gpu is not None


def load_encoder(
    ref: ModelRef | str,
    *,
    backend: str = "auto",
    cache_dir: Any = None,
    int8: bool = False,
    sample: Any = None,
    facts: Any = None,
    on_phase: PhaseCallback | None = None,
) -> Encoder:
    """An Encoder for a dense or API model. Raises with a one-line reason when it cannot be loaded.

    auto: the fastest path this hardware has that passes the fidelity guard on `sample` (an
    `evaluators.fidelity.Sample` of the user's texts), else fp32 (ONNX Runtime on CPU; torch on a GPU); see
    `evaluators.engines.load_auto`. onnx/openvino: that engine, falling back to torch with the reason in
    `details`. int8: the opt-in dynamically quantised ONNX model; never falls back (the row would not be
    int8).
    `facts` (an `evaluators.precision.HardwareFacts`) replaces the probe of this machine.
    """
    mref = resolve_model(ref) if isinstance(ref, str) else ref
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if mref.kind == "api":
        if int8:
            raise ValueError(f"{mref.name}: int8 applies to local models only")
        try:
            from evaluators.api.embedders import load_api_encoder
        except ImportError as exc:
            raise RuntimeError(f"API models are not available in this build ({exc})") from exc
        return load_api_encoder(mref.path or mref.ref)
    if mref.kind != "dense":
        raise ValueError(f"{mref.ref!r} is not an embedding model (kind {mref.kind})")
    if int8:
        if backend not in ("auto", "onnx"):
            raise ValueError(f"int8 runs on the onnx backend only, not {backend}")
        enc, why = _try_fast(mref, "onnx", cache_dir, int8=True, on_phase=on_phase)
        if enc is None:
            raise RuntimeError(f"int8 unavailable: {why}")
        return enc
    if backend == "auto":
        from evaluators.engines import load_auto

        return load_auto(mref, cache_dir=cache_dir, sample=sample, facts=facts, on_phase=on_phase)
    return load_fp32(mref, backend, cache_dir, on_phase=on_phase)


def load_fp32(
    mref: ModelRef, backend: str, cache_dir: Any, *, gpu_hint: bool | None = None,
    on_phase: PhaseCallback | None = None,
) -> Encoder:
    """Full precision. auto: ONNX Runtime when no GPU is seen (a cached export then never imports torch),
    else torch on the best device; onnx/openvino: that engine, else torch with the reason; torch: torch."""
    gpu = _gpu_seen_without_torch() if gpu_hint is None else gpu_hint
    fallback: str | None = None
    if backend in ("onnx", "openvino") or (backend == "auto" and not gpu):
        fast_backend = "onnx" if backend == "auto" else backend
        enc, fallback = _try_fast(mref, fast_backend, cache_dir, on_phase=on_phase)
        if enc is not None:
            return enc
    device = best_device()
    if backend == "auto" and fallback is None and device == "cpu":  # a GPU torch cannot use: CPU after all
        enc, fallback = _try_fast(mref, "onnx", cache_dir, on_phase=on_phase)
        if enc is not None:
            return enc
    encoder = _load_torch(mref, device, on_phase=on_phase)
    if fallback:
        encoder.details["fallback_reason"] = fallback
    return encoder
