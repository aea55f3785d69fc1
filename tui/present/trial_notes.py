"""A trial row beyond its numbers: how the model ran (backend, truncation, latency, cache), the int8
variant's agreement, API tokens and cost, and its deeper checks; also the live log's line per model.

Shared by the TUI's details pane and log, the CLI's line per model under the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.present.checks import check_lines
from tui.present.formats import short_names, usd
from tui.present.trial_rows import ResultRow, status_text
from tui.workflow.scores import PRIMARY


def run_line(row: ResultRow) -> str:
    """How the model ran (backend, truncation, latency, index size, cache), or why it did not."""
    if row.status != "ok":
        return status_text(row)
    d, perf = row.details, row.perf
    parts = [str(d.get("backend", "")) + (f"/{d['device']}" if d.get("device") else "")]
    if d.get("precision"):
        parts.append(str(d["precision"]) + (f", {d['threads']} threads" if d.get("threads") else ""))
    if d.get("tokenizer") and isinstance(d["tokenizer"], str):
        parts.append(f"tokenizer {d['tokenizer']}")
    if d.get("fusion"):
        parts.append(str(d["fusion"]))
    if "truncated_share" in perf and perf.get("max_tokens"):
        parts.append(
            f"{perf['truncated_share']:.0%} of chunks over {int(perf['max_tokens'])} tokens (truncated)"
        )
    parts.append(chunking_text(d.get("chunking")))
    if "rerank_p50_ms" in perf:
        parts.append(
            f"reranking adds {perf['rerank_p50_ms']:.1f} ms p50 / {perf['rerank_p95_ms']:.1f} ms p95 "
            f"per query (top {d.get('rerank_depth')})"
        )
    if "query_p95_ms" in perf:
        parts.append(f"query p95 {perf['query_p95_ms']:.1f} ms")
    if "index_bytes" in perf:
        parts.append(f"index {perf['index_bytes'] / 2**20:.2f} MB")
    if d.get("cache_hits"):
        parts.append(f"{d['cache_hits']} chunks from cache")
    if d.get("fallback_reason"):
        parts.append(f"fallback: {d['fallback_reason']}")
    return " · ".join(p for p in parts if p) or "ok"


def chunking_text(chunking: Any) -> str:
    """How the row's corpus was cut: size, counter, and the over-window share before (regex) and after."""
    if not isinstance(chunking, Mapping) or not chunking:
        return ""
    if not chunking.get("tokens"):
        return "whole documents"
    text = f"chunks of {chunking.get('limit') or chunking['tokens']} tokens ({chunking.get('counter')})"
    if chunking.get("over_window_share") is not None:
        text += f", {chunking['over_window_share']:.0%} over the window"
        if chunking.get("over_window_share_regex") is not None:
            text += f" (regex-v1 chunks: {chunking['over_window_share_regex']:.0%})"
    if chunking.get("answer_split_queries"):
        text += f", {chunking['answer_split_queries']} answers split across chunks (scored as misses)"
    return text


def int8_line(details: Mapping[str, Any]) -> str | None:
    """The int8 variant's agreement with its fp32 row, when this row is one."""
    if details.get("precision") != "int8-dynamic" and "int8_recall_agreement@10" not in details:
        return None
    agreement = details.get("int8_recall_agreement@10")
    if agreement is None:
        return "int8: no agreement with fp32 (the fp32 row did not finish)"
    return f"int8: keeps {agreement:.1%} of the fp32 top 10 per query (Recall@10 agreement)"


def api_lines(details: Mapping[str, Any]) -> list[str]:
    """API tokens and cost: what the provider billed, and what was estimated before any call."""
    usage, est = details.get("usage") or {}, details.get("cost_estimate") or {}
    lines = []
    if usage:
        text = f"API used: {int(usage.get('tokens', 0)):,} tokens ({usage.get('tokens_source', '?')})"
        if usage.get("usd") is not None:
            text += f", {usd(float(usage['usd']))} ({usage.get('usd_source', '?')})"
        text += f"; {int(usage.get('requests', 0))} requests, {int(usage.get('retries', 0))} retries"
        lines.append(text)
    if est:
        text = f"API estimate before the run: {int(est.get('tokens', 0)):,} tokens"
        if est.get("usd") is not None:
            text += f", {usd(float(est['usd']))}"
        text += f" ({est.get('method', '?')})"
        if est.get("cap_usd") is not None:
            text += f"; cap {usd(float(est['cap_usd']))}"
        lines.append(text)
    return lines


