"""Catalog models in words: shortlist cells, the detail of a ranked or excluded model, the BM25 baseline.

The shortlist table, its detail pane and plot (TUI), `embedscout recommend` and the Decide screen read a
recommendation through these, so one place knows how a candidate is described.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.present.profile import language_names

if TYPE_CHECKING:
    from catalog.models import ModelSpec
    from catalog.ranking import Excluded, Ranked

BM25_LABEL = "BM25 (lexical baseline)"
TOKENIZER_WORDS = {
    "bpe": "byte-pair encoding (BPE)",
    "wordpiece": "WordPiece",
    "sentencepiece-unigram": "SentencePiece (unigram)",
    "word": "whole words",
}
CANDIDATE_COLUMNS = (
    "✓",
    "#",
    "Model",
    "Score",
    "Benchmark",
    "Value",
    "Dims",
    "Max tok",
    "Size/price",
    "Licence",
)


def benchmark_used(ranked: Ranked) -> tuple[str, float | None]:
    """(benchmark label, value used for ranking) of a candidate."""
    label = ranked.benchmark.label if ranked.benchmark is not None else "-"
    return label, ranked.benchmark_value


def size_or_price(spec: ModelSpec) -> str:
    if spec.price_usd_per_1m is not None:
        return f"${spec.price_usd_per_1m:g}/1M"
    if spec.n_parameters:
        n = spec.n_parameters
        return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"
    if spec.memory_mb:
        return f"{spec.memory_mb:,.0f} MB"
    return "?"


def size_sort_value(spec: ModelSpec) -> float:
    """Sort key for the size/price column: price for API models, parameters for open ones."""
    if spec.price_usd_per_1m is not None:
        return float(spec.price_usd_per_1m) * 1e6
    return float(spec.n_parameters or spec.memory_mb or 0)


def context_text(spec: ModelSpec) -> str:
    return "∞" if spec.unbounded_context else (f"{spec.max_tokens:,}" if spec.max_tokens else "?")


def candidate_cells(rank: int, ranked: Ranked, ticked: bool) -> tuple[str, ...]:
    spec = ranked.spec
    bench, value = benchmark_used(ranked)
    return (
        "✓" if ticked else " ",
        str(rank),
        spec.name,
        f"{ranked.score:.1f}",
        bench,
        f"{value:.1f}" if value is not None else "n/a",
        str(spec.dims) if spec.dims else "?",
        context_text(spec),
        size_or_price(spec),
        spec.license or "?",
    )


def baseline_cells(ticked: bool) -> tuple[str, ...]:
    return ("✓" if ticked else " ", "-", BM25_LABEL, "-", "-", "-", "sparse", "∞", "tiny", "Apache-2.0")


def candidate_detail(ranked: Ranked, assumptions: Sequence[str] = ()) -> str:
    """Markdown: every reason for the verdict, then the model's facts and sources, then how it was scored."""
    spec = ranked.spec
    bench, value = benchmark_used(ranked)
    lines = [
        f"### {spec.name}",
        "",
        f"{spec.id} · {spec.provider} · {'open weights' if spec.open_weights else 'API'} · "
        f"score **{ranked.score:.1f}**",
        "",  # a paragraph each: Markdown would run the two lines together
        f"Published benchmark: {bench} retrieval mean {value:.1f} (for reference)"
        if value is not None
        else f"Published benchmark: {bench} (no complete score; quality is head-to-head, not penalised)",
        "",
        "**Why**",
    ]
    lines += [f"- {r}" for r in ranked.reasons] or ["- (no reasons given)"]
    lines += facts(spec)
    if assumptions:
        lines += ["", "**How the score was computed**"] + [f"- {a}" for a in assumptions]
    return "\n".join(lines)


def excluded_detail(excluded: Excluded) -> str:
    spec = excluded.spec
    lines = [f"### {spec.name}", "", f"{spec.id} · {spec.provider}", "", "**Failed constraints**"]
    lines += [f"- {r}" for r in excluded.reasons] or ["- (no reasons given)"]
    lines += facts(spec)
    return "\n".join(lines)


def baseline_detail() -> str:
    return "\n".join(
        [
            f"### {BM25_LABEL}",
            "Keyword search (bm25s). Not an embedding model: it is the bar every dense",
            "model in the trial has to clear on your documents. Ticked by default; untick with space.",
        ]
    )


def facts(spec: ModelSpec) -> list[str]:
    """Markdown lines: the model's known facts (unknown ones left out), notes and sources."""
    out = ["", "**Facts**"]
    items = [
        ("Dimensions", f"{spec.dims:,}" if spec.dims else None),
        (
            "Shorter vectors (Matryoshka)",
            ", ".join(map(str, spec.matryoshka_dims)) + " dimensions" if spec.matryoshka_dims else None,
        ),
        ("Max tokens", f"{spec.max_tokens:,}" if spec.max_tokens else None),
        ("Tokenizer", TOKENIZER_WORDS.get(spec.tokenizer.value) if spec.tokenizer is not None else None),
        ("Vocabulary", f"{spec.vocab_size:,} tokens" if spec.vocab_size else None),
        ("Languages", language_names(spec.languages) if spec.languages else None),
        ("Licence", spec.license),
        (
            "Commercial use",
            {True: "yes", False: "no"}.get(spec.commercial_use) if spec.commercial_use is not None else None,
        ),
        ("Price / 1M tokens", f"${spec.price_usd_per_1m:g}" if spec.price_usd_per_1m is not None else None),
        ("Memory", f"{spec.memory_mb:,.0f} MB" if spec.memory_mb else None),
        ("Released", spec.release_date),
        ("Training data", spec.training_data),
    ]
    out += [f"- {k}: {v}" for k, v in items if v not in (None, "", ())]
    out += [f"- Note: {n}" for n in spec.notes]
    if spec.sources:
        out += ["", "**Sources**"] + [f"- {s}" for s in spec.sources]
    for bench, score in spec.scores.items():
        if score.source:
            out.append(f"- {bench.label}: {score.source}")
    return out


def matches(spec: ModelSpec, text: str) -> bool:
    """Case-insensitive match of every word over the facts a user filters by."""
    if not text:
        return True
    hay = " ".join(
        (spec.id, spec.name, spec.provider, spec.license or "", " ".join(spec.languages),
         " ".join(spec.domains), "api" if not spec.open_weights else "open")
    ).casefold()  # fmt: skip
    return all(word in hay for word in text.casefold().split())
