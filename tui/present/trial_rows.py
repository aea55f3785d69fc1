"""The one renderer of a trial: a row of labelled cells per model, and a title and caption that say what
was measured on how much (the lines beyond the table are in `trial_notes`).

The CLI table, the TUI's results table and the Markdown report all read these; each picks the columns it
has room for. Rows are `ModelResult`s, or journal dicts through `stored_row`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tui.present.formats import MISSING, counts, short_names
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
    Column("state", "Status", False),
    Column("ndcg", "nDCG@10 [95% CI]"),
    Column("vs_best", "vs best", False),
    Column("r1", "R@1"),
    Column("r10", "R@10"),
    Column("mrr", "MRR@10"),
    Column("hit1", "hit@1"),
    Column("ans1", "ans@1"),
    Column("n", "n"),
    Column("docs_s", "docs/s"),
    Column("p50", "p50 ms"),
    Column("mem", "peak MB"),
)
BY_KEY = {c.key: c for c in COLUMNS}
TUI_VIEW = ("model", "state", "ndcg", "vs_best", "r10", "mrr", "hit1", "docs_s", "p50", "mem")
TUI_NARROW_VIEW = ("model", "state", "ndcg", "vs_best", "docs_s", "mem")
"""The TUI's columns under 100 cells (80x24): the key ones; the rest are in the details pane."""
TUI_NARROW_BELOW = 100
"""Terminal width under which the TUI's results table uses `TUI_NARROW_VIEW`."""
CLI_VIEW = ("model", "status", "ndcg", "vs_best", "r1", "r10", "mrr", "hit1", "docs_s", "p50", "mem")
REPORT_VIEW = ("model", "status", "ndcg", "vs_best", "r10", "mrr", "hit1", "n", "p50")
ANSWER_HIT = "answer_hit@1"
"""evaluators.answers.ANSWER_HIT: the answer text inside the top-1 chunk (only when queries carry answers)."""
ANSWER_NOTE = (
    "ans@1: answer-hit@1, the share of queries whose top-1 chunk contains an answer text (SQuAD "
    "normalisation); hit@1 counts the top-1 document."
)
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


def _with_ci(row: ResultRow, key: str) -> str:
    """'0.612 [0.571, 0.650]': the value with its 95% bootstrap interval when there is one."""
    ci = row.ci95.get(key)
    return _metric(row, key) + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci and key in row.metrics else "")


def _perf(row: ResultRow, key: str, fmt: str) -> str:
    value = row.perf.get(key)
    return fmt.format(value) if isinstance(value, (int, float)) else MISSING


def state_text(row: ResultRow) -> str:
    """The one-word status of a table with no room for the reason ('failed'; the reason is elsewhere)."""
    return "stopped" if row.status == "cancelled" else row.status


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
        cells = {
            "model": names.get(row.model, row.model),
            "status": status_text(row),
            "state": state_text(row),
            "ndcg": _with_ci(row, PRIMARY),
            "vs_best": vs_best(row, best),
            "r1": _metric(row, "recall@1"),
            "r10": _metric(row, "recall@10"),
            "mrr": _metric(row, "mrr@10"),
            "hit1": _metric(row, "hit@1"),
            "ans1": _with_ci(row, ANSWER_HIT),
            "n": n_queries(row) if row.status == "ok" else MISSING,
            "docs_s": _perf(row, "docs_per_s", "{:,.0f}"),
            "p50": _perf(row, "query_p50_ms", "{:.1f}"),
            "mem": _perf(row, "peak_mem_mb", "{:,.0f}"),
        }
        out.append(TrialRow(cells, row is best, row.status == "ok"))
    return out


def has_answers(rows: Sequence[ResultRow]) -> bool:
    return any(ANSWER_HIT in r.metrics for r in rows)


def with_answers(view: Sequence[str], rows: Sequence[ResultRow]) -> tuple[str, ...]:
    """`view` with the ans@1 column after hit@1 when some row measured it (queries with answer texts)."""
    if not has_answers(rows) or "ans1" in view:
        return tuple(view)
    at = view.index("hit1") + 1 if "hit1" in view else len(view)
    return (*view[:at], "ans1", *view[at:])


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
        f"Metrics: mean over {n_q} queries, top 10 of {_units_text(dataset, rows)}"
        + (" (documents ranked by their best chunk, MaxP)" if dataset.get("qrels_level") == "parent" else "")
        + "; nDCG@10 [95% bootstrap CI over queries].",
        SIGNIFICANCE_NOTE,
        "docs/s: chunks encoded per second (model load excluded); p50: one query encoded + searched"
        " (up to 20 probes, time-capped); peak MB: the model's own peak memory (process RSS above what"
        " it was when the model started).",
    ]
    if has_answers(rows):
        lines.append(ANSWER_NOTE)
    if any(r.details.get("kind") == "rerank" for r in rows):
        lines.append(
            "'A -> R' rows: reranker R re-scored A's top chunks per query; p50 ms = A's p50 + the reranking "
            "p50 (the added latency per query is in the notes)."
        )
    if _units_text(dataset, rows) != f"{dataset.get('n_chunks')} chunks":
        lines.append(
            "Chunks: each model's own tokenizer cuts the documents to fit its window; BM25 keeps regex-v1 "
            "chunks (see each row's note)."
        )
    from evaluators.datasets import reading_notes  # the ingest code loads only when a caption is drawn

    lines += reading_notes(dict(dataset))  # skipped files, dropped queries, a CSV read without a header
    lines += origin_notes(dataset)
    for row in rows:
        if row.details.get("perf_source", "measured") != "measured":
            lines.append(f"{row.model}: speed/memory from the {row.details['perf_source']}.")
    return lines


def _units_text(dataset: Mapping[str, Any], rows: Sequence[ResultRow]) -> str:
    units = {r.details.get("n_units") for r in rows if r.status == "ok"} - {None}
    shared = units <= {dataset.get("n_chunks")}
    return f"{dataset.get('n_chunks')} chunks" if shared else "each row's own chunks"


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


def dataset_line(name: str, n_passages: int, n_queries: int, origin: str, synthetic: bool) -> str:
    """'demo-squad-en: 120 passages, 40 queries' (+ where synthetic questions came from)."""
    return f"{name}: {n_passages} passages, {n_queries} queries" + (
        f" ({origin}, synthetic)" if synthetic else ""
    )
