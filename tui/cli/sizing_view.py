"""The sizing table under `recommend`: index size and embedding cost of each shown candidate at the user's
corpus (numbers from catalog.sizing; the same cells the Markdown export shows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog.requirements import Requirements
from catalog.sizing import Sizing, assumptions, cells, sizing_for


def sizing_section(
    specs: Sequence[Any], req: Requirements, monthly_updates_pct: float
) -> tuple[list[Sizing], dict[str, Any]]:
    """Sizes of the shown candidates and the keys `recommend --json` / `--save` carry (`sizing`, with its
    one-sentence `sizing_assumptions`)."""
    share = monthly_updates_pct / 100
    sizes = sizing_for(specs, req, update_share=share)
    return sizes, {
        "sizing": [s.to_dict() for s in sizes],
        "sizing_assumptions": assumptions(req, update_share=share),
    }


def render_sizing(sizes: Sequence[Sizing | dict[str, Any]], note: str | None) -> None:
    """The table (a `Sizing` or its stored dict per row), then what it assumes."""
    from rich.console import Console
    from rich.table import Table

    if not sizes:
        return
    rows = [cells(s) for s in sizes]
    table = Table(title="Index size and embedding cost at your corpus", title_justify="left")
    for col in rows[0]:
        table.add_column(col, justify="left" if col == "Model" else "right", overflow="fold")
    for row in rows:
        table.add_row(*row.values())
    console = Console(soft_wrap=False)
    console.print(table)
    if note:
        console.print(f"[dim]· {note}[/]", highlight=False)
