"""The seam between the use cases and the outside world: catalog file, hardware, trial runner, journal file.

Both front ends build a `Services()`; tests swap single fields for fakes of I/O only (a scripted runner, a
journal in a temp file, a fixed catalog or machine). Each default imports its module inside the function,
so building `Services()` costs nothing at start-up and torch only ever loads inside a trial.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from catalog.evidence_data import TaskScores
    from catalog.models import ModelSpec
    from evaluators.hardware import Hardware
    from evaluators.types import Dataset, ModelResult, PhaseEvent, TrialResult
    from storage.sqlite_lib import Database


class RunTrial(Protocol):
    """`evaluators.runner.run_trial`'s signature: what a fake runner must accept and return."""

    def __call__(
        self,
        dataset: Dataset,
        model_refs: Sequence[str],
        *,
        cache_dir: str | Path | None = None,
        backend: str = "auto",
        on_progress: Callable[[str, int, int], None] | None = None,
        on_model_done: Callable[[ModelResult], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        checks: Sequence[str] | str = (),
        int8: bool = False,
        max_usd: float | None = None,
        on_phase: Callable[[PhaseEvent], None] | None = None,
        chunk_sizes: Sequence[int] | None = None,
        rerank: str | None = None,
        rerank_depth: int = 50,
    ) -> TrialResult: ...


class DetectHardware(Protocol):
    """RAM and cores always; the GPU (nvidia-smi, never torch) unless `probe_gpu` is False."""

    def __call__(self, *, probe_gpu: bool = True) -> Hardware: ...


@dataclass(frozen=True)
class CatalogSnapshot:
    """The models the ranking sees and the version string saved with a recommendation."""

    models: tuple[ModelSpec, ...]
    version: str
    evidence: TaskScores | None = None
    """The per-task score table the ranking reads (None: the shipped one)."""


def _catalog() -> CatalogSnapshot:
    from storage.catalog_overlay import catalog_with_overlay, effective_catalog_version, effective_task_scores

    # Shipped data plus any `embedscout catalog refresh` overlay: what every ranking uses.
    return CatalogSnapshot(catalog_with_overlay(), effective_catalog_version(), effective_task_scores())


def _detect_hardware(*, probe_gpu: bool = True) -> Hardware:
    from evaluators.hardware import detect_hardware

    # nvidia-smi only: probing through torch would import it (seconds) long before any trial needs it.
    return detect_hardware(probe_gpu=probe_gpu, allow_torch=False)


def _run_trial(dataset: Dataset, model_refs: Sequence[str], **kwargs: object) -> TrialResult:
    from evaluators.replay import run_or_replay  # an unchanged trial is replayed without importing numpy

    return run_or_replay(dataset, model_refs, **kwargs)  # type: ignore[arg-type]


def _open_db() -> Database:
    from storage.store import open_db

    return open_db()


def _cache_dir() -> Path:
    from storage.paths import cache_dir

    return cache_dir()


def _export_dir() -> Path:
    from storage.paths import app_dir

    path = app_dir() / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _locations() -> dict[str, str]:
    """Where the journal, data, settings and cache live (what `embedscout path` prints)."""
    from storage import paths

    return {
        "data": str(paths.app_dir()),
        "config": str(paths.config_dir()),
        "cache": str(paths.cache_dir()),
        "db": str(paths.db_path()),
    }


def _measure_doc_tokens(folder: str) -> int:
    """The median token count (the trial chunker's counter) of the documents a trial would read from
    `folder`; UserError when nothing readable is there."""
    from evaluators.ingest.chunking import count_tokens
    from evaluators.ingest.files import ReadReport, read_documents
    from tui.workflow.errors import UserError

    root = Path(folder).expanduser()
    if not root.exists():
        raise UserError(f"not found: {root}", "type the path of a folder of documents")
    docs = read_documents(root, ReadReport())
    lengths = sorted(count_tokens(doc.text) for doc in docs[:2000])
    if not lengths:
        raise UserError(f"no readable documents under {root}", "text, Markdown, HTML or PDF files")
    return lengths[len(lengths) // 2]


@dataclass(frozen=True)
class Services:
    """Every outside dependency of the use cases; each call is thread-safe (no shared connection)."""

    catalog: Callable[[], CatalogSnapshot] = _catalog
    detect_hardware: DetectHardware = _detect_hardware
    run_trial: RunTrial = _run_trial
    open_db: Callable[[], Database] = _open_db
    """A new journal connection: call it in the thread that uses it (sqlite3 connections stay per thread)."""
    cache_dir: Callable[[], Path] = _cache_dir
    """Embeddings cache, ONNX exports and LLM-written questions."""
    export_dir: Callable[[], Path] = _export_dir
    measure_doc_tokens: Callable[[str], int] = _measure_doc_tokens
    locations: Callable[[], dict[str, str]] = _locations
    """data, config, cache folders and the journal file (shown by the help screen and `embedscout path`)."""
