"""What machine are we on: RAM, cores, CPU name and flags, GPU (CUDA/MPS) and VRAM, plus package versions.

Nothing is probed at import. RAM/cores are cheap (psutil/os); CPU flags come from /proc/cpuinfo (Linux) or
sysctl (macOS). The GPU is probed only on request (`probe_gpu=True`): `nvidia-smi` first (no torch), then
torch if it is importable and allowed, since importing torch costs seconds. `environment()` reads versions
from package metadata without importing the packages.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Any

TRACKED_PACKAGES = (
    "embedscout",
    "numpy",
    "torch",
    "sentence-transformers",
    "transformers",
    "onnxruntime",
    "openvino",
    "tokenizers",
    "bm25s",
)
GIB = 1024**3
NOTABLE_FLAGS = ("avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile",
                 "amx_bf16", "amx_int8", "neon", "asimd", "bf16", "i8mm", "sve")
"""The CPU features that decide which precision runs fast (recorded with every trial and in `doctor`)."""
BF16_FLAGS = ("amx_bf16", "avx512_bf16")
"""x86 features that run bf16 matrix products natively (AMX tiles, AVX512-BF16 dot products)."""


@dataclass(frozen=True)
class Hardware:
    ram_gb: float | None
    cpu_cores: int | None
    gpu: str | None
    """'cuda', 'mps' or None."""
    vram_gb: float | None
    gpu_name: str | None
    notes: tuple[str, ...] = ()
    """How each value was found (or why it is missing)."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        return data


def _ram_gb() -> tuple[float | None, str]:
    if sys.platform.startswith("linux"):  # the kernel's MemTotal, as psutil reads it, without importing it
        try:
            pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
            return round(pages * size / GIB, 1), "RAM from os.sysconf"
        except (ValueError, OSError, AttributeError):
            pass
    try:
        import psutil

        return round(psutil.virtual_memory().total / GIB, 1), "RAM from psutil"
    except Exception:  # psutil missing or unsupported platform
        return None, "RAM unknown"


def _cores() -> int | None:
    """Physical cores: /proc/cpuinfo's (physical id, core id) pairs on Linux x86, else psutil, else all."""
    text = _cpuinfo_text()
    pairs: set[tuple[str, str]] = set()
    phys = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            phys = value.strip()
        elif key == "core id":
            pairs.add((phys, value.strip()))
    if pairs:
        return len(pairs)
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
        if physical:
            return int(physical)
    except Exception:
        pass
    return os.cpu_count()


@functools.lru_cache(maxsize=1)
def _cpuinfo_text() -> str:
    if not sys.platform.startswith("linux"):
        return ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _nvidia_smi(timeout: float = 3.0) -> tuple[str, float] | None:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return None
    first = out.strip().splitlines()[0] if out.strip() else ""
    name, _, mib = first.rpartition(",")
    try:
        return name.strip(), round(float(mib) / 1024, 1)
    except ValueError:
        return None


def _torch_gpu() -> tuple[str, float | None, str] | None:
    # Deferred on purpose: importing torch costs seconds; only an explicit probe pays it.
    import torch

    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        return "cuda", round(props.total_memory / GIB, 1), str(props.name)
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps", None, "Apple GPU (MPS, unified memory)"
    return None


def _probe_gpu(allow_torch: bool) -> tuple[str | None, float | None, str | None, str]:
    smi = _nvidia_smi()
    if smi is not None:
        return "cuda", smi[1], smi[0], "GPU from nvidia-smi"
    apple = sys.platform == "darwin" and platform.machine() == "arm64"
    if apple and (not allow_torch or importlib.util.find_spec("torch") is None):
        # Every Apple Silicon Mac has a Metal GPU that torch uses as "mps"; confirming it would need torch.
        return "mps", None, "Apple Silicon GPU", "Apple Silicon: MPS assumed (torch not consulted)"
    if not allow_torch:
        return None, None, None, "no GPU found by nvidia-smi (torch not consulted)"
    if importlib.util.find_spec("torch") is None:
        return None, None, None, "no GPU found by nvidia-smi; torch not installed, CUDA/MPS not checked"
    try:
        found = _torch_gpu()
    except Exception as exc:  # a broken torch install must not break `doctor`
        return None, None, None, f"torch GPU probe failed: {exc}"
    if found is None:
        return None, None, None, "torch sees no CUDA or MPS device"
    gpu, vram, name = found
    return gpu, vram, name, "GPU from torch"


