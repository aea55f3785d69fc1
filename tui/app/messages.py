"""Messages that cross from a trial's worker thread to the screen: progress, log lines, finished rows.

Kept in one module so the trial worker, the progress widget and the screen agree on one set of types.
Posting a message is thread-safe (rule 8); progress coalesces per model so bursts never flood the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from evaluators.types import ModelResult


class TrialProgressed(Message):
    """A batch finished for `model` (done of total)."""

    def __init__(self, model: str, done: int, total: int) -> None:
        super().__init__()
        self.model = model
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrialProgressed) and message.model == self.model


class TrialLogged(Message):
    """One human-readable line for the trial's live log (`status`: also for the progress status line)."""

    def __init__(self, line: str, *, status: bool = False) -> None:
        super().__init__()
        self.line = line
        self.status = status


class TrialPhased(Message):
    """A model's estimate (before anything runs) or a stage starting (evaluators.types.PhaseEvent)."""

    def __init__(self, model: str, phase: str, text: str, estimate_s: float | None) -> None:
        super().__init__()
        self.model = model
        self.phase = phase
        self.text = text
        self.estimate_s = estimate_s


class ModelFinished(Message):
    """One model's row is complete (ok or failed)."""

    def __init__(self, result: ModelResult) -> None:
        super().__init__()
        self.result = result
