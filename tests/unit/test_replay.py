"""Replaying an unchanged trial (evaluators/replay.py) and reading a BM25 run back (evaluators/bm25_cache.py):
the same numbers, no numpy/bm25s/rich imported, and every input that decides a result changes the key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from evaluators.bm25_cache import CACHED_SOURCE
from evaluators.datasets import load_demo
from evaluators.replay import keep_trial, read_trial, run_or_replay, trial_key
from evaluators.types import ModelResult, PhaseEvent, TrialResult

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from tui.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = [m for m in ("numpy", "bm25s", "rich") if m in sys.modules]
    sys.stderr.write("\\nMODULES " + " ".join(heavy) + "\\n")
"""


def _trial(home: Path, *args: str) -> tuple[dict[str, Any] | str, str, set[str]]:
    """(stdout as JSON when --json, stderr, the heavy modules the process imported) of one CLI run."""
    env = {**os.environ, "EMBEDSCOUT_HOME": str(home), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", PROBE, "trial", "--demo", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    modules = set(done.stderr.rsplit("MODULES", 1)[1].split())
    out: dict[str, Any] | str = json.loads(done.stdout) if "--json" in args else done.stdout
    return out, done.stderr, modules


def _numbers(result: dict[str, Any]) -> list[Any]:
    return [(r["model"], r["metrics"], r["ci95"], r["per_query"], r["p_vs_best"]) for r in result["results"]]


def test_an_unchanged_trial_is_replayed_without_numpy_bm25s_or_rich(tmp_path: Path) -> None:
    first, _, heavy = _trial(tmp_path, "-m", "bm25", "--json")
    assert {"numpy", "bm25s"} <= heavy  # it really ran
    again, err, heavy = _trial(tmp_path, "-m", "bm25", "--json")
    assert isinstance(first, dict) and isinstance(again, dict)
    assert _numbers(again) == _numbers(first) and again["dataset"] == first["dataset"]
    assert "replayed" not in first["environment"] and again["environment"]["replayed"]["kept_at"]
    assert "Unchanged since the trial of" in err and heavy == set()
    table, _, _ = _trial(tmp_path, "-m", "bm25")
    assert "Replayed: nothing changed since the trial of" in str(table)
    other, err, heavy = _trial(tmp_path, "-m", "bm25", "--json", "--chunk-tokens", "128")
    assert "Unchanged since" not in err and "numpy" in heavy  # another setting: it runs
    assert isinstance(other, dict) and "replayed" not in other["environment"]


def test_a_bm25_run_is_read_back_without_importing_bm25s(tmp_path: Path) -> None:
    first, _, _ = _trial(tmp_path, "-m", "bm25", "--json")
    for kept in (tmp_path / "cache" / "trials").iterdir():
        kept.unlink()  # no replay: the trial runs, BM25 from its run cache
    again, err, heavy = _trial(tmp_path, "-m", "bm25", "--json")
    assert isinstance(first, dict) and isinstance(again, dict)
    assert "bm25s" not in heavy and "numpy" in heavy and "Unchanged since" not in err
    assert _numbers(again) == _numbers(first)
    row, before = again["results"][0], first["results"][0]
    assert row["details"]["perf_source"] == CACHED_SOURCE and before["details"]["perf_source"] == "measured"
    assert row["perf"]["docs_per_s"] == before["perf"]["docs_per_s"]  # the cost measured when it ran
    assert row["perf"]["peak_mem_mb"] == before["perf"]["peak_mem_mb"]


def test_a_damaged_bm25_run_is_run_again(tmp_path: Path) -> None:
    first, _, _ = _trial(tmp_path, "-m", "bm25", "--json", "--no-cache")
    assert isinstance(first, dict)
    _trial(tmp_path, "-m", "bm25", "--json")
    for folder in ("trials", "bm25_runs"):
        for kept in (tmp_path / "cache" / folder).iterdir():
            kept.write_bytes(b"not a kept result")
    again, _, heavy = _trial(tmp_path, "-m", "bm25", "--json")
    assert isinstance(again, dict) and "bm25s" in heavy
    assert _numbers(again) == _numbers(first) and again["results"][0]["details"]["perf_source"] == "measured"


def _model_folder(path: Path) -> Path:
    path.mkdir()
    (path / "modules.json").write_text("[]", encoding="utf-8")
    (path / "model.safetensors").write_bytes(b"weights")
    return path


def test_every_input_that_decides_a_result_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = load_demo(chunk_tokens=256, chunk_overlap=32)
    folder = _model_folder(tmp_path / "model")
    refs = ["bm25", str(folder)]
    settings = {"backend": "auto", "checks": [], "int8": False, "max_usd": None}
    base = trial_key(ds, settings, refs)
    assert base is not None and trial_key(ds, dict(settings), list(refs)) == base
    edited = replace(ds, corpus=(replace(ds.corpus[0], text=ds.corpus[0].text + " edited"), *ds.corpus[1:]))
    changed = {
        "a document": trial_key(edited, settings, refs),
        "a question": trial_key(replace(ds, queries=ds.queries[1:]), settings, refs),
        "a setting": trial_key(ds, {**settings, "backend": "torch"}, refs),
        "the models": trial_key(ds, settings, ["bm25"]),
    }
    os.utime(folder / "model.safetensors", ns=(1, 1))  # new weights in the same folder
    changed["the weights"] = trial_key(ds, settings, refs)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    changed["a thread setting"] = trial_key(ds, settings, refs)
    assert all(key not in (None, base) for key in changed.values()), changed
    assert len(set(changed.values())) == len(changed)
    before_secret = trial_key(ds, settings, refs)
    monkeypatch.setenv("HF_TOKEN", "hf_secret_value")  # a secret is never read into the key
    assert trial_key(ds, settings, refs) == before_secret
    assert trial_key(ds, settings, ["hybrid:bm25+bm25"]) is None  # unresolvable: the trial says why
    reranking = {**settings, "rerank": str(_model_folder(tmp_path / "reranker"))}
    with_reranker = trial_key(ds, reranking, refs)
    os.utime(tmp_path / "reranker" / "model.safetensors", ns=(2, 2))  # the reranker's scores change too
    assert with_reranker not in (None, before_secret) and trial_key(ds, reranking, refs) != with_reranker
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))  # a reranker by HF id: its cached commit
    ref_file = tmp_path / "hub" / "models--org--reranker" / "refs" / "main"
    ref_file.parent.mkdir(parents=True)
    ref_file.write_text("commit1", encoding="utf-8")
    by_id = {**settings, "rerank": "org/reranker"}
    first = trial_key(ds, by_id, refs)
    ref_file.write_text("commit2", encoding="utf-8")  # a newer revision downloaded
    assert first is not None and trial_key(ds, by_id, refs) != first


