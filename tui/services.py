"""The seam between the assistant and the core packages: every call the screens make goes through `Services`.

Screens never import catalog/evaluators/storage directly; tests swap this dataclass for fakes. The defaults
import the real modules inside each function, so building `Services()` costs nothing at start-up (rule 3) and
torch is only ever loaded by `evaluators` inside a trial worker (rule 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _load_catalog() -> tuple[Any, ...]:
    from storage.catalog_overlay import catalog_with_overlay

    # The same catalog the CLI ranks with: shipped data plus any `embedscout catalog refresh` overlay.
    return catalog_with_overlay()


def _recommend(requirements: Any, models: Sequence[Any]) -> Any:
    from catalog.ranking import recommend
    from storage.catalog_overlay import effective_catalog_version, effective_task_scores

    return recommend(
        requirements, models, catalog_version=effective_catalog_version(), evidence=effective_task_scores()
    )


def _requirements_cls() -> type:
    from catalog.requirements import Requirements

    return Requirements


def _detect_hardware() -> Any:
    from evaluators.hardware import detect_hardware

    # nvidia-smi only: probing through torch would import it (seconds) long before any trial needs it.
    return detect_hardware(probe_gpu=True, allow_torch=False)


def _load_dataset(corpus: str, queries: str | None = None, *, sample: int | None = None) -> Any:
    from evaluators.datasets import load_dataset

    return load_dataset(corpus, queries, sample=sample)


def _load_demo(*, sample: int | None = None) -> Any:
    from evaluators.datasets import load_demo

    return load_demo(sample=sample)


def _run_trial(dataset: Any, model_refs: Sequence[str], **kwargs: Any) -> Any:
    from evaluators.runner import run_trial
    from storage.paths import cache_dir

    kwargs.setdefault("cache_dir", cache_dir())  # the same embeddings cache as `embedscout trial`
    return run_trial(dataset, list(model_refs), **kwargs)


def _environment() -> dict[str, Any]:
    try:
        from evaluators.hardware import environment
    except ImportError:
        return {}
    return environment()


def _open_db() -> Any:
    from storage.store import open_db

    return open_db()


def _journal() -> Any:
    import storage.store as store

    return store


def _export_dir() -> Path:
    from storage.paths import app_dir

    path = app_dir() / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _measure_doc_tokens(folder: str) -> int:
    """Typical document length: the median token count (the trial chunker's counter) over the documents
    the trial would read from `folder`. Raises ValueError when nothing readable is there."""
    from evaluators.ingest.chunking import count_tokens
    from evaluators.ingest.files import ReadReport, read_documents

    root = Path(folder).expanduser()
    if not root.exists():
        raise ValueError(f"not found: {root}")
    docs = read_documents(root, ReadReport())
    lengths = sorted(count_tokens(doc.text) for doc in docs[:2000])
    if not lengths:
        raise ValueError(f"no readable documents under {root}")
    return lengths[len(lengths) // 2]


@dataclass
class Services:
    """Everything the TUI needs from the core, as plain callables (thread-safe: no shared connections)."""

    load_catalog: Callable[[], tuple[Any, ...]] = _load_catalog
    """All catalog ModelSpecs (validated), with the `catalog refresh` overlay applied when there is one."""
    recommend: Callable[[Any, Sequence[Any]], Any] = _recommend
    """catalog.ranking.recommend(requirements, models) -> Recommendation."""
    requirements_cls: Callable[[], type] = _requirements_cls
    """Returns catalog.requirements.Requirements (a callable so the import stays lazy)."""
    detect_hardware: Callable[[], Any] = _detect_hardware
    load_dataset: Callable[..., Any] = _load_dataset
    load_demo: Callable[..., Any] = _load_demo
    run_trial: Callable[..., Any] = _run_trial
    """evaluators.runner.run_trial(dataset, refs, on_progress=, on_model_done=, should_stop=, backend=,
    checks=, int8=, max_usd=); raises TrialInputError (e.g. over max_usd) before any model runs."""
    environment: Callable[[], dict[str, Any]] = _environment
    open_db: Callable[[], Any] = _open_db
    """A new connection: call it inside the worker thread that uses it (rule 10)."""
    journal: Callable[[], Any] = _journal
    """Returns the object with storage.store's journal functions (create_decision, list_decisions, ...)."""
    export_dir: Callable[[], Path] = _export_dir
    measure_doc_tokens: Callable[[str], int] = _measure_doc_tokens
    extra: dict[str, Any] = field(default_factory=dict)
    """Room for test doubles that need to share state with assertions."""
