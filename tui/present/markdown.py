"""One decision as a Markdown report a colleague can read months later: the answers, the shortlist with
reasons, every trial with intervals and n, the choice and its rationale; and a re-check as Markdown.

Built from the journal's `Decision` with the same trial rows and labels as the CLI and TUI tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from storage import handover
from storage.report import markdown_table, trial_provenance
from tui.present import trial_rows as rows
from tui.present.formats import num, when
from tui.present.journal import (
    dataset_facts,
    earlier_profile_note,
    environment_text,
    recheck_changes,
    recheck_lines,
    settings_text,
)
from tui.present.profile import requirements_rows

if TYPE_CHECKING:
    from storage.recheck import RecheckReport
    from storage.records import Decision, RecommendationRecord, TrialRecord


def table(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    return markdown_table(list(header), [list(row) for row in body])


def _inline(text: str) -> str:
    return " ".join(text.splitlines())


def decision_markdown(d: Decision) -> str:
    lines = [f"# {_inline(d.title)}", ""]
    lines.append(
        f"- Decision #{d.id} · status **{d.status}** · created {when(d.created_at)} · "
        f"updated {when(d.updated_at)} (UTC)"
    )
    if d.tags:
        lines.append(f"- Tags: {', '.join(_inline(t) for t in d.tags)}")
    if d.superseded_by is not None:
        lines.append(f"- Superseded by decision #{d.superseded_by}")
    lines += ["", "## Questions and answers", ""]
    if d.requirements:
        lines += table(["Question", "Answer"], requirements_rows(d.requirements))
    else:
        lines.append("_No requirements recorded._")
    lines += _recommendation(d.latest_recommendation)
    lines += ["", "## Trials"]
    if not d.trials:
        lines += ["", "_No trials recorded._"]
    for trial in d.trials:
        lines += trial_markdown(trial) + handover.tradeoffs_md(trial, d.requirements)
    lines += ["", "## Choice", ""]
    if d.chosen_model:
        lines.append(f"**Chosen model:** {_inline(d.chosen_model)}")
        lines += ["", *(f"> {line}" for line in (d.rationale or "(no rationale recorded)").splitlines())]
    else:
        lines.append("_No model chosen yet._")
    lines += handover.deployment_md(d)
    return "\n".join(lines).rstrip() + "\n"


def _recommendation(rec: RecommendationRecord | None) -> list[str]:
    lines = ["", "## Shortlist", ""]
    if rec is None:
        return [*lines, "_No recommendation recorded._"]
    lines += [
        f"Catalog version {rec.catalog_version or 'unknown'}, recommended {when(rec.created_at)} UTC.",
        "",
    ]
    # A list, not a table: eight reasons in one table cell wrap a word per line in a narrow viewer.
    for i, c in enumerate(rec.candidates, start=1):
        lines += [f"{i}. **{_inline(str(c.get('id', '')))}**, score {num(c.get('score'), 1)}", *_bullets(c)]
    lines += [] if rec.candidates else ["_No candidates._"]
    lines += handover.sizing_md(rec.extra.get("sizing") or [], rec.extra.get("sizing_assumptions"))
    if rec.excluded:
        lines += ["", "### Excluded", ""]
        for e in rec.excluded:
            lines += [f"- **{_inline(str(e.get('id', '')))}**", *_bullets(e)]
    return lines


def _bullets(model: dict[str, object]) -> list[str]:
    """A candidate's or excluded model's reasons, one nested bullet each."""
    reasons = model.get("reasons")
    return [f"    - {_inline(str(r))}" for r in reasons] if isinstance(reasons, list) else []


def trial_markdown(trial: TrialRecord) -> list[str]:
    """One trial: what it ran on and how, its rows (the shared trial columns), then its deeper checks."""
    ds = trial.dataset
    stored = [rows.stored_row(r) for r in trial.results]
    name = _inline(str(ds.get("name") or "dataset"))
    lines = ["", f"### Trial {trial.id} on {name} ({trial.status})", ""]
    lines.append(f"Dataset: {dataset_facts(ds)}. Run {when(trial.started_at or '')} UTC.")
    provenance = [f"- {_inline(line)}" for line in trial_provenance(trial)]  # a run imported from mteb
    lines += ["", *provenance, ""] if provenance else []
    lines += rows.origin_notes(ds)
    if trial.settings:
        lines.append(f"Settings: {settings_text(trial.settings)}.")
        note = earlier_profile_note(trial.settings)
        if note:
            lines.append(f"**{note}**")
    if trial.environment:
        lines.append(f"Environment: {environment_text(trial.environment)}.")
    if not stored:
        return [*lines, "", "_No results recorded._"]
    view = rows.with_answers(rows.REPORT_VIEW, stored)
    header = [rows.BY_KEY[k].label for k in view]
    body = [r.view(view) for r in rows.trial_rows(stored, short=False)]
    notes = [rows.SIGNIFICANCE_NOTE] + ([rows.ANSWER_NOTE] if "ans1" in view else [])
    return [*lines, "", *table(header, body), "", *notes, *_stability(trial), *_checks(stored)]


def _stability(trial: TrialRecord) -> list[str]:
    """How firmly the best model is best (evaluators.winner), when the trial has the figure."""
    from evaluators.winner.text import stability_text

    text = stability_text(trial.stability, detailed=True)
    if text is None:
        return []
    return ["", "#### Winner stability", "", *(f"- {_inline(line)}" for line in text.splitlines())]


def _checks(stored: Sequence[rows.StoredRow]) -> list[str]:
    body = [
        [r.model, str(kind), str(check.get("status", "?")).replace("_", " "), str(check.get("n", "-")),
         _inline(str(check.get("summary", "")))]
        for r in stored
        for kind, check in (r.details.get("checks") or {}).items()
        if isinstance(check, dict)
    ]  # fmt: skip
    if not body:
        return []
    return ["", "#### Deeper checks", "", *table(["Model", "Check", "Status", "n", "Summary"], body)]


def recheck_markdown(report: RecheckReport, decision_id: int | None) -> str:
    lines = [f"## Re-check of #{decision_id} against today's catalog", ""]
    lines += [f"- {'**' + text + '**' if style == 'warn' else text}" for style, text in recheck_lines(report)]
    changes = recheck_changes(report)
    if changes:
        lines += ["", *table(["Model", "Number", "Saved", "Now"], [list(c) for c in changes])]
    return "\n".join(lines) + "\n"
