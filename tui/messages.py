"""Messages that cross a thread or a screen boundary: trial progress from the worker, and saved decisions.

Kept in one module so the trial worker, the progress widget and the App agree on one set of types.
Posting a message is thread-safe (rule 8); progress coalesces per model so bursts never flood the queue.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


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
    """One human-readable line for the trial's live log."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class ModelFinished(Message):
    """One model's row is complete (ok, failed or cancelled)."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class DecisionSaved(Message):
    """A decision landed in the journal (posted to the App so History can refresh)."""

    def __init__(self, decision_id: int) -> None:
        super().__init__()
        self.decision_id = decision_id
