"""The fidelity guard: a reduced-precision path is used only if it ranks the user's own texts like fp32.

Measured once per (model, hardware fingerprint, path) on a sample of the trial's passages and queries:
every vector's cosine to the fp32 vector >= MIN_COSINE, and each query's top 10 among the sampled passages
shared with fp32's top 10 at >= MIN_TOP10_AGREEMENT on average. The verdict (with the measured values) is
cached under `<cache_dir>/precision/`, so later trials skip the check; a failed verdict keeps fp32.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.precision import PrecisionPath
from evaluators.types import Encoder

MIN_COSINE = 0.999
"""Smallest cosine any sampled vector may have to its fp32 vector."""
MIN_TOP10_AGREEMENT = 0.98
"""Smallest mean share of each sampled query's fp32 top 10 passages that the path also ranks in its top 10."""
SAMPLE_PASSAGES = 256
SAMPLE_QUERIES = 64
TOP_K = 10


@dataclass(frozen=True)
class Sample:
    """The texts a verdict is measured on: the user's passages and queries (evenly spaced picks)."""

    passages: tuple[str, ...]
    queries: tuple[str, ...]
    source: str = "trial texts"

    @classmethod
    def of(
        cls,
        passages: Sequence[str],
        queries: Sequence[str],
        *,
        n_passages: int = SAMPLE_PASSAGES,
        n_queries: int = SAMPLE_QUERIES,
        source: str = "trial texts",
    ) -> Sample:
        """Evenly spaced picks (not the first n: files are often sorted by topic). Without queries, sampled
        passages stand in for them."""
        picked = _spread(passages, n_passages)
        asked = _spread(queries, n_queries) if queries else _spread(picked, n_queries)
        return cls(picked, asked, source if queries else f"{source} (passages as queries)")


def _spread(texts: Sequence[str], n: int) -> tuple[str, ...]:
    if len(texts) <= n:
        return tuple(texts)
    step = len(texts) / n
    return tuple(texts[int(i * step)] for i in range(n))


def measure(reference: Encoder, candidate: Encoder, sample: Sample) -> dict[str, Any]:
    """Min cosine and top-10 agreement of `candidate` against the fp32 `reference`, plus the candidate's
    texts/s on the sample (the guard prefers the faster of several passing paths)."""
    from evaluators.fast.int8 import recall_agreement
    from evaluators.fast.verify import min_cosine

    ref_p = reference.encode_passages(list(sample.passages))
    ref_q = reference.encode_queries(list(sample.queries))
    t0 = time.perf_counter()
    got_p = candidate.encode_passages(list(sample.passages))
    got_q = candidate.encode_queries(list(sample.queries))
    took = max(time.perf_counter() - t0, 1e-9)
    finite = bool(np.isfinite(got_p).all() and np.isfinite(got_q).all())
    cos = min(min_cosine(ref_p, got_p), min_cosine(ref_q, got_q)) if finite else float("nan")
    agree = recall_agreement(ref_p, got_p, ref_q, got_q, k=TOP_K) if finite else 0.0
    return {
        "min_cosine": round(cos, 6) if finite else None,
        "top10_agreement": round(agree, 4),
        "min_cosine_threshold": MIN_COSINE,
        "top10_agreement_threshold": MIN_TOP10_AGREEMENT,
        "passed": bool(finite and cos >= MIN_COSINE and agree >= MIN_TOP10_AGREEMENT),
        "n_passages": len(sample.passages),
        "n_queries": len(sample.queries),
        "sample": sample.source,
        "texts_per_s": round((len(sample.passages) + len(sample.queries)) / took, 2),
        "non_finite": not finite,
    }


def failure_note(path: PrecisionPath, verdict: dict[str, Any]) -> str:
    """One line: which check failed, with the measured value and the threshold."""
    if verdict.get("error"):
        return f"{path.key} could not run ({verdict['error']})"
    if verdict.get("non_finite"):
        return f"{path.key} gave non-finite vectors (overflow)"
    parts = []
    cos = verdict.get("min_cosine")
    if cos is not None and cos < MIN_COSINE:
        parts.append(f"min cosine {cos:.5f} < {MIN_COSINE}")
    if verdict.get("top10_agreement", 1.0) < MIN_TOP10_AGREEMENT:
        parts.append(f"top-10 agreement {verdict['top10_agreement']:.1%} < {MIN_TOP10_AGREEMENT:.0%}")
    return f"{path.key} failed the fidelity guard ({'; '.join(parts) or 'failed'})"


class VerdictStore:
    """Verdicts as JSON files keyed by model identity, hardware fingerprint and path (and thresholds, so a
    stricter rule re-measures)."""

    def __init__(self, cache_dir: str | Path | None, identity: str, fingerprint: str) -> None:
        self.dir = Path(cache_dir) / "precision" if cache_dir else None
        self.identity, self.fingerprint = identity, fingerprint

    def _file(self, path: PrecisionPath) -> Path | None:
        if self.dir is None:
            return None
        raw = json.dumps([self.identity, self.fingerprint, path.key, MIN_COSINE, MIN_TOP10_AGREEMENT])
        return self.dir / f"{hashlib.sha256(raw.encode('utf-8')).hexdigest()[:32]}.json"

    def get(self, path: PrecisionPath) -> dict[str, Any] | None:
        file = self._file(path)
        try:
            return dict(json.loads(file.read_text("utf-8"))) if file else None
        except (OSError, ValueError):
            return None

    def put(self, path: PrecisionPath, verdict: dict[str, Any]) -> dict[str, Any]:
        record = {
            **verdict,
            "path": path.key,
            "model": self.identity,
            "hardware": self.fingerprint,
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        file = self._file(path)
        if file is not None:
            from evaluators.fast.stconfig import write_json_atomic

            file.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(file, record)
        return record


def choose(
    candidates: Sequence[PrecisionPath],
    store: VerdictStore,
    load: Callable[[PrecisionPath], Encoder],
    reference: Callable[[], Encoder],
    sample: Sample | None,
) -> tuple[Encoder | None, PrecisionPath | None, dict[str, Any], list[str]]:
    """(encoder, path, its verdict, notes) for the fastest candidate that passes; (None, None, {}, notes)
    when none does. Cached verdicts are reused; an unmeasured candidate is measured only with a sample."""
    passing: list[tuple[float, PrecisionPath, dict[str, Any], Encoder | None]] = []
    notes: list[str] = []
    for path in candidates:
        verdict = store.get(path)
        enc: Encoder | None = None
        if verdict is None and sample is None:
            notes.append(f"{path.key} not verified yet (a trial verifies it on its own texts)")
            continue
        if verdict is None:
            assert sample is not None
            try:
                enc = load(path)
                verdict = store.put(path, measure(reference(), enc, sample))
            except Exception as exc:  # a path that cannot run here is a failed verdict, not a failed trial
                verdict = store.put(path, {"passed": False, "error": f"{type(exc).__name__}: {exc}"[:240]})
            verdict = {**verdict, "cached": False}
        else:
            verdict = {**verdict, "cached": True}
        if verdict.get("passed"):
            passing.append((float(verdict.get("texts_per_s") or 0.0), path, verdict, enc))
        else:
            notes.append(failure_note(path, verdict))
    if not passing:
        return None, None, {}, notes
    _, path, verdict, enc = max(passing, key=lambda p: p[0])
    return (enc if enc is not None else load(path)), path, verdict, notes
