"""Reads an `evaluators.hardware.Hardware` for display and as questionnaire defaults.

The helpers accept any object with the documented attributes (or a dict), so a fake in tests and the real
dataclass look the same to the screens.
"""

from __future__ import annotations

from typing import Any


def _get(hw: Any, *names: str) -> Any:
    for name in names:
        value = hw.get(name) if isinstance(hw, dict) else getattr(hw, name, None)
        if value is not None:
            return value
    return None


def hardware_defaults(hw: Any) -> dict[str, Any]:
    """{'ram_gb', 'gpu' ('none'|'cuda'|'mps'), 'vram_gb'} from a detected Hardware."""
    ram = _get(hw, "ram_gb", "total_ram_gb")
    if ram is None and _get(hw, "ram_bytes") is not None:
        ram = _get(hw, "ram_bytes") / 2**30
    gpu = "none"
    if _get(hw, "cuda", "has_cuda"):
        gpu = "cuda"
    elif _get(hw, "mps", "has_mps"):
        gpu = "mps"
    elif isinstance(_get(hw, "gpu", "device", "accelerator"), str):
        name = str(_get(hw, "gpu", "device", "accelerator")).lower()
        gpu = "cuda" if "cuda" in name else "mps" if "mps" in name else "none"
    vram = _get(hw, "vram_gb", "gpu_vram_gb")
    return {
        "ram_gb": round(float(ram), 1) if ram else None,
        "gpu": gpu,
        "vram_gb": round(float(vram), 1) if vram else None,
    }


def describe_hardware(hw: Any) -> str:
    """One line: '15.6 GB RAM, 2 cores, no GPU' (or the GPU name and VRAM)."""
    d = hardware_defaults(hw)
    cores = _get(hw, "cpu_cores", "cores", "cpu_count")
    parts = [f"{d['ram_gb']:g} GB RAM" if d["ram_gb"] else "RAM unknown"]
    if cores:
        parts.append(f"{cores} cores")
    if d["gpu"] == "none":
        parts.append("no GPU found")
    else:
        name = _get(hw, "gpu_name") or d["gpu"].upper()
        parts.append(f"{name} {d['vram_gb'] or '?'} GB VRAM")
    return ", ".join(parts)
