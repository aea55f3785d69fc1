"""The trial's results: one row per model with 95% intervals, significance against the best, speed and
memory; the winner is starred and bold, failed models are rows that say why.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

PRIMARY = "ndcg@10"
COLUMNS = ("Model", "Status", "nDCG@10 [95% CI]", "sig", "R@10", "MRR@10", "Hit@1", "docs/s", "p50 ms", "MB")


def winner(results: list[Any]) -> Any | None:
    """The ok row with the highest nDCG@10 (first in order on ties)."""
    ok = [r for r in results if r.status == "ok" and PRIMARY in r.metrics]
    return max(ok, key=lambda r: r.metrics[PRIMARY]) if ok else None


def significance(row: Any, best: Any | None) -> str:
    """'best', '**' (p<0.01), '*' (p<0.05) or 'n.s.' for the paired test against the best model."""
    if best is None or row is best:
        return "best" if row is best else ""
    p = row.p_vs_best.get(PRIMARY)
    if p is None:
        return "?"
    return "**" if p < 0.01 else "*" if p < 0.05 else "n.s."


def _num(row: Any, key: str, fmt: str = "{:.3f}") -> str:
    value = row.metrics.get(key)
    return fmt.format(value) if isinstance(value, (int, float)) else "-"


def _perf(row: Any, key: str, fmt: str) -> str:
    value = row.perf.get(key)
    return fmt.format(value) if isinstance(value, (int, float)) else "-"


def result_cells(row: Any, best: Any | None) -> list[Any]:
    if row.status != "ok":
        reason = f"{row.status}: {row.error or 'no reason given'}"
        short = reason if len(reason) <= 26 else reason[:25] + "…"  # the full reason is in the log
        return [row.model, Text(short, style="italic"), "-", "", "-", "-", "-", "-", "-", "-"]
    ci = row.ci95.get(PRIMARY)
    cell = _num(row, PRIMARY) + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")
    cells: list[Any] = [
        ("★ " if row is best else "  ") + row.model,
        "ok",
        cell,
        significance(row, best),
        _num(row, "recall@10"),
        _num(row, "mrr@10"),
        _num(row, "hit@1"),
        _perf(row, "docs_per_s", "{:,.0f}"),
        _perf(row, "query_p50_ms", "{:.1f}"),
        _perf(row, "peak_mem_mb", "{:,.0f}"),
    ]
    if row is best:
        cells = [Text(str(c), style="bold") for c in cells]
    return cells


class ResultsTable(DataTable[Any]):
    """A DataTable that knows how to show a list of evaluators ModelResult rows."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns(*COLUMNS)

    def show(self, results: list[Any], *, cursor: int | None = None) -> None:
        """Rebuild the rows (keys are indexes into `results`); the cursor goes to row `cursor` when given,
        else stays on the row it was on."""
        keep = self.cursor_row if cursor is None else cursor
        # Rebuild the columns too: widths are then fitted to the new rows, never clipped to old ones.
        self.clear(columns=True)
        self.add_columns(*COLUMNS)
        best = winner(results)
        for i, row in enumerate(results):
            self.add_row(*result_cells(row, best), key=f"{i}")
        if results:
            self.move_cursor(row=max(0, min(keep, len(results) - 1)))
        # Never taller than its rows (+ header, border, scrollbar), so the space left goes to what follows.
        self.styles.max_height = len(results) + 3
