"""The fidelity guard on the real MiniLM: a degraded path (int8) fails on the user's texts and auto falls back
to fp32 with a note; a faithful path passes and is used; verdicts are cached per model and hardware."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")

from evaluators import engines, fidelity  # noqa: E402
from evaluators.datasets import load_demo  # noqa: E402
from evaluators.fidelity import MIN_COSINE, MIN_TOP10_AGREEMENT, Sample, VerdictStore  # noqa: E402
from evaluators.models import resolve_model  # noqa: E402
from evaluators.precision import Plan, PrecisionPath, fingerprint, probe_facts  # noqa: E402
from evaluators.runner import passage_text  # noqa: E402

pytestmark = pytest.mark.slow
ONNX_FP32 = PrecisionPath("onnx", "cpu", "fp32", "reference")


@pytest.fixture(scope="module")
def sample() -> Sample:
    ds = load_demo()
    return Sample.of(
        [passage_text(d) for d in ds.corpus], [q.text for q in ds.queries], n_passages=120, n_queries=30
    )


@pytest.fixture(scope="module")
def cache(minilm_export: dict) -> Path:
    """The session's MiniLM export (so the fp32 reference loads without exporting again)."""
    return Path(minilm_export["cache"])


def _offer(monkeypatch: pytest.MonkeyPatch, path: PrecisionPath) -> None:
    """This machine's plan with `path` as the one reduced-precision candidate (the guard is under test)."""
    monkeypatch.setattr(engines, "plan", lambda facts: Plan((path,), ONNX_FP32, "test: one candidate"))


def test_int8_fails_the_guard_and_auto_falls_back_to_fp32(
    cache: Path, sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real low-precision path (int8 MatMuls) moves MiniLM's vectors and rankings past the thresholds:
    the trial gets fp32 ONNX, a note with the measured values, and the verdict is cached."""
    int8 = PrecisionPath("onnx", "cpu", "int8", "deliberately degraded")
    _offer(monkeypatch, int8)
    mref = resolve_model("minilm")
    enc = engines.load_auto(mref, cache_dir=cache, sample=sample)
    assert enc.details["backend"] == "onnx" and enc.details["precision"] == "fp32"
    note = enc.details["precision_note"]
    assert note.startswith("onnx-cpu-int8 failed the fidelity guard (") and note.endswith("; ran fp32")
    verdict = VerdictStore(cache, mref.identity, fingerprint(probe_facts())).get(int8)
    assert verdict is not None and verdict["passed"] is False
    assert verdict["min_cosine"] < MIN_COSINE or verdict["top10_agreement"] < MIN_TOP10_AGREEMENT
    assert str(round(verdict["min_cosine"], 5))[:6] in note or "top-10 agreement" in note
    assert (verdict["n_passages"], verdict["n_queries"]) == (120, 30)
    assert enc.details["auto_choice"]["path"] == "onnx-cpu-fp32"

    def no_remeasure(*a: object, **k: object) -> None:
        raise AssertionError("a cached verdict was measured again")

    monkeypatch.setattr(fidelity, "measure", no_remeasure)
    again = engines.load_auto(mref, cache_dir=cache, sample=sample)
    assert (
        again.details["precision"] == "fp32"
        and "failed the fidelity guard" in again.details["precision_note"]
    )


def test_faithful_path_passes_and_is_used(
    cache: Path, sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenVINO in f32 on the same export ranks like ONNX Runtime: it passes, runs, records its verdict."""
    pytest.importorskip("openvino")
    ov = PrecisionPath("openvino", "cpu", "fp32", "same vectors, other engine")
    _offer(monkeypatch, ov)
    enc = engines.load_auto(resolve_model("minilm"), cache_dir=cache, sample=sample)
    assert enc.details["backend"] == "openvino" and enc.details["engine"] == "openvino"
    verdict = enc.details["fidelity"]
    assert verdict["passed"] is True and verdict["cached"] is False
    assert verdict["min_cosine"] >= MIN_COSINE and verdict["top10_agreement"] >= MIN_TOP10_AGREEMENT
    assert verdict["texts_per_s"] > 0 and verdict["sample"] == "trial texts"
    assert enc.details["auto_choice"]["path"] == "openvino-cpu-fp32"
    cached = engines.load_auto(resolve_model("minilm"), cache_dir=cache, sample=sample)
    assert cached.details["fidelity"]["cached"] is True


def test_unverified_candidate_without_sample_runs_fp32(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user texts to check against (e.g. a deeper check loading the model): fp32, and it says why."""
    _offer(monkeypatch, PrecisionPath("torch", "cpu", "fp16", "never measured in this cache"))
    enc = engines.load_auto(resolve_model("minilm"), cache_dir=cache, sample=None)
    assert enc.details["precision"] == "fp32"
    assert "not verified yet" in enc.details["precision_note"]


def test_a_path_that_cannot_run_is_a_failed_verdict(cache: Path, sample: Sample) -> None:
    """An impossible path fails with the reason instead of failing the trial."""
    store = VerdictStore(cache, "minilm-test", "hw")
    bad = PrecisionPath("onnx", "cuda", "fp16")
    mref = resolve_model("minilm")
    enc, path, verdict, notes = fidelity.choose(
        [bad],
        store,
        lambda p: engines.load_path(mref, p, cache),
        lambda: engines.load_path(mref, ONNX_FP32, cache),
        sample,
    )
    assert enc is None and path is None and verdict == {}
    assert notes == ["onnx-cuda-fp16 could not run (ValueError: onnx runs on the CPU here, not cuda)"]
    assert store.get(bad) is not None and store.get(bad)["passed"] is False


@pytest.mark.needs_bf16_cpu
def test_native_bf16_cpu_runs_bf16_that_passes(cache: Path, sample: Sample) -> None:
    """On AMX / AVX512-BF16 hardware auto runs MiniLM in bf16, verified on the user's texts."""
    enc = engines.load_auto(resolve_model("minilm"), cache_dir=cache, sample=sample)
    assert enc.details["precision"] == "bf16", enc.details.get("precision_note")
    assert enc.details["fidelity"]["passed"] is True


@pytest.mark.needs_gpu
def test_gpu_runs_half_precision_that_passes(cache: Path, sample: Sample) -> None:
    """On CUDA (fp16/bf16) or MPS (fp16) auto runs MiniLM in half precision, verified against GPU fp32."""
    enc = engines.load_auto(
        resolve_model("minilm"), cache_dir=cache, sample=sample, facts=probe_facts(allow_torch=True)
    )
    assert enc.details["precision"] in ("fp16", "bf16"), enc.details.get("precision_note")
    assert enc.details["fidelity"]["passed"] is True and enc.details["device"] in ("cuda", "mps")
