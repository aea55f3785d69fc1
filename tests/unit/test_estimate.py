"""Estimates before a trial: the arithmetic from a calibration and the model's size, what a cache or an
earlier trial changes, first-run costs named, and the runner keeping estimate and actual side by side."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from evaluators import estimate as est_mod
from evaluators.cache import EmbeddingCache
from evaluators.datasets import load_demo
from evaluators.estimate import Calibration, calibrate, estimate_trial
from evaluators.estimate_model import CPU_BF16_SPEEDUP, EFFICIENCY, count_tokens, encode_flops, model_arch
from evaluators.ingest.views import shared_views
from evaluators.measure import PeakMemory
from evaluators.models import resolve_model
from evaluators.precision import HardwareFacts, fingerprint
from evaluators.runner import run_trial
from evaluators.types import Dataset, PhaseEvent

AVX2 = HardwareFacts("test cpu", frozenset({"avx2", "fma"}), engines=frozenset({"onnxruntime", "torch"}))
AMX = replace(
    AVX2,
    cpu_flags=frozenset({"avx2", "amx_bf16", "avx512_bf16"}),
    engines=frozenset({"onnxruntime", "torch", "openvino"}),
)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    ds = load_demo()
    keep = ds.corpus[:40]
    ids = {d.id for d in keep} | {d.parent_id for d in keep if d.parent_id}
    qrels = {q: r for q, r in ds.qrels.items() if set(r) <= ids}
    return replace(ds, corpus=keep, queries=tuple(q for q in ds.queries if q.id in qrels), qrels=qrels)


def _passages(ds: Dataset, ref: str = "minilm") -> list[str]:
    """What the trial encodes for the model: its own cut of the corpus (its tokenizer's chunks)."""
    return list(shared_views(ds).for_model(resolve_model(ref), None).texts)


def _texts(ds: Dataset) -> list[str]:
    return _passages(ds) + [q.text for q in ds.queries if ds.qrels.get(q.id)]


def test_encode_time_is_flops_over_calibrated_rate(demo: Dataset, minilm_path: str) -> None:
    """fp32 ONNX on an AVX2 CPU: the model's FLOPs for these exact token counts over probe x efficiency."""
    cal = Calibration(AVX2, gflops=100.0)
    (e,) = estimate_trial(demo, ["minilm"], cal)
    mref = resolve_model("minilm")
    arch = model_arch(mref)
    assert arch is not None and (arch.layers, arch.hidden, arch.ffn, arch.window) == (6, 384, 1536, 256)
    lengths = count_tokens(mref, _texts(demo), arch)
    assert e.path == "onnx-cpu-fp32" and e.n_texts == len(lengths) and e.n_tokens == sum(lengths)
    assert max(lengths) <= 256
    assert e.encode_s == pytest.approx(encode_flops(arch, lengths) / (100e9 * EFFICIENCY["onnx"]))
    assert any(f.startswith("ONNX export ~") for f in e.first_run) and e.first_run_s > 0
    assert e.total_s == pytest.approx((e.load_s or 0) + (e.encode_s or 0) + e.first_run_s)
    assert "100 GFLOP/s" in e.basis and "config.json" in e.basis
    assert e.text().startswith("~") and "first run: ONNX export" in e.text()


def test_bf16_cpu_plans_a_check_and_a_faster_rate(demo: Dataset) -> None:
    """On a native-bf16 CPU the first candidate is planned, its precision check is named as a first-run cost,
    and the assumed bf16 speed-up is applied and said."""
    fp32, bf16 = (estimate_trial(demo, ["minilm"], Calibration(f, gflops=100.0))[0] for f in (AVX2, AMX))
    assert bf16.path == "openvino-cpu-bf16"
    assert any("precision check of openvino-cpu-bf16, torch-cpu-bf16" in f for f in bf16.first_run)
    assert bf16.encode_s == pytest.approx((fp32.encode_s or 0) / CPU_BF16_SPEEDUP)
    assert "bf16 assumed" in bf16.basis


def test_earlier_measurement_replaces_the_arithmetic(demo: Dataset) -> None:
    mref = resolve_model("minilm")
    seen = {f"{mref.identity}|onnx-cpu-fp32": {"tokens_per_s": 1000.0, "load_s": 0.5, "peak_mem_mb": 99.0}}
    (e,) = estimate_trial(demo, ["minilm"], Calibration(AVX2, 100.0, seen))
    assert e.encode_s == pytest.approx(e.n_tokens / 1000.0)
    assert (e.load_s, e.peak_mb) == (0.5, 99.0) and "measured by an earlier trial" in e.basis


def test_cached_texts_cost_nothing_and_skip_calibration(
    demo: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run whose vectors are all cached is estimated without probing the machine."""
    mref = resolve_model("minilm")
    passages = _passages(demo)
    queries = [q.text for q in demo.queries if demo.qrels.get(q.id)]
    for texts, prompt in ((passages, mref.passage_prompt), (queries, mref.query_prompt)):
        EmbeddingCache(tmp_path, mref.identity, prompt, mref.normalize).store(
            texts, np.zeros((len(texts), 384), np.float32)
        )
    monkeypatch.setattr(est_mod, "calibrate", lambda *a, **k: pytest.fail("probed for a cached re-run"))
    (e,) = estimate_trial(demo, ["minilm"], cache_dir=tmp_path)
    assert (e.n_texts, e.encode_s, e.path) == (0, 0.0, "cached")
    assert e.text() == "cached: nothing to encode"


def test_other_kinds_and_catalog_only_models(demo: Dataset) -> None:
    """BM25 is near-instant, an API model is unknown (said why), a catalog model not on disk is sized from
    the catalog and its download is named."""
    bm25, api, remote = estimate_trial(
        demo, ["bm25", "openai:text-embedding-3-small", "BAAI/bge-small-en-v1.5"], Calibration(AVX2, 100.0)
    )
    assert bm25.path == "bm25s" and (bm25.encode_s or 0) < 0.1
    assert api.encode_s is None and "network" in api.basis and api.text().startswith("unknown")
    spec = resolve_model("BAAI/bge-small-en-v1.5").spec
    assert spec is not None and remote.first_run[0] == f"download ~{spec.memory_mb:,.0f} MB"
    assert "catalog parameter count" in remote.basis and remote.encode_s is not None


def test_calibration_is_probed_once_per_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(est_mod, "gemm_gflops", lambda: 42.0)
    first = calibrate(tmp_path, AVX2)
    monkeypatch.setattr(est_mod, "gemm_gflops", lambda: pytest.fail("probed twice"))
    again = calibrate(tmp_path, AVX2)
    assert first.gflops == again.gflops == 42.0
    assert again.cache_file == tmp_path / "calibration" / f"{fingerprint(AVX2)}.json"
    assert est_mod.gemm_gflops.__name__  # the real probe exists; measured for real below


def test_real_probe_measures_a_positive_rate() -> None:
    rate = est_mod.gemm_gflops(budget_s=0.05)
    assert 0.1 < rate < 100_000


def test_peak_memory_is_the_blocks_own() -> None:
    """Memory held before the block is the baseline, not the block's; what the block allocates is."""
    held = np.ones(150 * 2**20 // 8)  # 150 MB resident before the block
    with PeakMemory() as mem:
        spike = np.ones(200 * 2**20 // 8)
        del spike
    assert 190 <= mem.peak_mb < 280, mem.peak_mb
    assert mem.process_peak_mb >= mem.peak_mb + 140
    del held


@pytest.mark.slow
def test_trial_records_estimate_actual_and_phases(demo: Dataset, minilm_export: dict) -> None:
    """The runner announces each estimate before encoding, keeps estimate and actual in every row, and the
    next estimate of the same model here uses what was measured."""
    cache = Path(minilm_export["cache"])
    events: list[PhaseEvent] = []
    res = run_trial(demo, ["bm25", "minilm"], cache_dir=cache, on_phase=events.append)
    assert [e.phase for e in events[:2]] == ["estimate", "estimate"]
    assert ("load" in {e.phase for e in events}) and all(e.text for e in events)
    row = res.results[1]
    eta = row.details["eta"]
    assert eta["estimate"]["path"] == eta["ran_path"] == "onnx-cpu-fp32"
    assert eta["actual"]["encode_s"] > 0 and set(eta["error"]) >= {"encode_s", "load_s"}
    assert row.perf["peak_mem_mb"] <= row.perf["process_peak_mb"]
    cal = json.loads(next((cache / "calibration").glob("*.json")).read_text())
    assert any(k.endswith("|onnx-cpu-fp32") for k in cal["measured"])
    later = replace(demo, info={**demo.info, "chunk_tokens": 128})  # new chunks, same queries (cached)
    (again,) = estimate_trial(later, ["minilm"], cache_dir=cache)
    mref = resolve_model("minilm")
    passages = EmbeddingCache(cache, mref.identity, mref.passage_prompt, mref.normalize)
    missed = passages.lookup(_passages(later))[2]  # whole short paragraphs are the same chunk at both sizes
    assert again.n_texts == len(missed) > 0 and "measured by an earlier trial" in again.basis
    (rerun,) = estimate_trial(demo, ["minilm"], cache_dir=cache)  # the very chunks the trial encoded
    assert rerun.path == "cached" and rerun.n_texts == 0


def test_estimate_counts_the_units_each_model_encodes(demo: Dataset) -> None:
    """Each model is estimated on its own cut of the corpus (what the trial encodes), BM25 and a hybrid on
    theirs; the cut is made once and the trial reuses it."""
    cal = Calibration(AVX2, gflops=100.0)
    n_queries = sum(1 for q in demo.queries if demo.qrels.get(q.id))
    minilm, bm25, hybrid = estimate_trial(demo, ["minilm", "bm25", "hybrid:minilm+bm25"], cal)
    own = _passages(demo)
    assert len(own) != len(demo.corpus)  # the model re-cuts the documents: not the dataset's units
    assert minilm.n_texts == hybrid.n_texts == len(own) + n_queries
    assert bm25.n_texts == len(shared_views(demo).regex(None).texts)
    views = shared_views(demo)
    res = run_trial(demo, ["bm25"])
    assert shared_views(demo) is views and res.results[0].details["n_units"] == bm25.n_texts
