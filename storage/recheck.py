"""What changed between a saved recommendation and a fresh one for the same requirements (`recheck`).

Pure comparison of two `Recommendation.to_dict()` documents, so it needs no catalog code and is tested alone:
new models that now outrank the chosen one, models that dropped out, changed scores, prices and ranks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

_TOLERANCE = 1e-9


@dataclass
class FieldChange:
    model: str
    field: str
    old: float | None
    new: float | None


@dataclass
class RecheckReport:
    """Differences, newest recommendation vs the saved one; `unchanged` when nothing moved."""

    old_catalog_version: str | None
    new_catalog_version: str
    chosen_model: str | None
    chosen_old_rank: int | None = None
    chosen_new_rank: int | None = None
    """1-based rank in the fresh shortlist; None when the chosen model is excluded or gone."""
    chosen_excluded_reasons: list[str] = field(default_factory=list)
    outranking_chosen: list[str] = field(default_factory=list)
    """Models ranked above the chosen one now that were not above it before (new or overtaking)."""
    new_candidates: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """Saved candidates missing from the fresh shortlist (excluded now, or removed from the catalog)."""
    rank_changes: list[tuple[str, int, int]] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    """Score, benchmark value, prices and costs that changed (saved top candidates and the chosen model)."""

    @property
    def unchanged(self) -> bool:
        return not (self.new_candidates or self.dropped or self.rank_changes or self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "unchanged": self.unchanged}


def compare_recommendations(
    old: dict[str, Any] | None, new: dict[str, Any], chosen_model: str | None = None, *, top: int = 10
) -> RecheckReport:
    """Compare a saved recommendation (None if there was none) with a fresh one.

    Shortlist changes look at the first `top` candidates of each (the rest of a 90-model ranking is noise);
    the chosen model is placed in the full lists.
    """
    old = old or {}
    old_all = [str(c.get("id")) for c in old.get("candidates") or []]
    new_all = [str(c.get("id")) for c in new.get("candidates") or []]
    old_ids, new_ids = old_all[:top], new_all[:top]
    report = RecheckReport(
        old_catalog_version=old.get("catalog_version"),
        new_catalog_version=str(new.get("catalog_version") or ""),
        chosen_model=chosen_model,
    )
    report.new_candidates = [m for m in new_ids if m not in old_ids] if old else []
    report.dropped = [m for m in old_ids if m not in new_ids]
    report.rank_changes = [
        (m, old_ids.index(m) + 1, i + 1)
        for i, m in enumerate(new_ids)
        if m in old_ids and old_ids.index(m) != i
    ]
    watched = {m.casefold() for m in old_ids} | {(chosen_model or "").casefold()}
    old_by_id = {str(c.get("id")): c for c in old.get("candidates") or []}
    for cand in new.get("candidates") or []:
        model = str(cand.get("id"))
        if model.casefold() in watched and model in old_by_id:
            report.changes += _numeric_changes(model, old_by_id[model], cand)
    if chosen_model:
        _place_chosen(report, chosen_model, old_all, new_all, new.get("excluded") or [])
    return report


def _place_chosen(
    report: RecheckReport, chosen: str, old_ids: list[str], new_ids: list[str], excluded: list[dict[str, Any]]
) -> None:
    report.chosen_old_rank = _rank(chosen, old_ids)
    report.chosen_new_rank = _rank(chosen, new_ids)
    for ex in excluded:
        if str(ex.get("id", "")).casefold() == chosen.casefold():
            report.chosen_excluded_reasons = [str(r) for r in ex.get("reasons") or []]
    above_now = new_ids[: report.chosen_new_rank - 1] if report.chosen_new_rank else new_ids
    above_before = set(old_ids[: report.chosen_old_rank - 1] if report.chosen_old_rank else old_ids)
    report.outranking_chosen = [m for m in above_now if m not in above_before]


def _rank(model: str, ids: list[str]) -> int | None:
    folded = [m.casefold() for m in ids]
    return folded.index(model.casefold()) + 1 if model.casefold() in folded else None


def _numeric_changes(
    model: str, old: dict[str, Any], new: dict[str, Any], prefix: str = ""
) -> list[FieldChange]:
    out: list[FieldChange] = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        name = f"{prefix}{key}"
        if not _watched(str(key)):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            out += _numeric_changes(model, a, b, prefix=f"{name}.")
        elif (_is_num(a) or _is_num(b)) and (a is None or _is_num(a)) and (b is None or _is_num(b)):
            if a is None or b is None or abs(float(a) - float(b)) > _TOLERANCE:
                out.append(FieldChange(model, name, _num(a), _num(b)))
    return out


def _watched(key: str) -> bool:
    """Scores and money; not the pool-relative sub-scores, which shift whenever any model is added."""
    return key in ("score", "benchmark_value") or "price" in key or key.endswith("_usd")


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _num(v: Any) -> float | None:
    return float(v) if _is_num(v) else None