def _result(*rows: ModelResult, complete: bool = True) -> TrialResult:
    return TrialResult(dataset={"name": "d"}, results=list(rows), complete=complete)


def test_only_complete_trials_whose_every_row_is_ok_are_kept(tmp_path: Path) -> None:
    ok = ModelResult("bm25", metrics={"ndcg@10": 0.5}, ci95={"ndcg@10": (0.4, 0.6)}, details={"n_units": 3})
    failed = ModelResult("m", status="failed", error="no key")
    assert not keep_trial(tmp_path, "k1", _result(ok, failed))
    assert not keep_trial(tmp_path, "k2", _result(ok, complete=False))
    assert not keep_trial(tmp_path, "k3", _result())
    assert not (tmp_path / "trials").exists()
    assert keep_trial(tmp_path, "k4", _result(ok))
    back = read_trial(tmp_path, "k4")
    assert back is not None and back.results == [ok] and back.environment["replayed"]["key"] == "k4"
    (tmp_path / "trials" / "k4.json").write_text('{"format": 1, "result": []}', encoding="utf-8")
    assert read_trial(tmp_path, "k4") is None and read_trial(tmp_path, "absent") is None


def test_a_replay_sends_the_events_a_run_sends(tmp_path: Path) -> None:
    ds = load_demo(chunk_tokens=256, chunk_overlap=32)
    phases: list[PhaseEvent] = []
    progress: list[tuple[str, int, int]] = []
    done: list[ModelResult] = []
    events: dict[str, Any] = {
        "on_phase": phases.append, "on_model_done": done.append,
        "on_progress": lambda m, d, t: progress.append((m, d, t)),
    }  # fmt: skip
    ran = run_or_replay(ds, ["bm25"], cache_dir=tmp_path, **events)
    assert [p.phase for p in phases] == ["estimate"] and len(done) == 1
    phases.clear(), progress.clear(), done.clear()
    kept = run_or_replay(ds, ["bm25"], cache_dir=tmp_path, **events)
    assert [p.phase for p in phases] == ["replay"] and "Unchanged since" in phases[0].text
    n = ran.results[0].details["n_units"]
    assert progress == [("bm25", n, n)] and done == kept.results
    assert [r.to_dict() for r in kept.results] == [r.to_dict() for r in ran.results]
    assert kept.stability == ran.stability
