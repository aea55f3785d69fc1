"""The form rules without Textual: each bug case from issue #15 (length 0 or 10^14, sample 0, no language,
a cleared field) is a message naming the field and its rule; valid text parses to the value."""

from __future__ import annotations

import pytest

from tui.workflow import fields as f
from tui.workflow.errors import UserError


@pytest.mark.parametrize("text", ["0", "100000000000000", "-5", "12.5", "abc", "", "   "])
def test_document_length_rejects_out_of_range_and_empty(text: str) -> None:
    message = f.check(f.DOC_TOKENS, text)
    assert message is not None and message.startswith("Document length")
    assert "1 to 1,000,000" in message


def test_valid_numbers_parse() -> None:
    assert f.parse_int(f.DOC_TOKENS, " 3,000 ") == 3000
    assert f.parse_int(f.DOC_TOKENS, "1000000") == 1_000_000
    assert f.parse_int(f.CORPUS_DOCS, "10_000") == 10_000
    assert f.parse_float(f.RAM_GB, "15.5") == 15.5
    assert f.parse_float(f.MAX_USD, " $0.5 ") == 0.5 and f.parse_float(f.MAX_USD, "1e-7") == 1e-7


def test_empty_means_what_the_field_says() -> None:
    """Optional fields read empty as None (all documents, no cap, unknown); required ones refuse it."""
    for spec in (f.SAMPLE, f.MAX_USD, f.LLM_COUNT, f.RAM_GB, f.VRAM_GB):
        assert f.parse(spec, "") is None and spec.empty and spec.empty in spec.rule()
    for spec in (f.DOC_TOKENS, f.CORPUS_DOCS, f.MAX_PRICE, f.MONTHLY_CAP):
        with pytest.raises(UserError, match="is empty"):
            f.parse(spec, "")


def test_sample_zero_is_a_message_not_everything() -> None:
    assert f.check(f.SAMPLE, "0") == (
        "Sample 0 is out of range: type a whole number of documents from 1 to 100,000,000, "
        "or empty for all documents"
    )


@pytest.mark.parametrize("text", ["nan", "inf", "-1", "0.5.1", "ten dollars"])
def test_money_rejects_non_amounts(text: str) -> None:
    assert f.check(f.MAX_USD, text) is not None


def test_languages_need_one_tick_or_multilingual() -> None:
    assert f.check_languages((), False) is not None
    assert f.check_languages((), True) is None and f.check_languages(("zh",), False) is None


def test_budget_figure_is_required_only_for_its_kind() -> None:
    assert f.check_budget("price", "", "") == (
        "Max price is empty: type a number of US dollars per 1M tokens from 0 to 1,000"
    )
    assert f.check_budget("monthly", "0.05", "") is not None
    assert f.check_budget("open", "garbage", "") is None and f.check_budget("price", "0.05", "") is None


def test_llm_questions_need_count_and_model() -> None:
    assert f.check_llm_questions("", "") is None and f.check_llm_questions("5", "ollama:x") is None
    assert "chat model" in (f.check_llm_questions("5", "") or "")
    assert "how many" in (f.check_llm_questions("", "openai:gpt-4o-mini") or "")
    assert "LLM asks 0 is out of range" in (f.check_llm_questions("0", "ollama:x") or "")