def detect_hardware(*, probe_gpu: bool = False, allow_torch: bool = True) -> Hardware:
    """RAM and cores always; the GPU only with probe_gpu (nvidia-smi, then torch unless allow_torch=False)."""
    ram, ram_note = _ram_gb()
    notes = [ram_note]
    gpu = vram = name = None
    if probe_gpu:
        gpu, vram, name, gpu_note = _probe_gpu(allow_torch)
        notes.append(gpu_note)
        if gpu == "mps" and vram is None and ram is not None:
            vram = ram
            notes.append("MPS shares system RAM: VRAM = RAM")
    else:
        notes.append("GPU not probed")
    return Hardware(ram_gb=ram, cpu_cores=_cores(), gpu=gpu, vram_gb=vram, gpu_name=name, notes=tuple(notes))


@functools.lru_cache(maxsize=1)
def cpu_info() -> tuple[str, frozenset[str]]:
    """(CPU model name, lower-case feature flags); ('', empty) where neither source is readable."""
    if sys.platform.startswith("linux"):
        text = _cpuinfo_text()
        return parse_cpuinfo(text) if text else (platform.processor(), frozenset())
    if sys.platform == "darwin":
        name = _sysctl("machdep.cpu.brand_string")
        flags = " ".join(_sysctl(k) for k in ("machdep.cpu.features", "machdep.cpu.leaf7_features"))
        found = {f.lower().replace(".", "_") for f in flags.split()}
        if platform.machine() == "arm64":
            found |= {"neon", "asimd"} | ({"bf16"} if _sysctl("hw.optional.arm.FEAT_BF16") == "1" else set())
        return name, frozenset(found)
    return platform.processor(), frozenset()


def parse_cpuinfo(text: str) -> tuple[str, frozenset[str]]:
    """Model name and flags from /proc/cpuinfo text (x86 'flags', ARM 'Features'; the first CPU's)."""
    name, flags = "", ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not name:
            name = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = value
    return name, frozenset(flags.lower().split())


def _sysctl(key: str) -> str:
    try:
        out = subprocess.run(["sysctl", "-n", key], capture_output=True, text=True, timeout=2, check=True)
    except (subprocess.SubprocessError, OSError):
        return ""
    return out.stdout.strip()


def native_bf16(flags: frozenset[str]) -> bool:
    """The CPU multiplies bf16 natively (AMX or AVX512-BF16), so bf16 can be faster than fp32 here."""
    return any(f in flags for f in BF16_FLAGS)


@functools.lru_cache(maxsize=64)
def package_version(name: str) -> str | None:
    """Installed distribution version from metadata (the package itself is never imported).

    Read from the `<name>-<version>.dist-info` folder names on sys.path first: importlib.metadata costs
    ~0.1 s of imports (its email parser) that every trial would pay at start-up for the versions it records.
    """
    scanned = _dist_info_versions()
    if scanned:  # pip, editable and conda installs all leave a dist-info (or egg-info) folder
        return scanned.get(_normalise(name))
    from importlib import metadata  # an unusual layout (zipped eggs): ask the slow, thorough way

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


@functools.lru_cache(maxsize=1)
def _dist_info_versions() -> dict[str, str]:
    """{normalised name: version} from dist-info folder names, first on sys.path wins (as imports do)."""
    out: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            for suffix in (".dist-info", ".egg-info"):
                stem = folder[: -len(suffix)]
                # 'name-1.0.dist-info'; a source tree's 'name.egg-info' (setuptools, editable) has no version
                if folder.endswith(suffix) and "-" in stem:
                    dist, _, version = stem.partition("-")
                    out.setdefault(_normalise(dist), version.split("-py")[0])
    return out


def environment() -> dict[str, Any]:
    """OS, Python, CPU and package versions, recorded with every trial."""
    ram, _ = _ram_gb()
    name, flags = cpu_info()
    return {
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "executable": os.path.basename(sys.executable),
        "machine": platform.machine(),
        "cpu": name or platform.processor() or platform.machine(),
        "cpu_flags": [f for f in NOTABLE_FLAGS if f in flags],
        "cpu_cores": _cores(),
        "ram_gb": ram,
        "packages": {name: package_version(name) for name in TRACKED_PACKAGES},
    }
