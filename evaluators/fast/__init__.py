"""Fast CPU path: sentence-transformers models exported once to ONNX, then run without torch.

`load_fast_encoder` finds (or makes, verifies and caches) the export and returns an `Encoder`. Anything
it can't serve raises `FastPathUnavailable(reason)`; `evaluators.backends.load_encoder` then falls back to
torch and shows the reason.

The `auto` rule lives in `evaluators.engines`: fp32 on a CPU without native bf16 is this ONNX path when the
export verifies (every probe vector's cosine to sentence-transformers >= 0.9999), else torch; OpenVINO bf16
is a candidate on CPUs with native bf16, behind the fidelity guard. int8 is never chosen automatically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluators.fast.errors import FastPathUnavailable
from evaluators.fast.int8 import recall_agreement

if TYPE_CHECKING:
    from evaluators.fast.onnx_encoder import TokenEncoder
    from evaluators.types import Encoder

__all__ = ["BACKENDS", "FastPathUnavailable", "load_fast_encoder", "recall_agreement", "export_dir_for"]

BACKENDS = ("auto", "onnx", "openvino")
"""Backends served here; `auto` means onnx (this function is only called for CPU)."""


def export_dir_for(model_path: str, cache_dir: Path) -> Path:
    """Where the export of this model lives (exists or not); no torch, no export."""
    from evaluators.fast.stconfig import model_key, resolve_model_dir

    model_dir, revision = resolve_model_dir(model_path)
    key, _ = model_key(model_path, model_dir, revision, Path(cache_dir))
    return Path(cache_dir) / "onnx" / key


def load_fast_encoder(model_path: str, *, backend: str, query_prompt: str | None, passage_prompt: str | None,
                      normalize: bool, cache_dir: Path | None, threads: int | None = None,
                      max_seq_length: int | None = None, int8: bool = False, precision: str | None = None,
                      on_phase: Callable[[str, str], None] | None = None,
                      export_in_child: bool = True) -> Encoder:
    """An ONNX Runtime (or OpenVINO) encoder for a sentence-transformers model folder or cached HF id.

    First call per model: exports with torch in a child process (seconds; torch never enters this process,
    so a trial's memory stays the runtime's), verifies on a probe batch, caches under
    `cache_dir/onnx/<name>-<content hash>/`. Later calls read the cache. `normalize` adds L2 normalisation on
    top of the model's own pipeline. `precision` (OpenVINO only): 'bf16' or 'fp32' inference precision.
    `on_phase(phase, text)` is told when the one-time export starts. `export_in_child=False` exports in this
    process (tests that patch the exporter).
    """
    import time

    from evaluators.fast import verify
    from evaluators.fast.stconfig import model_key, read_manifest, read_st_config, resolve_model_dir

    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    started = time.perf_counter()
    _require("onnxruntime", "tokenizers")
    cache_dir = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
    model_dir, revision = resolve_model_dir(model_path)
    cfg = read_st_config(model_dir)
    if not cfg.include_prompt and (query_prompt or passage_prompt):
        raise FastPathUnavailable("pooling excludes prompt tokens (include_prompt=false): not reproduced")
    key, content_hash = model_key(model_path, model_dir, revision, Path(cache_dir))
    export_dir = Path(cache_dir) / "onnx" / key
    manifest = read_manifest(export_dir)
    if manifest is not None and manifest.get("export_error") and _exporter_changed(manifest):
        manifest = None  # torch/transformers upgraded since the failed export: try again
    cache_hit = manifest is not None
    if manifest is None:
        if on_phase is not None:
            on_phase("export", f"exporting {_display_name(model_path)} to ONNX (one time per model)")
        manifest = _export(model_path, cfg, revision, content_hash, export_dir, threads, export_in_child)
    verify.check_verified(manifest)
    common = {"name": _display_name(model_path), "query_prompt": query_prompt,
              "passage_prompt": passage_prompt, "normalize": normalize, "max_seq_length": max_seq_length}
    encoder = _build(backend, export_dir, manifest, common, threads, int8, precision)
    encoder.details.update({"export_cache_hit": cache_hit, "load_s": round(time.perf_counter() - started, 3)})
    if "export_run" in manifest:
        encoder.details["export_run"] = manifest["export_run"]
    return encoder


def _export(model_path: str, cfg: Any, revision: str | None, content_hash: str, export_dir: Path,
            threads: int | None, in_child: bool) -> dict[str, Any]:
    if in_child:
        from evaluators.fast.export_child import export_in_child

        return export_in_child(model_path, revision=revision, content_hash=content_hash,
                               export_dir=export_dir,
                               threads=threads)
    from evaluators.fast.export import export_model  # imports torch into this process

    return export_model(model_path, cfg, revision=revision, content_hash=content_hash, export_dir=export_dir,
                        threads=threads)


def _build(backend: str, export_dir: Path, manifest: dict[str, Any], common: dict[str, Any],
           threads: int | None, int8: bool, precision: str | None = None) -> TokenEncoder:
    if backend == "openvino":
        if int8:
            raise FastPathUnavailable("int8 is offered on the onnx backend only")
        from evaluators.fast.openvino_encoder import OpenVinoEncoder

        return OpenVinoEncoder(export_dir, manifest, threads=threads, precision=precision, **common)
    from evaluators.fast.onnx_encoder import OnnxEncoder

    if not int8:
        return OnnxEncoder(export_dir, manifest, model_file=manifest["model_file"], precision="fp32",
                           threads=threads, **common)
    from evaluators.fast.int8 import ensure_int8

    file, quality = ensure_int8(export_dir, manifest, threads)
    encoder = OnnxEncoder(export_dir, manifest, model_file=file, precision="int8-dynamic", threads=threads,
                          **common)
    encoder.details["int8_vs_fp32"] = quality
    return encoder


def _default_cache_dir() -> Path:
    """Where exports go when the caller passes no cache dir (e.g. `trial --no-cache`, which only turns off the
    embeddings cache): the same folder storage.paths.cache_dir() names, which evaluators may not import."""
    import os

    home = os.environ.get("EMBEDSCOUT_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_path("embedscout", appauthor=False))


def _exporter_changed(manifest: dict[str, Any]) -> bool:
    """Installed torch/transformers differ from those a cached export used (read from metadata, no import)."""
    from importlib.metadata import PackageNotFoundError, version

    recorded = manifest.get("exporter") or {}
    for name in ("torch", "transformers"):
        try:
            if version(name) != recorded.get(name):
                return True
        except PackageNotFoundError:
            return True
    return False


def _require(*modules: str) -> None:
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise FastPathUnavailable(f"{', '.join(missing)} not installed (pip install 'embedscout[onnx]')")


def _display_name(model_path: str) -> str:
    path = Path(model_path)
    return path.name if path.is_dir() else model_path
