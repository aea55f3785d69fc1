"""Small formatters every view shares: numbers, money, timestamps, lists, and short model names."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

MISSING = "-"


def num(value: Any, digits: int = 3) -> str:
    """A number for a table cell: floats to `digits` places, ints with separators, None as '-'."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def usd(value: float) -> str:
    """Dollars readable at trial sizes: cents for real money, six decimals for a sample's fractions."""
    return f"${value:,.2f}" if value >= 1 else f"${value:.4f}" if value >= 0.01 else f"${value:.6f}"


def gb(value: float | None) -> str:
    """'8', '15.6', '?' for a size in GB."""
    return "?" if value is None else f"{round(value, 1):g}"


def when(stamp: str) -> str:
    """'2026-11-22T04:05:06Z' -> '2026-11-22 04:05' (UTC); '' -> '-'."""
    return stamp.replace("T", " ")[:16] if stamp else MISSING


def plain(value: Any) -> str:
    """A stored value as one line of words: yes/no, '-', 'a, b', 'k: v; k: v'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return MISSING
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value) or MISSING
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items()) or MISSING
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def counts(parts: Mapping[str, int]) -> str:
    """{'binary': 2, 'empty': 0} -> '2 binary' (zero counts left out)."""
    return ", ".join(f"{n} {what}" for what, n in parts.items() if n)


def short_names(models: Iterable[str]) -> dict[str, str]:
    """Table labels: hub ids without their organisation ('sentence-transformers/all-MiniLM-L6-v2' ->
    'all-MiniLM-L6-v2'), unless two models would then share a label; local paths stay whole."""
    models = list(dict.fromkeys(models))
    short = {
        m: m if m.startswith(("/", ".", "~")) else re.sub(r"(?<![\w./~-])[\w.-]+/(?=[\w.-])", "", m)
        for m in models
    }
    taken = Counter(short.values())
    return {m: s if taken[s] == 1 else m for m, s in short.items()}


def cut(text: str, width: int) -> str:
    """`text` on at most `width` characters (an ellipsis marks the cut)."""
    return text if len(text) <= width else text[: width - 1] + "…"
