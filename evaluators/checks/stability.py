"""Perturbation stability: does a query still mean the same to the model after a typo, a case change, lost
punctuation, two swapped words or a near-identical rephrasing?

Reports mean cosine (original vs perturbed query), overlap@10 of the top-10 over the corpus, and the nDCG@10
drop where qrels exist. Ranking uses the trial engine's exact search and metrics (`evaluators.search`,
`evaluators.metrics`), so ties and MaxP parents follow the same rules as a trial.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from evaluators.checks._common import CheckError, CheckResult, bootstrap_mean_ci, encode_units, seeded
from evaluators.checks.perturb import PERTURBATIONS, perturb
from evaluators.types import Doc, Encoder, Query


def make_variants(queries: Sequence[Query], kinds: Sequence[str], seed: int) -> list[tuple[int, str, str]]:
    """(query index, kind, perturbed text) for each kind that applies to each query; seeded per query+kind."""
    out = []
    for i, q in enumerate(queries):
        for kind in kinds:
            text = perturb(q.text, kind, seeded(seed, "stability", q.id, kind))
            if text is not None:
                out.append((i, kind, text))
    return out


def stability(
    queries: Sequence[Query | str],
    encoder: Encoder,
    *,
    model: str,
    corpus: Sequence[Doc] = (),
    qrels: Mapping[str, Mapping[str, int]] | None = None,
    qrels_level: str = "unit",
    corpus_vectors: np.ndarray | None = None,
    kinds: Sequence[str] = PERTURBATIONS,
    k: int = 10,
    max_queries: int | None = 200,
    seed: int = 0,
) -> CheckResult:
    """Cosine, overlap@k and nDCG@10 drop between each query and its perturbations; CIs resample queries."""
    qs = _as_queries(queries)
    if max_queries and len(qs) > max_queries:
        pick = sorted(seeded(seed, "stability-sample").sample(range(len(qs)), max_queries))
        qs = [qs[i] for i in pick]
    variants = make_variants(qs, kinds, seed)
    if not variants:
        raise CheckError("stability check: no query could be perturbed (need at least one non-empty query)")
    orig = encode_units(encoder, [q.text for q in qs], side="queries")
    pert = encode_units(encoder, [v[2] for v in variants], side="queries")
    qi = np.array([v[0] for v in variants])
    cos = np.einsum("ij,ij->i", orig[qi], pert).astype(np.float64)
    table: dict[str, np.ndarray] = {"cosine": cos}
    notes = [f"{len(variants)} perturbed variants of {len(qs)} queries ({', '.join(kinds)}), seed {seed}"]
    if len(corpus) or corpus_vectors is not None:
        docs = (
            corpus_vectors
            if corpus_vectors is not None
            else encode_units(encoder, [_passage(d) for d in corpus])
        )
        n_units = len({(d.parent_id or d.id) for d in corpus}) if qrels_level == "parent" else len(docs)
        depth = min(k, max(1, n_units // 2))
        if depth < k:
            notes.append(
                f"only {n_units} documents: overlap@{k} is measured at top-{depth} (half the corpus)"
            )
        table.update(_ranking_effects(qs, variants, orig, pert, docs, corpus, qrels, qrels_level, k, depth))
    else:
        notes.append("no corpus: only the query-to-query cosine was measured")
    return _result(model, qs, variants, qi, table, notes, k, seed)


def _passage(doc: Doc) -> str:
    """What a trial indexes ('title text', as evaluators.runner.passage_text), so reused vectors agree."""
    return f"{doc.title} {doc.text}" if doc.title else doc.text


def _as_queries(queries: Sequence[Query | str]) -> list[Query]:
    out = [q if isinstance(q, Query) else Query(id=f"q{i}", text=str(q)) for i, q in enumerate(queries)]
    return [q for q in out if q.text and q.text.strip()]


def _ranking_effects(
    qs: list[Query],
    variants: list[tuple[int, str, str]],
    orig: np.ndarray,
    pert: np.ndarray,
    docs: np.ndarray,
    corpus: Sequence[Doc],
    qrels: Mapping[str, Mapping[str, int]] | None,
    qrels_level: str,
    k: int,
    depth: int,
) -> dict[str, np.ndarray]:
    """Per variant: overlap of the two top-`depth` lists (reported as overlap@k) and, with qrels, the
    nDCG@10 of the original query minus that of the perturbed one."""
    from evaluators.metrics import query_metrics
    from evaluators.search import maxp, search

    parent = qrels_level == "parent" and len(corpus) == len(docs)
    pool = max(k, 10) * (5 if parent else 1)  # MaxP needs room: several chunks can share one parent
    ids = [(d.parent_id or d.id) if parent else d.id for d in corpus] if len(corpus) == len(docs) else None

    def ranked(vecs: np.ndarray) -> list[list[Any]]:
        idx, val = search(vecs, docs, pool)
        if ids is None:
            return [list(row) for row in idx.tolist()]
        if parent:
            return [[p for p, _ in row] for row in maxp(idx, val, ids, max(k, 10))]
        return [[ids[i] for i in row] for row in idx.tolist()]

    r_orig, r_pert = ranked(orig), ranked(pert)
    out = {
        f"overlap@{k}": np.array(
            [
                len(set(r_orig[i][:depth]) & set(r_pert[j][:depth])) / depth
                for j, (i, _, _) in enumerate(variants)
            ]
        )
    }
    judged = [
        j
        for j, (i, _, _) in enumerate(variants)
        if qrels and any(g > 0 for g in qrels.get(qs[i].id, {}).values())
    ]
    if judged and ids is not None and qrels:
        base = {
            i: query_metrics(r_orig[i], qrels[qs[i].id])["ndcg@10"] for i in {variants[j][0] for j in judged}
        }
        drop = np.full(len(variants), np.nan)
        for j in judged:
            i = variants[j][0]
            drop[j] = base[i] - query_metrics(r_pert[j], qrels[qs[i].id])["ndcg@10"]
        out["ndcg@10_drop"] = drop
    return out


def _result(
    model: str,
    qs: list[Query],
    variants: list[tuple[int, str, str]],
    qi: np.ndarray,
    table: dict[str, np.ndarray],
    notes: list[str],
    k: int,
    seed: int,
) -> CheckResult:
    values: dict[str, Any] = {}
    ci: dict[str, tuple[float, float]] = {}
    kinds_arr = np.array([v[1] for v in variants])
    for name, arr in table.items():
        ok = ~np.isnan(arr)
        # Average each query's variants first, so the interval resamples queries (the independent unit).
        per_query = [arr[(qi == i) & ok].mean() for i in range(len(qs)) if ((qi == i) & ok).any()]
        values[name] = float(np.mean(per_query))
        ci[name] = bootstrap_mean_ci(per_query, seed=seed)
        for kind in dict.fromkeys(kinds_arr.tolist()):
            sel = (kinds_arr == kind) & ok
            if sel.any():
                values[f"{name}:{kind}"] = float(arr[sel].mean())
    if "ndcg@10_drop" in table:
        notes.append(
            f"nDCG@10 drop on {int((~np.isnan(table['ndcg@10_drop'])).sum())} variants of judged queries"
        )
    values["examples"] = [[qs[i].text, kind, text] for i, kind, text in _examples(variants)]
    shown = ", ".join(f"{n} {values[n]:.3f}" for n in table)
    summary = f"perturbation stability over {len(qs)} queries x {len(variants)} variants: {shown}"
    return CheckResult("stability", model, summary, values, ci, len(qs), tuple(notes))


def _examples(variants: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """One example variant per kind (the first query's), for showing what was done."""
    seen: dict[str, tuple[int, str, str]] = {}
    for v in variants:
        seen.setdefault(v[1], v)
    return list(seen.values())
