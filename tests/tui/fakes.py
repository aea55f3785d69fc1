"""Fake core for screen tests: a five-model catalog, a deterministic recommend, the scripted trial runner
(tests/tui/fake_runner.py) and an in-memory journal, wired into `Services` so no screen test needs the real
catalog, torch or SQLite. Also `settle`, the pilot helper every TUI test uses.
(No tests/tui/__init__.py: it would shadow `tui`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from catalog.models import Benchmark, BenchmarkScore, ModelSpec
from evaluators.types import Dataset, Doc, Query, TrialInputError
from tests.tui.fake_runner import FakeRunner
from tui.services import Services


def _spec(
    id_: str,
    name: str,
    *,
    open_: bool = True,
    dims: int = 384,
    tokens: int = 512,
    params: int | None = None,
    price: float | None = None,
    score: float | None = None,
    licence: str = "apache-2.0",
) -> ModelSpec:
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
        languages=("en",),
        scores=scores if score is not None else {},
        sources=(f"https://hf.co/{id_}",),
    )


CATALOG: tuple[ModelSpec, ...] = (
    _spec("BAAI/bge-small-en-v1.5", "bge-small-en-v1.5", params=33_000_000, score=51.7),
    _spec(
        "sentence-transformers/all-MiniLM-L6-v2",
        "all-MiniLM-L6-v2",
        params=22_000_000,
        tokens=256,
        score=41.9,
    ),
    _spec(
        "nomic-ai/nomic-embed-text-v1.5",
        "nomic-embed-text-v1.5",
        dims=768,
        tokens=8192,
        params=137_000_000,
        score=53.0,
    ),
    _spec(
        "openai/text-embedding-3-small",
        "text-embedding-3-small",
        open_=False,
        dims=1536,
        tokens=8191,
        price=0.02,
        score=55.1,
        licence="proprietary",
    ),
    _spec(
        "Qwen/Qwen3-Embedding-8B",
        "Qwen3-Embedding-8B",
        dims=4096,
        tokens=32768,
        params=8_000_000_000,
        score=69.4,
    ),
)


@dataclass(frozen=True)
class FakeRequirements:
    languages: tuple[str, ...] = ("en",)
    domain: str = "general"
    doc_tokens: int = 400
    will_chunk: bool = True
    open_only: bool = False
    ram_gb: float | None = None
    api_allowed: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FakeRequirements:
        data = dict(data)
        data["languages"] = tuple(data.get("languages", ("en",)))
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Ranked:
    spec: ModelSpec
    score: float
    reasons: list[str]
    benchmark: Benchmark | None = Benchmark.MTEB_ENG_V2
    benchmark_value: float | None = None


@dataclass
class Excluded:
    spec: ModelSpec
    reasons: list[str]


@dataclass
class Recommendation:
    candidates: list[Ranked]
    excluded: list[Excluded]
    requirements: Any = None
    catalog_version: str = "test"

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirements": self.requirements.to_dict() if self.requirements else {},
            "catalog_version": "test",
            "candidates": [
                {"id": c.spec.id, "score": c.score, "reasons": c.reasons} for c in self.candidates
            ],
            "excluded": [{"id": e.spec.id, "reasons": e.reasons} for e in self.excluded],
        }


def fake_recommend(req: FakeRequirements, models: Any) -> Recommendation:
    """Open-only excludes API models; 8B models need a GPU; the rest rank by benchmark value."""
    cands, excl = [], []
    for m in models:
        if req.open_only and not m.open_weights:
            excl.append(Excluded(m, ["API model, you asked for open weights only"]))
        elif (m.n_parameters or 0) > 1e9:
            excl.append(Excluded(m, ["needs ~16 GB VRAM, you have none"]))
        else:
            s = m.score(Benchmark.MTEB_ENG_V2)
            value = s.retrieval_mean if s else None
            cands.append(
                Ranked(
                    m,
                    (value or 30.0),
                    [f"MTEB(eng, v2) retrieval {value}", "fits on CPU"],
                    benchmark_value=value,
                )
            )
    cands.sort(key=lambda r: -r.score)
    return Recommendation(cands, excl, req)


DEMO = Dataset(
    name="demo",
    corpus=(Doc("d1", "alpha"), Doc("d2", "beta")),
    queries=(Query("q1", "alpha?"),),
    qrels={"q1": {"d1": 1}},
    query_origin="dataset",
)


def fake_load_dataset(corpus: str, queries: str | None = None, *, sample: int | None = None) -> Dataset:
    if "unreadable" in corpus or "missing" in corpus:
        raise TrialInputError(f"corpus not found: {corpus}")
    return DEMO


@dataclass
class DiffRow:
    label: str
    a: Any
    b: Any


@dataclass
class FakeDecision:
    id: int
    title: str
    created_at: str
    updated_at: str
    requirements: dict[str, Any]
    status: str = "draft"
    chosen_model: str | None = None
    rationale: str = ""
    tags: tuple[str, ...] = ()
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    trials: list[dict[str, Any]] = field(default_factory=list)


class FakeJournal:
    """The storage.store functions the TUI calls, over a dict (db argument ignored)."""

    def __init__(self) -> None:
        self.rows: dict[int, FakeDecision] = {}

    def create_decision(self, db: Any, *, title: str, requirements: dict[str, Any], tags: Any = ()) -> int:
        i = len(self.rows) + 1
        stamp = f"2026-01-0{min(i, 9)}T10:00:00Z"
        self.rows[i] = FakeDecision(i, title, stamp, stamp, requirements)
        return i

    def attach_recommendation(self, db: Any, decision_id: int, rec: dict[str, Any]) -> int:
        self.rows[decision_id].recommendations.append(rec)
        return len(self.rows[decision_id].recommendations)

    def save_trial(self, db: Any, decision_id: int, trial: Any) -> int:
        self.rows[decision_id].trials.append(trial)
        return len(self.rows[decision_id].trials)

    def decide(self, db: Any, decision_id: int, *, model: str, note: str = "") -> FakeDecision:
        d = self.rows[decision_id]
        d.status, d.chosen_model, d.rationale = "decided", model, note
        return d

    def list_decisions(
        self,
        db: Any,
        *,
        search: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        **_: Any,
    ) -> list[FakeDecision]:
        out = [
            d
            for d in reversed(self.rows.values())
            if (
                not search or search.casefold() in (d.title + d.rationale + (d.chosen_model or "")).casefold()
            )
            and (not status or d.status == status)
        ]
        return out[:limit] if limit else out

    def get_decision(self, db: Any, decision_id: int, **_: Any) -> FakeDecision:
        return self.rows[decision_id]

    def diff_decisions(self, db: Any, a_id: int, b_id: int) -> Any:
        a, b = self.rows[a_id], self.rows[b_id]
        rows = [
            DiffRow(name, getattr(a, name), getattr(b, name)) for name in ("title", "status", "chosen_model")
        ]
        return SimpleNamespace(summary=rows, requirements=[], shortlist=[], results=[])

    def export_markdown(self, db: Any, decision_id: int) -> str:
        d = self.rows[decision_id]
        return f"# {d.title}\n\nStatus: {d.status}\n\nChosen: {d.chosen_model}\n\n{d.rationale}\n"


def fake_services(
    *, runner: FakeRunner | None = None, journal: FakeJournal | None = None, **overrides: Any
) -> Services:
    journal = journal or FakeJournal()
    runner = runner or FakeRunner()
    hw = {"ram_gb": 16.0, "cores": 2, "cuda": False, "mps": False, "vram_gb": None}
    base: dict[str, Any] = dict(
        load_catalog=lambda: CATALOG,
        recommend=fake_recommend,
        requirements_cls=lambda: FakeRequirements,
        detect_hardware=lambda: hw,
        load_dataset=fake_load_dataset,
        load_demo=lambda **_: DEMO,
        run_trial=runner,
        environment=lambda: {"python": "3.11"},
        open_db=lambda: object(),
        journal=lambda: journal,
        measure_doc_tokens=lambda folder: 1234,
        extra={"journal": journal, "runner": runner},
    )
    base.update(overrides)
    return Services(**base)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until every worker finished and the messages they posted were handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
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
