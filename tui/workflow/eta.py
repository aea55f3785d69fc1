"""A running trial's clock: each model's estimate (the engine's 'estimate' phase events), what has started,
how far it got, and the time left from those (no Textual: the TUI's progress widget feeds it).

Remaining time = the current model's estimate minus its elapsed time (once it has encoded a share, its own
pace for the rest) + the estimates of the models still to come, scaled by how far the finished models were
off their estimates (a slow machine today makes every later estimate slow too).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Model:
    estimate_s: float | None = None
    started: float | None = None
    encode_started: float | None = None
    fraction: float = 0.0
    """Share of the model's texts encoded (done / total of its last progress report)."""
    done: int = 0
    total: int = 0
    finished: float | None = None


@dataclass
class TrialClock:
    """Per-model estimates and progress keyed by the ref the user ticked, in run order."""

    models: dict[str, _Model] = field(default_factory=dict)

    def start(self, refs: list[str]) -> None:
        self.models = {ref: _Model() for ref in refs}

    def estimate(self, ref: str, seconds: float | None) -> None:
        if ref in self.models:
            self.models[ref].estimate_s = seconds

    def begin(self, ref: str, now: float) -> None:
        """`ref` started (its first phase event or progress report); a no-op when it already had."""
        model = self.models.get(ref)
        if model is not None and model.started is None:
            model.started = now

    def progress(self, ref: str, done: int, total: int, now: float) -> None:
        model = self.models.get(ref)
        if model is None or total <= 0:
            return
        self.begin(ref, now)
        if model.encode_started is None:
            model.encode_started = now
        model.done, model.total, model.fraction = done, total, min(done / total, 1.0)

    def finish(self, ref: str, now: float) -> None:
        model = self.models.get(ref)
        if model is not None:
            self.begin(ref, now)
            model.finished = now

    # -- what the user reads -------------------------------------------------------------------------
    @property
    def estimates(self) -> list[tuple[str, float | None]]:
        return [(ref, m.estimate_s) for ref, m in self.models.items()]

    def total_estimate(self) -> float | None:
        """Every model's estimate summed; None when any model has none (an honest 'unknown')."""
        values = [m.estimate_s for m in self.models.values()]
        if not values or any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None)

    def pace(self) -> float:
        """actual / estimated seconds over the finished models with an estimate (1.0 before any)."""
        spent = [
            (m.finished - m.started, m.estimate_s)
            for m in self.models.values()
            if m.finished is not None and m.started is not None and m.estimate_s
        ]
        actual, planned = sum(a for a, _ in spent), sum(p for _, p in spent)
        return actual / planned if planned > 0.5 else 1.0  # tiny estimates (bm25) say nothing of pace

    def remaining(self, now: float) -> float | None:
        """Seconds left for the whole trial; None while some model still to run has no estimate."""
        pace, left = self.pace(), 0.0
        for model in self.models.values():
            if model.finished is not None:
                continue
            if model.started is None:
                if model.estimate_s is None:
                    return None
                left += model.estimate_s * pace
                continue
            left += self._current_left(model, now, pace)
        return left

    @staticmethod
    def _current_left(model: _Model, now: float, pace: float) -> float:
        assert model.started is not None
        if model.fraction >= 1.0:  # encoded: what is left (search, latency probes) is seconds at most
            return 0.0
        if model.encode_started is not None and 0.05 <= model.fraction < 1.0:
            encoding = now - model.encode_started
            return encoding * (1.0 - model.fraction) / model.fraction  # its own pace beats any estimate
        if model.estimate_s is None:
            return 0.0
        return max(model.estimate_s * pace - (now - model.started), 0.0)

    def current(self) -> str | None:
        """The ref running now: started, not finished."""
        return next(
            (ref for ref, m in self.models.items() if m.started is not None and m.finished is None), None
        )

    def stopped_at(self, ref: str) -> tuple[int, int] | None:
        """(done, total) of the last progress report of `ref`, None when it never reported."""
        model = self.models.get(ref)
        return (model.done, model.total) if model is not None and model.total else None
