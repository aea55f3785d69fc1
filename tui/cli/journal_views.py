"""Rich renderings of journal records for the CLI: history table, one decision, a diff, a recheck report.

Words and cells come from `tui.present` (the same as the TUI and the Markdown report). User text always
goes in as `Text` objects (never markup), so a title like "[bold]x" prints exactly as it was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from evaluators.winner.text import stability_text
from storage.recheck import RecheckReport
from storage.records import Decision, TrialRecord
from storage.report import DecisionDiff, trial_provenance
from tui.cli.tables import trial_table
from tui.present import journal as words
from tui.present import trial_rows as rows
from tui.present.formats import num, plain, when
from tui.present.panels import diff_sections
from tui.present.profile import requirements_rows

STATUS_STYLE = {"draft": "yellow", "decided": "green", "superseded": "dim"}
RECHECK_STYLE = {"warn": "yellow", "good": "green", "": ""}


def history_table(decisions: Sequence[Decision]) -> Table:
    table = Table(title="Decision journal", title_justify="left", expand=False)
    for name in words.HISTORY_COLUMNS:
        table.add_column(name, justify="right" if name == "ID" else "left")
    for d in decisions:
        cells = words.history_row(d)
        table.add_row(
            *(Text(c, style=STATUS_STYLE.get(d.status, "") if i == 3 else "") for i, c in enumerate(cells))
        )
    return table


def show_decision(console: Console, d: Decision) -> None:
    """Everything about one decision, top to bottom in the order it happened."""
    console.print(Text(f"Decision #{d.id}: ", style="bold") + Text(d.title))
    meta = Text(f"status {d.status} · created {when(d.created_at)} · updated {when(d.updated_at)} UTC")
    if d.tags:
        meta.append(" · tags: " + ", ".join(d.tags))
    if d.superseded_by is not None:
        meta.append(f" · superseded by #{d.superseded_by}")
    console.print(meta, style="dim")
    if d.requirements:
        console.print(_pairs_table("Requirements", requirements_rows(d.requirements)))
    else:
        console.print(Text("No requirements saved."))
    rec = d.latest_recommendation
    if rec is None:
        console.print(Text("No recommendation saved."))
    else:
        console.print(
            shortlist_table(rec.candidates, title=f"Shortlist (catalog {rec.catalog_version or '?'})")
        )
        if rec.excluded:
            console.print(
                Text(f"{len(rec.excluded)} model(s) excluded; see `export` for the reasons.", style="dim")
            )
        if rec.extra.get("sizing"):
            from tui.cli.sizing_view import render_sizing

            render_sizing(rec.extra["sizing"], rec.extra.get("sizing_assumptions"))
    for trial in d.trials:
        console.print(trial_view(trial))
    if not d.trials:
        console.print(Text("No trials saved."))
    if d.chosen_model:
        console.print(Text("Chosen: ", style="bold green") + Text(d.chosen_model))
        if d.rationale:
            console.print(Text(d.rationale))
        _plan_lines(console, d)
    else:
        console.print(Text("No model chosen yet: embedscout decide ID --model M --note '...'", style="dim"))


def _plan_lines(console: Console, d: Decision) -> None:
    """The hand-over plan in brief (setting, what it measured, index size), or why there is none."""
    from storage.db import StorageError
    from storage.handover import plan_for, summary_lines

    try:
        lines = summary_lines(plan_for(d), d)
    except (StorageError, ValueError) as exc:
        lines = [f"No hand-over: {exc}"]
    for line in [*lines, f"Code for it: embedscout use {d.id}"]:
        console.print(Text(line, style="dim"))


def _pairs_table(title: str, pairs: Sequence[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("Question", style="bold")
    table.add_column("Answer")
    for key, value in pairs:
        table.add_row(Text(key), Text(value))
    return table


def shortlist_table(candidates: Sequence[dict[str, Any]], *, title: str, limit: int = 10) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("#", "Model", "Score", "Why"):
        table.add_column(name)
    for i, cand in enumerate(candidates[:limit], start=1):
        reasons = "; ".join(str(r) for r in cand.get("reasons") or [])
        table.add_row(str(i), Text(str(cand.get("id", ""))), num(cand.get("score"), 1), Text(reasons))
    if len(candidates) > limit:
        table.caption = f"{len(candidates) - limit} more candidate(s) in the export"
    return table


def trial_view(trial: TrialRecord) -> Group:
    """A saved trial: the shared trial columns, what it ran on, a warning if under another profile."""
    ds = trial.dataset
    title = f"Trial {trial.id} on {ds.get('name', 'dataset')} ({trial.status}, {when(trial.started_at)})"
    stored = [rows.stored_row(r) for r in trial.results]
    parts: list[Any] = [
        trial_table(
            rows.trial_rows(stored, short=False),
            title=title,
            view=rows.with_answers(rows.REPORT_VIEW, stored),
        )
    ]
    lines = [f"Dataset: {words.dataset_facts(ds)}.", *trial_provenance(trial), *rows.origin_notes(ds)]
    note = words.earlier_profile_note(trial.settings)
    parts += [Text(line, style="dim") for line in lines]
    if stability := stability_text(trial.stability):
        parts.append(Text(stability))
    if note:
        parts.append(Text(note, style="yellow"))
    return Group(*parts)


def diff_view(diff: DecisionDiff) -> Group:
    a, b = f"#{diff.a.id}", f"#{diff.b.id}"
    parts: list[Any] = []
    # The same sections and words as the TUI's Compare screen (tui.present.panels.diff_sections).
    for title, body in diff_sections(diff)[:3]:
        if body:
            parts.append(_rows_table(title, a, b, [(label, va, vb, va != vb) for label, va, vb in body]))
        elif title == "Questions and answers":
            parts.append(Text("No requirements saved."))
    if diff.results:
        shown = ("ndcg@10", "recall@10")  # fit 80 columns; `export` has the rest
        table = Table(title="Trial results (latest per model)", title_justify="left")
        table.add_column("Model", overflow="fold")
        for m in shown:
            table.add_column(f"{m} {a}")
            table.add_column(f"{m} {b}")
        for r in diff.results:
            cells = (words.metric_cell(v, m) for m in shown for v in (r.a, r.b))
            table.add_row(Text(r.label), *cells)
        parts.append(table)
    if diff.same_dataset is False:
        parts.append(
            Text("The latest trials ran on different datasets: compare their numbers with care.", "yellow")
        )
    return Group(*parts)


def _rows_table(title: str, a: str, b: str, rows_: list[tuple[str, Any, Any, bool]]) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("", a, b):
        table.add_column(name)
    for label, va, vb, changed in rows_:
        table.add_row(Text(label, style="bold" if changed else "dim"), Text(plain(va)), Text(plain(vb)))
    return table


def recheck_view(report: RecheckReport, decision: Decision) -> Group:
    lines: list[Any] = [Text(f"Re-checked decision #{decision.id}: ", style="bold") + Text(decision.title)]
    lines += [Text(text, style=RECHECK_STYLE[style]) for style, text in words.recheck_lines(report)]
    changes = words.recheck_changes(report)
    if changes:
        table = Table(title="Changed numbers", title_justify="left")
        for name in ("Model", "Number", "Saved", "Now"):
            table.add_column(name)
        for change in changes:
            table.add_row(*(Text(c) for c in change))
        lines.append(table)
    return Group(*lines)
