"""Ranking use cases: recommend for a profile, and re-check a saved decision on today's catalog.

Both front ends call these (the shortlist screen, Decide's save, History's re-check; `recommend` and
`recheck` on the CLI), so a recommendation is always made the same way from the same catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.workflow.errors import UserError, user_error
from tui.workflow.profile import Profile
from tui.workflow.services import Services

if TYPE_CHECKING:
    from catalog.ranking import Recommendation
    from catalog.requirements import Requirements
    from storage.recheck import RecheckReport
    from storage.records import Decision


def recommend_for(profile: Profile | Requirements, services: Services) -> Recommendation:
    """Rank the catalog (with any refresh overlay) for a profile; UserError when it cannot be done."""
    from catalog.ranking import recommend

    requirements = profile.requirements() if isinstance(profile, Profile) else profile
    try:
        snapshot = services.catalog()
        return recommend(
            requirements, snapshot.models, catalog_version=snapshot.version, evidence=snapshot.evidence
        )
    except Exception as exc:
        known = user_error(exc)
        if known is None:
            raise
        raise known from None


def recheck(decision: Decision, services: Services) -> tuple[RecheckReport, Recommendation]:
    """What changed since `decision` was made: its saved requirements ranked on today's catalog, compared
    with the recommendation saved with it (`storage.recheck.compare_recommendations`)."""
    from catalog.requirements import Requirements
    from storage.recheck import compare_recommendations

    if not decision.requirements:
        raise UserError(f"decision #{decision.id} has no saved requirements to re-check")
    try:
        requirements = Requirements.from_dict(dict(decision.requirements))
    except (TypeError, ValueError) as exc:
        raise UserError(f"the saved requirements no longer validate: {exc}") from None
    fresh = recommend_for(requirements, services)
    old = decision.latest_recommendation
    report = compare_recommendations(old.to_dict() if old else None, fresh.to_dict(), decision.chosen_model)
    return report, fresh


def save_recommendation(
    recommendation: Recommendation, document: dict[str, Any], title: str | None, services: Services
) -> int:
    """File a recommendation as a new draft decision (answers + shortlist) in one transaction.

    `document` is what to keep (`Recommendation.to_dict`, possibly cut to the top N, plus extra facts)."""
    from storage import store
    from storage.db import write_transaction

    req = recommendation.requirements
    default = f"recommend: {'+'.join(req.languages)} {req.domain}, {req.doc_tokens:,}-token docs"
    db = services.open_db()
    try:
        with write_transaction(db):
            decision_id = store.create_decision(db, title=title or default, requirements=req.to_dict())
            store.attach_recommendation(db, decision_id, document)
    finally:
        db.close()
    return decision_id
