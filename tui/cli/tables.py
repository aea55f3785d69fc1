"""Rich renderings for the CLI: a trial's results (table, a line per model, caption) and the deeper checks.

Every cell and sentence comes from `tui.present`; this module only lays them out in rich tables. User and
model text goes in as `Text` (never markup), so a name like "[bold]x" prints as typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from evaluators.winner.text import stability_text
from tui.present import trial_rows as rows
from tui.present.checks import measures, value_text
from tui.present.formats import short_names
from tui.present.trial_notes import notes, replay_line

if TYPE_CHECKING:
    from evaluators.types import TrialResult


def _console() -> Console:
    console = Console(highlight=False)
    return console if console.is_terminal else Console(width=130, highlight=False)


def trial_table(
    trial_rows: Sequence[rows.TrialRow], *, title: str, view: Sequence[str] = rows.CLI_VIEW
) -> Table:
    """The shared trial columns as a rich table; the winner's row is bold."""
    table = Table(title=Text(title), title_justify="left")
    for key in view:
        col = rows.BY_KEY[key]
        if col.numeric or key == "vs_best":
            table.add_column(col.label, justify="right" if col.numeric else "left", no_wrap=True)
        else:  # names and reasons fold, but never thinner than a short model name
            table.add_column(col.label, overflow="fold", min_width=12 if key == "model" else 8)
    for row in trial_rows:
        table.add_row(*(Text(c) for c in row.view(view)), style="bold" if row.best else None)
    return table


def render(result: TrialResult, *, tradeoffs: bool = False, corpus_docs: int | None = None) -> None:
    """The results table (stdout), a line per model on how it ran, the caption, then any checks; with
    `tradeoffs`, each dense model's size/quality table (index size at `corpus_docs` documents)."""
    console = _console()
    view = rows.with_answers(rows.CLI_VIEW, result.results)
    title = rows.title(result.dataset, complete=result.complete)
    console.print(trial_table(rows.trial_rows(result.results), title=title, view=view))
    names = short_names(r.model for r in result.results if r.status == "ok")
    for row in result.results:
        console.print(f"{names.get(row.model, row.model)}: " + "; ".join(notes(row)), markup=False)
    for line in rows.caption(result.dataset, result.results):
        console.print(line, markup=False)
    if stability := stability_text(result.stability, names):
        console.print(stability, markup=False)
    if replayed := replay_line(result.environment):
        console.print(replayed, markup=False)
    checks = [
        {**c, "model": names.get(str(c.get("model", "")), str(c.get("model", "")))}
        for r in result.results
        if r.details.get("kind") != "bm25"
        for c in (r.details.get("checks") or {}).values()
    ]
    if checks:
        render_checks(checks)
    if tradeoffs:
        render_tradeoffs(result, console, names, corpus_docs)


def render_tradeoffs(
    result: TrialResult, console: Console, names: dict[str, str], corpus_docs: int | None
) -> None:
    """One table per model that has a trade-off table, with the rule that picked the suggestion."""
    from evaluators.tradeoffs import COLUMNS, display_rows

    ds = result.dataset
    per_doc = (ds.get("n_chunks") or 1) / max(1, ds.get("n_docs") or 1)
    n_vectors = round(corpus_docs * per_doc) if corpus_docs else None
    where = (
        f"{n_vectors:,} vectors ({corpus_docs:,} documents x {per_doc:.2f} chunks each, as in this trial)"
        if n_vectors is not None and corpus_docs
        else f"this trial's {ds.get('n_chunks')} chunks (--corpus-docs N sizes your corpus)"
    )
    shown = None
    for row in result.results:
        table = row.details.get("tradeoffs")
        if row.status != "ok" or not table:
            continue
        shown = table
        out = Table(title=f"{names.get(row.model, row.model)}: size/quality trade-offs", title_justify="left")
        for col in COLUMNS:
            out.add_column(col or "", justify="left" if col in ("Setting", "") else "right", no_wrap=True)
        for cells in display_rows(table, n_vectors):
            out.add_row(*cells)
        console.print(out)
    if shown is not None:
        console.print(
            f"Trade-offs: re-scored from each model's trial vectors on {shown['n_queries']} queries; index = "
            f"vectors + HNSW links (M=16) at {where}. {shown['rule']}. "
            + " ".join(m.rstrip(".") + "." for m in shown["methods"]),
            markup=False,
        )


def render_checks(results: Sequence[Mapping[str, Any]]) -> None:
    """One table per check: a row per measure, a column per model (value, then its 95% interval)."""
    console = Console(soft_wrap=False)
    for kind in dict.fromkeys(str(r["kind"]) for r in results):
        same = [r for r in results if r["kind"] == kind]
        table = Table(title=f"{kind} check: value [95% interval]")
        table.add_column("Measure", no_wrap=True)
        for r in same:
            table.add_column(Text(str(r["model"])), overflow="fold", justify="right")
        table.add_row("status", *[str(r["status"]) for r in same])
        table.add_row("n", *[str(r["n"]) for r in same])
        for key, label in measures(kind, same):
            table.add_row(label, *[(value_text(r, key) or "-") if r["status"] == "ok" else "-" for r in same])
        console.print(table)
        for r in same:
            console.print(f"[bold]{escape(str(r['model']))}[/]: {escape(str(r['summary']))}")
            words = (r.get("values") or {}).get("most_fragmented")
            if words:
                console.print("  most fragmented: " + escape(", ".join(f"{w} ({p})" for w, p in words)))
            for note in r.get("notes") or ():
                console.print(f"  [dim]· {escape(str(note))}[/]")
