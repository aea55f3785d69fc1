"""Quality vs. cost/speed scatter of the shortlist (textual-plotext), x axis switchable with `a`.

Open models are placed by size (millions of parameters: the speed and memory proxy); API models by price
per 1M tokens. Models without a benchmark value are left out of the plot and say so in the title.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from textual_plotext import PlotextPlot

from tui.present.models import benchmark_used

if TYPE_CHECKING:
    from catalog.ranking import Ranked

_TICKS: dict[str, list[tuple[float, str]]] = {
    "size": [
        (v, f"{v:g}M" if v < 1000 else f"{v / 1000:g}B") for v in (10, 30, 100, 300, 1000, 3000, 10000, 30000)
    ],
    "price": [(v, f"${v:g}") for v in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)],
}


class QualityPlot(PlotextPlot):
    """Scatter of benchmark value (y) against log10 size or price (x)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = "size"
        """'size' (open weights, M params) or 'price' (API, USD per 1M tokens)."""
        self._candidates: list[Ranked] = []

    def show(self, candidates: list[Ranked]) -> None:
        self._candidates = list(candidates)
        self._draw()

    def toggle_axis(self) -> None:
        self.axis = "price" if self.axis == "size" else "size"
        self._draw()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        points: list[tuple[float, float, str]] = []
        for ranked in self._candidates:
            spec = ranked.spec
            _, value = benchmark_used(ranked)
            x = (
                spec.price_usd_per_1m
                if self.axis == "price"
                else (spec.n_parameters / 1e6 if spec.n_parameters else None)
            )
            if value is not None and x:
                points.append((math.log10(x), value, spec.name))
        unit = "USD per 1M tokens (API)" if self.axis == "price" else "parameters (open weights)"
        plt.title(f"Benchmark vs {unit} · {len(points)}/{len(self._candidates)} plotted · a: switch axis")
        if points:
            plt.scatter([p[0] for p in points], [p[1] for p in points], marker="dot")
            for x, y, name in points[:8]:
                plt.text(name[:18], x, y)
            xs = [p[0] for p in points]
            ticks = [t for t in _TICKS[self.axis] if min(xs) - 0.3 <= math.log10(t[0]) <= max(xs) + 0.3]
            if ticks:
                plt.xticks([math.log10(v) for v, _ in ticks], [label for _, label in ticks])
        plt.xlabel("cheaper/faster ←  (log scale)  → larger/pricier")
        plt.ylabel("benchmark")
        self.refresh()
