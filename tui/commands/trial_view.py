"""How `embedscout trial` prints a result: the table, a line per model, and a caption that says what each
figure measured and on how much; `--json` flattens each row's metrics and perf to top-level keys."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from evaluators.winner.text import stability_text

SIG_LEVEL = 0.05
TABLE_METRICS = (
    ("ndcg@10", "nDCG@10"),
    ("recall@1", "R@1"),
    ("recall@10", "R@10"),
    ("mrr@10", "MRR@10"),
    ("hit@1", "hit@1"),
)
ANSWER_METRIC = ("answer_hit@1", "ans@1")
"""Shown when queries carry answer texts: the answer inside the top-1 chunk (evaluators.answers)."""


def dropped_text(dropped: dict[str, int]) -> str:
    parts = [f"{v} {k}" for k, v in dropped.items() if v]
    return f" (dropped: {', '.join(parts)})" if parts else ""


def to_json(result: Any) -> dict[str, Any]:
    """TrialResult.to_dict() with each row's metrics and perf also flattened to top-level keys."""
    data: dict[str, Any] = result.to_dict()
    rows = []
    for row in data["results"]:
        flat = {"model": row["model"], "status": row["status"], "error": row["error"]}
        flat.update(row.get("metrics", {}))
        flat.update(row.get("perf", {}))
        rows.append({**flat, **row})
    data["results"] = rows
    return data


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _cell(row: Any, key: str, best: bool) -> str:
    value = row.metrics.get(key)
    if value is None:
        return "-"
    text = _fmt(value)
    if key == "ndcg@10":
        lo, hi = row.ci95.get(key, (value, value))
        text += f" [{lo:.3f}-{hi:.3f}]"
    p = row.p_vs_best.get(key)
    if best:
        text += " ^"
    elif p is not None:
        text += " *" if p < SIG_LEVEL else " ~"
    return text


def _notes(row: Any, name: str) -> str:
    """One line per model under the table: how it ran (or why it failed), int8 agreement, API spend; the same
    wording as the TUI's details pane (`tui.trial_text`)."""
    from evaluators.tradeoffs import summary_line
    from tui.trial_text import api_lines, int8_line, run_line

    d = row.details or {}
    extra = [line for line in (int8_line(d), *api_lines(d), summary_line(d.get("tradeoffs"))) if line]
    return f"{name}: " + "; ".join([run_line(row), *extra])


def render(result: Any, *, tradeoffs: bool = False, corpus_docs: int | None = None) -> None:
    """The results table (stdout) with a caption saying what each figure measured and on how much;
    with `tradeoffs`, each dense model's size/quality table (index size at `corpus_docs` documents)."""
    from rich.console import Console
    from rich.table import Table

    ds = result.dataset
    n_q = ds.get("n_queries_evaluated", ds.get("n_queries"))
    origin = "SYNTHETIC queries" if ds.get("synthetic") else "queries"
    if ds.get("llm_queries"):
        origin = "LLM-generated queries"
    title = (
        f"{ds.get('name')}: {n_q} {origin} ({ds.get('query_origin')}) over {ds.get('n_chunks')} chunks "
        f"from {ds.get('n_docs')} documents" + ("" if result.complete else " - INCOMPLETE (stopped)")
    )
    table = Table(title=title, title_justify="left")
    table.add_column("model", overflow="fold", max_width=40)
    metrics = TABLE_METRICS + ((ANSWER_METRIC,) if _has_answers(result) else ())
    for _, label in metrics:
        table.add_column(label, justify="right", no_wrap=True)
    for label in ("docs/s", "p50 ms", "peak MB"):
        table.add_column(label, justify="right", no_wrap=True)
    # Short hub names for rows that ran; a failed row keeps the reference exactly as given.
    names = short_names([r.model for r in result.results if r.status == "ok"])
    names.update({r.model: r.model for r in result.results if r.status != "ok"})
    for row in result.results:
        best = bool(row.details.get("best"))
        perf = row.perf
        name = names[row.model]
        table.add_row(
            name if row.status == "ok" else f"{name} ({row.status})",
            *[_cell(row, k, best) for k, _ in metrics],
            _fmt(perf.get("docs_per_s"), 1),
            _fmt(perf.get("query_p50_ms"), 1),
            _fmt(perf.get("peak_mem_mb"), 0),
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=130)
    console.print(table)
    for line in [_notes(r, names[r.model]) for r in result.results] + _caption(result, n_q):
        console.print(line, highlight=False, markup=False)
    if stability := stability_text(result.stability, names):
        console.print(stability, highlight=False, markup=False)
    checks = [
        {**c, "model": names.get(c.get("model", ""), c.get("model", ""))}
        for r in result.results
        if r.details.get("kind") != "bm25"
        for c in (r.details.get("checks") or {}).values()
    ]
    if checks:
        from tui.commands.check import render as render_checks

        render_checks(checks)
    if tradeoffs:
        render_tradeoffs(result, console, names, corpus_docs)


