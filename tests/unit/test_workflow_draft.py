"""DecisionDraft without a screen: revisions stamp every recommendation and trial, the default evidence is
the current profile's trials, another profile's trial needs confirmation, and decide() writes one
transaction on a real SQLite journal, idempotently."""

from __future__ import annotations

import pytest

from catalog.ranking import recommend
from evaluators.types import ModelResult, TrialResult
from storage import store
from tests.tui.fakes import CATALOG
from tui.workflow.draft import Choice, DecisionDraft
from tui.workflow.errors import UserError
from tui.workflow.plan import Source, TrialPlan
from tui.workflow.profile import Profile
from tui.workflow.services import CatalogSnapshot, Services

PLAN = TrialPlan(Source(), ("bm25", "minilm"))
SERVICES = Services(catalog=lambda: CatalogSnapshot(CATALOG, "test-catalog"))


def _result(name: str, best: float) -> TrialResult:
    rows = [
        ModelResult("bm25", metrics={"ndcg@10": 0.4}),
        ModelResult("minilm", metrics={"ndcg@10": best}, details={"best": True}),
    ]
    return TrialResult(dataset={"name": name}, results=rows)


def _with_trial(draft: DecisionDraft, name: str = "demo", best: float = 0.6) -> DecisionDraft:
    return draft.with_trial(PLAN, _result(name, best), revision=draft.revision, profile=draft.profile)


def test_revision_moves_only_when_the_profile_changes() -> None:
    draft = DecisionDraft()
    assert draft.with_profile(Profile()) is draft
    changed = draft.with_profile(Profile(languages=("zh",)))
    assert changed.revision == 1 and changed.with_profile(Profile(languages=("zh",))) is changed


def test_recommendation_is_current_only_for_its_revision() -> None:
    draft = DecisionDraft(profile=Profile(ram_gb=16.0))
    rec = recommend(draft.profile.requirements(), CATALOG)
    ranked = draft.with_recommendation(rec, draft.revision)
    assert ranked.recommendation is rec and not ranked.needs_ranking
    moved = ranked.with_profile(Profile(ram_gb=16.0, domain="legal"))
    assert moved.recommendation is None and moved.recommendation_is_stale and moved.needs_ranking
    assert not moved.with_rank_failed(moved.revision).needs_ranking  # no retry until the answers change


def test_trials_are_all_kept_and_stamped() -> None:
    draft = _with_trial(_with_trial(DecisionDraft(), "demo"), "contracts")
    assert [(t.key, t.result.dataset["name"], t.revision) for t in draft.trials] == [
        (1, "demo", 0),
        (2, "contracts", 0),
    ]
    moved = _with_trial(draft.with_profile(Profile(languages=("zh",))), "zh-docs")
    assert moved.default_backing() == (3,) and [moved.is_current(t) for t in moved.trials] == [
        False,
        False,
        True,
    ]
    assert moved.suggested_model((3,)) == "minilm" and moved.suggested_title().endswith("(zh)")


def test_ticks_and_order() -> None:
    rec = recommend(Profile(ram_gb=16.0).requirements(), CATALOG)
    draft = (
        DecisionDraft().with_recommendation(rec, 0).with_tick("x/custom").with_tick(rec.candidates[1].spec.id)
    )
    assert draft.trial_models() == ("bm25", rec.candidates[1].spec.id, "x/custom")
    assert draft.with_tick("bm25").trial_models()[0] != "bm25"


def test_an_earlier_profiles_trial_needs_confirmation() -> None:
    draft = _with_trial(DecisionDraft()).with_profile(Profile(languages=("zh",)))
    with pytest.raises(UserError, match="trial 1 ran under an earlier profile"):
        draft.check(Choice("minilm", "t", trials=(1,)))
    draft.check(Choice("minilm", "t", trials=(1,), confirm_earlier=True))
    with pytest.raises(UserError, match="pick the model"):
        draft.check(Choice(" ", "t"))


def test_decide_writes_once_and_supersedes_on_change() -> None:
    """One decision with answers, the recommendation for them, the chosen trials and the choice; the same
    choice again writes nothing; a changed one is a new decision that replaces the first."""
    draft = _with_trial(_with_trial(DecisionDraft(profile=Profile(ram_gb=16.0))), "contracts")
    first = draft.decide(Choice("minilm", "Pick", "why", trials=(1, 2)), SERVICES)
    assert first.written and first.decision_id == 1 and first.message == "Saved as decision #1."
    again = first.draft.decide(Choice("minilm", "Pick", "why", trials=(1, 2)), SERVICES)
    assert not again.written and again.message == "Already saved as decision #1."
    edited = again.draft.decide(Choice("minilm", "Pick", "why not", trials=(2,)), SERVICES)
    assert edited.decision_id == 2 and edited.message == "Saved as decision #2 (replaces #1)."
    db = store.open_db()
    one, two = store.get_decision(db, 1), store.get_decision(db, 2)
    assert [t.dataset["name"] for t in one.trials] == ["demo", "contracts"] and one.superseded_by == 2
    assert [t.dataset["name"] for t in two.trials] == ["contracts"] and two.status == "decided"
    rec = two.latest_recommendation
    assert rec is not None and rec.catalog_version == "test-catalog" and rec.requirements["ram_gb"] == 16.0
    assert two.trials[0].settings == PLAN.settings()


def test_confirmed_earlier_trial_is_saved_with_its_profile() -> None:
    draft = _with_trial(DecisionDraft()).with_profile(Profile(languages=("zh",), ram_gb=16.0))
    decided = draft.decide(Choice("minilm", "t", trials=(1,), confirm_earlier=True), SERVICES)
    (trial,) = store.get_decision(store.open_db(), decided.decision_id).trials
    assert trial.settings["earlier_profile"]["languages"] == ["en"]


def test_a_failed_write_leaves_nothing_behind() -> None:
    """One transaction: if any part fails (here, deciding on a blank model slips past check), no row stays."""
    draft = _with_trial(DecisionDraft(profile=Profile(ram_gb=16.0)))
    with pytest.raises(store.StorageError):
        draft._write(Choice("", "t", trials=(1,)), SERVICES)
    db = store.open_db()
    assert db.table("decisions").count == 0 and db.table("trials").count == 0
