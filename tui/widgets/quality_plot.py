"""Quality vs. cost/speed scatter of the shortlist (textual-plotext), x axis switchable with `a`.

Open models are placed by size (millions of parameters: the speed and memory proxy); API models by price
per 1M tokens. Models without a benchmark value are left out of the plot and say so in the title.
"""

from __future__ import annotations

import math
from typing import Any

from textual_plotext import PlotextPlot

from tui.widgets.model_rows import benchmark_used


class QualityPlot(PlotextPlot):
    """Scatter of benchmark value (y) against log10 size or price (x)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = "size"
        """'size' (open weights, M params) or 'price' (API, USD per 1M tokens)."""
        self._candidates: list[Any] = []

    def show(self, candidates: list[Any]) -> None:
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
        unit = "log10 USD per 1M tokens (API)" if self.axis == "price" else "log10 M parameters (open)"
        plt.title(f"Benchmark vs {unit} · {len(points)}/{len(self._candidates)} plotted · a: switch axis")
        if points:
            plt.scatter([p[0] for p in points], [p[1] for p in points], marker="dot")
            for x, y, name in points[:8]:
                plt.text(name[:18], x, y)
        plt.xlabel("cheaper/faster ←   → larger/pricier")
        plt.ylabel("benchmark")
        self.refresh()