def render_tradeoffs(result: Any, console: Any, names: dict[str, str], corpus_docs: int | None) -> None:
    """One table per model that has a trade-off table, with the rule that picked the suggestion."""
    from rich.table import Table

    from evaluators.tradeoffs import COLUMNS, display_rows

    ds = result.dataset
    per_doc = (ds.get("n_chunks") or 1) / max(1, ds.get("n_docs") or 1)
    n_vectors = round(corpus_docs * per_doc) if corpus_docs else None
    where = (
        f"{n_vectors:,} vectors ({corpus_docs:,} documents x {per_doc:.2f} chunks each, as in this trial)"
        if n_vectors is not None
        else f"this trial's {ds.get('n_chunks')} chunks (--corpus-docs N sizes your corpus)"
    )
    shown = None
    for row in result.results:
        table = (row.details or {}).get("tradeoffs")
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
            highlight=False,
            markup=False,
        )


def _has_answers(result: Any) -> bool:
    return any(ANSWER_METRIC[0] in r.metrics for r in result.results)


def short_names(models: list[str]) -> dict[str, str]:
    """Table labels: hub ids without their organisation ('sentence-transformers/all-MiniLM-L6-v2' ->
    'all-MiniLM-L6-v2'), unless two models would then share a label; local paths stay whole."""
    short = {
        m: m if m.startswith(("/", ".", "~")) else re.sub(r"(?<![\w./~-])[\w.-]+/(?=[\w.-])", "", m)
        for m in models
    }
    counts = Counter(short.values())
    return {m: s if counts[s] == 1 else m for m, s in short.items()}


def _caption(result: Any, n_q: Any) -> list[str]:
    ds = result.dataset
    units = {r.details.get("n_units") for r in result.results if r.status == "ok"} - {None}
    where = f"{ds.get('n_chunks')} chunks" if units <= {ds.get("n_chunks")} else "each row's own chunks"
    lines = [
        f"Metrics: mean over {n_q} queries, top 10 of {where}"
        + (" (documents ranked by their best chunk, MaxP)" if ds.get("qrels_level") == "parent" else "")
        + "; nDCG@10 [95% bootstrap CI over queries].",
        f"^ best by nDCG@10; * worse than the best (paired randomisation test, p < {SIG_LEVEL});"
        " ~ not significantly different.",
        "docs/s: chunks encoded per second (model load excluded); p50/p95: one query encoded + searched"
        " (up to 20 probes, time-capped); peak MB: process RSS peak while the model ran.",
    ]
    if _has_answers(result):
        lines.append(
            "ans@1: answer-hit@1, the share of queries whose top-1 chunk contains an answer text (SQuAD "
            "normalisation); hit@1 counts the top-1 document."
        )
    if any(r.details.get("kind") == "rerank" for r in result.results):
        lines.append(
            "'A -> R' rows: reranker R re-scored A's top chunks per query; p50 ms = A's p50 + the reranking "
            "p50 (the added latency per query is in the notes)."
        )
    if where != f"{ds.get('n_chunks')} chunks":
        lines.append(
            "Chunks: each model's own tokenizer cuts the documents to fit its window; BM25 keeps regex-v1 "
            "chunks (see each row's note and details.chunking)."
        )
    from evaluators.datasets import reading_notes

    lines.extend(reading_notes(ds))  # skipped files, dropped queries, a CSV read without a header
    llm = ds.get("llm_queries")
    if llm:
        lines.append(
            f"Queries are LLM-generated by {llm.get('model')} ({llm.get('generated')} kept of "
            f"{llm.get('requested')} requested{dropped_text(llm.get('dropped') or {})}), each relevant to "
            "the chunk it was written from: realistic wording, but not asked by users."
        )
    elif ds.get("synthetic"):
        lines.append(
            f"Queries are SYNTHETIC ({ds.get('query_origin')}): generated from the documents, not asked "
            "by users; treat absolute numbers with care."
        )
    for row in result.results:
        if row.details.get("perf_source", "measured") != "measured":
            lines.append(f"{row.model}: speed/memory from the {row.details['perf_source']}.")
    return lines
