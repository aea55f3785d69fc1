"""The winner-stability record a trial keeps: figures, what they measured, and one line of advice.

Plain frozen dataclasses that round-trip through JSON (`to_dict` / `from_dict`), kept free of numpy so that
storage and the TUI read them without the engine. A key missing from an older record reads as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Shares = tuple[tuple[str, float], ...]
"""(model, value) pairs, highest first."""

COULD_CHANGE = "could change"
UNLIKELY = "unlikely"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SampleCheck:
    """Could the document sample change the answer? Measured only when the trial ran on n of N documents."""

    verdict: str
    """'could change' | 'unlikely' | 'unknown' (the data cannot say; `reason` says why)."""
    reason: str
    """One line: what was measured and why the verdict follows (or why it is unknown)."""
    n_docs: int
    n_docs_total: int
    n_distractors: int
    """Sampled documents that no evaluated query needs: the evidence about what more documents do."""
    projected: Shares = ()
    """Each model's projected mean nDCG@10 with all n_docs_total documents."""
    projected_range: tuple[tuple[str, float, float], ...] = ()
    """(model, lowest, highest) projected mean nDCG@10 over every prior the sample allows (its 95% region)."""
    projected_shares: Shares = ()
    """Share of the projection draws (queries resampled too) in which each model is best at full size."""
    n_draws: int = 0
    backtest_error: float | None = None
    """Largest error of the same projection made from half of the sample's distractors up to the whole
    sample, where the answer is known (nDCG@10 points)."""
    backtest_ok: bool | None = None
    """Whether that half-to-whole projection named the winner the whole sample measured."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "n_docs": self.n_docs,
            "n_docs_total": self.n_docs_total,
            "n_distractors": self.n_distractors,
            "projected": [list(p) for p in self.projected],
            "projected_range": [list(p) for p in self.projected_range],
            "projected_shares": [list(p) for p in self.projected_shares],
            "n_draws": self.n_draws,
            "backtest_error": self.backtest_error,
            "backtest_ok": self.backtest_ok,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SampleCheck:
        return cls(
            verdict=str(d.get("verdict", UNKNOWN)),
            reason=str(d.get("reason", "")),
            n_docs=int(d.get("n_docs", 0)),
            n_docs_total=int(d.get("n_docs_total", 0)),
            n_distractors=int(d.get("n_distractors", 0)),
            projected=_pairs(d.get("projected")),
            projected_range=tuple(
                (str(m), float(lo), float(hi)) for m, lo, hi in d.get("projected_range") or []
            ),
            projected_shares=_pairs(d.get("projected_shares")),
            n_draws=int(d.get("n_draws", 0)),
            backtest_error=_opt_float(d.get("backtest_error")),
            backtest_ok=None if d.get("backtest_ok") is None else bool(d["backtest_ok"]),
        )


@dataclass(frozen=True)
class WinnerStability:
    """How firmly the trial's best model is best, and what to do when it is not."""

    best: str
    metric: str
    n_queries: int
    n_resamples: int
    """Paired bootstrap resamples of the queries (the same ones behind each model's 95% interval)."""
    stability: float
    """Share of the resamples in which `best` stays best (ties split)."""
    shares: Shares
    """Each model's share of the resamples it is best in (they sum to 1)."""
    threshold: float
    """Below this stability (or with a sample that could change the answer) there is advice."""
    seed: int = 0
    sample: SampleCheck | None = None
    """None when the trial used every document (nothing to project)."""
    advice: str = ""
    """One line ('run on all 300 documents'), empty when the answer is firm."""
    elapsed_s: float = 0.0
    """What computing all this cost (vectors and rankings were already in memory)."""

    @property
    def runner_up(self) -> tuple[str, float] | None:
        return next(((m, s) for m, s in self.shares if m != self.best), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "metric": self.metric,
            "n_queries": self.n_queries,
            "n_resamples": self.n_resamples,
            "stability": self.stability,
            "shares": [list(p) for p in self.shares],
            "threshold": self.threshold,
            "seed": self.seed,
            "sample": self.sample.to_dict() if self.sample else None,
            "advice": self.advice,
            "elapsed_s": self.elapsed_s,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WinnerStability:
        sample = d.get("sample")
        return cls(
            best=str(d.get("best", "")),
            metric=str(d.get("metric", "ndcg@10")),
            n_queries=int(d.get("n_queries", 0)),
            n_resamples=int(d.get("n_resamples", 0)),
            stability=float(d.get("stability", 0.0)),
            shares=_pairs(d.get("shares")),
            threshold=float(d.get("threshold", 0.9)),
            seed=int(d.get("seed", 0)),
            sample=SampleCheck.from_dict(sample) if isinstance(sample, dict) else None,
            advice=str(d.get("advice", "")),
            elapsed_s=float(d.get("elapsed_s", 0.0)),
        )

    @classmethod
    def load(cls, d: Any) -> WinnerStability | None:
        """From a stored value: None for a record made before the figure existed (or any non-dict)."""
        return cls.from_dict(d) if isinstance(d, dict) and d.get("best") else None


def _pairs(value: Any) -> Shares:
    return tuple((str(m), float(v)) for m, v in (value or ()))


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)
