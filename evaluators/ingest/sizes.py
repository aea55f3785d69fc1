"""Parsing a chunk-size list ('256', '128,256,512'): kept apart from the chunker so a front end checks its
flags without importing the chunking code (part of a cached re-run's start-up)."""

from __future__ import annotations


def parse_chunk_sizes(text: str) -> list[int]:
    """'256' or '128,256,512' (0: whole documents) -> sizes in the order given, duplicates dropped."""
    from evaluators.types import TrialInputError

    sizes: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        if not part.isdigit():
            raise TrialInputError(
                f"sizes are whole numbers of tokens separated by commas (e.g. 128,256,512), got {text!r}"
            )
        if int(part) not in sizes:
            sizes.append(int(part))
    return sizes
