"""Quality vs. cost/speed scatter of the shortlist (textual-plotext), x axis switchable with `a`.

Each model is a one-character marker (its place in the legend beside the plot), so long names never
overlap or get clipped on the plot; when nothing can be placed on an axis, the plot area says why
instead of showing empty axes. What is plotted and the words are `tui.present.plot`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from tui.present.plot import PlotData, plot_data

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot

    from catalog.ranking import Ranked


class QualityPlot(Vertical):
    """Scatter of benchmark value (y) against log10 size or price (x), with its legend on the right."""

    DEFAULT_CSS = """
    QualityPlot #plot-title { height: auto; padding: 0 1; text-style: bold; }
    QualityPlot #plot-row { height: 1fr; }
    QualityPlot #plot-area { width: 1fr; }
    QualityPlot #plot-empty { width: 1fr; height: 1fr; content-align: center middle; padding: 1 2; }
    QualityPlot #plot-legend-box { width: 40%; max-width: 46; border-left: vkey $primary; }
    QualityPlot #plot-legend { padding: 0 1; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = "size"
        """'size' (open weights, M params) or 'price' (API, USD per 1M tokens)."""
        self._candidates: list[Ranked] = []
        self.data: PlotData | None = None
        """What is drawn now (tests read the markers and the note from it)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="plot-title")
        with Horizontal(id="plot-row"):  # the plot itself is mounted first in it when first drawn
            yield Static("", id="plot-empty")
            with VerticalScroll(id="plot-legend-box"):
                yield Static("", id="plot-legend")

    def show(self, candidates: list[Ranked]) -> None:
        self._candidates = list(candidates)
        self._draw()

    def toggle_axis(self) -> None:
        self.axis = "price" if self.axis == "size" else "size"
        self._draw()

    def _plot_area(self) -> PlotextPlot:
        """The plot widget, built when something is first drawn (the Plot tab opened): textual-plotext and
        plotext take ~30 ms to import, and most visits to the shortlist never open that tab."""
        from textual_plotext import PlotextPlot

        for plot in self.query("#plot-area").results(PlotextPlot):
            return plot
        plot = PlotextPlot(id="plot-area")
        self.query_one("#plot-row", Horizontal).mount(plot, before=0)
        return plot

    def _draw(self) -> None:
        data = self.data = plot_data(self._candidates, self.axis)
        plot = self._plot_area()
        empty = self.query_one("#plot-empty", Static)
        plot.display, empty.display = bool(data.points), not data.points
        legend = [Text(p.legend) for p in data.points]
        if data.left_out:
            legend += (
                [Text(""), Text("Not plotted:", style="bold")] if legend else [Text("Not plotted:", "bold")]
            )
            legend += [Text(f"- {why}") for why in data.left_out]
        self.query_one("#plot-title", Static).update(data.title)
        self.query_one("#plot-legend", Static).update(Group(*legend) if legend else "Nothing plotted.")
        if not data.points:
            empty.update(data.empty_note)
            return
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        for p in data.points:
            plt.scatter([p.x], [p.y], marker=p.marker)
        if ticks := data.ticks():
            plt.xticks([x for x, _ in ticks], [label for _, label in ticks])
        plt.xlabel("cheaper/faster ←  (log scale)  → larger/pricier")
        plt.ylabel("benchmark")
        plot.refresh()
