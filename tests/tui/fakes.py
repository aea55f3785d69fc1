"""The I/O the TUI tests replace, and nothing else: a five-model catalog file, a fixed machine, the scripted
trial runner (tests/tui/fake_runner.py) and a frozen clock. Ranking (`catalog.ranking.recommend`), the
draft, the journal (a real SQLite file in the test's EMBEDSCOUT_HOME) and every formatter are the real ones.
Also `settle`, the pilot helper every TUI test uses. (No tests/tui/__init__.py: it would shadow `tui`.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from catalog.models import Benchmark, BenchmarkScore, ModelSpec
from evaluators.hardware import Hardware
from tests.tui.fake_runner import FakeRunner
from tui.workflow.services import CatalogSnapshot, Services

FROZEN_NOW = "2026-01-02T10:00:00Z"
"""What the journal's clock says in the tests (snapshots show dates)."""
MACHINE = Hardware(ram_gb=16.0, cpu_cores=2, gpu=None, vram_gb=None, gpu_name=None, notes=("test machine",))


def _spec(
    id_: str, name: str, *, open_: bool = True, dims: int = 384, tokens: int = 512, params: int | None = None,
    price: float | None = None, score: float | None = None, licence: str = "apache-2.0",
    languages: tuple[str, ...] = ("en",),
) -> ModelSpec:  # fmt: skip
    scores = {
        Benchmark.MTEB_ENG_V2: BenchmarkScore(mean=score, retrieval_mean=score, source="mteb/results@abc")
    }
    return ModelSpec(
        id=id_,
        name=name,
        provider=id_.split("/")[0],
        open_weights=open_,
        hf_id=id_ if open_ else None,
        dims=dims,
        max_tokens=tokens,
        n_parameters=params,
        price_usd_per_1m=price,
        license=licence,
        commercial_use=licence != "proprietary" or None,
        languages=languages,
        scores=scores if score is not None else {},
        sources=(f"https://hf.co/{id_}",),
    )


CATALOG: tuple[ModelSpec, ...] = (
    _spec("BAAI/bge-small-en-v1.5", "bge-small-en-v1.5", params=33_000_000, score=51.7),
    _spec("sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2", params=22_000_000, tokens=256,
          score=41.9),
    _spec("nomic-ai/nomic-embed-text-v1.5", "nomic-embed-text-v1.5", dims=768, tokens=8192,
          params=137_000_000, score=53.0),
    _spec("openai/text-embedding-3-small", "text-embedding-3-small", open_=False, dims=1536, tokens=8191,
          price=0.02, score=55.1, licence="proprietary", languages=("en", "zh")),
    _spec("Qwen/Qwen3-Embedding-8B", "Qwen3-Embedding-8B", dims=4096, tokens=32768, params=8_000_000_000,
          score=69.4, languages=("en", "zh")),
)  # fmt: skip
"""A small catalog file's worth of models: what the tests rank (with the real ranking)."""


def fake_services(*, runner: FakeRunner | None = None, **overrides: Any) -> Services:
    """Services with the catalog, the machine and the runner replaced; the journal is the real store on
    the test's own SQLite file (EMBEDSCOUT_HOME is a temp folder for every test)."""
    base = Services(
        catalog=lambda: CatalogSnapshot(CATALOG, "test-catalog"),
        detect_hardware=lambda probe_gpu=True: MACHINE,
        run_trial=runner or FakeRunner(),
        measure_doc_tokens=lambda folder: 1234,
    )
    return dataclasses.replace(base, **overrides)


@contextmanager
def journal() -> Iterator[Any]:
    """The test journal (the file the app writes), opened for assertions."""
    from storage.store import open_db

    db = open_db()
    try:
        yield db
    finally:
        db.close()


def freeze_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal's timestamps, fixed (a snapshot of History shows dates)."""
    import storage.records
    import storage.report
    import storage.store

    for module in (storage.records, storage.report, storage.store):
        monkeypatch.setattr(module, "utcnow", lambda: FROZEN_NOW)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until every worker finished and the messages they posted were handled."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_trial(app: Any, pilot, timeout: float = 240.0) -> None:  # type: ignore[no-untyped-def]
    """Wait (up to `timeout` s) until the trial screen stops running a real trial, then settle."""
    for _ in range(int(timeout / 0.25)):
        await pilot.pause(0.25)
        if not app.screen.has_class("-running"):
            break
    await settle(pilot)


def cpu_draft() -> Any:
    """A fresh draft whose profile already has the test machine (as after the questionnaire's detection)."""
    from tui.workflow.draft import DecisionDraft
    from tui.workflow.profile import Profile

    return DecisionDraft(profile=Profile().with_hardware(MACHINE))


async def keys(pilot, *steps: str) -> None:  # type: ignore[no-untyped-def]
    """Press each key and let the work it starts finish (e.g. keys(pilot, "ctrl+r", "f5", "ctrl+s"))."""
    for key in steps:
        await pilot.press(key)
        await settle(pilot)


async def until(pilot, done, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Settle, then keep pausing until `done()` holds (a loaded machine delivers messages late)."""
    await settle(pilot)
    for _ in range(int(timeout / 0.1)):
        if done():
            return
        await pilot.pause(0.1)


def shown_text(widget: Any, width: int = 100) -> str:
    """What a Static (e.g. a DecisionPanel) shows, as plain text at `width` columns (all of it, scrolled
    or not), so a test can read a panel the way the user does."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()
