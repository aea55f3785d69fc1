"""The fast CPU path on the packaged MiniLM: export once, verify against torch, reuse the cache without torch.

One export per module (about 15 s on 2 cores) is shared by every test; failure paths use the cached export
with a tampered probe or threshold instead of exporting again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")

from evaluators.fast import FastPathUnavailable, load_fast_encoder, recall_agreement, verify  # noqa: E402
from evaluators.fast import export as fast_export  # noqa: E402
from evaluators.fast.onnx_encoder import pool  # noqa: E402
from evaluators.fast.stconfig import read_manifest, read_st_config  # noqa: E402

pytestmark = pytest.mark.slow
TEXTS = ["What is the capital of France?", "Paris is the capital and largest city of France.",
         "hello", "A much longer passage about retrieval. " * 12, "naïve café 東京"]


def _load(model: str, cache: Path, **kw):
    args = {"backend": "onnx", "query_prompt": None, "passage_prompt": None, "normalize": True,
            "cache_dir": cache, "threads": 1, **kw}
    return load_fast_encoder(model, **args)


@pytest.fixture(scope="module")
def cache(minilm_export: dict) -> Path:
    """A cache dir holding a finished, verified MiniLM export (shared by the session)."""
    return Path(minilm_export["cache"])


def test_first_export_keeps_torch_out_of_the_trial_process(minilm_export: dict) -> None:
    """The one-time export runs in a child: the process that asked for it never imports torch and stays
    well under 800 MB (1.47 GB when torch exported in-process), and the child's cost is recorded."""
    assert minilm_export["torch_loaded"] is False
    assert minilm_export["peak_mb"] < 800
    run = minilm_export["export_run"]
    assert run["process"] == "child" and run["wall_s"] > 0 and run["peak_rss_mb"] > minilm_export["peak_mb"]


@pytest.fixture(scope="module")
def export_dir(cache: Path) -> Path:
    (only,) = [p for p in (cache / "onnx").iterdir() if p.is_dir() and not p.name.startswith(".")]
    return only


def test_export_manifest_reproduces_st_pipeline(export_dir: Path) -> None:
    """The manifest records what numpy must reproduce: mean pooling, Normalize, 256 tokens, a passed check."""
    manifest = read_manifest(export_dir)
    assert manifest is not None
    assert manifest["pooling"] == ["mean"] and manifest["normalize"] is True
    assert manifest["max_seq_length"] == 256 and manifest["opset"] == fast_export.OPSET
    assert (export_dir / manifest["tokenizer_file"]).is_file()
    assert (export_dir / manifest["model_file"]).is_file()
    assert len(manifest["content_hash"]) == 64
    assert manifest["verification"]["passed"] and manifest["verification"]["min_cosine"] >= verify.MIN_COSINE


def test_vectors_match_sentence_transformers(minilm_path: str, cache: Path) -> None:
    """ONNX vectors equal torch's (cosine >= 0.9999), prompts included, in the caller's order."""
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(minilm_path, device="cpu")
    enc = _load(minilm_path, cache, query_prompt="query: ")
    want_q = st.encode(TEXTS, prompt="query: ", batch_size=4, normalize_embeddings=True)
    want_p = st.encode(TEXTS, batch_size=4, normalize_embeddings=True)
    got_q, got_p = enc.encode_queries(TEXTS), enc.encode_passages(TEXTS)
    assert got_p.dtype == np.float32 and got_p.shape == (len(TEXTS), 384)
    assert verify.min_cosine(want_q, got_q) >= 0.9999
    assert verify.min_cosine(want_p, got_p) >= 0.9999


