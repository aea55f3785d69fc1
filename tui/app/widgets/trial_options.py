"""The trial's opt-ins: inference backend, deeper checks, the int8 variant and an API spend cap on one row;
LLM-written questions (how many, by which chat model) on another.

Widgets of their own so the screen only asks them for the plan's fields: the int8 rule (ONNX only) and the
money parsing live next to the controls they govern. Nothing here is on unless the user turns it on.
"""

from __future__ import annotations

import dataclasses

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.validation import Function
from textual.widgets import Checkbox, Input, Label, Select

from tui.present.formats import usd
from tui.workflow import fields
from tui.workflow.plan import BACKENDS, CHECK_KINDS, INT8_BACKENDS, Queries, TrialPlan

NO_CHECKS = "none"


class TrialOptions(Horizontal):
    """Backend select, deeper-checks select, int8 checkbox and a max-USD input, read with `apply(plan)`."""

    DEFAULT_CSS = """
    TrialOptions { height: 1; }
    TrialOptions #backend { width: 12; }
    TrialOptions #checks { width: 16; }
    TrialOptions #int8 { margin-left: 1; }
    TrialOptions #max-usd { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Backend", classes="form-label")
        yield Select(
            [(b, b) for b in BACKENDS],
            value=BACKENDS[0],
            allow_blank=False,
            id="backend",
            compact=True,
            tooltip="Local inference engine (auto: ONNX on CPU when it verifies, else torch)",
        )
        yield Label(" Checks", classes="form-label-short")
        yield Select(
            [("none", NO_CHECKS), ("all", "all")] + [(k, k) for k in CHECK_KINDS],
            value=NO_CHECKS,
            allow_blank=False,
            id="checks",
            compact=True,
            tooltip="Deeper checks per embedding model: tokenizer fit is cheap (no weights); all adds "
            "cross-lingual alignment, stability and neighbourhoods",
        )
        yield Checkbox(
            "int8",
            id="int8",
            compact=True,
            tooltip="Also run each local model int8-quantised (ONNX), with its top-10 agreement with fp32",
        )
        yield Label(" Max $", classes="form-label-short")
        yield Input(
            placeholder="no cap",
            id="max-usd",
            compact=True,
            validators=[Function(lambda t: fields.check(fields.MAX_USD, t) is None, fields.MAX_USD.rule())],
            valid_empty=True,
            tooltip="Refuse to start when the API spend (LLM questions, then embeddings) could exceed this",
        )

    @on(Select.Changed, "#backend")
    def _on_backend_changed(self, event: Select.Changed) -> None:
        allowed = event.value in INT8_BACKENDS
        box = self.query_one("#int8", Checkbox)
        if not allowed:
            box.value = False
        box.disabled = not allowed

    def apply(self, plan: TrialPlan) -> TrialPlan:
        """`plan` with these backend, checks, int8 and max_usd; UserError when the cap is not money."""
        checks = str(self.query_one("#checks", Select).value)
        return dataclasses.replace(
            plan,
            backend=str(self.query_one("#backend", Select).value),
            checks=() if checks == NO_CHECKS else CHECK_KINDS if checks == "all" else (checks,),
            int8=self.query_one("#int8", Checkbox).value,
            max_usd=parse_usd(self.query_one("#max-usd", Input).value),
        )


class QuestionOptions(Horizontal):
    """How many questions an LLM should write (empty: use the data's own), and which chat model."""

    DEFAULT_CSS = """
    QuestionOptions { height: 1; }
    QuestionOptions #llm-count { width: 8; }
    QuestionOptions #llm-model { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label("LLM asks", classes="form-label")
        yield Input(
            placeholder="no",
            type="integer",
            id="llm-count",
            validators=[
                Function(lambda t: fields.check(fields.LLM_COUNT, t) is None, fields.LLM_COUNT.rule())
            ],
            valid_empty=True,
            compact=True,
            tooltip="Have a chat model write this many questions from sampled chunks (cached; within Max $)",
        )
        yield Label(" with", classes="form-label-short")
        yield Input(placeholder="openai:gpt-4o-mini, ollama:llama3.1, …", id="llm-model", compact=True)

    def queries(self) -> Queries:
        """The questions asked; UserError when the count is not 1..10,000 (the plan checks the pair)."""
        count = fields.parse_int(fields.LLM_COUNT, self.query_one("#llm-count", Input).value)
        return Queries(llm=self.query_one("#llm-model", Input).value.strip() or None, llm_count=count)


def parse_usd(text: str) -> float | None:
    """'' -> None (no cap); '0.50' / '$0.5' / '1e-7' -> float; anything else (or < 0) -> UserError."""
    return fields.parse_float(fields.MAX_USD, text)


def describe(plan: TrialPlan) -> str:
    """The opt-ins for the log's first line ('' when all are at their defaults)."""
    parts = [f"backend {plan.backend}"] if plan.backend != "auto" else []
    if plan.checks:
        parts.append("checks: " + ", ".join(plan.checks))
    if plan.int8:
        parts.append("+ int8 variants")
    if plan.queries.llm_count:
        parts.append(f"{plan.queries.llm_count} questions by {plan.queries.llm or '?'}")
    if plan.max_usd is not None:
        parts.append(f"API cap {usd(plan.max_usd)}")
    return f" ({'; '.join(parts)})" if parts else ""
