"""One-time export of a sentence-transformers model to ONNX with `torch.onnx.export`, verified against torch.

The only fast-path module that imports torch (inside `export_model`). The export lands in a temp folder and is
renamed into `cache_dir/onnx/<key>/` once its manifest is written, so a half-written export is never used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from evaluators.fast import verify
from evaluators.fast.errors import FastPathUnavailable
from evaluators.fast.stconfig import EXPORT_FORMAT, StConfig, read_manifest, write_json_atomic

OPSET = 17
"""LayerNormalization is a native op from 17; ORT >= 1.14 runs it."""
_FUSE_TYPES = {"bert": "bert", "roberta": "bert", "xlm-roberta": "bert", "distilbert": "bert",
               "electra": "bert", "camembert": "bert"}
"""HF model_type -> onnxruntime.transformers optimizer type whose Attention/LayerNorm/Gelu fusions apply."""


def export_model(model_id: str, cfg: StConfig, *, revision: str | None, content_hash: str,
                 export_dir: Path, threads: int | None = None) -> dict[str, Any]:
    """Export, fuse, verify and cache. Returns the manifest; a failed verification is cached too (so `auto`
    doesn't re-export on every trial) and then raised as FastPathUnavailable with the measured cosine."""
    started = time.perf_counter()
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise FastPathUnavailable(f"cannot export without torch/sentence-transformers ({exc.name})") from exc
    from evaluators.backends import quiet_transformers

    quiet_transformers()
    st = SentenceTransformer(str(cfg.model_dir), device="cpu")
    reference = st.encode(list(verify.PROBE_TEXTS), batch_size=8, convert_to_numpy=True)
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{export_dir.name}.", dir=export_dir.parent))
    try:
        manifest = _base_manifest(model_id, cfg, st, revision, content_hash)
        try:
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tracer/deprecation chatter about the legacy exporter
                _torch_export(st, manifest["input_names"], tmp / "model.onnx")
            _save_tokenizer(st, cfg, tmp / "tokenizer.json")
            candidates = [f for f in (_fuse(tmp, manifest), "model.onnx") if f]
            manifest.update(_pick_verified(tmp, manifest, candidates, reference, threads))
        except Exception as exc:  # an architecture the exporter can't trace: cache the verdict, use torch
            manifest["export_error"] = f"{type(exc).__name__}: {exc}"[:300]
        manifest["export_s"] = round(time.perf_counter() - started, 2)
        write_json_atomic(tmp / "manifest.json", manifest)
        _publish(tmp, export_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    final = read_manifest(export_dir) or manifest
    verify.check_verified(final)
    return final


def _base_manifest(model_id: str, cfg: StConfig, st: Any, revision: str | None,
                   content_hash: str) -> dict[str, Any]:
    import onnxruntime
    import torch
    import transformers

    tok = st.tokenizer
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tok.model_input_names]
    auto = st[0].auto_model
    return {
        "format": EXPORT_FORMAT, "model_id": model_id, "model_dir": str(cfg.model_dir), "revision": revision,
        "content_hash": content_hash, "pooling": list(cfg.pooling), "normalize": cfg.normalize,
        "max_seq_length": st.max_seq_length or cfg.max_seq_length, "do_lower_case": cfg.do_lower_case,
        "max_position_embeddings": getattr(auto.config, "max_position_embeddings", None),
        "model_type": getattr(auto.config, "model_type", ""),
        "num_heads": int(getattr(auto.config, "num_attention_heads", 0) or 0),
        "hidden_size": int(getattr(auto.config, "hidden_size", 0) or 0), "dim": _dimension(st),
        "tokenizer_file": "tokenizer.json", "input_names": names, "output_name": "token_embeddings",
        "padding_side": getattr(tok, "padding_side", "right"),
        "truncation_side": getattr(tok, "truncation_side", "right"),
        "pad_token_id": tok.pad_token_id if tok.pad_token_id is not None else 0, "opset": OPSET,
        "exporter": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "onnxruntime": onnxruntime.__version__, "dynamo": False},
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _dimension(st: Any) -> int:
    getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
    return int(getter())


def _torch_export(st: Any, names: list[str], out: Path) -> None:
    """Legacy TorchScript exporter (dynamo=False): works offline without onnxscript. Eager attention traces
    to plain MatMul/Softmax that ORT's optimizer fuses into one Attention op;
    SDPA traces to an unfusable graph.
    """
    import torch

    auto = st[0].auto_model.eval()
    if hasattr(auto, "set_attn_implementation"):
        try:
            auto.set_attn_implementation("eager")
        except Exception:  # some architectures only have one implementation
            pass

    class _Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = auto

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.model(**dict(zip(names, tensors, strict=True)))[0]
            return out

    sample = st.tokenizer(["a short probe", "a somewhat longer probe sentence with padding"],
                          padding=True, return_tensors="pt")
    axes = {n: {0: "batch", 1: "sequence"} for n in [*names, "token_embeddings"]}
    torch.onnx.export(_Wrapped().eval(), tuple(sample[n] for n in names), str(out), input_names=names,
                      output_names=["token_embeddings"], dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def _save_tokenizer(st: Any, cfg: StConfig, out: Path) -> None:
    """The fast tokenizer sentence-transformers actually uses, saved beside the model."""
    backend = getattr(st.tokenizer, "backend_tokenizer", None)
    if backend is not None:
        backend.save(str(out))
    elif (cfg.model_dir / "tokenizer.json").is_file():
        shutil.copyfile(cfg.model_dir / "tokenizer.json", out)
    else:
        raise FastPathUnavailable("model has no fast tokenizer (tokenizer.json) for the ONNX path")


def _fuse(tmp: Path, manifest: dict[str, Any]) -> str | None:
    """ORT's transformer optimizer (Attention, SkipLayerNorm, BiasGelu fusions): ~10-20% faster on CPU."""
    kind = _FUSE_TYPES.get(str(manifest["model_type"]))
    if kind is None:
        return None
    try:
        from onnxruntime.transformers import optimizer

        model = optimizer.optimize_model(str(tmp / "model.onnx"), model_type=kind,
                                         num_heads=manifest["num_heads"], hidden_size=manifest["hidden_size"],
                                         opt_level=1, use_gpu=False)
        model.save_model_to_file(str(tmp / "model.fused.onnx"))
        manifest["fusions"] = {k: v for k, v in model.get_fused_operator_statistics().items() if v}
    except Exception as exc:  # fusion is an optimisation; the plain graph still works
        manifest["fusions"] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        return None
    return "model.fused.onnx"


def _pick_verified(tmp: Path, manifest: dict[str, Any], candidates: list[str], reference: Any,
                   threads: int | None) -> dict[str, Any]:
    """First candidate graph whose probe vectors match torch; else the closest one, marked failed."""
    from evaluators.fast.onnx_encoder import OnnxEncoder

    best: tuple[float, str] | None = None
    for name in candidates:
        enc = OnnxEncoder(tmp, manifest, model_file=name, precision="fp32", threads=threads, name="probe",
                          query_prompt=None, passage_prompt=None, normalize=False, max_seq_length=None)
        got = verify.min_cosine(reference, enc.encode_passages(list(verify.PROBE_TEXTS)))
        if best is None or got > best[0]:
            best = (got, name)
        if got >= verify.MIN_COSINE:
            break
    assert best is not None  # the plain model.onnx stays: OpenVINO and int8 start from it
    return {"model_file": best[1], "verification": verify.verdict(best[0])}


def _publish(tmp: Path, export_dir: Path) -> None:
    """Rename into place; if another process won the race, keep theirs."""
    if export_dir.exists():
        if read_manifest(export_dir) is not None:
            return
        shutil.rmtree(export_dir, ignore_errors=True)
    try:
        os.replace(tmp, export_dir)
    except OSError:
        if read_manifest(export_dir) is None:
            raise
