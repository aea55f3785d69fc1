"""The shortlist's quality plot in words and markers: which candidates can be placed on the chosen axis,
the marker each gets (its rank, then letters), the legend lines, and what to say when nothing can be placed.

Open models are placed by size (millions of parameters: the speed and memory proxy); API models by price
per 1M tokens. A model needs a published benchmark value and a known size or price to be placed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.present.models import benchmark_used, size_or_price

if TYPE_CHECKING:
    from catalog.ranking import Ranked

MARKERS = "123456789abcdefghijklmnopqrstuvwxyz"
"""One character per plotted model: the legend says which is which (names never overlap on the plot)."""
AXES = {"size": "parameters (open weights)", "price": "USD per 1M tokens (API)"}
TICKS: dict[str, list[tuple[float, str]]] = {
    "size": [
        (v, f"{v:g}M" if v < 1000 else f"{v / 1000:g}B") for v in (10, 30, 100, 300, 1000, 3000, 10000, 30000)
    ],
    "price": [(v, f"${v:g}") for v in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)],
}


@dataclass(frozen=True)
class Point:
    x: float
    """log10 of the size (M parameters) or price (USD per 1M tokens)."""
    y: float
    marker: str
    name: str
    legend: str
    """'1  bge-small-en-v1.5 · 51.7 · 33M' (marker, name, benchmark value, size or price)."""


@dataclass(frozen=True)
class PlotData:
    axis: str
    title: str
    points: tuple[Point, ...]
    empty_note: str
    """Why nothing is plotted (shown in the plot area instead of empty axes); '' when points exist."""
    left_out: tuple[str, ...]
    """Candidates that could not be placed, each with why."""

    def ticks(self) -> list[tuple[float, str]]:
        """(log10 position, label) of the axis ticks around the plotted points."""
        xs = [p.x for p in self.points]
        if not xs:
            return []
        found = [(math.log10(v), label) for v, label in TICKS[self.axis]]
        return [t for t in found if min(xs) - 0.3 <= t[0] <= max(xs) + 0.3]


def _x(ranked: Ranked, axis: str) -> float | None:
    spec = ranked.spec
    if axis == "price":
        return spec.price_usd_per_1m or None
    return spec.n_parameters / 1e6 if spec.n_parameters else None


def plot_data(candidates: Sequence[Ranked], axis: str) -> PlotData:
    """Where each candidate goes on `axis` ('size' or 'price'), and a sentence for each left out."""
    points: list[Point] = []
    left_out: list[str] = []
    for rank, ranked in enumerate(candidates, start=1):
        _, value = benchmark_used(ranked)
        x = _x(ranked, axis)
        name = ranked.spec.name
        if value is None:
            left_out.append(f"{name}: no published benchmark value")
        elif x is None:
            left_out.append(f"{name}: {'no price (open weights)' if axis == 'price' else 'size unknown'}")
        elif rank <= len(MARKERS):  # the marker is the shortlist rank (then letters), as in the table
            marker = MARKERS[rank - 1]
            legend = f"{marker}  {name} · {value:.1f} · {size_or_price(ranked.spec)}"
            points.append(Point(math.log10(x), value, marker, name, legend))
        else:
            left_out.append(f"{name}: beyond the first {len(MARKERS)} candidates")
    n, total = len(points), len(candidates)
    title = f"Benchmark vs {AXES[axis]} · {n} of {total} plotted · a: switch axis"
    return PlotData(
        axis, title, tuple(points), _empty_note(axis, candidates) if not points else "", tuple(left_out)
    )


def _empty_note(axis: str, candidates: Sequence[Ranked]) -> str:
    total = len(candidates)
    if not total:
        return "No candidates to plot: the shortlist is empty."
    other = "size" if axis == "price" else "price"
    if axis == "price":
        why = (
            "a price per 1M tokens is known only for API models, and no candidate is an API model with a "
            "price and a published benchmark value"
        )
    else:
        why = "no candidate has both a known parameter count and a published benchmark value"
    return f"0 of {total} models plotted on this axis: {why}. Press a to plot by {other}."
