"""The user's decision in progress: profile -> recommendation -> trials -> decision, with one owner.

`DecisionDraft` is a frozen value (each change returns a new draft), so a front end can hold it in one place
and re-render whenever it is replaced. Every recommendation and trial is stamped with the profile revision
it was made under; `decide()` attaches only trials of the current profile unless the user confirms, writes
the whole decision in one transaction, and saving the same thing twice writes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.workflow.errors import UserError
from tui.workflow.plan import BASELINE, TrialPlan
from tui.workflow.profile import DOMAINS, Profile
from tui.workflow.recording import trial_record
from tui.workflow.scores import PRIMARY, PRIMARY_LABEL, best_row
from tui.workflow.services import Services

if TYPE_CHECKING:
    from catalog.ranking import Recommendation
    from evaluators.types import TrialResult
    from storage.sqlite_lib import Database


@dataclass(frozen=True)
class DraftTrial:
    """One trial of the draft, kept with the plan it ran and the profile it ran under."""

    key: int
    """1, 2, ... in the order the trials finished (the Decide screen lists them by it)."""
    plan: TrialPlan
    result: TrialResult
    revision: int
    profile: Profile


@dataclass(frozen=True)
class Ranked:
    recommendation: Recommendation
    revision: int


@dataclass(frozen=True)
class Choice:
    """What the user decided on the Decide screen (or passed on the command line)."""

    model: str
    title: str
    rationale: str = ""
    trials: tuple[int, ...] = ()
    """Keys of the trials that back the decision."""
    confirm_earlier: bool = False
    """The user confirmed attaching trials that ran under an earlier profile."""


@dataclass(frozen=True)
class Decided:
    """The outcome of `DecisionDraft.decide`: the draft after saving, and what happened."""

    draft: DecisionDraft
    decision_id: int
    message: str
    written: bool
    """False when this exact decision was already saved (nothing was written)."""


@dataclass(frozen=True)
class _Saved:
    decision_id: int
    signature: str


@dataclass(frozen=True, eq=False)
class DecisionDraft:
    """Identity equality on purpose: a replaced draft always counts as a change for whoever watches it."""

    profile: Profile = dataclasses.field(default_factory=Profile)
    revision: int = 0
    """Bumped on every change of the profile; recommendations and trials keep the one they were made at."""
    ranked: Ranked | None = None
    ticked: tuple[str, ...] = (BASELINE,)
    """Models the next trial runs (the baseline is ticked by default)."""
    trials: tuple[DraftTrial, ...] = ()
    """Every trial of this draft, oldest first: a later run never replaces an earlier one."""
    saved: _Saved | None = None
    rank_failed: int | None = None
    """The profile revision whose ranking failed (its error was shown); no retry until the profile changes."""

    # -- profile and recommendation ---------------------------------------------------------------
    def with_profile(self, profile: Profile) -> DecisionDraft:
        if profile == self.profile:
            return self
        return dataclasses.replace(self, profile=profile, revision=self.revision + 1)

    def with_recommendation(self, recommendation: Recommendation, revision: int) -> DecisionDraft:
        """Keep a recommendation made for profile `revision` (a late one for an old profile is kept as
        stale, never shown as current)."""
        return dataclasses.replace(self, ranked=Ranked(recommendation, revision))

    def with_rank_failed(self, revision: int) -> DecisionDraft:
        return dataclasses.replace(self, rank_failed=revision)

    @property
    def needs_ranking(self) -> bool:
        """No recommendation for the profile as it is now, and no failed attempt for it either."""
        return self.recommendation is None and self.rank_failed != self.revision

    @property
    def recommendation(self) -> Recommendation | None:
        """The recommendation for the profile as it is now (None when there is none or it is stale)."""
        return self.ranked.recommendation if self.ranked and self.ranked.revision == self.revision else None

    @property
    def recommendation_is_stale(self) -> bool:
        return self.ranked is not None and self.ranked.revision != self.revision

    # -- models to try ----------------------------------------------------------------------------
    def with_tick(self, ref: str, on: bool | None = None) -> DecisionDraft:
        now = (ref not in self.ticked) if on is None else on
        kept = tuple(r for r in self.ticked if r != ref)
        return dataclasses.replace(self, ticked=kept + ((ref,) if now else ()))

    def trial_models(self) -> tuple[str, ...]:
        """Ticked models: the baseline first, then in shortlist order, then the rest as ticked."""
        ranked = self.ranked.recommendation.candidates if self.ranked else []
        order = [BASELINE, *(c.spec.id for c in ranked)]
        first = [r for r in order if r in self.ticked]
        return tuple(first + [r for r in self.ticked if r not in first])

    # -- trials -----------------------------------------------------------------------------------
    def with_trial(
        self, plan: TrialPlan, result: TrialResult, *, revision: int, profile: Profile
    ) -> DecisionDraft:
        """Add a finished trial, stamped with the profile it started under (not the one now)."""
        trial = DraftTrial(len(self.trials) + 1, plan, result, revision, profile)
        return dataclasses.replace(self, trials=(*self.trials, trial))

    def is_current(self, trial: DraftTrial) -> bool:
        return trial.revision == self.revision

    def trial(self, key: int) -> DraftTrial:
        for t in self.trials:
            if t.key == key:
                return t
        raise UserError(f"no trial {key} in this session", usage=True)

    @property
    def latest_trial(self) -> DraftTrial | None:
        return self.trials[-1] if self.trials else None

    def default_backing(self) -> tuple[int, ...]:
        """Trials that back a decision unless the user says otherwise: every one of the current profile
        with at least one model that ran."""
        return tuple(
            t.key
            for t in self.trials
            if self.is_current(t) and any(r.status == "ok" for r in t.result.results)
        )

    # -- choosing ---------------------------------------------------------------------------------
    def model_options(self, backing: tuple[int, ...]) -> list[tuple[str, str]]:
        """(ref, where it comes from) for the Decide choice, each once: rows of the backing trials (best
        first), then ticked models, then the top of the current shortlist."""
        seen: dict[str, str] = {}
        for key in backing:
            t = self.trial(key)
            rows = [r for r in t.result.results if r.status == "ok" and PRIMARY in r.metrics]
            for r in sorted(rows, key=lambda r: -r.metrics[PRIMARY]):
                seen.setdefault(r.model, f"trial {t.key}: {PRIMARY_LABEL} {r.metrics[PRIMARY]:.3f}")
        for ref in self.trial_models():
            seen.setdefault(ref, "ticked")
        rec = self.recommendation
        for i, c in enumerate(rec.candidates[:10] if rec else [], start=1):
            seen.setdefault(c.spec.id, f"shortlist #{i}, score {c.score:.1f}")
        return list(seen.items())

    def suggested_model(self, backing: tuple[int, ...]) -> str | None:
        """The best model of the backing trials, else the top of the shortlist, else the first option."""
        rows = [r for k in backing for r in self.trial(k).result.results]
        best = best_row(rows)
        if best is not None:
            return best.model
        options = self.model_options(backing)
        rec = self.recommendation
        if rec and rec.candidates:
            return rec.candidates[0].spec.id
        return options[0][0] if options else None

    def suggested_title(self) -> str:
        domain = dict(DOMAINS).get(self.profile.domain, self.profile.domain).lower()
        return f"Embedding model for {domain} RAG ({', '.join(self.profile.languages)})"

    def check(self, choice: Choice) -> None:
        """UserError when the choice cannot be saved as it is (nothing chosen, an earlier profile's trial
        without the user's confirmation)."""
        if not choice.model.strip():
            raise UserError("pick the model you chose", usage=True)
        earlier = [self.trial(k) for k in choice.trials if not self.is_current(self.trial(k))]
        if earlier and not choice.confirm_earlier:
            keys = ", ".join(str(t.key) for t in earlier)
            raise UserError(
                f"trial {keys} ran under an earlier profile, not the answers saved with this decision",
                "confirm to attach it anyway, or run it again",
            )

    # -- saving -----------------------------------------------------------------------------------
    def decide(self, choice: Choice, services: Services) -> Decided:
        """Save the decision (answers, recommendation, backing trials, choice) in one transaction.

        The same choice saved twice writes nothing ("already saved"); a changed one is saved as a new
        decision that supersedes the previous save, so nothing stored is lost or silently rewritten.
        """
        self.check(choice)
        signature = self._signature(choice)
        if self.saved is not None and self.saved.signature == signature:
            n = self.saved.decision_id
            return Decided(self, n, f"Already saved as decision #{n}.", written=False)
        decision_id = self._write(choice, services)
        previous = self.saved.decision_id if self.saved else None
        message = f"Saved as decision #{decision_id}" + (f" (replaces #{previous})." if previous else ".")
        draft = dataclasses.replace(self, saved=_Saved(decision_id, signature))
        return Decided(draft, decision_id, message, written=True)

    def with_saved(self, decided: Decided) -> DecisionDraft:
        """This draft with what `decided` saved marked as saved (changes made meanwhile are kept)."""
        return dataclasses.replace(self, saved=decided.draft.saved)

    def _signature(self, choice: Choice) -> str:
        """What a save would write, as a digest: equal digests mean the journal already has it."""
        trials = [(k, id(self.trial(k).result)) for k in sorted(choice.trials)]
        payload = [dataclasses.asdict(self.profile), choice.model, choice.title, choice.rationale, trials]
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()

    def _write(self, choice: Choice, services: Services) -> int:
        from storage import store
        from storage.db import write_transaction
        from tui.workflow.advice import recommend_for

        requirements = self.profile.requirements()
        recommendation = self.recommendation or recommend_for(requirements, services)
        records = [self._record(self.trial(k)) for k in choice.trials]
        db = services.open_db()
        try:
            previous = self._previous(db)
            with write_transaction(db):
                decision_id = store.create_decision(
                    db, title=choice.title, requirements=requirements.to_dict()
                )
                store.attach_recommendation(db, decision_id, recommendation.to_dict())
                for record in records:
                    store.save_trial(db, decision_id, record)
                store.decide(db, decision_id, model=choice.model, note=choice.rationale)
                if previous is not None:
                    store.supersede(db, previous, decision_id)
        finally:
            db.close()
        return decision_id

    def _previous(self, db: Database) -> int | None:
        """The decision this save replaces, if it is still in the journal (the user may have deleted it)."""
        from storage.db import DecisionNotFound
        from storage.store import get_decision

        if self.saved is None:
            return None
        try:
            return get_decision(db, self.saved.decision_id, with_children=False).id
        except DecisionNotFound:
            return None

    def _record(self, trial: DraftTrial) -> dict[str, Any]:
        record = trial_record(trial.plan, trial.result)
        if not self.is_current(trial):  # attached on the user's confirmation: say so in the journal
            record["settings"]["earlier_profile"] = trial.profile.requirements().to_dict()
        return record
