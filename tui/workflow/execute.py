"""Run a `TrialPlan`: load the documents, have an LLM write questions within the spend cap, run the trial.

The one trial path of both front ends (the CLI in a thread with rich progress, the TUI in a Textual worker).
Progress and results go out through `TrialEvents`; a known core failure comes out as one `UserError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.workflow.errors import UserError, user_error
from tui.workflow.plan import TrialPlan, public_ref
from tui.workflow.services import Services

if TYPE_CHECKING:
    from pathlib import Path

    from evaluators.types import Dataset, ModelResult, PhaseEvent, TrialResult


def _quiet(_: object) -> None:
    return None


def _no_progress(model: str, done: int, total: int) -> None:
    return None


def _never() -> bool:
    return False


@dataclass(frozen=True)
class TrialEvents:
    """How a running trial talks to its front end; every callback runs in the trial's thread."""

    note: Callable[[str], None] = _quiet
    """A sentence about what is happening (LLM budget reserved, questions written)."""
    dataset_ready: Callable[[Dataset], None] = _quiet
    """The documents and questions are ready; no model has run yet (`--save` opens its record here)."""
    progress: Callable[[str, int, int], None] = _no_progress
    """(model, done, total) after each batch."""
    model_done: Callable[[ModelResult], None] = _quiet
    """One model's row is complete (ok or failed)."""
    should_stop: Callable[[], bool] = _never
    """Polled between batches; True stops the trial and keeps the finished rows (complete=False)."""
    phase: Callable[[PhaseEvent], None] = _quiet
    """Each model's estimate before anything runs, then one-time costs (download, ONNX export, precision
    check) as they start: what a wait is for (evaluators.types.PhaseEvent)."""


def execute(
    plan: TrialPlan, *, events: TrialEvents | None = None, services: Services | None = None
) -> TrialResult:
    """Validate, load, write questions if asked, and run every model of `plan`; see the module docstring."""
    plan.validate()
    events = events or TrialEvents()
    services = services or Services()
    try:
        dataset = load_data(plan, services.cache_dir() if plan.cache else None)
        cap = plan.max_usd
        if plan.queries.llm:
            dataset, reserved = _llm_questions(plan, dataset, events, services)
            if cap is not None:  # the LLM's bound is reserved: the embeddings get what is left
                cap = max(0.0, cap - reserved)
        events.dataset_ready(dataset)
        return services.run_trial(
            dataset,
            list(plan.models),
            cache_dir=services.cache_dir() if plan.cache else None,
            backend=plan.backend,
            on_progress=events.progress,
            on_model_done=events.model_done,
            should_stop=events.should_stop,
            on_phase=events.phase,
            checks=list(plan.checks),
            int8=plan.int8,
            max_usd=cap,
            **_options(plan),
        )
    except Exception as exc:
        known = user_error(exc)
        if known is None:
            raise
        raise known from None


def _options(plan: TrialPlan) -> dict[str, Any]:
    """run_trial's optional arguments: a chunk-size sweep and a reranker, only when asked for."""
    options: dict[str, Any] = {}
    if plan.chunking.sweep:
        options["chunk_sizes"] = list(plan.chunking.sweep)
    if plan.rerank:
        options.update(rerank=plan.rerank, rerank_depth=plan.rerank_depth)
    return options


def load_data(plan: TrialPlan, store: Path | None = None) -> Dataset:
    """The plan's documents and questions (the bundled demo when it names no corpus), from the dataset
    cache in `store` when the files and options are unchanged (a re-run skips reading and chunking)."""
    from evaluators.dataset_cache import load_cached

    synthetic = plan.queries.synthetic
    tokens = plan.chunking.tokens
    kwargs: dict[str, object] = {
        "chunk_tokens": tokens or None,
        "chunk_overlap": plan.chunking.overlap if tokens else 0,
        "sample": plan.sample.docs,
        "seed": plan.sample.seed,
        "synthetic": None if synthetic.strip().lower() == "none" else synthetic,
    }
    src = plan.source
    return load_cached(src.corpus, src.queries, src.qrels, kwargs, store)


def _llm_questions(
    plan: TrialPlan, dataset: Dataset, events: TrialEvents, services: Services
) -> tuple[Dataset, float]:
    """LLM-written questions (cached by corpus, model, N and seed) and the USD bound reserved for them
    under the spend cap (0 when they come from the cache)."""
    from evaluators.api.llm_queries import cache_file, generate_queries

    llm, n, seed = str(plan.queries.llm), int(plan.queries.llm_count or 0), plan.sample.seed
    cache = services.cache_dir()
    reserved = 0.0
    if plan.max_usd is not None and not cache_file(dataset, llm, n, seed, cache).is_file():
        reserved = _llm_budget(dataset, n, llm, seed, plan.max_usd, events)
    events.note(f"Writing {n} questions with {public_ref(llm)} ...")
    try:
        out = generate_queries(dataset, n, llm, cache_dir=cache, seed=seed)
    except Exception as exc:  # missing key, offline, HTTP failures: nothing is cached on failure
        known = user_error(exc)
        if known is None:
            raise
        raise UserError(f"LLM-written questions: {known.message}", known.hint) from None
    info = out.info.get("llm_queries", {})
    dropped = ", ".join(f"{v} {k}" for k, v in (info.get("dropped") or {}).items() if v)
    events.note(
        f"{info.get('generated', len(out.queries))} LLM-generated questions kept"
        + (f" (dropped: {dropped})" if dropped else "")
        + (" (from cache)" if info.get("cache_hit") else "")
    )
    return out, reserved


def _llm_budget(dataset: Dataset, n: int, llm: str, seed: int, cap: float, events: TrialEvents) -> float:
    """The LLM's worst-case cost, checked against the cap before any chat request."""
    from evaluators.api.llm_queries import cost_bound

    bound = cost_bound(dataset, n, llm, seed=seed)
    name = public_ref(llm)
    if bound["usd"] is None:
        raise UserError(
            f"cannot check --max-usd {cap:g}: no price known for {name}", "use a priced model or no cap"
        )
    text = (
        f"{name}: at most {bound['calls']} calls, {bound['tokens_in']:,} tokens in + "
        f"{bound['tokens_out']:,} out ({bound['method']}), ~${bound['usd']:.4f}"
    )
    if bound["usd"] > cap:
        raise UserError(
            f"{text} exceeds --max-usd {cap:g}; nothing was sent", "raise the cap or ask for fewer"
        )
    events.note(f"LLM budget: {text}, reserved from --max-usd {cap:g}.")
    return float(bound["usd"])
