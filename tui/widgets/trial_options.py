"""The trial's opt-ins on one row: inference backend, deeper checks, the int8 variant and an API spend cap.

A widget of its own so the screen only asks it for `options()`: the int8 rule (ONNX only) and the spend-cap
parsing live next to the controls they govern. Nothing here is on unless the user turns it on.
"""

from __future__ import annotations

import math
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.validation import Function
from textual.widgets import Checkbox, Input, Label, Select

from tui.commands.check import KINDS  # the check command's names (+ 'all'): one list for CLI and TUI
from tui.trial_text import usd

BACKENDS = ("auto", "onnx", "torch", "openvino")
"""The trial's --backend choices, default first."""
INT8_BACKENDS = ("auto", "onnx")
"""int8 is a dynamically quantised ONNX export: it runs on these backends only."""
NO_CHECKS = "none"
ALL_KINDS = [k for k in KINDS if k != "all"]


class TrialOptions(Horizontal):
    """Backend select, deeper-checks select, int8 checkbox and a max-USD input, read with `options()`."""

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
            [("none", NO_CHECKS), ("all", "all")] + [(k, k) for k in ALL_KINDS],
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
            validators=[Function(_is_usd, "not a number of US dollars >= 0")],
            valid_empty=True,
            tooltip="Refuse to start when the API models' estimated cost exceeds this many US dollars",
        )

    @on(Select.Changed, "#backend")
    def _on_backend_changed(self, event: Select.Changed) -> None:
        allowed = event.value in INT8_BACKENDS
        box = self.query_one("#int8", Checkbox)
        if not allowed:
            box.value = False
        box.disabled = not allowed

    def options(self) -> dict[str, Any]:
        """{'backend', 'checks' (list of kinds), 'int8', 'max_usd'}; ValueError (one line) when invalid."""
        backend = str(self.query_one("#backend", Select).value)
        checks = str(self.query_one("#checks", Select).value)
        int8 = self.query_one("#int8", Checkbox).value
        if int8 and backend not in INT8_BACKENDS:
            raise ValueError(f"int8 runs on the onnx backend, not {backend}")
        return {
            "backend": backend,
            "checks": [] if checks == NO_CHECKS else ALL_KINDS if checks == "all" else [checks],
            "int8": int8,
            "max_usd": parse_usd(self.query_one("#max-usd", Input).value),
        }


def _is_usd(text: str) -> bool:
    try:
        parse_usd(text)
    except ValueError:
        return False
    return True


def parse_usd(text: str) -> float | None:
    """'' -> None (no cap); '0.50' / '$0.5' / '1e-7' -> float; anything else (or < 0) -> ValueError."""
    text = text.strip().removeprefix("$").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Max $ must be a number of US dollars >= 0 (e.g. 0.50), not {text!r}")
    return value


def describe(options: dict[str, Any]) -> str:
    """The opt-ins for the log's first line ('' when all are at their defaults)."""
    parts = [f"backend {options['backend']}"] if options.get("backend", "auto") != "auto" else []
    if options.get("checks"):
        parts.append("checks: " + ", ".join(options["checks"]))
    if options.get("int8"):
        parts.append("+ int8 variants")
    if options.get("max_usd") is not None:
        parts.append(f"API cap {usd(options['max_usd'])}")
    return f" ({'; '.join(parts)})" if parts else ""
