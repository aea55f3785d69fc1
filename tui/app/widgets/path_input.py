"""A path `Input` that completes file and folder names as you type (accept with → or tab-less right arrow).

Completion lists one directory per keystroke inside Textual's suggester worker, so typing never blocks.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """Suggests the first entry of the typed folder whose name starts with the typed tail."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, _, tail = expanded.rpartition(os.sep)
        base = Path(folder or ("/" if expanded.startswith(os.sep) else "."))
        try:
            names = sorted(
                e.name for e in os.scandir(base) if not e.name.startswith(".") or tail.startswith(".")
            )
        except OSError:
            return None
        for name in names:
            if name.startswith(tail) and name != tail:
                completed = value[: len(value) - len(tail)] + name
                return completed + (os.sep if (base / name).is_dir() else "")
        return None
