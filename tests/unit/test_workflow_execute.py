"""`execute(plan)`: the demo set loaded, LLM-written questions within the spend cap (their worst case
reserved from it before any chat request; the embeddings get the rest), and core errors as one UserError.
The runner is a recorder (the trial itself is tested in test_runner.py); the chat API is a real HTTP
server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from evaluators.types import Dataset, TrialResult
from tests.unit._fake_http import FakeServer
from tui.workflow.errors import UserError
from tui.workflow.execute import TrialEvents, execute
from tui.workflow.plan import Queries, Sample, Source, TrialPlan
from tui.workflow.services import Services

LLM = "openai:gpt-4o-mini"


@dataclass
class Recorder:
    """Stands in for run_trial: keeps what it was given, returns an empty complete trial."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, dataset: Dataset, model_refs: Any, **options: Any) -> TrialResult:
        self.calls.append({"dataset": dataset, "models": list(model_refs), **options})
        return TrialResult(dataset={"name": dataset.name})


def _yes(server: FakeServer) -> None:
    server.chat = lambda messages: (
        "YES" if "YES or NO" in messages[0]["content"] else "Which topic is covered?"
    )


def test_llm_questions_are_paid_from_the_cap_first(openai_server: FakeServer) -> None:
    from evaluators.api.llm_queries import cost_bound
    from evaluators.datasets import load_demo

    _yes(openai_server)
    runner, notes = Recorder(), []
    plan = TrialPlan(
        Source(), ("bm25",), sample=Sample(40), queries=Queries(llm=LLM, llm_count=3), max_usd=1.0
    )
    execute(plan, events=TrialEvents(note=notes.append), services=Services(run_trial=runner))
    bound = cost_bound(load_demo(sample=40), 3, LLM)["usd"]
    (call,) = runner.calls
    assert call["max_usd"] == pytest.approx(1.0 - bound) and call["dataset"].query_origin == f"llm:{LLM}"
    assert any(
        n.startswith(f"LLM budget: {LLM}: at most ") and n.endswith("from --max-usd 1.") for n in notes
    )
    assert "3 LLM-generated questions kept" in notes
    chats = openai_server.count("/chat/completions")

    execute(plan, services=Services(run_trial=runner))  # from the cache: nothing sent, nothing reserved
    assert runner.calls[1]["max_usd"] == 1.0 and openai_server.count("/chat/completions") == chats


def test_llm_over_the_cap_sends_nothing(openai_server: FakeServer) -> None:
    runner = Recorder()
    plan = TrialPlan(
        Source(), ("bm25",), sample=Sample(40), queries=Queries(llm=LLM, llm_count=3), max_usd=1e-9
    )
    with pytest.raises(UserError, match="exceeds --max-usd 1e-09; nothing was sent"):
        execute(plan, services=Services(run_trial=runner))
    unpriced = TrialPlan(
        Source(),
        ("bm25",),
        sample=Sample(40),
        queries=Queries(llm="openai:mystery-chat", llm_count=3),
        max_usd=1.0,
    )
    with pytest.raises(UserError, match="no price known for openai:mystery-chat"):
        execute(unpriced, services=Services(run_trial=runner))
    assert openai_server.requests == [] and runner.calls == []


def test_missing_api_key_is_one_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    plan = TrialPlan(Source(), ("bm25",), sample=Sample(40), queries=Queries(llm=LLM, llm_count=3))
    with pytest.raises(UserError, match="LLM-written questions: .*OPENAI_API_KEY"):
        execute(plan, services=Services(run_trial=Recorder()))


def test_bad_source_is_a_user_error_and_runs_nothing(tmp_path: Any) -> None:
    runner = Recorder()
    with pytest.raises(UserError, match="corpus not found"):
        execute(TrialPlan(Source(str(tmp_path / "nope")), ("bm25",)), services=Services(run_trial=runner))
    assert runner.calls == []


def test_plan_reaches_the_runner() -> None:
    """Models, backend, checks, int8, the cap and the cache folder, as the plan says; dataset_ready before."""
    runner, seen = Recorder(), []
    plan = TrialPlan(Source(), ("bm25", "minilm"), sample=Sample(30), backend="onnx", checks=("tokenizer",),
                     int8=True, max_usd=0.25, cache=False)  # fmt: skip
    execute(
        plan,
        events=TrialEvents(dataset_ready=lambda ds: seen.append(ds.name)),
        services=Services(run_trial=runner),
    )
    (call,) = runner.calls
    assert seen == ["demo-squad-en"] and call["models"] == ["bm25", "minilm"]
    expected = {"backend": "onnx", "checks": ["tokenizer"], "int8": True, "max_usd": 0.25, "cache_dir": None}
    assert {k: call[k] for k in expected} == expected
