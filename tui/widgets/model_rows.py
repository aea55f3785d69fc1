"""Turns catalog `Ranked` / `Excluded` entries into table cells and detail text.

Pure formatting, no Textual: the shortlist table, its detail pane, the plot and the decide screen all read
the recommendation through these helpers, so there is one place that knows the Ranked field names.
"""

from __future__ import annotations

from typing import Any

BM25_LABEL = "BM25 (lexical baseline)"


def benchmark_used(ranked: Any) -> tuple[str, float | None]:
    """(benchmark label, value used for ranking) of a candidate."""
    bench = getattr(ranked, "benchmark", None)
    value = getattr(ranked, "benchmark_value", None)
    if value is None:
        value = getattr(ranked, "benchmark_score", None)
    label = getattr(bench, "label", None) or (str(bench) if bench else "-")
    if isinstance(value, (int, float)):
        return label, float(value)
    return label, None


def size_or_price(spec: Any) -> str:
    if getattr(spec, "price_usd_per_1m", None) is not None:
        return f"${spec.price_usd_per_1m:g}/1M"
    if getattr(spec, "n_parameters", None):
        n = spec.n_parameters
        return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"
    if getattr(spec, "memory_mb", None):
        return f"{spec.memory_mb:,.0f} MB"
    return "?"


def size_sort_value(spec: Any) -> float:
    """Sort key for the size/price column: price for API models, parameters (M) for open ones."""
    if getattr(spec, "price_usd_per_1m", None) is not None:
        return float(spec.price_usd_per_1m) * 1e6
    return float(getattr(spec, "n_parameters", None) or getattr(spec, "memory_mb", None) or 0)


def candidate_cells(rank: int, ranked: Any, ticked: bool) -> tuple[str, ...]:
    spec = ranked.spec
    bench, value = benchmark_used(ranked)
    return (
        "✓" if ticked else " ",
        str(rank),
        spec.name,
        f"{ranked.score:.1f}" if isinstance(ranked.score, (int, float)) else str(ranked.score),
        bench,
        f"{value:.1f}" if value is not None else "n/a",
        str(spec.dims) if spec.dims else "?",
        "∞" if spec.unbounded_context else (f"{spec.max_tokens:,}" if spec.max_tokens else "?"),
        size_or_price(spec),
        spec.license or "?",
    )


def baseline_cells(ticked: bool) -> tuple[str, ...]:
    return ("✓" if ticked else " ", "-", BM25_LABEL, "-", "-", "-", "sparse", "∞", "tiny", "Apache-2.0")


def _reasons(entry: Any) -> list[str]:
    return [str(r) for r in getattr(entry, "reasons", []) or []]


def candidate_detail(ranked: Any, assumptions: tuple[str, ...] = ()) -> str:
    """Markdown: every reason for the verdict, then the model's facts and sources, then how it was scored."""
    spec = ranked.spec
    bench, value = benchmark_used(ranked)
    lines = [
        f"### {spec.name}",
        f"`{spec.id}` · {spec.provider} · "
        f"{'open weights' if spec.open_weights else 'API'} · score **{ranked.score:.1f}**",
        f"Published benchmark: {bench} retrieval mean {value:.1f} (for reference)"
        if value is not None
        else f"Published benchmark: {bench} (no complete score; quality is head-to-head, not penalised)",
        "",
        "**Why**",
    ]
    lines += [f"- {r}" for r in _reasons(ranked)] or ["- (no reasons given)"]
    lines += _facts(spec)
    if assumptions:
        lines += ["", "**How the score was computed**"] + [f"- {a}" for a in assumptions]
    return "\n".join(lines)


def excluded_detail(excluded: Any) -> str:
    spec = excluded.spec
    lines = [f"### {spec.name}", f"`{spec.id}` · {spec.provider}", "", "**Failed constraints**"]
    lines += [f"- {r}" for r in _reasons(excluded)] or ["- (no reasons given)"]
    lines += _facts(spec)
    return "\n".join(lines)


def baseline_detail() -> str:
    return "\n".join(
        [
            f"### {BM25_LABEL}",
            "Keyword search (bm25s). Not an embedding model: it is the bar every dense",
            "model in the trial has to clear on your documents. Ticked by default; untick with space.",
        ]
    )


def _facts(spec: Any) -> list[str]:
    out = ["", "**Facts**"]
    facts = [
        ("Dimensions", spec.dims),
        ("Matryoshka", spec.matryoshka_dims),
        ("Max tokens", spec.max_tokens),
        ("Tokenizer", getattr(spec.tokenizer, "value", spec.tokenizer)),
        ("Vocabulary", spec.vocab_size),
        ("Languages", ", ".join(spec.languages) if spec.languages else None),
        ("Licence", spec.license),
        ("Commercial use", spec.commercial_use),
        ("Price / 1M tokens", f"${spec.price_usd_per_1m:g}" if spec.price_usd_per_1m is not None else None),
        ("Memory", f"{spec.memory_mb:,.0f} MB" if spec.memory_mb else None),
        ("Released", spec.release_date),
        ("Training data", spec.training_data),
    ]
    out += [f"- {k}: {v}" for k, v in facts if v not in (None, "", ())]
    out += [f"- Note: {n}" for n in spec.notes]
    if spec.sources:
        out += ["", "**Sources**"] + [f"- {s}" for s in spec.sources]
    for bench, score in getattr(spec, "scores", {}).items():
        if score.source:
            out.append(f"- {getattr(bench, 'label', bench)}: {score.source}")
    return out


def matches(spec: Any, text: str) -> bool:
    """Case-insensitive substring match over the facts a user filters by."""
    if not text:
        return True
    hay = " ".join(
        str(x)
        for x in (
            spec.id,
            spec.name,
            spec.provider,
            spec.license or "",
            " ".join(spec.languages),
            " ".join(spec.domains),
            "api" if not spec.open_weights else "open",
        )
    ).casefold()
    return all(word in hay for word in text.casefold().split())
