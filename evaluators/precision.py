"""Which engine and precision `--backend auto` may run a local model with on this machine.

Pure rules over `HardwareFacts` (so they are tested with any machine's facts injected): CUDA fp16/bf16 and
Apple MPS fp16 on torch, CPU bf16 where the CPU multiplies bf16 natively (OpenVINO or torch autocast, the
faster one), ONNX Runtime fp32 otherwise. Every reduced-precision path is only a candidate: the fidelity
guard (`evaluators.fidelity`) must pass it on the user's texts first. `probe_facts()` is the only I/O.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import platform
from dataclasses import dataclass, field

from evaluators.hardware import BF16_FLAGS, NOTABLE_FLAGS, native_bf16

ENGINES = ("torch", "onnxruntime", "openvino")
"""Inference libraries a path can run on (found by import spec, never imported here)."""


@dataclass(frozen=True)
class HardwareFacts:
    """What the precision rules read about a machine; tests build it by hand, `probe_facts` from the OS."""

    cpu_name: str
    cpu_flags: frozenset[str]
    gpu: str | None = None
    """'cuda', 'mps' or None."""
    gpu_name: str | None = None
    gpu_bf16: bool | None = None
    """CUDA compute capability >= 8.0 (Ampere+): bf16 runs natively. None: unknown (torch decides at load)."""
    engines: frozenset[str] = field(default_factory=frozenset)
    """Installed inference libraries among ENGINES."""
    system: str = ""
    versions: tuple[tuple[str, str], ...] = ()
    """(library, version) of the engines: part of the fingerprint, since a new kernel can change vectors."""


@dataclass(frozen=True)
class PrecisionPath:
    """One way to run a model: engine (torch | onnx | openvino), device (cpu | cuda | mps), precision."""

    engine: str
    device: str
    precision: str
    """'fp32' | 'fp16' | 'bf16' | 'int8'."""
    why: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        return f"{self.engine}-{self.device}-{self.precision}"

    @property
    def reduced(self) -> bool:
        return self.precision != "fp32"


@dataclass(frozen=True)
class Plan:
    """Reduced-precision candidates in order of preference (may be empty) and the fp32 path behind them."""

    candidates: tuple[PrecisionPath, ...]
    fallback: PrecisionPath
    reason: str
    """Why the candidates are what they are (shown by `doctor` and recorded in the trial)."""


def fp32_path(facts: HardwareFacts) -> PrecisionPath:
    """The reference every reduced path is checked against, and what runs when none passes."""
    if facts.gpu and "torch" in facts.engines:
        return PrecisionPath("torch", facts.gpu, "fp32", f"{facts.gpu} GPU, full precision")
    if "onnxruntime" in facts.engines:
        return PrecisionPath("onnx", "cpu", "fp32", "ONNX Runtime on the CPU, full precision")
    return PrecisionPath(
        "torch", "cpu", "fp32", "sentence-transformers on the CPU (onnxruntime not installed)"
    )


def plan(facts: HardwareFacts) -> Plan:
    """The auto rule. int8 is never a candidate: it stays opt-in (`--int8`)."""
    fallback = fp32_path(facts)
    has_torch, has_ov = "torch" in facts.engines, "openvino" in facts.engines
    if facts.gpu == "cuda" and has_torch:
        paths = [PrecisionPath("torch", "cuda", "fp16", "CUDA tensor cores run fp16")]
        if facts.gpu_bf16 is not False:
            paths.append(PrecisionPath("torch", "cuda", "bf16", "CUDA (Ampere or newer) runs bf16"))
        return Plan(tuple(paths), fallback, f"CUDA GPU {facts.gpu_name or ''}".strip())
    if facts.gpu == "mps" and has_torch:
        return Plan(
            (PrecisionPath("torch", "mps", "fp16", "Apple GPU runs fp16"),), fallback, "Apple MPS GPU"
        )
    if native_bf16(facts.cpu_flags):
        found = ", ".join(f for f in BF16_FLAGS if f in facts.cpu_flags)
        paths = []
        if has_ov:
            paths.append(PrecisionPath("openvino", "cpu", "bf16", f"OpenVINO bf16 on {found}"))
        if has_torch:
            paths.append(PrecisionPath("torch", "cpu", "bf16", f"torch bf16 autocast on {found}"))
        if paths:
            return Plan(
                tuple(paths), fallback, f"CPU with native bf16 ({found}); the faster passing path wins"
            )
        return Plan((), fallback, f"CPU has {found} but neither openvino nor torch is installed")
    flags = ", ".join(f for f in NOTABLE_FLAGS if f in facts.cpu_flags) or "no notable flags"
    return Plan((), fallback, f"CPU without native bf16 ({flags}): fp32 is the fastest faithful path")


def describe_paths(facts: HardwareFacts) -> list[tuple[str, bool, str]]:
    """Every path auto knows, whether this machine has it, and why (for `embedscout doctor`)."""
    torch_ok, ort_ok, ov_ok = (
        "torch" in facts.engines,
        "onnxruntime" in facts.engines,
        "openvino" in facts.engines,
    )
    bf16 = native_bf16(facts.cpu_flags)
    cuda = facts.gpu == "cuda"
    rows = [
        ("CUDA fp16 (torch)", cuda and torch_ok, "needs an NVIDIA GPU and torch with CUDA"),
        (
            "CUDA bf16 (torch)",
            cuda and torch_ok and facts.gpu_bf16 is not False,
            "needs compute capability 8+",
        ),
        ("Apple MPS fp16 (torch)", facts.gpu == "mps" and torch_ok, "needs Apple silicon and torch"),
        ("CPU bf16 (OpenVINO)", bf16 and ov_ok, "needs AMX or AVX512-BF16 and openvino"),
        ("CPU bf16 (torch autocast)", bf16 and torch_ok, "needs AMX or AVX512-BF16 and torch"),
        ("CPU fp32 (ONNX Runtime)", ort_ok, "needs onnxruntime"),
        ("CPU fp32 (torch)", torch_ok, "needs torch"),
    ]
    return [(name, ok, "available" if ok else why) for name, ok, why in rows]


def summary(facts: HardwareFacts) -> dict[str, object]:
    """What `doctor` shows: CPU, notable flags, every path with its availability, and what auto would run."""
    the_plan = plan(facts)
    picks = [p.key for p in the_plan.candidates]
    return {
        "cpu": facts.cpu_name,
        "cpu_flags": [f for f in NOTABLE_FLAGS if f in facts.cpu_flags],
        "native_bf16": native_bf16(facts.cpu_flags),
        "paths": [{"path": name, "available": ok, "note": why} for name, ok, why in describe_paths(facts)],
        "auto": {
            "candidates": picks,
            "fallback": the_plan.fallback.key,
            "reason": the_plan.reason,
            "picks": (f"{' or '.join(picks)} if it passes the fidelity guard, else " if picks else "")
            + the_plan.fallback.key,
        },
        "hardware_fingerprint": fingerprint(facts),
    }


def fingerprint(facts: HardwareFacts) -> str:
    """Stable id of this machine for cached verdicts: CPU name and notable flags, GPU, engine versions."""
    raw = json.dumps(
        {
            "cpu": facts.cpu_name,
            "flags": sorted(f for f in facts.cpu_flags if f in NOTABLE_FLAGS),
            "gpu": facts.gpu,
            "gpu_name": facts.gpu_name,
            "system": facts.system,
            "versions": sorted(facts.versions),
        },
        sort_keys=True,
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@functools.lru_cache(maxsize=2)
def probe_facts(*, allow_torch: bool = False) -> HardwareFacts:
    """This machine's facts, once per process. Without allow_torch the GPU comes from nvidia-smi only."""
    from evaluators.hardware import cpu_info, detect_hardware, package_version

    name, flags = cpu_info()
    hw = detect_hardware(probe_gpu=True, allow_torch=allow_torch)
    engines = frozenset(e for e in ENGINES if importlib.util.find_spec(e) is not None)
    versions = tuple((e, package_version(e) or "?") for e in sorted(engines))
    return HardwareFacts(
        cpu_name=name,
        cpu_flags=flags,
        gpu=hw.gpu,
        gpu_name=hw.gpu_name,
        gpu_bf16=_cuda_bf16() if hw.gpu == "cuda" else None,
        engines=engines,
        system=f"{platform.system()} {platform.machine()}",
        versions=versions,
    )


def _cuda_bf16() -> bool | None:
    """Compute capability >= 8 from nvidia-smi (no torch); None when it can't say."""
    import shutil
    import subprocess

    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--query-gpu=compute_cap", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=3,
            check=True,
        ).stdout.split()
        return float(out[0]) >= 8.0
    except (subprocess.SubprocessError, OSError, ValueError, IndexError):
        return None
