"""What the fast path must reproduce from a sentence-transformers folder, and where its export is cached.

Pure file reading (json + hashlib): no torch, so a cached export can be found and trusted without it.
Kept apart from export.py so onnx_encoder.py and the cache lookup never pull in the exporter.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.fast.errors import FastPathUnavailable

EXPORT_FORMAT = 2
"""Bump when the export recipe changes: old cache entries then no longer match any key."""

_LEGACY_POOLING = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}
POOLING_MODES = frozenset(_LEGACY_POOLING.values())
_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_CONFIG_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "modules.json",
                 "sentence_bert_config.json", "special_tokens_map.json")


@dataclass(frozen=True)
class StConfig:
    """The parts of a sentence-transformers pipeline the ONNX path reproduces in numpy."""

    model_dir: Path
    pooling: tuple[str, ...]
    """Pooling modes in sentence-transformers order; several are concatenated."""
    normalize: bool
    """True when modules.json ends with a Normalize module."""
    max_seq_length: int | None
    do_lower_case: bool
    include_prompt: bool


def resolve_model_dir(model_path: str) -> tuple[Path, str | None]:
    """A local folder as is; an HF id -> its cached snapshot (never downloads). Returns (dir, revision)."""
    path = Path(model_path).expanduser()
    if path.is_dir():
        return path.resolve(), _snapshot_revision(path.resolve())
    try:
        from huggingface_hub import snapshot_download  # deferred: only for hub ids
        snap = Path(snapshot_download(model_path, local_files_only=True))
    except Exception as exc:  # not cached, bad id, or no huggingface_hub
        reason = f"no local copy of {model_path!r} to export ({type(exc).__name__})"
        raise FastPathUnavailable(reason) from exc
    return snap, _snapshot_revision(snap)


def _snapshot_revision(path: Path) -> str | None:
    """The commit hash when the folder is an HF cache snapshot (.../snapshots/<commit>)."""
    if path.parent.name == "snapshots" and re.fullmatch(r"[0-9a-f]{40}", path.name):
        return path.name
    return None


def read_st_config(model_dir: Path) -> StConfig:
    """Read modules.json, pooling config and sentence_bert_config.json; refuse what we can't reproduce."""
    modules = _read_json(model_dir / "modules.json")
    if not isinstance(modules, list) or not modules:
        raise FastPathUnavailable("not a sentence-transformers folder (no modules.json)")
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds[0] != "Transformer":
        raise FastPathUnavailable(f"first module is {kinds[0]}, not a Transformer")
    unsupported = [k for k in kinds[1:] if k not in ("Pooling", "Normalize")]
    if unsupported:
        raise FastPathUnavailable(f"module(s) {', '.join(unsupported)} not reproduced by the fast path")
    if "Pooling" not in kinds:
        raise FastPathUnavailable("no Pooling module: token-level output is not supported")
    pool_path = model_dir / modules[kinds.index("Pooling")].get("path", "1_Pooling") / "config.json"
    pool_cfg = _read_json(pool_path)
    if not isinstance(pool_cfg, dict):
        raise FastPathUnavailable(f"missing pooling config {pool_path.name}")
    pooling = _pooling_modes(pool_cfg)
    include_prompt = bool(pool_cfg.get("include_prompt", True))
    bert_cfg = _read_json(model_dir / "sentence_bert_config.json") or {}
    max_len = bert_cfg.get("max_seq_length") if isinstance(bert_cfg, dict) else None
    return StConfig(
        model_dir=model_dir,
        pooling=pooling,
        normalize=kinds[-1] == "Normalize",
        max_seq_length=int(max_len) if max_len else None,
        do_lower_case=bool(bert_cfg.get("do_lower_case", False)) if isinstance(bert_cfg, dict) else False,
        include_prompt=include_prompt,
    )


def _pooling_modes(cfg: dict[str, Any]) -> tuple[str, ...]:
    """Both config styles: `pooling_mode` (str or list, ST >= 5) and the legacy `pooling_mode_*` booleans."""
    mode = cfg.get("pooling_mode")
    if mode is None:
        modes = tuple(v for k, v in _LEGACY_POOLING.items() if cfg.get(k))
    else:
        modes = (mode,) if isinstance(mode, str) else tuple(mode)
    if not modes:
        modes = ("mean",)  # ST's default
    bad = [m for m in modes if m not in POOLING_MODES]
    if bad:
        raise FastPathUnavailable(f"pooling mode {bad[0]!r} not supported")
    return modes


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def weight_files(model_dir: Path) -> list[Path]:
    """Top-level weight files (safetensors preferred, as transformers loads them first)."""
    files = sorted(p for p in model_dir.iterdir() if p.suffix in _WEIGHT_SUFFIXES and p.is_file())
    safet = [p for p in files if p.suffix == ".safetensors"]
    return safet or files


def model_key(model_id: str, model_dir: Path, revision: str | None, cache_dir: Path) -> tuple[str, str]:
    """(cache key, content hash). The hash covers the weights and the config files that shape the output."""
    digest = hashlib.sha256(f"format={EXPORT_FORMAT}|rev={revision or ''}".encode())
    weights = weight_files(model_dir)
    if not weights:
        raise FastPathUnavailable("no weight files (*.safetensors / *.bin) in the model folder")
    for path in weights:
        digest.update(f"{path.name}={_file_hash(path, cache_dir)}".encode())
    for name in _CONFIG_FILES:
        path = model_dir / name
        if path.is_file():
            digest.update(name.encode() + hashlib.sha256(path.read_bytes()).digest())
    for sub in sorted(model_dir.glob("*_Pooling/config.json")):
        digest.update(sub.read_bytes())
    content = digest.hexdigest()
    parts = Path(model_id.rstrip("/")).parts[-2:]  # "pkg/model", "org/name": a readable folder name
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(parts) or "model").strip("-.")[-48:]
    return f"{slug or 'model'}-{content[:16]}", content


def _file_hash(path: Path, cache_dir: Path) -> str:
    """sha256 of a weights file: free for HF cache blobs (named by it), else once per (size, mtime)."""
    target = path.resolve()
    if re.fullmatch(r"[0-9a-f]{64}", target.name) and target.parent.name == "blobs":
        return target.name
    st = target.stat()
    memo_path = cache_dir / "onnx" / "hashes.json"
    memo = _read_json(memo_path)
    memo = memo if isinstance(memo, dict) else {}
    stamp = f"{target}|{st.st_size}|{st.st_mtime_ns}"
    if stamp in memo:
        return str(memo[stamp])
    h = hashlib.sha256()
    with target.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    memo[stamp] = h.hexdigest()
    _write_json_atomic(memo_path, memo)
    return h.hexdigest()


def _write_json_atomic(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON so a reader never sees half a file (rename is atomic on one filesystem)."""
    _write_json_atomic(path, data)


def read_manifest(export_dir: Path) -> dict[str, Any] | None:
    """The manifest of a finished export, or None (an export without one is incomplete and ignored)."""
    data = _read_json(export_dir / "manifest.json")
    return data if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT else None
