"""Re-check a saved decision against the current catalog: what changed since it was made.

Pure functions over a journal `Decision` and a fresh `Recommendation`, so the History screen and a CLI
`recheck` command can print the same report.
"""

from __future__ import annotations

from typing import Any


def saved_candidates(decision: Any) -> tuple[str, list[dict[str, Any]]]:
    """(catalog version, candidate dicts best first) of the decision's latest saved recommendation."""
    recs = list(getattr(decision, "recommendations", []) or [])
    if not recs:
        return "", []
    rec = recs[-1]
    if isinstance(rec, dict):
        return str(rec.get("catalog_version", "")), list(rec.get("candidates", []))
    return str(getattr(rec, "catalog_version", "")), list(getattr(rec, "candidates", []))


def recheck_lines(decision: Any, fresh: Any, *, top: int = 5) -> list[str]:
    """Markdown bullet lines: version change, the chosen model's rank then/now, newcomers that outrank it,
    score moves in the top, and saved candidates that are now excluded."""
    version, before = saved_candidates(decision)
    then_rank = {str(c.get("id")): i for i, c in enumerate(before, start=1)}
    then_score = {str(c.get("id")): c.get("score") for c in before}
    now = [c.spec.id for c in fresh.candidates]
    now_rank = {ref: i for i, ref in enumerate(now, start=1)}
    lines = [f"- Catalog: {version or 'unknown'} -> {getattr(fresh, 'catalog_version', '?')}"]
    chosen = getattr(decision, "chosen_model", None)
    if chosen:
        lines.append(
            f"- Chosen {chosen}: rank {then_rank.get(chosen, '-')} then, "
            f"{now_rank.get(chosen, 'excluded or not in catalog')} now"
        )
        limit = now_rank.get(chosen, top + 1) - 1
        newcomers = [r for r in now[:limit] if r not in then_rank]
        if newcomers:
            lines.append("- Now outranking it, not in the saved shortlist: " + ", ".join(newcomers[:top]))
    for c in fresh.candidates[:top]:
        old = then_score.get(c.spec.id)
        if isinstance(old, (int, float)) and abs(old - c.score) >= 0.5:
            lines.append(f"- {c.spec.id}: score {old:.1f} -> {c.score:.1f}")
    excluded = {e.spec.id: e for e in fresh.excluded}
    gone = [r for r in then_rank if r in excluded]
    for ref in gone[:top]:
        lines.append(f"- {ref} is now excluded: " + "; ".join(str(x) for x in excluded[ref].reasons))
    if len(lines) == 1 + bool(chosen):
        lines.append("- No other change in the top of the shortlist.")
    return lines
