"""Hardware detection is cheap by default (no torch), probes the GPU only on request, and environment()
reads package versions without importing the packages."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from evaluators import hardware
from evaluators.hardware import Hardware, detect_hardware, environment

HEAVY = ("torch", "transformers", "sentence_transformers", "numpy")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return [m for m in out.strip().splitlines()[-1].split(",") if m] if out.strip() else []


def test_default_detection_and_environment_import_nothing_heavy() -> None:
    loaded = _loaded_after(
        "from evaluators.hardware import detect_hardware, environment\n"
        "detect_hardware(); detect_hardware(probe_gpu=True, allow_torch=False); environment()"
    )
    assert loaded == []


def test_ram_and_cores_are_detected() -> None:
    hw = detect_hardware()
    assert isinstance(hw, Hardware)
    assert hw.ram_gb is not None and hw.ram_gb > 0
    assert hw.cpu_cores is not None and hw.cpu_cores >= 1
    assert hw.gpu is None and "GPU not probed" in hw.notes


def test_nvidia_smi_result_is_used_first(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(*args: Any, **kwargs: Any) -> SimpleNamespace:
        return SimpleNamespace(stdout="NVIDIA GeForce RTX 4060, 8188\n")

    monkeypatch.setattr(hardware.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    monkeypatch.setattr(hardware.subprocess, "run", fake_run)
    monkeypatch.setattr(hardware, "_torch_gpu", lambda: pytest.fail("torch must not be probed"))
    hw = detect_hardware(probe_gpu=True)
    assert (hw.gpu, hw.vram_gb, hw.gpu_name) == ("cuda", 8.0, "NVIDIA GeForce RTX 4060")


def test_torch_probe_only_when_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hardware.shutil, "which", lambda name: None)
    monkeypatch.setattr(hardware.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(hardware, "_torch_gpu", lambda: ("mps", None, "Apple GPU"))
    assert detect_hardware(probe_gpu=True, allow_torch=False).gpu is None
    hw = detect_hardware(probe_gpu=True)
    assert hw.gpu == "mps" and hw.vram_gb == hw.ram_gb  # unified memory


def test_broken_torch_does_not_break_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> None:
        raise RuntimeError("CUDA driver mismatch")

    monkeypatch.setattr(hardware.shutil, "which", lambda name: None)
    monkeypatch.setattr(hardware.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(hardware, "_torch_gpu", boom)
    hw = detect_hardware(probe_gpu=True)
    assert hw.gpu is None and any("CUDA driver mismatch" in n for n in hw.notes)


def test_environment_records_versions() -> None:
    env = environment()
    assert env["python"].count(".") == 2 and env["os"]
    assert set(env["packages"]) >= {"numpy", "torch", "sentence-transformers", "transformers"}
    assert env["packages"]["embedscout"] is not None
    assert hardware.package_version("surely-not-installed-pkg") is None


def test_apple_silicon_is_mps_without_importing_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil  # noqa: F401  loaded for the real OS first: imported under the spoofed one it breaks for good

    monkeypatch.setattr(hardware.shutil, "which", lambda name: None)
    monkeypatch.setattr(hardware.sys, "platform", "darwin")
    monkeypatch.setattr(hardware.platform, "machine", lambda: "arm64")
    monkeypatch.setattr(hardware, "_torch_gpu", lambda: pytest.fail("torch must not be probed"))
    hw = detect_hardware(probe_gpu=True, allow_torch=False)
    assert hw.gpu == "mps" and hw.vram_gb == hw.ram_gb and any("assumed" in n for n in hw.notes)


def test_fast_version_lookup_agrees_with_importlib_metadata() -> None:
    """Versions come from dist-info folder names (no importlib.metadata import at start-up), and agree."""
    from importlib import metadata

    from evaluators.hardware import TRACKED_PACKAGES, package_version

    for name in (*TRACKED_PACKAGES, "click", "PyStemmer", "no-such-package-xyz"):
        try:
            want: str | None = metadata.version(name)
        except metadata.PackageNotFoundError:
            want = None
        assert package_version(name) == want, name
