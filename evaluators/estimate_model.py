"""The cost model behind `evaluators.estimate`: a model's shape, its tokens, and seconds/MB per path.

Constants are fitted on measured trials (bench/RESULTS.md names the machine and the runs); a figure an
earlier trial measured on this machine for the same model and path replaces them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.precision import PrecisionPath

EFFICIENCY = {"onnx": 0.6, "openvino": 0.6, "torch": 0.4}
"""Share of the probe's fp32 GEMM rate a CPU engine reaches on a whole encoder (ONNX Runtime 0.63-0.69,
torch 0.44 on the 2-core EPYC, bench/RESULTS.md of issue 7)."""
CPU_BF16_SPEEDUP = 2.5
"""bf16 vs fp32 on a CPU with AMX (issue 18's Xeon: torch autocast 2.55x, OpenVINO 2.83x for MiniLM);
assumed, not measured here: the estimate says so."""
PADDING = 1.05
"""Length-sorted batches pad little: ~5% more tokens than the texts hold."""
WORDS_TO_TOKENS = 1.3
"""Sub-word tokens per whitespace word (English WordPiece/BPE), used when no tokenizer file is local."""
LOAD_BASE_S = {"onnx": 0.15, "openvino": 0.5, "torch": 4.0}
"""Fixed part of a load: session set-up; for torch, importing torch and sentence-transformers."""
LOAD_MB_PER_S = {"onnx": 400.0, "openvino": 200.0, "torch": 250.0}
PEAK_BASE_MB = {"onnx": 70.0, "openvino": 150.0, "torch": 450.0}
"""Runtime libraries mapped into the process when the model loads (ONNX Runtime, OpenVINO, torch)."""
PEAK_WEIGHT_FACTOR = {"onnx": 1.6, "openvino": 1.6, "torch": 1.2}
"""Resident weights per MB of weight file (ONNX Runtime keeps a pre-packed copy of each MatMul weight)."""
EXPORT_BASE_S, EXPORT_S_PER_MB = 15.0, 0.1
"""One-time ONNX export in a child process: torch import + model load + trace + fuse + verify."""


@dataclass(frozen=True)
class Arch:
    layers: int
    hidden: int
    ffn: int
    window: int
    weights_mb: float
    source: str


@dataclass(frozen=True)
class Costs:
    load_s: float | None
    encode_s: float | None
    peak_mb: float | None
    first_run: tuple[str, ...]
    first_run_s: float
    basis: str


def _folder(mref: Any) -> Path | None:
    path = Path(str(mref.path or ""))
    if path.is_dir():
        return path
    try:
        from evaluators.fast.stconfig import resolve_model_dir

        return resolve_model_dir(str(mref.path))[0]
    except Exception:  # not in the HF cache: the catalog's facts are all we have
        return None


def model_arch(mref: Any) -> Arch | None:
    """Layers/hidden/FFN/window from the model's config.json; else from the catalog's parameter count."""
    folder = _folder(mref)
    if folder is not None:
        try:
            cfg = json.loads((folder / "config.json").read_text("utf-8"))
            window = _st_window(folder) or int(cfg.get("max_position_embeddings") or 512)
            weights = sum(p.stat().st_size for p in folder.glob("*") if p.suffix in (".safetensors", ".bin"))
            hidden = int(cfg["hidden_size"])
            return Arch(
                int(cfg["num_hidden_layers"]),
                hidden,
                int(cfg.get("intermediate_size") or 4 * hidden),
                window,
                weights / 2**20 or _params_mb(mref),
                "config.json",
            )
        except (OSError, ValueError, KeyError, TypeError):
            pass
    spec = getattr(mref, "spec", None)
    if spec is None or not spec.n_parameters or not spec.dims:
        return None
    hidden = int(spec.dims)
    body = max(spec.n_parameters - (spec.vocab_size or 30000) * hidden, spec.n_parameters // 2)
    layers = max(1, round(body / (12 * hidden * hidden)))  # a layer holds ~12 h^2 weights
    return Arch(
        layers,
        hidden,
        4 * hidden,
        int(spec.max_tokens or 512),
        spec.n_parameters * 4 / 2**20,
        "catalog parameter count",
    )


def _st_window(folder: Path) -> int | None:
    try:
        return int(json.loads((folder / "sentence_bert_config.json").read_text("utf-8"))["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _params_mb(mref: Any) -> float:
    spec = getattr(mref, "spec", None)
    return float(spec.n_parameters * 4 / 2**20) if spec is not None and spec.n_parameters else 0.0


def count_tokens(mref: Any, texts: list[str], arch: Arch | None) -> list[int]:
    """Tokens per text, truncated at the window: the model's tokenizer.json when local, else words x 1.3."""
    window = arch.window if arch else 512
    folder = _folder(mref)
    if folder is not None and (folder / "tokenizer.json").is_file():
        try:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
            tok.no_truncation()
            tok.no_padding()
            return [min(len(e.ids), window) for e in tok.encode_batch(texts)]
        except Exception:  # an unreadable tokenizer: the word count below is close enough for an estimate
            pass
    return [min(int(len(t.split()) * WORDS_TO_TOKENS) + 2, window) for t in texts]


def encode_flops(arch: Arch, lengths: list[int]) -> float:
    """Linear layers (Q, K, V, output, FFN in and out) plus attention scores, per text at its own length."""
    per_token = 2 * (4 * arch.hidden**2 + 2 * arch.hidden * arch.ffn)
    total = sum(n * per_token + 4 * n * n * arch.hidden for n in lengths)
    return float(arch.layers * total * PADDING)


def path_costs(
    mref: Any,
    path: PrecisionPath,
    arch: Arch | None,
    lengths: list[int],
    gflops: float,
    seen: dict[str, float] | None,
    cache_dir: Any,
) -> Costs:
    """Seconds and MB for this path: measured earlier here when known, else the arithmetic above."""
    first, first_s = _first_run(mref, path, arch, cache_dir)
    n_tok = sum(lengths)
    if seen and seen.get("tokens_per_s"):
        return Costs(
            seen.get("load_s"),
            n_tok / seen["tokens_per_s"],
            seen.get("peak_mem_mb"),
            first,
            first_s,
            f"measured by an earlier trial of this model here ({seen['tokens_per_s']:,.0f} tokens/s)",
        )
    if arch is None:
        return Costs(
            None, None, None, first, first_s, "model size unknown (no config.json, no catalog entry)"
        )
    engine = path.engine if path.engine in EFFICIENCY else "torch"
    if path.device != "cpu":
        return Costs(
            None, None, None, first, first_s, f"no {path.device} calibration yet (known after one trial)"
        )
    rate = gflops * 1e9 * EFFICIENCY[engine] * (CPU_BF16_SPEEDUP if path.precision == "bf16" else 1.0)
    load = LOAD_BASE_S[engine] + arch.weights_mb / LOAD_MB_PER_S[engine]
    peak = PEAK_BASE_MB[engine] + PEAK_WEIGHT_FACTOR[engine] * arch.weights_mb
    basis = (
        f"{gflops:.0f} GFLOP/s fp32 probe x {EFFICIENCY[engine]:.0%} {engine} efficiency, "
        f"{arch.layers} layers x {arch.hidden} hidden ({arch.source})"
    )
    if path.precision == "bf16":
        basis += f", bf16 assumed {CPU_BF16_SPEEDUP}x fp32"
    return Costs(round(load, 2), encode_flops(arch, lengths) / rate, round(peak), first, first_s, basis)


def _first_run(
    mref: Any, path: PrecisionPath, arch: Arch | None, cache_dir: Any
) -> tuple[tuple[str, ...], float]:
    notes: list[str] = []
    seconds = 0.0
    size = needs_download(mref)
    if size is not None:
        notes.append(f"download ~{size:,.0f} MB" if size else "download (size unknown)")
    if path.engine in ("onnx", "openvino") and not _exported(mref, cache_dir):
        weights = arch.weights_mb if arch else 0.0
        seconds = EXPORT_BASE_S + EXPORT_S_PER_MB * weights
        notes.append(f"ONNX export ~{seconds:.0f} s (once per model)")
    return tuple(notes), seconds


def _exported(mref: Any, cache_dir: Any) -> bool:
    try:
        from evaluators.fast import export_dir_for
        from evaluators.fast.stconfig import read_manifest

        root = Path(cache_dir) if cache_dir else _default_cache()
        return read_manifest(export_dir_for(str(mref.path), root)) is not None
    except Exception:  # not resolvable (not downloaded): the export is still to come
        return False


def _default_cache() -> Path:
    from evaluators.fast import _default_cache_dir

    return _default_cache_dir()


def needs_download(mref: Any) -> float | None:
    """MB to download (0.0 when the size is unknown), or None when the weights are already here."""
    if _folder(mref) is not None:
        return None
    spec = getattr(mref, "spec", None)
    if spec is not None and spec.memory_mb:
        return float(spec.memory_mb)
    return _params_mb(mref)
