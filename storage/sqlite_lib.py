"""sqlite-utils, imported without its optional pandas/numpy type hooks (what every storage module uses).

sqlite-utils imports pandas and numpy at import time when they are installed, only to map their scalar types
to column types; that costs ~0.5-1 s on every `embedscout history`. Storage never hands it such values
(`storage.redact.clean` turns them into plain Python first), so the first import hides both packages.
"""

from __future__ import annotations

import sys

_HIDDEN = ("pandas", "numpy")


def _import_quietly() -> None:
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in _HIDDEN if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import pandas` raise ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


_import_quietly()

from sqlite_utils import Database, Migrations  # noqa: E402
from sqlite_utils.db import Table  # noqa: E402

__all__ = ["Database", "Migrations", "Table"]
