"""`--backend auto`: run a model on the fastest path this machine has that passes the fidelity guard.

`load_auto` reads the hardware facts, asks `evaluators.precision.plan` for the reduced-precision candidates,
lets `evaluators.fidelity.choose` verify them against fp32 on the user's sample (once per model and machine,
then cached), and records the choice in `details`: engine, precision, threads, the verdict or the note that
sent the model back to fp32. `load_path` loads one named path (also used by the benchmark and the tests).
"""

from __future__ import annotations

from typing import Any

from evaluators.models import ModelRef
from evaluators.precision import HardwareFacts, PrecisionPath, fingerprint, plan, probe_facts
from evaluators.types import Encoder


def load_path(mref: ModelRef, path: PrecisionPath, cache_dir: Any, on_phase: Any = None) -> Encoder:
    """The encoder for exactly this path; raises with the reason when it cannot run here (no fallback)."""
    from evaluators.backends import _load_torch, _try_fast

    if path.engine in ("onnx", "openvino"):
        if path.device != "cpu":
            raise ValueError(f"{path.engine} runs on the CPU here, not {path.device}")
        precision = None if path.engine == "onnx" else path.precision
        enc, why = _try_fast(
            mref,
            path.engine,
            cache_dir,
            int8=path.precision == "int8",
            precision=precision,
            on_phase=on_phase,
        )
        if enc is None:
            raise RuntimeError(why or f"{path.key} unavailable")
        return enc
    if path.engine == "torch":
        if path.device == "cuda":
            _require_cuda(path)
        return _load_torch(mref, path.device, path.precision, on_phase=on_phase)
    raise ValueError(f"unknown engine {path.engine!r}")


def _require_cuda(path: PrecisionPath) -> None:
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError("torch sees no CUDA device (CPU-only torch build?)")
    if path.precision == "bf16" and not torch.cuda.is_bf16_supported():
        raise RuntimeError("this GPU has no native bf16")


def load_auto(
    mref: ModelRef,
    *,
    cache_dir: Any,
    sample: Any = None,
    facts: HardwareFacts | None = None,
    on_phase: Any = None,
) -> Encoder:
    """The first passing reduced-precision path (the faster one where several pass), else fp32 with a note."""
    from evaluators.backends import load_fp32
    from evaluators.fidelity import VerdictStore, choose

    facts = facts or probe_facts()
    the_plan = plan(facts)
    choice: dict[str, Any] = {
        "reason": the_plan.reason,
        "hardware": fingerprint(facts),
        "candidates": [p.key for p in the_plan.candidates],
    }
    memo: dict[str, Encoder] = {}
    gpu_hint = facts.gpu is not None and the_plan.fallback.engine == "torch"

    def reference() -> Encoder:
        if "fp32" not in memo:
            memo["fp32"] = load_fp32(mref, "auto", cache_dir, gpu_hint=gpu_hint, on_phase=on_phase)
        return memo["fp32"]

    notes: list[str] = []
    if the_plan.candidates:
        store = VerdictStore(cache_dir, mref.identity, choice["hardware"])
        if (
            on_phase is not None
            and sample is not None
            and any(store.get(p) is None for p in the_plan.candidates)
        ):
            on_phase(
                "verify",
                f"checking {', '.join(p.key for p in the_plan.candidates)} against fp32 on "
                f"{len(sample.passages)} passages and {len(sample.queries)} queries "
                "(once per model and machine)",
            )
        enc, path, verdict, notes = choose(
            the_plan.candidates, store, lambda p: load_path(mref, p, cache_dir, on_phase), reference, sample
        )
        if enc is not None and path is not None:
            _record(enc, path, {**choice, "path": path.key, "why": path.why, "notes": notes}, verdict)
            return enc
    enc = reference()
    fallback = the_plan.fallback
    if notes and getattr(enc, "details", None) is not None:
        enc.details["precision_note"] = "; ".join(notes) + f"; ran {fallback.precision}"  # type: ignore[attr-defined]
    _record(
        enc, None, {**choice, "path": _path_key(enc, fallback), "why": fallback.why, "notes": notes}, None
    )
    return enc


def _path_key(enc: Encoder, planned: PrecisionPath) -> str:
    """What actually ran: the planned fp32 path, or torch when the ONNX export was refused."""
    details = getattr(enc, "details", {}) or {}
    engine = details.get("backend") or planned.engine
    return f"{engine}-{details.get('device') or planned.device}-fp32"


def _record(
    enc: Encoder, path: PrecisionPath | None, choice: dict[str, Any], verdict: dict[str, Any] | None
) -> None:
    details = getattr(enc, "details", None)
    if details is None:
        return
    details["auto_choice"] = choice
    details["engine"] = details.get("backend")
    if path is not None:
        details["precision"] = path.precision if path.engine != "openvino" else details.get("precision")
        details["fidelity"] = verdict
