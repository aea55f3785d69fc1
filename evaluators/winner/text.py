"""The words for a WinnerStability: one line for under a results table, and the longer account (what was
measured, on how much, the projection and its check) for a details pane or the Markdown report.

Plain strings, no Textual or rich, so the CLI, the TUI and storage's report print the same sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from evaluators.winner.model import COULD_CHANGE, UNLIKELY, SampleCheck, Shares, WinnerStability

_METRIC = {"ndcg@10": "nDCG@10"}


def stability_text(figure: WinnerStability | dict[str, Any] | None, names: Mapping[str, str] | None = None,
                   *, detailed: bool = False) -> str | None:
    """The one call for a screen: a trial's figure (live `TrialResult.stability` or a stored
    `TrialRecord.stability` dict) as its one-line summary, or all its lines with `detailed`; None if none."""
    ws = figure if isinstance(figure, WinnerStability) else WinnerStability.load(figure)
    if ws is None:
        return None
    return "\n".join(detail_lines(ws, names)) if detailed else summary_line(ws, names)


def summary_line(ws: WinnerStability, names: Mapping[str, str] | None = None) -> str:
    """'Winner stability: bm25 best in 62% of 2,000 query resamples (MiniLM 38%); sample of 150/300
    documents could change the answer; run on all 300 documents'."""
    name = _namer(names)
    text = f"Winner stability: {name(ws.best)} best in {pct(ws.stability)} of {ws.n_resamples:,} query "
    text += "resamples"
    runner = ws.runner_up
    if runner and runner[1] >= 0.005:
        text += f" ({name(runner[0])} {pct(runner[1])})"
    if ws.sample is not None:
        text += "; " + _sample_clause(ws.sample)
    return text + (f"; {ws.advice}" if ws.advice else "")


def detail_lines(ws: WinnerStability, names: Mapping[str, str] | None = None) -> list[str]:
    """Every figure with what it measured: query resampling, the document-sample check, advice, cost."""
    name = _namer(names)
    metric = _METRIC.get(ws.metric, ws.metric)
    lines = [
        f"Best by {metric}: {name(ws.best)}, in {pct(ws.stability)} of {ws.n_resamples:,} paired bootstrap "
        f"resamples of the {ws.n_queries:,} queries (seed {ws.seed}); best in: {_shares(ws.shares, name)}."
    ]
    s = ws.sample
    if s is not None:
        verdict = {COULD_CHANGE: "could change the answer", UNLIKELY: "unlikely to change it"}
        lines.append(
            f"Document sample: {s.n_docs:,} of {s.n_docs_total:,} documents, {s.n_distractors:,} of them not "
            f"relevant to any query; {verdict.get(s.verdict, 'unknown whether it could change the answer')}: "
            f"{s.reason}."
        )
        if s.projected:
            span = {m: f" ({lo:.3f}-{hi:.3f})" for m, lo, hi in s.projected_range}
            lines.append(
                f"Projected {metric} with all {s.n_docs_total:,} documents (range: all the sample allows): "
                + ", ".join(f"{name(m)} {v:.3f}{span.get(m, '')}" for m, v in s.projected)
                + f"; best in: {_shares(s.projected_shares, name)} of {s.n_draws:,} draws "
                "(queries resampled, unseen documents drawn from where the sampled ones ranked)."
            )
        if s.backtest_error is not None:
            named = "named" if s.backtest_ok else "did NOT name"
            lines.append(
                f"Check on the sample itself: projecting from half of its {s.n_distractors:,} distractors to "
                f"all of them was off by at most {s.backtest_error:.3f} {metric} and {named} the measured "
                "winner."
            )
    if ws.advice:
        lines.append(f"Advice: {ws.advice}.")
    lines.append(f"Computed in {ws.elapsed_s:.2f} s from the rankings in memory (nothing re-encoded).")
    return lines


def _sample_clause(s: SampleCheck) -> str:
    what = f"sample of {s.n_docs:,}/{s.n_docs_total:,} documents"
    if s.verdict == COULD_CHANGE:
        return f"{what} could change the answer"
    if s.verdict == UNLIKELY:
        return f"{what} unlikely to change it"
    return f"{what}: unknown whether it could change the answer"


def _shares(shares: Shares, name: Callable[[str], str]) -> str:
    return ", ".join(f"{name(m)} {pct(v)}" for m, v in shares)


def pct(share: float) -> str:
    """Whole percent, but never '100%' or '0%' for a share that is not exactly that."""
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{share:.0%}"


def _namer(names: Mapping[str, str] | None) -> Callable[[str], str]:
    return lambda m: (names or {}).get(m, m)