def tradeoff_summary(details: Mapping[str, Any]) -> str | None:
    """The size/quality suggestion in one line, when the trial measured trade-offs for this row."""
    if not details.get("tradeoffs"):
        return None
    from evaluators.tradeoffs import summary_line  # numpy: only once a trial has produced the table

    return summary_line(details["tradeoffs"])


def notes(row: ResultRow) -> list[str]:
    """The lines under a row's numbers: how it ran, int8 agreement, API use, the trade-off suggestion."""
    d = row.details
    return [run_line(row), *(x for x in (int8_line(d), *api_lines(d), tradeoff_summary(d)) if x)]


def detail_lines(row: ResultRow) -> list[tuple[str, str]]:
    """Everything about one row as (style, line): '' plain, 'dim' secondary, 'bold' a heading."""
    lines = [run_line(row), *(x for x in (int8_line(row.details), *api_lines(row.details)) if x)]
    out = [("" if row.status == "ok" else "italic", lines[0])] + [("", x) for x in lines[1:]]
    if row.details.get("tradeoffs"):
        from evaluators.tradeoffs import text_lines

        out.append(("bold", "Size/quality trade-offs (index at the trial's corpus; MRL = Matryoshka)"))
        out += [("", x) for x in [*text_lines(row.details["tradeoffs"]), tradeoff_summary(row.details) or ""]]
    checks = row.details.get("checks") or {}
    if checks:
        out.append(("bold", "Deeper checks"))
        for check in checks.values():
            first, *rest = check_lines(check)
            out.append(("dim" if check.get("status") == "not_applicable" else "", first))
            out += [("dim" if line.startswith("  ·") else "", line) for line in rest]
    return out


def log_line(row: ResultRow) -> str:
    """One line for a live log when a model finishes: its headline number, int8, API cost, checks."""
    if row.status != "ok":
        return f"{row.model}: {row.status} ({row.error})"
    parts = [f"{row.model}: {PRIMARY} {row.metrics.get(PRIMARY, float('nan')):.3f}"]
    d = row.details
    if d.get("int8_recall_agreement@10") is not None:
        parts.append(f"top-10 agreement with fp32 {d['int8_recall_agreement@10']:.1%}")
    usage = d.get("usage") or {}
    if usage:
        parts.append(f"API {int(usage.get('tokens', 0)):,} tokens")
        if usage.get("usd") is not None:
            parts[-1] += f", {usd(float(usage['usd']))}"
    checks = d.get("checks") or {}
    if checks:
        parts.append("checks " + ", ".join(f"{k} {c.get('status')}" for k, c in checks.items()))
    return "; ".join(parts)


def stability_lines(figure: Any, rows: Sequence[ResultRow]) -> tuple[str, str, bool] | None:
    """A trial's winner stability for a screen: (one-line summary with its advice, every line of the
    account, whether to warn: the figure came with advice, i.e. the winner is not firm or the document
    sample could change it); None for a trial without the figure (one ok row, or an older record)."""
    from evaluators.winner.text import stability_text  # plain strings, no numpy

    names = short_names(r.model for r in rows if r.status == "ok")
    summary = stability_text(figure, names)
    if summary is None:
        return None
    detailed = stability_text(figure, names, detailed=True) or summary
    advice = figure.get("advice") if isinstance(figure, Mapping) else getattr(figure, "advice", "")
    return summary, detailed, bool(advice)


def replay_line(environment: Mapping[str, Any]) -> str | None:
    """What a replayed trial says under its table: the result shown is the kept one (evaluators.replay)."""
    kept = environment.get("replayed")
    if not isinstance(kept, Mapping):
        return None
    when = str(kept.get("kept_at") or "an earlier run")[:16].replace("T", " ")
    return (
        f"Replayed: nothing changed since the trial of {when} UTC, so its kept result is shown, not "
        "recomputed ('embedscout trial --no-cache' measures again)."
    )
