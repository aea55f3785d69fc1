"""The questionnaire's steps: each question, its one-line hint, and the controls that answer it (built from
the current `Profile`); `tui.app.screens.questionnaire` shows them one at a time and reacts to changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal
from textual.validation import Function, Validator
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from tui.app.widgets.path_input import PathSuggester
from tui.present.profile import describe_hardware
from tui.workflow import fields
from tui.workflow.profile import BUDGETS, DOMAINS, GPUS, LANGUAGES, LICENCES, TASKS, Profile

if TYPE_CHECKING:
    from evaluators.hardware import Hardware

STEPS: tuple[tuple[str, str, str], ...] = (
    (
        "languages",
        "Which languages are your documents and queries in?",
        "Picks the benchmark (MTEB English, Multilingual, C-MTEB) and the vocabulary your script needs.",
    ),
    (
        "domain",
        "What domain is the text from?",
        "Training data matters: legal, medical and code text favour models trained on it.",
    ),
    (
        "length",
        "How long is a typical document?",
        "Context window: a 512-token model truncates a 3,000-token document unless you chunk it.",
    ),
    (
        "corpus",
        "How many documents will you index?",
        "Dimensions x documents = index memory; tokens x price = what an API model costs you.",
    ),
    (
        "budget",
        "What is your budget?",
        "Cost: API models bill per 1M tokens; open weights cost hardware instead.",
    ),
    (
        "hardware",
        "What will the model run on?",
        "Model size must fit: a 7B embedder needs ~16 GB of VRAM; small ones run fine on a CPU.",
    ),
    (
        "licence",
        "What licence do you need?",
        "Some weights are research-only (e.g. CC-BY-NC): check before you ship a product.",
    ),
)


def controls(key: str, profile: Profile, hardware: Hardware | None) -> list[Widget]:
    """The widgets that answer step `key` (a STEPS key), showing `profile`'s answers."""
    return list(_BUILDERS[key](profile, hardware))


def _languages(a: Profile, hardware: Hardware | None) -> list[Widget]:
    return [
        SelectionList[str](*[(name, code, code in a.languages) for code, name in LANGUAGES], id="languages"),
        Checkbox(
            "Multilingual (many, mixed or unknown)",
            a.multilingual,
            id="multilingual",
            compact=True,
        ),
    ]


def _domain(a: Profile, hardware: Hardware | None) -> list[Widget]:
    return [
        RadioSet(
            *[RadioButton(name, a.domain == code, id=f"domain-{code}") for code, name in DOMAINS],
            id="domain",
        ),
        Label("What are the embeddings for?", classes="question"),
        RadioSet(*[RadioButton(name, a.task == code, id=f"task-{code}") for code, name in TASKS], id="task"),
    ]


def _length(a: Profile, hardware: Hardware | None) -> list[Widget]:
    return [
        _number_input(str(a.doc_tokens), "doc-tokens", fields.DOC_TOKENS, "tokens per document"),
        Checkbox("I will split long documents into chunks", a.will_chunk, id="will-chunk", compact=True),
        Horizontal(
            Input(placeholder="…or measure a folder: path", id="measure-folder", suggester=PathSuggester()),
            Button("Measure", id="measure"),
            classes="row",
        ),
    ]


def _corpus(a: Profile, hardware: Hardware | None) -> list[Widget]:
    return [_number_input(str(a.corpus_docs), "corpus-docs", fields.CORPUS_DOCS, "number of documents")]


def _budget(a: Profile, hardware: Hardware | None) -> list[Widget]:
    return [
        RadioSet(
            *[RadioButton(name, a.budget == code, id=f"budget-{code}") for code, name in BUDGETS],
            id="budget",
        ),  # only the chosen kind's figure below applies (Profile.with_budget)
        Horizontal(
            _number_input(fmt(a.max_price_per_1m), "max-price", fields.MAX_PRICE, "USD per 1M tok"),
            _number_input(fmt(a.monthly_cap_usd), "monthly-cap", fields.MONTHLY_CAP, "USD per month"),
            classes="row",
        ),
    ]


def _hardware(a: Profile, hardware: Hardware | None) -> list[Widget]:
    detected = "Detected: " + describe_hardware(hardware) if hardware is not None else ("Detecting hardware…")
    return [
        Static(detected, id="detected"),
        Horizontal(
            _number_input(fmt(a.ram_gb), "ram-gb", fields.RAM_GB, "RAM GB"),
            Select(
                [(label, code) for code, label in GPUS],
                value=a.gpu,
                allow_blank=False,
                id="gpu",
            ),
            _number_input(fmt(a.vram_gb), "vram-gb", fields.VRAM_GB, "VRAM GB"),
            classes="row",
        ),
        Checkbox(
            "API models allowed (documents leave your network)",
            a.api_allowed,
            id="api-allowed",
            compact=True,
        ),
    ]


def _licence(a: Profile, hardware: Hardware | None) -> list[Widget]:
    return [
        RadioSet(
            *[RadioButton(name, a.licence == code, id=f"licence-{code}") for code, name in LICENCES],
            id="licence",
        )
    ]


_BUILDERS = {
    "languages": _languages,
    "domain": _domain,
    "length": _length,
    "corpus": _corpus,
    "budget": _budget,
    "hardware": _hardware,
    "licence": _licence,
}


def fmt(value: float | None) -> str:
    """A number as a field shows it (empty for none)."""
    return "" if value is None else f"{value:g}"


def _rule(spec: fields.NumberField) -> list[Validator]:
    """Marks the Input invalid (red) by the same rule as the message; an empty budget figure is judged by
    check_budget, which knows whether that figure applies."""
    optional = spec in (fields.MAX_PRICE, fields.MONTHLY_CAP)
    return [Function(lambda t: (optional and not t.strip()) or fields.check(spec, t) is None, spec.rule())]


def _number_input(value: str, field_id: str, spec: fields.NumberField, placeholder: str) -> Input:
    """A typed-number field judged by `spec` (whole numbers: digits only)."""
    return Input(
        value,
        type="integer" if spec.whole else "number",
        id=field_id,
        validators=_rule(spec),
        placeholder=placeholder,
    )
