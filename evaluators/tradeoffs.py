"""Size/quality trade-offs from a dense model's trial vectors: fewer dimensions and smaller numbers, re-scored
without encoding anything again.

Each setting (dimensions x precision) re-ranks the trial's queries over its passages and is scored like the
model's own row; a setting is "within" full precision when its nDCG@10 lies inside the full-precision 95%
bootstrap interval AND the paired randomisation test against full precision is not significant (p >= 0.05).
The smallest such setting (bytes per vector in the searched index) is the suggestion.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from catalog.sizing import index_bytes, vector_bytes
from evaluators.search import search
from evaluators.stats import bootstrap_ci, bootstrap_cis, paired_pvalues
from evaluators.types import TrialCancelled

PRECISIONS = ("fp32", "fp16", "int8", "binary", "binary+rescore")
RESCORE_FACTOR = 4
"""binary+rescore re-scores the binary top 4 x 10 in full precision (sentence-transformers' and Qdrant's
default oversampling); the rest of the binary ranking follows unchanged."""
ALPHA = 0.05
HALVINGS = 2
"""Without Matryoshka sizes in the catalog, plain truncation is tried at dims/2 and dims/4."""
RULE = (
    "within = nDCG@10 inside the full-precision 95% bootstrap interval AND paired randomisation test vs "
    f"full precision not significant (p >= {ALPHA}); suggestion = the fewest bytes per vector among them"
)
INT8_METHOD = (
    "int8: 256 levels per dimension between the passage vectors' min and max (the calibration of "
    "sentence-transformers' quantize_embeddings); queries quantised with the same ranges; scored on the "
    "de-quantised values."
)
BINARY_METHOD = "binary: one bit per dimension (value > 0), scored by Hamming similarity."

Scorer = Callable[[np.ndarray, np.ndarray], dict[str, float]]
"""(ranked indices, scores) per query -> nDCG@10 per query id (the runner's own scoring, MaxP included)."""


@dataclass(frozen=True)
class Setting:
    dims: int
    precision: str
    truncation: str
    """'none' (all dimensions), 'matryoshka' (a size the model was trained for), 'plain' (cut, untrained)."""

    @property
    def label(self) -> str:
        cut = {"none": "", "matryoshka": " (Matryoshka)", "plain": " (plain truncation)"}[self.truncation]
        return f"{self.dims}d{cut} {self.precision}"

    @property
    def stored(self) -> str:
        return "binary" if self.precision.startswith("binary") else self.precision


def settings_for(full_dims: int, matryoshka: Sequence[int] | None) -> list[Setting]:
    """Every precision at full size, then at each smaller Matryoshka size (else plain halvings)."""
    if matryoshka:
        sizes = [(d, "matryoshka") for d in sorted(set(matryoshka), reverse=True) if 0 < d < full_dims]
    else:
        sizes = [(full_dims >> k, "plain") for k in range(1, HALVINGS + 1) if full_dims >> k >= 16]
    return [Setting(d, p, t) for d, t in [(full_dims, "none"), *sizes] for p in PRECISIONS]


def truncate(x: np.ndarray, dims: int, normalize: bool) -> np.ndarray:
    """The first `dims` values, re-normalised if the model normalises (ST's truncate_dim does the same)."""
    out = np.ascontiguousarray(x[:, :dims], dtype=np.float32)
    if normalize:
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.where(norms == 0, np.float32(1.0), norms)
    return out


def quantise(queries: np.ndarray, docs: np.ndarray, precision: str) -> tuple[np.ndarray, np.ndarray]:
    """Float arrays whose inner products are what the precision would score (see the module constants)."""
    if precision == "fp32":
        return queries, docs
    if precision == "fp16":
        return queries.astype(np.float16).astype(np.float32), docs.astype(np.float16).astype(np.float32)
    if precision == "int8":
        lo, hi = docs.min(axis=0), docs.max(axis=0)
        step = np.where(hi > lo, (hi - lo) / 255, 1.0).astype(np.float32)

        def levels(x: np.ndarray) -> np.ndarray:
            return (np.clip(np.floor((x - lo) / step), 0, 255) + 0.5) * step + lo

        return levels(queries), levels(docs)
    if precision.startswith("binary"):
        return np.where(queries > 0, 1.0, -1.0).astype(np.float32), np.where(docs > 0, 1.0, -1.0).astype(
            np.float32
        )
    raise ValueError(f"unknown precision {precision!r}")


def rescore(idx: np.ndarray, queries: np.ndarray, docs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Re-rank each query's first k candidates by full-precision score (ties: corpus order); the rest keep
    their order below them, with scores under the lowest rescored one."""
    k = min(k, idx.shape[1])
    head = idx[:, :k]
    exact = np.einsum("qd,qkd->qk", queries, docs[head])
    order = np.lexsort((head, -exact), axis=1)
    new_head = np.take_along_axis(head, order, axis=1)
    new_val = np.take_along_axis(exact, order, axis=1)
    tail = idx[:, k:]
    floor = new_val.min(axis=1, keepdims=True) - 1.0
    tail_val = floor - np.arange(tail.shape[1], dtype=np.float32)[None, :]
    return np.concatenate([new_head, tail], axis=1), np.concatenate([new_val, tail_val], axis=1)


def _rank(
    setting: Setting, q: np.ndarray, d: np.ndarray, depth: int, memo: dict[tuple[int, str], Any]
) -> tuple[np.ndarray, np.ndarray]:
    """One setting's ranking; binary+rescore reuses the binary search of the same size."""
    key = (setting.dims, setting.stored)
    if key not in memo:
        memo[key] = search(*quantise(q, d, setting.stored), depth)
    idx, val = memo[key]
    if setting.precision == "binary+rescore":
        idx, val = rescore(idx, q, d, RESCORE_FACTOR * 10)
    return idx, val


def tradeoff_table(
    queries: np.ndarray,
    docs: np.ndarray,
    *,
    score: Scorer,
    reference: dict[str, float],
    matryoshka: Sequence[int] | None = None,
    normalize: bool = True,
    depth: int = 100,
    seed: int = 0,
    should_stop: Callable[[], bool] = lambda: False,
) -> dict[str, Any]:
    """Re-score every setting; `reference` is the model's own per-query nDCG@10 (full precision, as trialled).

    Returns a JSON-ready table: rows (label, dims, precision, truncation, ndcg@10, ci95, p_vs_full,
    bytes_per_vector, within, suggested), the rule, the methods, n and the seconds it took.
    """
    started = time.perf_counter()
    full_dims = int(docs.shape[1])
    keys = sorted(reference)
    base = np.array([reference[k] for k in keys], dtype=np.float64)
    lo, hi = bootstrap_ci(base, seed=seed)
    settings = settings_for(full_dims, matryoshka)
    memo: dict[tuple[int, str], Any] = {}
    values = np.empty((len(settings), len(keys)), dtype=np.float64)
    for i, setting in enumerate(settings):
        if should_stop():
            raise TrialCancelled("trade-offs")
        if setting.dims == full_dims and setting.precision == "fp32":
            values[i] = base
            continue
        q, d = truncate(queries, setting.dims, normalize), truncate(docs, setting.dims, normalize)
        per_query = score(*_rank(setting, q, d, depth, memo))
        values[i] = [per_query.get(k, 0.0) for k in keys]
    # One shared stream of resamples and sign flips for all settings (the same numbers as one test each).
    cis = bootstrap_cis(values, seed=seed)
    pvalues = paired_pvalues(base, values, seed=seed)
    rows = []
    for setting, row, ci, p in zip(settings, values, cis, pvalues, strict=True):
        mean = float(row.mean()) if row.size else 0.0
        rows.append(
            {
                "label": setting.label,
                "dims": setting.dims,
                "precision": setting.precision,
                "truncation": setting.truncation,
                "ndcg@10": round(mean, 6),
                "ci95": [round(ci[0], 6), round(ci[1], 6)],
                "p_vs_full": round(p, 6),
                "bytes_per_vector": vector_bytes(setting.dims, setting.stored),
                "disk_bytes_per_vector": (
                    vector_bytes(setting.dims, "fp32") if setting.precision == "binary+rescore" else 0
                ),
                "within": bool(lo <= mean <= hi and p >= ALPHA),
            }
        )
    _mark_suggestion(rows)
    return {
        "reference": f"{full_dims}d fp32 (as trialled)",
        "full_ci95": [round(lo, 6), round(hi, 6)],
        "rule": RULE,
        "methods": [INT8_METHOD, BINARY_METHOD, _rescore_note()],
        "metric": "ndcg@10",
        "n_queries": len(keys),
        "n_vectors": int(docs.shape[0]),
        "matryoshka": list(matryoshka) if matryoshka else None,
        "rows": rows,
        "suggested": next(r["label"] for r in rows if r.get("suggested")),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _rescore_note() -> str:
    return (
        f"binary+rescore: binary search, then the top {RESCORE_FACTOR * 10} re-scored with the full "
        "vectors (kept on disk, not in the searched index)."
    )


def _mark_suggestion(rows: list[dict[str, Any]]) -> None:
    """The fewest bytes among rows within full precision; ties: higher nDCG@10, then table order."""
    within = [r for r in rows if r["within"]] or rows[:1]
    best = min(within, key=lambda r: (r["bytes_per_vector"], -r["ndcg@10"], rows.index(r)))
    for r in rows:
        r["suggested"] = r is best


def suggestion(table: dict[str, Any] | None) -> dict[str, Any] | None:
    """The suggested row of a stored table (None when there is no table)."""
    if not table:
        return None
    return next((r for r in table.get("rows", []) if r.get("suggested")), None)


def rows_at(
    table: dict[str, Any], n_vectors: int | None = None, *, m: int | None = 16
) -> list[dict[str, Any]]:
    """Each row with `index_bytes` at `n_vectors` (default: the trial's own corpus) including HNSW links."""
    n = n_vectors if n_vectors is not None else int(table.get("n_vectors", 0))
    return [
        {**r, "index_bytes": index_bytes(n, int(r["bytes_per_vector"]), m=m)} for r in table.get("rows", [])
    ]


def best_match(
    table: dict[str, Any] | None, dims: int | None, precision: str | None
) -> dict[str, Any] | None:
    """The row for an explicit (dims, precision) choice, when the table measured it."""
    for r in (table or {}).get("rows", []):
        if (dims is None or r["dims"] == dims) and (precision is None or r["precision"] == precision):
            return dict(r)
    return None


COLUMNS = ("Setting", "nDCG@10 [95% CI]", "p vs full", "B/vector", "Index", "")
"""Display columns of `display_rows` (the last one marks within / the suggestion)."""


def display_rows(
    table: dict[str, Any], n_vectors: int | None = None, *, m: int | None = 16
) -> list[list[str]]:
    """The table as text cells (COLUMNS order), one row per setting, for every front end and the report.
    Index: vectors + HNSW links (M=m) at `n_vectors` (default: the trial's own corpus)."""
    from catalog.sizing import human_bytes

    out = []
    for r in rows_at(table, n_vectors, m=m):
        lo, hi = r["ci95"]
        mark = "suggested" if r.get("suggested") else ("within" if r.get("within") else "")
        index = human_bytes(r["index_bytes"])
        if r.get("disk_bytes_per_vector"):
            index += " (+ fp32 on disk)"
        out.append(
            [
                r["label"],
                f"{r['ndcg@10']:.3f} [{lo:.3f}, {hi:.3f}]",
                "-" if r["precision"] == "fp32" and r["truncation"] == "none" else f"{r['p_vs_full']:.3g}",
                f"{r['bytes_per_vector']:,}",
                index,
                mark,
            ]
        )
    return out


def summary_line(table: dict[str, Any] | None) -> str | None:
    """One line: the suggestion and what it keeps, or None without a table."""
    best = suggestion(table)
    if table is None or best is None:
        return None
    full = next((r for r in table["rows"] if r["precision"] == "fp32" and r["truncation"] == "none"), None)
    if full is None or best is full:
        return "trade-offs: nothing smaller stays within full precision; keep fp32 at all dimensions"
    ratio = full["bytes_per_vector"] / max(1, best["bytes_per_vector"])
    return (
        f"trade-offs: {best['label']} keeps nDCG@10 {best['ndcg@10']:.3f} vs {full['ndcg@10']:.3f} "
        f"(p = {best['p_vs_full']:.3g}) at {ratio:.0f}x fewer bytes per vector"
    )


def text_lines(table: dict[str, Any], n_vectors: int | None = None) -> list[str]:
    """The table as aligned plain-text lines (header first), compact enough for a ~100-column pane."""
    short = {" (plain truncation)": " plain", " (Matryoshka)": " MRL", " (+ fp32 on disk)": " +disk"}
    body = [[_shorten(c, short) for c in r] for r in display_rows(table, n_vectors)]
    rows = [[c or "" for c in COLUMNS], *body]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _shorten(text: str, short: dict[str, str]) -> str:
    for long, brief in short.items():
        text = text.replace(long, brief)
    return text
