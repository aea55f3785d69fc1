"""The use-case values without any UI: a TrialPlan validates and yields the one journal schema; a Profile
is the one way answers become Requirements; UserError is the one error the front ends show."""

from __future__ import annotations

import pytest

from evaluators.hardware import Hardware
from tui.workflow.errors import UserError, user_error
from tui.workflow.plan import CHECK_KINDS, Chunking, Queries, Sample, Source, TrialPlan, expand_checks
from tui.workflow.profile import DOMAINS, Profile

GPU = Hardware(ram_gb=31.3, cpu_cores=8, gpu="cuda", vram_gb=24.0, gpu_name="RTX 4090")
CPU = Hardware(ram_gb=16.0, cpu_cores=2, gpu=None, vram_gb=None, gpu_name=None)


def _plan(**changes: object) -> TrialPlan:
    fields: dict[str, object] = {"source": Source(), "models": ("bm25",), **changes}
    return TrialPlan(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"models": ()}, "no model to try"),
        ({"backend": "cuda"}, "unknown backend 'cuda'"),
        ({"int8": True, "backend": "torch"}, "int8 runs on the onnx backend, not torch"),
        ({"checks": ("tokenizer", "vibes")}, "unknown check vibes"),
        ({"queries": Queries(llm_count=5)}, "LLM-written questions need a chat model"),
        ({"queries": Queries(llm="openai:gpt-4o-mini")}, "say how many questions"),
        ({"max_usd": -1.0}, "spend cap must be a number of US dollars >= 0"),
        ({"max_usd": float("nan")}, "spend cap must be a number"),
        ({"sample": Sample(0)}, "at least 1 document"),
    ],
)
def test_validate_refuses_impossible_plans(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message) as caught:
        _plan(**changes).validate()
    assert caught.value.usage  # a malformed request: the CLI exits 2


def test_settings_are_the_one_journal_schema() -> None:
    """Every key the journal keeps, an LLM server's URL left out, overlap 0 when chunking is off."""
    plan = TrialPlan(
        source=Source("docs/", "q.jsonl"),
        models=("bm25", "minilm"),
        chunking=Chunking(0, 32),
        sample=Sample(50, 7),
        queries=Queries(llm="openai-compatible:m@https://host/v1", llm_count=20),
        checks=("tokenizer",),
        max_usd=0.5,
        cache=False,
    )
    plan.validate()
    assert plan.settings() == {
        "models": ["bm25", "minilm"], "demo": False, "corpus": "docs/", "queries": "q.jsonl", "qrels": None,
        "sample": 50, "seed": 7, "chunk_tokens": 0, "chunk_overlap": 0, "synthetic": "auto",
        "generate_queries": {"n": 20, "llm": "openai-compatible:m"}, "backend": "auto",
        "checks": ["tokenizer"], "int8": False, "rerank": None, "max_usd": 0.5, "cache": False,
    }  # fmt: skip
    assert _plan().settings()["demo"] is True and _plan().settings()["generate_queries"] is None


def test_credentials_in_a_model_url_are_refused_before_anything_runs() -> None:
    """A password in an openai-compatible URL would reach tables, the journal and exports."""
    for plan in (
        TrialPlan(source=Source(), models=("openai-compatible:m@https://user:pw@host/v1",)),
        TrialPlan(source=Source(), models=("bm25",), queries=Queries(llm="openai-compatible:m@https://u:p@h/v1",
                                                                       llm_count=5)),
        TrialPlan(source=Source(), models=("bm25",), rerank="openai-compatible:r@https://u:p@h/v1"),
    ):
        with pytest.raises(UserError, match="user name or password"):
            plan.validate()


def test_chunk_sizes_parse_into_a_sweep() -> None:
    assert Chunking.parse("256", 32) == Chunking(256, 32)
    assert Chunking.parse("0", 32) == Chunking(0, 0)
    sweep = Chunking.parse("128, 256,128,0", 16)
    assert sweep == Chunking(128, 16, (128, 256, 0))
    plan = TrialPlan(
        source=Source(), models=("bm25",), chunking=sweep, rerank="cross-encoder/x", rerank_depth=20
    )
    settings = plan.settings()
    assert settings["chunk_tokens"] == [128, 256, 0] and settings["chunk_overlap"] == 16
    assert settings["rerank"] == {"ref": "cross-encoder/x", "depth": 20}
    with pytest.raises(UserError, match="chunk sizes"):
        Chunking.parse("128;256", 0)


def test_expand_checks() -> None:
    assert expand_checks("all") == CHECK_KINDS
    assert expand_checks("stability, tokenizer") == ("tokenizer", "stability")  # engine order
    assert expand_checks("") == ()


def test_profile_requirements_mapping() -> None:
    """Only the budget kind's figure applies; 'other' ranks as general; many languages add 'mul'."""
    p = Profile(languages=("zh",), multilingual=True, domain="other", licence="permissive")
    req = p.with_budget("monthly", price=0.1, monthly=50.0).requirements()
    assert req.languages == ("zh", "mul") and req.domain == "general" and req.commercial_use
    assert (req.open_only, req.max_usd_per_1m, req.monthly_cap_usd) == (False, None, 50.0)
    assert Profile().with_budget("open", price=0.1).requirements().max_usd_per_1m is None
    assert Profile(domain="support").requirements().domain == "support"


def test_profile_requirements_domains_match_the_catalog() -> None:
    """Every catalog domain is offered (the TUI lacked 'support'), plus 'other'."""
    from catalog.requirements import DOMAINS as CATALOG_DOMAINS

    assert {code for code, _ in DOMAINS} == {*CATALOG_DOMAINS, "other"}


def test_invalid_answers_are_one_user_error() -> None:
    with pytest.raises(UserError, match="doc_tokens must be positive"):
        Profile(doc_tokens=0).requirements()


def test_with_hardware_fills_only_blanks() -> None:
    assert Profile().with_hardware(GPU) == Profile(ram_gb=31.3, gpu="cuda", vram_gb=24.0)
    assert Profile(ram_gb=8.0, vram_gb=12.0).with_hardware(GPU) == Profile(
        ram_gb=8.0, gpu="cuda", vram_gb=12.0
    )
    assert Profile().with_hardware(GPU, "cpu") == Profile(ram_gb=31.3)
    assert Profile(vram_gb=8.0).with_hardware(CPU) == Profile(ram_gb=16.0, gpu="cuda", vram_gb=8.0)
    assert Profile().with_hardware(None) == Profile()
    with pytest.raises(UserError, match="no CUDA GPU found"):
        Profile().with_hardware(CPU, "cuda")


def test_user_error_translates_known_core_errors_only() -> None:
    from evaluators.types import TrialInputError
    from storage.db import StorageError

    assert str(user_error(TrialInputError("corpus not found: x"))) == "corpus not found: x"
    assert user_error(StorageError("database is locked")) is not None
    assert user_error(RuntimeError("a bug")) is None
    assert str(UserError("no  model\nto try", "tick one")) == "no model to try (tick one)"
