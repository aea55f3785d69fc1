"""Which row of a trial won: one rule for the draft's suggestions and every view of a trial.

The runner's `compare_to_best` marks the best ok row by nDCG@10 (first wins ties) once a trial ends; rows
still arriving (or journal rows from before the mark existed) get the same rule computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

PRIMARY = "ndcg@10"
"""The metric that ranks a trial's models."""
PRIMARY_LABEL = "nDCG@10"


class Scored(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def metrics(self) -> Mapping[str, float]: ...
    @property
    def details(self) -> Mapping[str, Any]: ...


R = TypeVar("R", bound=Scored)


def best_row(rows: Sequence[R]) -> R | None:
    """The row the runner marked best, else the ok row with the highest nDCG@10 (first wins ties)."""
    ok = [r for r in rows if r.status == "ok" and PRIMARY in r.metrics]
    marked = [r for r in ok if r.details.get("best")]
    if marked:
        return marked[0]
    return max(ok, key=lambda r: r.metrics[PRIMARY]) if ok else None
