"""What one read did: files read, files and records skipped by reason, encodings seen, and notes.

Shared by every reader (plain files, BEIR, SQuAD, user queries) so the counts a trial reports come from one
place. Paths are made printable on the way in: a file name that is not UTF-8 must not break a message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from evaluators.ingest.encoding import printable

SkipFn = Callable[[str, str], None]
"""on_skip(path, reason): called once per skipped file or record."""


@dataclass
class ReadReport:
    """Honest counts from one read: what was read, and what was skipped by reason."""

    files_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[str, str]] = field(default_factory=list)
    """The first few (path, reason) pairs, for messages."""
    encodings: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    """How something was read when it could have been read another way (e.g. a CSV without a header)."""
    on_skip: SkipFn | None = None

    def skip(self, path: str, reason: str) -> None:
        path = printable(path)
        self.skipped[reason] += 1
        if len(self.examples) < 10:
            self.examples.append((path, reason))
        if self.on_skip is not None:
            self.on_skip(path, reason)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(printable(text))
