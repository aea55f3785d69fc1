"""Rich renderings of journal records for the CLI: history table, one decision, a diff, a recheck report.

Kept apart from the click commands so the commands stay short. User text always goes in as `Text` objects
(never markup), so a title like "[bold]x" or "'; DROP TABLE" prints exactly as it was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from storage.recheck import RecheckReport
from storage.records import Decision, TrialRecord
from storage.report import HEADLINE_METRICS, DecisionDiff, num, plain

STATUS_STYLE = {"draft": "yellow", "decided": "green", "superseded": "dim"}


def when(stamp: str) -> str:
    """'2026-11-22T04:05:06Z' -> '2026-11-22 04:05' (UTC)."""
    return stamp.replace("T", " ")[:16] if stamp else "-"


def history_table(decisions: Sequence[Decision]) -> Table:
    table = Table(title="Decision journal", title_justify="left", expand=False)
    for name, kw in (("ID", {"justify": "right"}), ("Created (UTC)", {}), ("Title", {}), ("Status", {}),
                     ("Chosen model", {}), ("Tags", {})):  # fmt: skip
        table.add_column(name, **kw)  # type: ignore[arg-type]
    for d in decisions:
        status = Text(d.status, style=STATUS_STYLE.get(d.status, ""))
        if d.superseded_by is not None:
            status.append(f" -> #{d.superseded_by}")
        table.add_row(
            str(d.id),
            when(d.created_at),
            Text(d.title),
            status,
            Text(d.chosen_model or "-"),
            Text(", ".join(d.tags)),
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
    console.print(
        _kv_table("Requirements", d.requirements) if d.requirements else Text("No requirements saved.")
    )
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
            from tui.commands.sizing_view import render_sizing

            render_sizing(rec.extra["sizing"], rec.extra.get("sizing_assumptions"))
    for trial in d.trials:
        console.print(trial_table(trial))
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


def _kv_table(title: str, values: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("Question", style="bold")
    table.add_column("Answer")
    for key, value in values.items():
        table.add_row(Text(str(key)), Text(plain(value)))
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


def trial_table(trial: TrialRecord) -> Table:
    ds = trial.dataset
    title = f"Trial {trial.id} on {ds.get('name', 'dataset')} ({trial.status}, {when(trial.started_at)})"
    table = Table(title=Text(title), title_justify="left")
    table.add_column("Model", overflow="fold")
    for name in ("Status", *(f"{m} [95% CI]" for m in HEADLINE_METRICS), "n"):
        table.add_column(name)
    for result in trial.results:
        metrics, ci = result.get("metrics") or {}, result.get("ci95") or {}
        cells = []
        for m in HEADLINE_METRICS:
            bounds = ci.get(m)
            interval = f" [{num(bounds[0])}, {num(bounds[1])}]" if bounds and len(bounds) == 2 else ""
            cells.append(num(metrics.get(m)) + interval if m in metrics else "-")
        per_query = (result.get("per_query") or {}).get("ndcg@10")
        n = len(per_query) if per_query else ds.get("n_queries", "-")
        status = Text(
            str(result.get("status", "ok")) + (f": {result['error']}" if result.get("error") else "")
        )
        table.add_row(Text(str(result.get("model", ""))), status, *cells, str(n))
    if str(ds.get("query_origin", "user")) not in ("user", "dataset"):
        table.caption = f"queries are {ds.get('query_origin')}: indicative only"
    return table


def diff_view(diff: DecisionDiff) -> Group:
    a, b = f"#{diff.a.id}", f"#{diff.b.id}"
    parts: list[Any] = [_rows_table("Decision", a, b, [(r.label, r.a, r.b, r.changed) for r in diff.summary])]
    req_rows = [(r.label, r.a, r.b, r.changed) for r in diff.requirements]
    parts.append(_rows_table("Requirements", a, b, req_rows) if req_rows else Text("No requirements saved."))
    if diff.shortlist:
        parts.append(
            _rows_table("Shortlist", a, b, [(r.label, r.a, r.b, r.a != r.b) for r in diff.shortlist])
        )
    if diff.results:
        shown = HEADLINE_METRICS[:2]  # nDCG@10 and Recall@10 fit 80 columns; `export` has the rest
        table = Table(title="Trial results (latest per model)", title_justify="left")
        table.add_column("Model", overflow="fold")
        for m in shown:
            table.add_column(f"{m} {a}")
            table.add_column(f"{m} {b}")
        for r in diff.results:
            table.add_row(
                Text(r.label), *(cell for m in shown for cell in (_metric(r.a, m), _metric(r.b, m)))
            )
        parts.append(table)
    if diff.same_dataset is False:
        parts.append(
            Text("The latest trials ran on different datasets: compare their numbers with care.", "yellow")
        )
    return Group(*parts)


def _metric(values: dict[str, Any] | None, metric: str) -> str:
    if values is None:
        return "-"
    if "status" in values:
        return str(values["status"])
    return num(values.get(metric))


def _rows_table(title: str, a: str, b: str, rows: list[tuple[str, Any, Any, bool]]) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("", a, b):
        table.add_column(name)
    for label, va, vb, changed in rows:
        style = "bold" if changed else "dim"
        table.add_row(Text(label, style=style), Text(plain(va)), Text(plain(vb)))
    return table


def _some(names: Sequence[str], limit: int = 5) -> str:
    more = f" (+{len(names) - limit} more, see --json)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def recheck_view(report: RecheckReport, decision: Decision) -> Group:
    lines: list[Any] = [Text(f"Re-checked decision #{decision.id}: ", style="bold") + Text(decision.title)]
    lines.append(
        Text(f"catalog {report.old_catalog_version or '(none saved)'} -> {report.new_catalog_version}")
    )
    if report.chosen_model:
        where = f"now #{report.chosen_new_rank}" if report.chosen_new_rank else "no longer shortlisted"
        before = f"#{report.chosen_old_rank}" if report.chosen_old_rank else "not ranked"
        lines.append(Text(f"chosen model {report.chosen_model}: was {before}, {where}"))
        if report.chosen_excluded_reasons:
            lines.append(Text("  excluded now: " + "; ".join(report.chosen_excluded_reasons), style="yellow"))
        if report.outranking_chosen:
            lines.append(Text("now ranked above it: " + _some(report.outranking_chosen), style="yellow"))
    if report.new_candidates:
        lines.append(Text("new in the top of the shortlist: " + _some(report.new_candidates)))
    if report.dropped:
        lines.append(Text("dropped from the top of the shortlist: " + ", ".join(report.dropped)))
    for model, old_rank, new_rank in report.rank_changes:
        lines.append(Text(f"{model}: rank {old_rank} -> {new_rank}"))
    if report.changes:
        table = Table(title="Changed numbers", title_justify="left")
        for name in ("Model", "Field", "Saved", "Now"):
            table.add_column(name)
        for c in report.changes:
            table.add_row(Text(c.model), c.field, num(c.old), num(c.new))
        lines.append(table)
    if report.unchanged:
        lines.append(Text("Nothing changed: the saved shortlist still stands.", style="green"))
    return Group(*lines)