def test_second_load_reuses_export(minilm_path: str, cache: Path, export_dir: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached export is used as is: no re-export, files untouched, and the encoder reports a cache hit."""
    before = {p.name: p.stat().st_mtime_ns for p in export_dir.iterdir()}

    def boom(*a, **k):
        raise AssertionError("re-exported a cached model")

    monkeypatch.setattr(fast_export, "export_model", boom)
    enc = _load(minilm_path, cache)
    assert enc.details["export_cache_hit"] is True
    assert enc.details["backend"] == "onnx" and enc.details["precision"] == "fp32"
    assert enc.details["threads"] == 1 and enc.details["provider"] == "CPUExecutionProvider"
    after = {p.name: p.stat().st_mtime_ns for p in export_dir.iterdir()}
    assert {k: after[k] for k in before} == before


def test_tampered_probe_fails_verification(export_dir: Path) -> None:
    """Vectors that disagree with the reference are caught, and the reason carries the measured cosine."""
    manifest = read_manifest(export_dir)
    assert manifest is not None
    rng = np.random.default_rng(0)
    tampered = rng.normal(size=(len(verify.PROBE_TEXTS), 384)).astype(np.float32)
    picked = fast_export._pick_verified(export_dir, manifest, ["model.onnx"], tampered, threads=1)
    assert picked["verification"]["passed"] is False
    with pytest.raises(FastPathUnavailable, match=r"min cosine -?0\.\d+ < 0\.9999"):
        verify.check_verified({**manifest, **picked})


def test_threshold_above_measured_refuses_cached_export(minilm_path: str, cache: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A stricter threshold than the cached measurement refuses the fast path (caller falls back to torch)."""
    monkeypatch.setattr(verify, "MIN_COSINE", 1.5)
    with pytest.raises(FastPathUnavailable, match="differs from torch: min cosine"):
        _load(minilm_path, cache)


def test_export_crash_is_cached_and_reported(minilm_path: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """An exporter crash becomes FastPathUnavailable, and the verdict is cached: no second export attempt."""

    def crash(*a, **k):
        raise RuntimeError("unsupported operator aten::frobnicate")

    monkeypatch.setattr(fast_export, "_torch_export", crash)  # so the export runs in this process
    phases: list[tuple[str, str]] = []
    with pytest.raises(FastPathUnavailable, match="ONNX export failed.*frobnicate"):
        _load(minilm_path, tmp_path, export_in_child=False, on_phase=lambda *a: phases.append(a))
    assert phases == [("export", "exporting model to ONNX (one time per model)")]  # named while it runs
    monkeypatch.setattr(fast_export, "export_model", crash)  # a retry would now fail differently
    with pytest.raises(FastPathUnavailable, match="frobnicate"):
        _load(minilm_path, tmp_path, export_in_child=False)


def test_unsupported_pipeline_is_refused(tmp_path: Path) -> None:
    """A module the fast path can't reproduce (Dense) is refused up front, naming it."""
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]))
    with pytest.raises(FastPathUnavailable, match="Dense"):
        read_st_config(tmp_path)


def test_sorted_batches_restore_caller_order(minilm_path: str, cache: Path) -> None:
    """Length-sorted batching is invisible to the caller: reversed input gives reversed rows."""
    enc = _load(minilm_path, cache)
    fwd, rev = enc.encode_passages(TEXTS), enc.encode_passages(TEXTS[::-1])
    np.testing.assert_allclose(fwd, rev[::-1], atol=1e-5)
    assert enc.encode_passages([]).shape == (0, 384)


def test_pooling_modes_respect_padding_side() -> None:
    """cls/lasttoken/weightedmean/mean pick the right positions with right and left padding."""
    hidden = np.arange(2 * 3 * 1, dtype=np.float32).reshape(2, 3, 1)  # values 0..5
    right = np.array([[1, 1, 0], [1, 1, 1]])
    left = np.array([[0, 1, 1], [1, 1, 1]])
    assert pool(hidden, right, ["cls"]).ravel().tolist() == [0, 3]
    assert pool(hidden, right, ["lasttoken"]).ravel().tolist() == [1, 5]
    assert pool(hidden, left, ["lasttoken"]).ravel().tolist() == [2, 5]
    assert pool(hidden, right, ["mean"]).ravel().tolist() == [0.5, 4]
    weighted = pool(hidden, left, ["weightedmean"]).ravel()
    np.testing.assert_allclose(weighted, [(1 + 2 * 2) / 3, (3 + 8 + 15) / 6])
    assert pool(hidden, right, ["cls", "max"]).shape == (2, 2)


def test_recall_agreement() -> None:
    """1.0 for identical vectors; lower when the int8 side ranks differently."""
    rng = np.random.default_rng(1)
    docs, queries = rng.normal(size=(50, 8)), rng.normal(size=(5, 8))
    assert recall_agreement(docs, docs, queries, k=10) == 1.0
    assert recall_agreement(docs, rng.normal(size=(50, 8)), queries, k=10) < 1.0


def test_int8_is_opt_in_and_measured(minilm_path: str, cache: Path) -> None:
    """int8 runs a quantised model and reports its agreement with fp32 (not hidden behind the fp32 check)."""
    enc = _load(minilm_path, cache, int8=True)
    assert enc.details["precision"] == "int8-dynamic"
    assert 0.9 < enc.details["int8_vs_fp32"]["probe_min_cosine"] < 1.0
    fp32 = _load(minilm_path, cache)
    agree = recall_agreement(fp32.encode_passages(TEXTS), enc.encode_passages(TEXTS),
                             fp32.encode_queries(TEXTS[:2]), enc.encode_queries(TEXTS[:2]), k=3)
    assert agree >= 2 / 3


def test_cached_encode_never_imports_torch(minilm_path: str, cache: Path) -> None:
    """With the export cached, loading and encoding leave torch (and transformers) unimported."""
    probe = (
        "import sys; from pathlib import Path; from evaluators.fast import load_fast_encoder\n"
        f"e = load_fast_encoder({minilm_path!r}, backend='auto', query_prompt=None, passage_prompt=None,"
        f" normalize=True, cache_dir=Path({str(cache)!r}), threads=1)\n"
        "v = e.encode_passages(['one text', 'another']); e.encode_queries(['q'])\n"
        "print(v.shape, e.details['export_cache_hit'], 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-5:] == ["(2,", "384)", "True", "False", "False"]
