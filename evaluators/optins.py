"""The trial's opt-ins, kept out of the runner's main path: deeper checks per model, the int8 variant's
agreement with fp32, and the API spend estimate that must pass `max_usd` before any call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from evaluators.models import ModelRef, resolve_model
from evaluators.types import Dataset, TrialCancelled, TrialInputError


def check_kinds(checks: Sequence[str] | str) -> list[str]:
    """'all' or names -> the kinds to run, in CHECKS order; an unknown name is a TrialInputError."""
    if not checks:
        return []
    from evaluators.checks import CheckError, expand_kinds

    try:
        return expand_kinds(checks)
    except CheckError as exc:
        raise TrialInputError(str(exc)) from None


def spend_estimates(
    model_refs: Sequence[str], texts: Sequence[str], max_usd: float | None
) -> dict[str, dict[str, Any]]:
    """Estimated cost of sending `texts` to each API model (a hybrid's API part too), by user reference;
    over `max_usd` (or with a paid model whose price is unknown) a TrialInputError, before any call."""
    api = []
    for ref in model_refs:
        try:
            mref = resolve_model(ref)
        except Exception:  # its row will say why it does not resolve
            continue
        dense = mref.parts[0] if mref.kind == "hybrid" and mref.parts else mref
        if dense.kind == "api":
            api.append((ref, dense.ref))
    if not api:
        return {}
    from evaluators.api.budget import SpendCapExceeded, check_budget

    try:
        estimates = check_budget([a for _, a in api], list(texts), max_usd)
    except SpendCapExceeded as exc:
        raise TrialInputError(str(exc)) from None
    by_api = {e.ref: e for e in estimates}
    out = {}
    for ref, a in api:
        est = by_api.get(a)
        if est is not None:
            out[ref] = {"tokens": est.tokens, "usd": est.usd, "method": est.method, "cap_usd": max_usd}
    return out


def int8_agreement(
    fp32_docs: np.ndarray | None,
    fp32_queries: np.ndarray | None,
    docs: np.ndarray | None,
    queries: np.ndarray | None,
) -> float | None:
    """Mean share of each query's fp32 top 10 that the int8 variant also ranks in its top 10 (None when the
    fp32 row has no vectors to agree with)."""
    from evaluators.fast import recall_agreement

    if fp32_docs is None or fp32_queries is None or docs is None:
        return None
    return round(recall_agreement(fp32_docs, docs, fp32_queries, queries, k=10), 6)


def deeper_checks(
    kinds: Sequence[str],
    mref: ModelRef,
    *,
    encoder_factory: Callable[[], Any] | None,
    docs: np.ndarray | None,
    dataset: Dataset,
    backend: str,
    seed: int,
    progress: Callable[[str, int, int], None],
    stop: Callable[[], bool],
    memo: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """The deeper checks on one model ({kind: CheckResult.to_dict()}), reusing its encoder and passage
    vectors; BM25 (no encoder) is not applicable; `memo` shares results between a model and its hybrid."""
    from evaluators.checks import CheckResult, checks_for_ref

    if encoder_factory is None:
        note = "BM25 has no embeddings: the deeper checks apply to dense and API models"
        return {k: CheckResult(k, mref.name, note, status="not_applicable").to_dict() for k in kinds}
    dense = mref.parts[0] if mref.kind == "hybrid" and mref.parts else mref
    if dense.identity in memo:  # hybrid:<m>+bm25 after <m>: same embeddings, same checks
        return memo[dense.identity]
    label = f"checks: {mref.name}"
    out: dict[str, dict[str, Any]] = {}
    for i, kind in enumerate(kinds):
        if stop():
            raise TrialCancelled(mref.name)
        progress(label, i, len(kinds))
        res = checks_for_ref(
            [kind],
            dense,
            backend=backend,
            encoder_factory=encoder_factory,
            dataset=dataset,
            corpus_vectors=docs,
            seed=seed,
        )
        out.update({k: r.to_dict() for k, r in res.items()})
    progress(label, len(kinds), len(kinds))
    memo[dense.identity] = out
    return out
