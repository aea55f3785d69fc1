"""The runner's side of estimates: announce each model's estimate before the run, then keep estimate and
actual side by side in the row (so the error can be measured), and teach the calibration what was measured.

Estimating must never fail a trial: any error becomes an 'unknown' estimate with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluators.types import Dataset, PhaseEvent, PhaseFn


def announce_estimates(
    dataset: Dataset,
    refs: Sequence[str],
    given: Sequence[Any] | None,
    cache_dir: Path | None,
    backend: str,
    phase: PhaseFn,
) -> dict[str, Any]:
    """Reference -> Estimate (made here unless given), each sent as an 'estimate' PhaseEvent."""
    try:
        if given is None:
            from evaluators.estimate import estimate_trial

            given = estimate_trial(dataset, refs, cache_dir=cache_dir, backend=backend)
    except Exception as exc:  # an estimate is a courtesy; the trial runs without one
        phase(PhaseEvent("", "estimate", f"no estimate ({type(exc).__name__}: {exc})"))
        return {}
    out = dict(zip(refs, given, strict=False))
    for est in given:
        phase(PhaseEvent(est.model, "estimate", est.text(), est.total_s))
    return out


def eta_record(
    est: Any, perf: dict[str, float], details: dict[str, Any], cache_dir: Path | None, identity: str
) -> dict[str, Any]:
    """{'estimate': ..., 'actual': ..., 'error': actual/estimate - 1 per figure}; measured runs also update
    this machine's calibration for the model's path."""
    measured = details.get("perf_source") == "measured"
    actual = {
        "load_s": perf.get("load_s") if measured else 0.0,
        "encode_s": (perf.get("encode_s", 0.0) + perf.get("query_encode_s", 0.0)) if measured else 0.0,
        "peak_mb": perf.get("peak_mem_mb") if measured else None,
    }
    export = details.get("export_run") or {}
    if measured and export.get("wall_s") and actual["load_s"] is not None:
        actual["first_run_s"] = export["wall_s"]  # the one-time export ran inside the load: apart here
        actual["load_s"] = max(float(actual["load_s"]) - float(export["wall_s"]), 0.0)
    error = {}
    for key in ("load_s", "encode_s", "peak_mb", "first_run_s"):
        want, got = getattr(est, key), actual.get(key)
        if want and got is not None and want > 0:
            error[key] = round(got / want - 1.0, 3)
    path = (details.get("auto_choice") or {}).get("path") or _path_key(details)
    if measured and path and details.get("kind", "dense") == "dense":
        try:
            from evaluators.estimate import calibrate, record_actual

            seen = {
                "tokens_per_s": perf.get("tokens_per_s"),
                "load_s": actual["load_s"],
                "peak_mem_mb": actual["peak_mb"],
            }
            record_actual(calibrate(cache_dir), identity, path, seen)
        except Exception:  # a calibration that cannot be written only makes the next estimate rougher
            pass
    return {
        "estimate": est.to_dict(),
        "actual": actual,
        "error": error,
        "planned_path": est.path,
        "ran_path": path,
    }


def _path_key(details: dict[str, Any]) -> str | None:
    backend = details.get("backend")
    if backend not in ("onnx", "openvino", "torch"):
        return None
    precision = str(details.get("precision") or "fp32")
    short = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16", "f32": "fp32"}.get(
        precision, precision
    )
    return f"{backend}-{details.get('device') or 'cpu'}-{short}"
