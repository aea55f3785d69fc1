"""The one renderer of a trial: a row of labelled cells per model, a title and caption that say what was
measured on how much, and the lines beyond the table (how a model ran, int8 agreement, API cost, checks).

The CLI table, the TUI's results table and details pane, and the Markdown report all read these; each picks
the columns it has room for. Rows are `ModelResult`s, or journal dicts through `stored_row`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tui.present.checks import check_lines
from tui.present.formats import MISSING, counts, short_names, usd
from tui.workflow.scores import PRIMARY, best_row

SIG_LEVEL = 0.05


class ResultRow(Protocol):
    """What the renderer reads of a row: `evaluators.types.ModelResult`, or a `StoredRow` from the journal."""

    @property
    def model(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> str | None: ...
    @property
    def metrics(self) -> Mapping[str, float]: ...
    @property
    def ci95(self) -> Mapping[str, Sequence[float]]: ...
    @property
    def p_vs_best(self) -> Mapping[str, float]: ...
    @property
    def per_query(self) -> Mapping[str, Mapping[str, float]]: ...
    @property
    def perf(self) -> Mapping[str, float]: ...
    @property
    def details(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class StoredRow:
    """A journal row (`ModelResult.to_dict()`), readable without importing the evaluators."""

    model: str
    status: str = "ok"
    error: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    ci95: Mapping[str, Sequence[float]] = field(default_factory=dict)
    p_vs_best: Mapping[str, float] = field(default_factory=dict)
    per_query: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    perf: Mapping[str, float] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)


def stored_row(data: Mapping[str, Any]) -> StoredRow:
    return StoredRow(
        model=str(data.get("model", "")),
        status=str(data.get("status") or "ok"),
        error=data.get("error"),
        **{k: data.get(k) or {} for k in ("metrics", "ci95", "p_vs_best", "per_query", "perf", "details")},
    )


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("model", "Model", False),
    Column("status", "Status", False),
    Column("ndcg", "nDCG@10 [95% CI]"),
    Column("vs_best", "vs best", False),
    Column("r1", "R@1"),
    Column("r10", "R@10"),
    Column("mrr", "MRR@10"),
    Column("hit1", "hit@1"),
    Column("n", "n"),
    Column("docs_s", "docs/s"),
    Column("p50", "p50 ms"),
    Column("mem", "peak MB"),
)
BY_KEY = {c.key: c for c in COLUMNS}
TUI_VIEW = ("model", "status", "ndcg", "vs_best", "r10", "mrr", "hit1", "docs_s", "p50", "mem")
CLI_VIEW = ("model", "status", "ndcg", "vs_best", "r1", "r10", "mrr", "hit1", "docs_s", "p50", "mem")
REPORT_VIEW = ("model", "status", "ndcg", "vs_best", "r10", "mrr", "hit1", "n", "p50")
SIGNIFICANCE_NOTE = (
    f"vs best: paired randomisation test against the best model by nDCG@10; ** p < 0.01, * p < {SIG_LEVEL},"
    " n.s. not significantly different."
)


@dataclass(frozen=True)
class TrialRow:
    cells: dict[str, str]
    """Column key -> text."""
    best: bool
    ok: bool

    def view(self, keys: Sequence[str]) -> list[str]:
        return [self.cells[k] for k in keys]


def vs_best(row: ResultRow, best: ResultRow | None) -> str:
    if row.status != "ok":
        return ""
    if row is best:
        return "best"
    p = row.p_vs_best.get(PRIMARY)
    if p is None:
        return "?"
    return "**" if p < 0.01 else "*" if p < SIG_LEVEL else "n.s."


def _metric(row: ResultRow, key: str) -> str:
    value = row.metrics.get(key)
    return MISSING if value is None else f"{value:.3f}"


def _perf(row: ResultRow, key: str, fmt: str) -> str:
    value = row.perf.get(key)
    return fmt.format(value) if isinstance(value, (int, float)) else MISSING


def status_text(row: ResultRow) -> str:
    if row.status == "ok":
        return "ok"
    label = "stopped" if row.status == "cancelled" else row.status
    return f"{label}: {row.error or 'no reason given'}"


def n_queries(row: ResultRow) -> str:
    scored = row.per_query.get(PRIMARY)
    n = len(scored) if scored else row.details.get("n_queries")
    return f"{n:,}" if isinstance(n, int) else MISSING


def trial_rows(rows: Sequence[ResultRow], *, short: bool = True) -> list[TrialRow]:
    """One TrialRow per model (every column filled), the winner marked."""
    best = best_row(rows)
    names = short_names(r.model for r in rows if r.status == "ok") if short else {}
    out = []
    for row in rows:
        ci = row.ci95.get(PRIMARY)
        ndcg = _metric(row, PRIMARY) + (
            f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci and PRIMARY in row.metrics else ""
        )
        cells = {
            "model": names.get(row.model, row.model),
            "status": status_text(row),
            "ndcg": ndcg,
            "vs_best": vs_best(row, best),
            "r1": _metric(row, "recall@1"),
            "r10": _metric(row, "recall@10"),
            "mrr": _metric(row, "mrr@10"),
            "hit1": _metric(row, "hit@1"),
            "n": n_queries(row) if row.status == "ok" else MISSING,
            "docs_s": _perf(row, "docs_per_s", "{:,.0f}"),
            "p50": _perf(row, "query_p50_ms", "{:.1f}"),
            "mem": _perf(row, "peak_mem_mb", "{:,.0f}"),
        }
        out.append(TrialRow(cells, row is best, row.status == "ok"))
    return out


def title(dataset: Mapping[str, Any], *, complete: bool = True) -> str:
    """'<name>: 40 queries (dataset) over 120 chunks from 40 documents' (+ a stopped marker)."""
    n_q = dataset.get("n_queries_evaluated", dataset.get("n_queries"))
    origin = "SYNTHETIC queries" if dataset.get("synthetic") else "queries"
    if dataset.get("llm_queries"):
        origin = "LLM-generated queries"
    text = (
        f"{dataset.get('name', 'dataset')}: {n_q if n_q is not None else '?'} {origin} "
        f"({dataset.get('query_origin', '?')}) over {dataset.get('n_chunks', '?')} chunks "
        f"from {dataset.get('n_docs', '?')} documents"
    )
    return text + ("" if complete else " - INCOMPLETE (stopped)")


def caption(dataset: Mapping[str, Any], rows: Sequence[ResultRow]) -> list[str]:
    """What every figure measured and on how much, and what to treat with care."""
    n_q = dataset.get("n_queries_evaluated", dataset.get("n_queries"))
    lines = [
        f"Metrics: mean over {n_q} queries, top 10 of {dataset.get('n_chunks')} chunks"
        + (" (documents ranked by their best chunk, MaxP)" if dataset.get("qrels_level") == "parent" else "")
        + "; nDCG@10 [95% bootstrap CI over queries].",
        SIGNIFICANCE_NOTE,
        "docs/s: chunks encoded per second (model load excluded); p50: one query encoded + searched"
        " (up to 20 probes, time-capped); peak MB: process RSS peak while the model ran.",
    ]
    skipped = dataset.get("files_skipped") or {}
    if skipped:
        reasons = counts(dict(sorted(skipped.items(), key=lambda kv: -kv[1])))
        lines.append(f"Skipped while reading ({dataset.get('files_read', '?')} files read): {reasons}.")
    lines += origin_notes(dataset)
    for row in rows:
        if row.details.get("perf_source", "measured") != "measured":
            lines.append(f"{row.model}: speed/memory from the {row.details['perf_source']}.")
    return lines


def origin_notes(dataset: Mapping[str, Any]) -> list[str]:
    """Where the questions came from, when they were not asked by people."""
    llm = dataset.get("llm_queries")
    if llm:
        dropped = counts(llm.get("dropped") or {})
        return [
            f"Queries are LLM-generated by {llm.get('model')} ({llm.get('generated')} kept of "
            f"{llm.get('requested')} requested{f', dropped: {dropped}' if dropped else ''}), "
            "each relevant to the chunk it was written from: realistic wording, but not asked by users."
        ]
    if dataset.get("synthetic") or str(dataset.get("query_origin", "user")) not in ("user", "dataset"):
        return [
            f"Queries are SYNTHETIC ({dataset.get('query_origin')}): generated from the documents, not asked "
            "by users; treat absolute numbers with care."
        ]
    return []


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
    if "query_p95_ms" in perf:
        parts.append(f"query p95 {perf['query_p95_ms']:.1f} ms")
    if "index_bytes" in perf:
        parts.append(f"index {perf['index_bytes'] / 2**20:.2f} MB")
    if d.get("cache_hits"):
        parts.append(f"{d['cache_hits']} chunks from cache")
    if d.get("fallback_reason"):
        parts.append(f"fallback: {d['fallback_reason']}")
    return " · ".join(p for p in parts if p) or "ok"


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


def notes(row: ResultRow) -> list[str]:
    """The lines under a row's numbers: how it ran, int8 agreement, API use (no checks)."""
    return [run_line(row), *(x for x in (int8_line(row.details), *api_lines(row.details)) if x)]


def detail_lines(row: ResultRow) -> list[tuple[str, str]]:
    """Everything about one row as (style, line): '' plain, 'dim' secondary, 'bold' a heading."""
    out = [("" if row.status == "ok" else "italic", notes(row)[0])] + [("", x) for x in notes(row)[1:]]
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


def dataset_line(name: str, n_passages: int, n_queries: int, origin: str, synthetic: bool) -> str:
    """'demo-squad-en: 120 passages, 40 queries' (+ where synthetic questions came from)."""
    return f"{name}: {n_passages} passages, {n_queries} queries" + (
        f" ({origin}, synthetic)" if synthetic else ""
    )
