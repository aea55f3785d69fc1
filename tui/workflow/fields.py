"""The rules for every typed number and choice in the TUI's forms: bounds, what empty means, and the one-line
message shown next to a field that breaks them.

Pure functions, no Textual: the questionnaire and the trial form ask `check(...)` for a message to show and
`parse(...)` for the value, so a field can never be read one way and validated another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tui.workflow.errors import UserError


@dataclass(frozen=True)
class NumberField:
    """A typed number: whole or decimal, its inclusive bounds, and what an empty field means."""

    label: str
    """How the message names the field (the label the user sees)."""
    unit: str
    """What the number counts, for the message ('tokens', 'GB')."""
    low: float
    high: float
    whole: bool = True
    empty: str | None = None
    """What an empty field means ('no cap', 'all documents'); None: the field must be filled in."""
    example: str = ""

    def rule(self) -> str:
        """The rule in words: 'a whole number of tokens from 1 to 1,000,000'."""
        kind = "a whole number" if self.whole else "a number"
        rule = f"{kind} of {self.unit} from {_num(self.low)} to {_num(self.high)}"
        return rule + (f", or empty for {self.empty}" if self.empty else "")


DOC_TOKENS = NumberField("Document length", "tokens", 1, 1_000_000, example="400")
CORPUS_DOCS = NumberField("Documents", "documents", 1, 10_000_000_000, example="10000")
MAX_PRICE = NumberField("Max price", "US dollars per 1M tokens", 0, 1_000, whole=False, example="0.05")
MONTHLY_CAP = NumberField("Monthly cap", "US dollars", 0, 10_000_000, whole=False, example="100")
RAM_GB = NumberField("RAM", "GB", 0.5, 100_000, whole=False, empty="unknown", example="16")
VRAM_GB = NumberField("VRAM", "GB", 0.5, 10_000, whole=False, empty="unknown", example="24")
SAMPLE = NumberField("Sample", "documents", 1, 100_000_000, empty="all documents", example="200")
MAX_USD = NumberField("Max $", "US dollars", 0, 1_000_000, whole=False, empty="no cap", example="0.50")
LLM_COUNT = NumberField("LLM asks", "questions", 1, 10_000, empty="the data's own questions", example="50")


def parse(spec: NumberField, text: str) -> float | int | None:
    """The value typed in `text` (None when empty and allowed); UserError naming the field and its rule."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if spec.unit.startswith("US dollars"):
        cleaned = cleaned.removeprefix("$").strip()
    if not cleaned:
        if spec.empty is not None:
            return None
        raise UserError(f"{spec.label} is empty: type {spec.rule()}", _hint(spec))
    try:
        value: float = int(cleaned) if spec.whole else float(cleaned)
    except ValueError:
        raise UserError(f"{spec.label} {text.strip()!r} is not {spec.rule()}", _hint(spec)) from None
    if not math.isfinite(value) or not spec.low <= value <= spec.high:
        raise UserError(f"{spec.label} {text.strip()} is out of range: type {spec.rule()}", _hint(spec))
    return value


def check(spec: NumberField, text: str) -> str | None:
    """The message to show next to the field, or None when `text` is valid."""
    try:
        parse(spec, text)
    except UserError as exc:
        return exc.message
    return None


def parse_int(spec: NumberField, text: str) -> int | None:
    """`parse` for a whole-number field, typed as such."""
    value = parse(spec, text)
    return None if value is None else int(value)


def parse_float(spec: NumberField, text: str) -> float | None:
    """`parse` for a decimal field, typed as such."""
    value = parse(spec, text)
    return None if value is None else float(value)


def check_languages(languages: tuple[str, ...] | list[str], multilingual: bool) -> str | None:
    """No language ticked (and not multilingual) is a message, never a silent English."""
    if languages or multilingual:
        return None
    return "Tick at least one language, or Multilingual for many or unknown languages."


def check_budget(kind: str, price: str, monthly: str) -> str | None:
    """The chosen budget's figure must be given: 'Max price' with an empty price would rank as no limit."""
    if kind == "price":
        return check(MAX_PRICE, price)
    if kind == "monthly":
        return check(MONTHLY_CAP, monthly)
    return None


def check_llm_questions(count: str, model: str) -> str | None:
    """LLM-written questions need both a count and a chat model (or neither)."""
    problem = check(LLM_COUNT, count)
    if problem is not None:
        return problem
    if count.strip() and not model.strip():
        return "LLM asks: name the chat model that writes them (e.g. openai:gpt-4o-mini)."
    if model.strip() and not count.strip():
        return "LLM asks: say how many questions the chat model should write (e.g. 50)."
    return None


def check_trial_form(sample: str, max_usd: str, llm_count: str, llm_model: str) -> str | None:
    """The first wrong field of the trial form (sample, spend cap, LLM questions), or None."""
    return check(SAMPLE, sample) or check(MAX_USD, max_usd) or check_llm_questions(llm_count, llm_model)


def _hint(spec: NumberField) -> str:
    return f"e.g. {spec.example}" if spec.example else ""


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"
