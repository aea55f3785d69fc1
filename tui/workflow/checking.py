"""The deeper checks on their own (`embedscout check`): tokenizer fit, cross-lingual alignment, stability and
neighbourhood consistency for one or more models, over the user's documents or the demo.

The same `evaluators.checks.checks_for_ref` a trial runs with `checks`; a model whose check cannot run
becomes a 'failed' result with the reason, so the others still report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.workflow.errors import user_error
from tui.workflow.plan import expand_checks

if TYPE_CHECKING:
    from evaluators.types import Dataset


@dataclass(frozen=True)
class CheckPlan:
    kinds: tuple[str, ...]
    models: tuple[str, ...]
    corpus: str | None = None
    """Documents to check on (None: the built-in demo, when a check needs text)."""
    queries: str | None = None
    pairs: str | None = None
    probes: str | None = None
    mine_probes: bool = False
    sample: int | None = None
    seed: int = 0
    force: bool = False
    backend: str = "auto"

    @property
    def needs_corpus(self) -> bool:
        # Neighbourhood reads a given corpus too: its language picks the built-in probe sets.
        kinds = set(self.kinds)
        return (
            bool({"tokenizer", "stability"} & kinds)
            or self.mine_probes
            or (self.corpus is not None and "neighbourhood" in kinds)
        )


@dataclass(frozen=True)
class CheckReport:
    dataset: dict[str, Any] | None
    """What the checks read (name, documents, queries, their origin); None when no check needed text."""
    checks: list[dict[str, Any]]
    """`CheckResult.to_dict()` per model and kind, models in the order given."""

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if c["status"] == "failed"]


def run_checks(plan: CheckPlan) -> CheckReport:
    """Run every kind of `plan` on every model (each model once, in order)."""
    kinds = expand_checks(list(plan.kinds))
    dataset = _load(plan) if plan.needs_corpus else None
    results = [d for ref in dict.fromkeys(plan.models) for d in _one_model(plan, kinds, ref, dataset)]
    info = None
    if dataset is not None:
        info = {"name": dataset.name, "n_docs": len(dataset.corpus), "n_queries": len(dataset.queries),
                "query_origin": dataset.query_origin}  # fmt: skip
    return CheckReport(info, results)


def _load(plan: CheckPlan) -> Dataset:
    from evaluators.datasets import load_dataset, load_demo

    try:
        if plan.corpus is None:
            return load_demo(chunk_tokens=None, sample=plan.sample, seed=plan.seed)
        return load_dataset(plan.corpus, plan.queries, chunk_tokens=None, sample=plan.sample, seed=plan.seed)
    except Exception as exc:
        known = user_error(exc)
        if known is None and not isinstance(exc, (ValueError, OSError)):
            raise
        from tui.workflow.errors import UserError

        raise known or UserError(str(exc)) from None


def _one_model(
    plan: CheckPlan, kinds: tuple[str, ...], ref: str, dataset: Dataset | None
) -> list[dict[str, Any]]:
    from evaluators.checks import CheckError, CheckResult, checks_for_ref

    try:
        results = checks_for_ref(
            list(kinds), ref, backend=plan.backend, dataset=dataset, pairs=plan.pairs, probes=plan.probes,
            mine=plan.mine_probes, force=plan.force, seed=plan.seed)  # fmt: skip
    except (CheckError, ValueError) as exc:
        msg = " ".join(str(exc).split())
        results = {
            k: CheckResult(k, ref, f"{k} check failed: {msg}", status="failed", notes=(msg,)) for k in kinds
        }
    return [r.to_dict() for r in results.values()]
