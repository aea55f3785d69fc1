"""run_trial's opt-ins with real parts: deeper checks per model, the int8 variant row with its agreement
with fp32, the API spend cap (checked against a real HTTP server on 127.0.0.1), and that a trial over a
cached ONNX export never imports torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evaluators.runner import run_trial
from evaluators.types import Dataset, TrialInputError
from tests.unit._fake_http import TEST_OPENAI_KEY, FakeServer
from tests.unit.test_runner import beir_slice

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny(shared_data: Path) -> Dataset:
    return beir_slice(shared_data / "squad_en", 24, 8)


@pytest.mark.slow
def test_checks_ride_along_on_embedding_models(tiny: Dataset, minilm_path: str) -> None:
    progress: list[tuple[str, int, int]] = []
    res = run_trial(
        tiny,
        ["bm25", "minilm", "hybrid:minilm+bm25"],
        backend="torch",
        checks=["tokenizer", "stability"],
        on_progress=lambda *a: progress.append(a),
    )
    bm25, dense, hybrid = res.results
    assert {c["status"] for c in bm25.details["checks"].values()} == {"not_applicable"}
    checks = dense.details["checks"]
    assert list(checks) == ["tokenizer", "stability"]
    assert checks["tokenizer"]["status"] == "ok" and checks["tokenizer"]["n"] == len(tiny.corpus)
    stab = checks["stability"]
    assert stab["status"] == "ok" and stab["n"] == len(tiny.queries)
    lo, hi = stab["ci95"]["cosine"]
    assert 0.5 < lo <= stab["values"]["cosine"] <= hi <= 1.0
    assert hybrid.details["checks"] == checks  # same embeddings: measured once
    label = f"checks: {dense.model}"
    assert [p for p in progress if p[0] == label][-1] == (label, 2, 2)


def test_unknown_check_is_an_input_error(tiny: Dataset) -> None:
    with pytest.raises(TrialInputError, match="unknown check"):
        run_trial(tiny, ["bm25"], checks=["tokenizer", "vibes"])


@pytest.mark.slow
def test_int8_variant_row_reports_agreement_with_fp32(
    tiny: Dataset, minilm_path: str, tmp_path: Path
) -> None:
    res = run_trial(tiny, ["bm25", "minilm"], backend="onnx", int8=True, cache_dir=tmp_path)
    names = [r.model for r in res.results]
    assert names == ["bm25", res.results[1].model, f"{res.results[1].model} (int8)"]  # bm25 has no variant
    fp32, q8 = res.results[1:]
    assert fp32.details["precision"] == "fp32" and q8.details["precision"] == "int8-dynamic"
    agreement = q8.details["int8_recall_agreement@10"]
    assert 0.5 <= agreement <= 1.0
    assert "int8_recall_agreement@10" not in fp32.details
    assert abs(q8.metrics["ndcg@10"] - fp32.metrics["ndcg@10"]) < 0.2


def test_int8_on_torch_is_a_failed_row_not_a_silent_fp32(tiny: Dataset, minilm_path: str) -> None:
    """The variant must be int8 or nothing: asked on torch it fails with the reason (fp32 still runs)."""
    res = run_trial(tiny, ["minilm"], backend="torch", int8=True, checks=())
    fp32, q8 = res.results
    assert q8.status == "failed" and "onnx backend" in (q8.error or "")
    assert q8.model == f"{fp32.model} (int8)"  # named like a variant that ran (the TUI places it by name)


def test_spend_cap_refuses_before_any_request(tiny: Dataset, openai_server: FakeServer) -> None:
    with pytest.raises(TrialInputError, match=r"exceeds --max-usd 1e-07.*nothing was sent"):
        run_trial(tiny, ["bm25", "openai:text-embedding-3-small"], max_usd=1e-7)
    with pytest.raises(TrialInputError, match="exceeds --max-usd"):  # a hybrid's API part counts too
        run_trial(tiny, ["hybrid:openai:text-embedding-3-small+bm25"], max_usd=1e-7)
    assert openai_server.requests == []


def test_under_the_cap_estimate_and_actual_usage_are_reported(
    tiny: Dataset, openai_server: FakeServer
) -> None:
    res = run_trial(tiny, ["openai:text-embedding-3-small"], max_usd=1.0)
    (row,) = res.results
    assert row.status == "ok", row.error
    est, usage = row.details["cost_estimate"], row.details["usage"]
    assert est["cap_usd"] == 1.0 and est["tokens"] > 0 and 0 < est["usd"] < 1.0
    assert est["usd"] == pytest.approx(est["tokens"] * 0.02 / 1e6)
    assert usage["tokens"] > 0 and usage["requests"] == openai_server.count("/embeddings") >= 1
    assert TEST_OPENAI_KEY not in str(row.to_dict())


@pytest.mark.slow
def test_cached_onnx_trial_never_imports_torch(shared_data: Path, minilm_path: str, tmp_path: Path) -> None:
    """First trial exports (torch allowed); a later trial on other texts encodes from the cached export
    in a fresh process and never imports torch or transformers."""
    first = run_trial(
        beir_slice(shared_data / "squad_en", 12, 4), ["minilm"], backend="auto", cache_dir=tmp_path
    )
    assert first.results[0].details["backend"] == "onnx"
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from evaluators.runner import run_trial\n"
        "from tests.unit.test_runner import beir_slice\n"
        f"ds = beir_slice(Path({str(shared_data / 'cmrc_zh')!r}), 15, 5)\n"
        f"row = run_trial(ds, ['minilm'], cache_dir=Path({str(tmp_path)!r})).results[0]\n"
        "print(row.status, row.details['backend'], row.details['cache_hits'],"
        " 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-5:] == ["ok", "onnx", "0", "False", "False"]


def test_no_int8_row_for_a_model_that_did_not_load(tiny: Dataset) -> None:
    """An unknown model fails once, with an offline reason a user can act on; no int8 row follows it."""
    res = run_trial(tiny, ["nobody/no-such-model", "bm25"], int8=True)
    assert [(r.model, r.status) for r in res.results] == [("nobody/no-such-model", "failed"), ("bm25", "ok")]
    assert "not in the local Hugging Face cache" in (res.results[0].error or "")
