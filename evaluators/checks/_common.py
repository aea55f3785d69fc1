"""Shared pieces of the deeper checks: the `CheckResult` record, intervals, and encoding helpers.

Kept apart from the four checks so each stays small and so storage/tui can read a result
(`to_dict`/`from_dict`) without importing any check logic. No heavy imports: numpy only.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evaluators.types import Encoder

N_BOOT = 1000
"""Bootstrap resamples for every 95% interval (percentile method)."""


class CheckError(ValueError):
    """A check could not run (no tokenizer, empty input, bad pairs/probes file): a one-line message."""


@dataclass(frozen=True)
class CheckResult:
    """One check on one model. `values` and `ci95` share keys where an interval applies."""

    kind: str
    """'tokenizer' | 'crosslingual' | 'stability' | 'neighbourhood'."""
    model: str
    summary: str
    """One line: what was measured, and on how many items."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """name -> number (or, for a few descriptive entries, a str or a list of [word, pieces])."""
    ci95: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    n: int = 0
    """Number of items the numbers rest on (documents, pairs, queries or probes)."""
    notes: tuple[str, ...] = ()
    status: str = "ok"
    """'ok' | 'not_applicable' (e.g. an English-only model on parallel pairs) | 'failed'."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (strict JSON: no NaN): tuples become lists, numpy scalars Python numbers."""
        return {
            "kind": self.kind,
            "model": self.model,
            "status": self.status,
            "summary": self.summary,
            "n": int(self.n),
            "values": {k: _plain(v) for k, v in self.values.items()},
            "ci95": {
                k: [float(lo), float(hi)]
                for k, (lo, hi) in self.ci95.items()
                if math.isfinite(lo) and math.isfinite(hi)  # an undefined interval is left out, never NaN
            },
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CheckResult:
        return cls(
            kind=str(d["kind"]),
            model=str(d.get("model", "")),
            summary=str(d.get("summary", "")),
            values=dict(d.get("values", {})),
            ci95={k: (float(v[0]), float(v[1])) for k, v in d.get("ci95", {}).items()},
            n=int(d.get("n", 0)),
            notes=tuple(d.get("notes", ())),
            status=str(d.get("status", "ok")),
        )


def _plain(v: Any) -> Any:
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def bootstrap_mean_ci(
    values: Sequence[float] | np.ndarray, *, seed: int = 0, n_boot: int = N_BOOT
) -> tuple[float, float]:
    """Percentile 95% interval of the mean, resampling items with replacement (seeded, so reproducible)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return (math.nan, math.nan)
    if x.size == 1:
        return (float(x[0]), float(x[0]))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    means = x[idx].mean(axis=1)
    return (float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)))


def bootstrap_ratio_ci(
    num: Sequence[float] | np.ndarray,
    den: Sequence[float] | np.ndarray,
    *,
    seed: int = 0,
    n_boot: int = N_BOOT,
) -> tuple[float, float]:
    """95% interval of sum(num)/sum(den) (e.g. tokens per character over documents), resampling items."""
    a, b = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    if a.size == 0 or b.sum() == 0:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, a.size, size=(n_boot, a.size))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = a[idx].sum(axis=1) / b[idx].sum(axis=1)
    ratios = ratios[np.isfinite(ratios)]
    return (float(np.percentile(ratios, 2.5)), float(np.percentile(ratios, 97.5)))


def wilson_ci(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n (sane at 0 and 1, unlike the normal approximation)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def unit_rows(x: np.ndarray) -> np.ndarray:
    """L2-normalised float32 rows; an all-zero row stays zero (cosine 0 with everything)."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2:
        raise CheckError(f"encoder returned an array of shape {x.shape}, expected (n, dim)")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def encode_units(encoder: Encoder, texts: Sequence[str], *, side: str = "passages") -> np.ndarray:
    """Encode with the query or passage side of `encoder`, then normalise; checks compare by cosine."""
    fn = encoder.encode_queries if side == "queries" else encoder.encode_passages
    out = unit_rows(fn(list(texts)))
    if out.shape[0] != len(texts):
        raise CheckError(f"encoder returned {out.shape[0]} vectors for {len(texts)} texts")
    return out


def model_name(encoder: Encoder | None, spec: Any = None, fallback: str = "model") -> str:
    if spec is not None and getattr(spec, "id", None):
        return str(spec.id)
    return str(getattr(encoder, "name", None) or fallback)


def seeded(seed: int, *salt: object) -> random.Random:
    """A private RNG per (seed, salt...), so adding a check or a model never shifts another's draws."""
    return random.Random(f"{seed}:" + ":".join(map(str, salt)))


EncoderFactory = Callable[[], Encoder]
