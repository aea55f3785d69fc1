"""The auto rule picks the path each kind of machine offers; the machine's facts are injected (the CPU-flag
and GPU probes are I/O), so every rule is checked here whatever this machine is."""

from __future__ import annotations

import pytest

from evaluators.hardware import native_bf16, parse_cpuinfo
from evaluators.precision import HardwareFacts, PrecisionPath, describe_paths, fingerprint, plan, probe_facts

ALL = frozenset({"torch", "onnxruntime", "openvino"})
AVX2 = frozenset({"avx", "avx2", "fma", "f16c", "sse4_2"})
SAPPHIRE = AVX2 | {"avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"}


def facts(**kw: object) -> HardwareFacts:
    base: dict[str, object] = {"cpu_name": "test cpu", "cpu_flags": AVX2, "engines": ALL}
    return HardwareFacts(**{**base, **kw})  # type: ignore[arg-type]


def keys(paths: tuple[PrecisionPath, ...]) -> list[str]:
    return [p.key for p in paths]


def test_avx2_cpu_runs_onnx_fp32_with_no_candidates() -> None:
    """No native bf16: fp32 on ONNX Runtime is the fastest faithful path; nothing needs the guard."""
    p = plan(facts())
    assert p.candidates == () and p.fallback.key == "onnx-cpu-fp32"
    assert "without native bf16" in p.reason and "avx2" in p.reason


def test_amx_cpu_offers_openvino_and_torch_bf16_behind_fp32() -> None:
    """AMX/AVX512-BF16: both bf16 engines are candidates (the guard keeps the faster passing one)."""
    p = plan(facts(cpu_flags=SAPPHIRE))
    assert keys(p.candidates) == ["openvino-cpu-bf16", "torch-cpu-bf16"]
    assert p.fallback.key == "onnx-cpu-fp32" and all(c.reduced for c in p.candidates)
    only_torch = plan(
        facts(cpu_flags=frozenset({"avx512_bf16"}), engines=frozenset({"torch", "onnxruntime"}))
    )
    assert keys(only_torch.candidates) == ["torch-cpu-bf16"]
    neither = plan(facts(cpu_flags=SAPPHIRE, engines=frozenset({"onnxruntime"})))
    assert neither.candidates == () and "neither openvino nor torch" in neither.reason


def test_cuda_offers_fp16_then_bf16_where_supported() -> None:
    ampere = plan(facts(gpu="cuda", gpu_name="NVIDIA A100", gpu_bf16=True))
    assert keys(ampere.candidates) == ["torch-cuda-fp16", "torch-cuda-bf16"]
    assert ampere.fallback.key == "torch-cuda-fp32"
    turing = plan(facts(gpu="cuda", gpu_name="NVIDIA T4", gpu_bf16=False))
    assert keys(turing.candidates) == ["torch-cuda-fp16"]
    no_torch = plan(facts(gpu="cuda", engines=frozenset({"onnxruntime"})))
    assert no_torch.candidates == () and no_torch.fallback.key == "onnx-cpu-fp32"


def test_mps_offers_fp16_and_int8_is_never_a_candidate() -> None:
    mps = plan(facts(gpu="mps"))
    assert keys(mps.candidates) == ["torch-mps-fp16"] and mps.fallback.key == "torch-mps-fp32"
    for f in (facts(), facts(cpu_flags=SAPPHIRE), facts(gpu="cuda"), facts(gpu="mps")):
        assert all(c.precision != "int8" for c in plan(f).candidates)


def test_without_onnxruntime_fp32_is_torch() -> None:
    assert plan(facts(engines=frozenset({"torch"}))).fallback.key == "torch-cpu-fp32"


def test_describe_paths_marks_what_this_machine_has() -> None:
    rows = {name: (ok, why) for name, ok, why in describe_paths(facts(cpu_flags=SAPPHIRE))}
    assert rows["CPU bf16 (OpenVINO)"] == (True, "available")
    assert rows["CUDA fp16 (torch)"][0] is False and "NVIDIA" in rows["CUDA fp16 (torch)"][1]
    assert describe_paths(facts())[3] == (
        "CPU bf16 (OpenVINO)",
        False,
        "needs AMX or AVX512-BF16 and openvino",
    )


def test_fingerprint_changes_with_cpu_gpu_and_engine_versions() -> None:
    """A verdict measured on one machine or engine version is not reused on another."""
    base = facts(versions=(("onnxruntime", "1.20"),))
    assert fingerprint(base) == fingerprint(facts(versions=(("onnxruntime", "1.20"),)))
    others = [
        facts(cpu_name="other", versions=base.versions),
        facts(cpu_flags=SAPPHIRE, versions=base.versions),
        facts(gpu="cuda", gpu_name="A100", versions=base.versions),
        facts(versions=(("onnxruntime", "1.21"),)),
    ]
    assert len({fingerprint(base), *(fingerprint(o) for o in others)}) == 5
    # flags that do not decide precision do not split the cache
    assert fingerprint(facts(cpu_flags=AVX2 | {"rdrand"}, versions=base.versions)) == fingerprint(base)


@pytest.mark.parametrize(
    ("text", "name", "bf16"),
    [
        (
            "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n"
            "flags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n\nprocessor\t: 1\nflags\t: fpu\n",
            "Intel(R) Xeon(R) Platinum 8480+",
            True,
        ),
        ("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse avx avx2 fma f16c\n", "AMD EPYC", False),
        ("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes bf16 i8mm sve\n", "", False),
    ],
)
def test_cpuinfo_parsing(text: str, name: str, bf16: bool) -> None:
    """The first CPU's name and flags; only x86 AMX/AVX512-BF16 count as native bf16 for the auto rule."""
    got_name, flags = parse_cpuinfo(text)
    assert got_name == name and native_bf16(flags) is bf16
    assert "fpu" in flags or "asimd" in flags


def test_this_machine_probe_is_consistent() -> None:
    """The real probe: engines found by import spec, and the plan it leads to names this CPU's flags."""
    found = probe_facts()
    assert "onnxruntime" in found.engines
    p = plan(found)
    assert (p.candidates == ()) is (not native_bf16(found.cpu_flags) and found.gpu is None)
