"""A decision's deployment plan: the chosen model as it was trialled, the size/precision setting (the trial's
suggestion unless overridden), its index size at the user's corpus, and the hand-over snippets.

Reads `Decision` records only (no SQL), so `embedscout use` and the Markdown export share one plan. The
snippet text itself comes from catalog.handover, which both front ends can import.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from catalog.handover import PRECISIONS, Deployment, setting_label
from catalog.models import ModelSpec
from catalog.requirements import Requirements
from catalog.sizing import HNSW_M, Sizing, human_bytes, money, size_for
from storage.db import StorageError
from storage.records import Decision, TrialRecord


@dataclass(frozen=True)
class Plan:
    deployment: Deployment
    trial_id: int | None
    measured: dict[str, Any] | None
    """The trade-off row of the chosen setting when the trial measured it."""
    reference: dict[str, Any] | None
    """The full-precision row it is compared with."""
    source: str
    """'suggestion' (the trial's), 'override' (flags) or 'default' (no trade-off table: full fp32)."""
    sizing: Sizing | None
    n_queries: int | None = None


def plan_for(
    decision: Decision,
    *,
    dims: int | None = None,
    precision: str | None = None,
    model_path: str | None = None,
    hnsw_m: int = HNSW_M,
) -> Plan:
    """The plan for a decided decision; StorageError (one line, with what to do) when there is none."""
    if not decision.chosen_model:
        raise StorageError(
            f"decision #{decision.id} has no chosen model yet: run "
            f"`embedscout decide {decision.id} --model M` first"
        )
    from evaluators.tradeoffs import best_match, suggestion  # numpy: only when a plan is made

    if precision is not None and precision not in PRECISIONS:
        raise StorageError(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    chosen, hybrid = _dense_part(decision.chosen_model)
    spec = _spec(chosen)
    trial, row = _latest_row(decision, chosen)
    details, perf = (row or {}).get("details") or {}, (row or {}).get("perf") or {}
    table = details.get("tradeoffs") or None
    dep = _deployment(chosen, spec, details, perf, table, model_path)
    if dep.kind == "api" and spec is None and not details:
        raise StorageError(f"{chosen} was neither trialled nor found in the catalog: nothing to hand over")
    picked = suggestion(table) if dims is None and precision is None else None
    use_dims: int | None = dims or dep.full_dims
    use_precision, source = precision or "fp32", "override" if (dims or precision) else "default"
    if picked is not None:
        use_dims, use_precision, source = int(picked["dims"]), str(picked["precision"]), "suggestion"
    dep = replace(
        dep, dims=use_dims, precision=use_precision, hnsw_m=hnsw_m, truncation=_cut(dep, spec, use_dims)
    )
    problems = dep.problems()
    if problems:
        raise StorageError("; ".join(problems))
    measured = best_match(table, dep.out_dims, dep.precision)
    reference = best_match(table, dep.full_dims, "fp32")
    sizing = _sizing(decision, spec, dep)
    plan = Plan(
        dep, trial.id if trial else None, measured, reference, source, sizing, (table or {}).get("n_queries")
    )
    lines = summary_lines(plan, decision)
    if hybrid:
        lines.append(
            "Hybrid as trialled: also index the chunks in BM25 and fuse both top-100 lists by RRF (k=60)."
        )
    return replace(plan, deployment=replace(dep, header=tuple(lines)))


def _dense_part(chosen: str) -> tuple[str, bool]:
    """The embedding model to hand over: a hybrid's dense part; BM25 alone has no vectors."""
    low = chosen.strip().casefold()
    if low == "bm25":
        raise StorageError(
            "bm25 is a keyword index, not an embedding model: there is no embedding code to hand over"
        )
    if low.startswith("hybrid:") and "+" in chosen:
        return chosen.split(":", 1)[1].rsplit("+", 1)[0].strip(), True
    return chosen, False


def _spec(chosen: str) -> ModelSpec | None:
    try:
        from catalog.load import find_model
        from storage.catalog_overlay import catalog_with_overlay

        return find_model(chosen, catalog_with_overlay())
    except Exception:  # a broken catalog leaves the trial's own record as the source
        return None


def _latest_row(decision: Decision, chosen: str) -> tuple[TrialRecord | None, dict[str, Any] | None]:
    """The newest ok trial row of the chosen model (by name or the reference it was run as)."""
    want = chosen.casefold()
    for trial in reversed(decision.trials):
        for row in reversed(trial.results):
            d = row.get("details") or {}
            names = {str(row.get("model", "")), str(d.get("ref", "")), str(d.get("name", ""))}
            if (
                row.get("status", "ok") == "ok"
                and want in {n.casefold() for n in names}
                and "(int8)" not in str(row.get("model"))
            ):
                return trial, row
    return None, None


def _deployment(
    chosen: str,
    spec: ModelSpec | None,
    details: dict[str, Any],
    perf: dict[str, Any],
    table: dict[str, Any] | None,
    model_path: str | None,
) -> Deployment:
    """Facts as trialled (prompts, normalisation, window, dims), the catalog filling what the trial lacks."""
    api = details.get("kind") == "api" or (not details and spec is not None and spec.is_api)
    full = _full_dims(spec, details, table)
    if api:
        ref = str(details.get("path") or (f"{spec.api_provider}:{spec.api_model_name}" if spec else chosen))
        provider, _, name = ref.partition(":")
        load, prov = name or ref, provider.lower()
    else:
        load = model_path or (spec.hf_id if spec and spec.hf_id else str(details.get("path") or chosen))
        prov = None
    window = int(
        perf.get("max_tokens") or details.get("max_seq_length") or (spec.max_tokens if spec else 0) or 0
    )
    return Deployment(
        model_id=spec.id if spec else chosen,
        kind="api" if api else "local",
        load=load,
        provider=prov,
        query_prompt=str(
            details.get("query_prompt") or (spec.query_prompt if spec and not details else "") or ""
        ),
        passage_prompt=str(
            details.get("passage_prompt") or (spec.passage_prompt if spec and not details else "") or ""
        ),
        normalize=bool(details.get("normalize", spec.normalize if spec else True)),
        full_dims=full,
        max_tokens=None if api else (window or None),
    )


def _full_dims(spec: ModelSpec | None, details: dict[str, Any], table: dict[str, Any] | None) -> int | None:
    for row in (table or {}).get("rows", []):
        if row.get("truncation") == "none":
            return int(row["dims"])
    value = details.get("dims") or (spec.dims if spec else None)
    return int(value) if value else None


def _cut(dep: Deployment, spec: ModelSpec | None, dims: int | None) -> str:
    if not dims or not dep.full_dims or dims >= dep.full_dims:
        return "none"
    return "matryoshka" if spec and spec.matryoshka_dims and dims in spec.matryoshka_dims else "plain"


def _sizing(decision: Decision, spec: ModelSpec | None, dep: Deployment) -> Sizing | None:
    """Index size and cost at the decision's corpus (its requirements); None when none were recorded."""
    if not decision.requirements:
        return None
    try:
        req = Requirements.from_dict(decision.requirements)
    except (TypeError, ValueError):
        return None
    base = spec or ModelSpec(
        id=dep.model_id,
        name=dep.model_id,
        provider="",
        open_weights=dep.kind == "local",
        dims=dep.full_dims,
        max_tokens=dep.max_tokens,
    )
    stored = "binary" if dep.precision.startswith("binary") else dep.precision
    return size_for(base, req, dims=dep.out_dims, precision=stored, m=dep.hnsw_m)


def summary_lines(plan: Plan, decision: Decision) -> list[str]:
    """What the plan rests on, one fact per line (also the snippets' header comments)."""
    dep = plan.deployment
    where = f"decision #{decision.id}" + (f", trial #{plan.trial_id}" if plan.trial_id else "")
    why = {
        "suggestion": "the trial's suggestion (smallest setting within full precision)",
        "override": "chosen by hand",
        "default": "full precision (no trade-off table for this model)",
    }[plan.source]
    lines = [f"Setting {setting_label(dep)}: {why}; {where}."]
    m, ref = plan.measured, plan.reference
    if m is not None and ref is not None:
        lo, hi = m["ci95"]
        lines.append(
            f"Measured nDCG@10 {m['ndcg@10']:.3f} [{lo:.3f}, {hi:.3f}] vs {ref['ndcg@10']:.3f} at full "
            "precision "
            f"(paired p = {m['p_vs_full']:.3g}, n = {plan.n_queries} queries)."
        )
    elif plan.source == "override":
        lines.append("This setting was not measured by the trial.")
    s = plan.sizing
    if s is not None:
        cost = "self-hosted" if s.self_hosted else f"{money(s.usd_once)} once, {money(s.usd_month)}/month"
        lines.append(
            f"Index at your corpus: {s.n_vectors:,} vectors x {s.vector_bytes} B + HNSW links "
            f"(M={s.hnsw_m}) = "
            f"{human_bytes(s.index_bytes)}; embedding: {cost}."
        )
    else:
        lines.append("No corpus size recorded with this decision (`recommend --save` records one).")
    if dep.precision == "binary+rescore" and dep.out_dims:
        lines.append(f"Rescoring keeps the {dep.out_dims * 4:,}-byte fp32 vectors on disk as well.")
    return lines


def user_vectors(requirements: dict[str, Any], max_tokens: int | None = None) -> int | None:
    """Vectors at the decision's corpus (documents x chunks each, as `catalog.sizing` counts them)."""
    from catalog.sizing import CHUNK_OVERLAP, CHUNK_TOKENS, chunks_per_doc

    try:
        req = Requirements.from_dict(requirements) if requirements else None
    except (TypeError, ValueError):
        return None
    if req is None:
        return None
    chunk = min(CHUNK_TOKENS, max_tokens) if max_tokens else CHUNK_TOKENS
    overlap = min(CHUNK_OVERLAP, chunk - 1)
    return req.corpus_docs * chunks_per_doc(req.doc_tokens, chunk, overlap, will_chunk=req.will_chunk)


def tradeoffs_md(trial: TrialRecord, requirements: dict[str, Any]) -> list[str]:
    """The trial's trade-off tables (one per model), index sizes at the decision's corpus when known."""
    from evaluators.tradeoffs import COLUMNS, display_rows

    out: list[str] = []
    table: dict[str, Any] | None = None
    for row in trial.results:
        table = (row.get("details") or {}).get("tradeoffs")
        if row.get("status", "ok") != "ok" or not table:
            continue
        window = int((row.get("perf") or {}).get("max_tokens") or 0) or None
        n = user_vectors(requirements, window)
        where = f"your corpus ({n:,} vectors)" if n else f"this trial's {table.get('n_vectors')} vectors"
        out += ["", f"#### Trade-offs: {row.get('model')} (index at {where})", ""]
        out += _md_table([c or "Mark" for c in COLUMNS], display_rows(table, n))
        out += [
            "",
            f"{table['rule']}; n = {table['n_queries']} queries. " + " ".join(table.get("methods", [])),
        ]
    return out


def sizing_md(sizing: list[dict[str, Any]], assumptions: str | None) -> list[str]:
    """The recommendation's stored index-size/cost table (from `recommend`)."""
    from catalog.sizing import cells

    if not sizing:
        return []
    rows = [cells(s) for s in sizing]
    out = [
        "",
        "### Index size and embedding cost",
        "",
        *_md_table(list(rows[0]), [list(r.values()) for r in rows]),
    ]
    return out + (["", f"_{assumptions}_"] if assumptions else [])


def deployment_md(decision: Decision) -> list[str]:
    """The Deployment section: what the plan rests on, then every snippet (or why there is none)."""
    from catalog.handover import render_markdown, snippets

    if not decision.chosen_model:
        return []
    out = ["", "## Deployment", ""]
    try:
        plan = plan_for(decision)
        items = snippets(plan.deployment)
    except (StorageError, ValueError) as exc:
        return [*out, f"_No hand-over code: {exc}_"]
    out += [f"- {line}" for line in summary_lines(plan, decision)]
    out += ["- The same code prints with `embedscout use " + str(decision.id) + "`.", ""]
    return out + render_markdown(items)


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    from storage.report import markdown_table

    return markdown_table(header, rows)
