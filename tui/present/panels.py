"""A journal decision as readable panels for a narrow pane (History's right side, Compare's two halves):
label/value lists instead of tables, each shortlist reason and each trial number on its own line.

Pure formatting over the journal's records, with the same words as the Markdown report and the CLI
(`requirements_rows`, `trial_rows`, `settings_text`): the TUI lays the `Section`s out, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.present import trial_rows as rows
from tui.present.formats import num, plain, when
from tui.present.journal import dataset_facts, earlier_profile_note, metric_cell, settings_text
from tui.present.profile import requirement_label, requirement_value, requirements_rows

if TYPE_CHECKING:
    from storage.records import Decision, RecommendationRecord, TrialRecord
    from storage.report import DecisionDiff


@dataclass(frozen=True)
class Entry:
    """One item of a section: a heading line (`bullets` under it) or a label with its value."""

    label: str
    value: str = ""
    bullets: tuple[str, ...] = ()
    """Lines shown under the entry, each as a bullet (a candidate's or an excluded model's reasons)."""
    heading: bool = False
    """A model: its name on a line of its own (names are long), the value and bullets under it."""


@dataclass(frozen=True)
class Section:
    title: str
    entries: tuple[Entry, ...] = ()
    note: str = ""
    """A sentence under the title ('No trials recorded.', which catalog ranked it)."""
    footnote: str = ""
    """A sentence under the entries (what a significance mark means)."""


@dataclass(frozen=True)
class Panel:
    title: str
    subtitle: str
    sections: tuple[Section, ...] = field(default_factory=tuple)


def decision_panel(d: Decision) -> Panel:
    """The decision as sections: choice, answers, shortlist, excluded, trials (the full report has more)."""
    status = d.status + (f" (superseded by #{d.superseded_by})" if d.superseded_by is not None else "")
    subtitle = f"Decision #{d.id} · {status} · created {when(d.created_at)} UTC"
    choice = [Entry("Chosen model", d.chosen_model or "not chosen yet")]
    if d.chosen_model:
        choice.append(Entry("Why", d.rationale or "no rationale recorded"))
    if d.tags:
        choice.append(Entry("Tags", ", ".join(d.tags)))
    choice.append(Entry("Updated", f"{when(d.updated_at)} UTC"))
    # The choice and the evidence behind it first; the answers (22 of them) last.
    sections = [Section("Choice", tuple(choice))]
    sections += [_trial(t) for t in d.trials] or [Section("Trials", note="No trials recorded.")]
    sections += _shortlist(d.latest_recommendation)
    answers = tuple(Entry(q, a) for q, a in requirements_rows(d.requirements))
    sections.append(Section("Questions and answers", answers, "" if answers else "No answers recorded."))
    return Panel(d.title, subtitle, tuple(sections))


def _shortlist(rec: RecommendationRecord | None) -> list[Section]:
    if rec is None:
        return [Section("Shortlist", note="No recommendation recorded.")]
    note = f"Catalog {rec.catalog_version or 'unknown'}, ranked {when(rec.created_at)} UTC."
    candidates = tuple(
        Entry(f"{i}. {c.get('id', '?')}", f"score {num(c.get('score'), 1)}", _reasons(c), heading=True)
        for i, c in enumerate(rec.candidates, start=1)
    )
    out = [Section("Shortlist", candidates, note if candidates else note + " No candidates.")]
    if rec.excluded:
        excluded = tuple(Entry(str(e.get("id", "?")), "", _reasons(e), heading=True) for e in rec.excluded)
        out.append(Section("Excluded", excluded))
    return out


def _reasons(model: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(r) for r in model.get("reasons") or ())


def _trial(trial: TrialRecord) -> Section:
    """One trial: what it ran on, then each model's numbers as label/value lines (the report's columns)."""
    ds = trial.dataset
    facts = [Entry("Dataset", dataset_facts(ds)), Entry("Run", f"{when(trial.started_at or '')} UTC")]
    if trial.settings:
        facts.append(Entry("Settings", settings_text(trial.settings)))
        if note := earlier_profile_note(trial.settings):
            facts.append(Entry("Note", note))
    stored = [rows.stored_row(r) for r in trial.results]
    view = [k for k in rows.with_answers(rows.REPORT_VIEW, stored) if k != "model"]
    models = tuple(
        Entry(row.cells.get("model", "?"), _numbers(view, row.view(view)), heading=True)
        for row in rows.trial_rows(stored, short=False)
    )
    from evaluators.winner.text import stability_text

    if stability := stability_text(trial.stability):
        models += (Entry("Winner stability", stability),)
    name = str(ds.get("name") or "dataset")
    title = f"Trial {trial.id} on {name} ({trial.status})"
    if not models:
        return Section(title, tuple(facts), note="No results recorded.")
    return Section(title, (*facts, *models), footnote=rows.SIGNIFICANCE_NOTE)


def _numbers(view: Sequence[str], cells: Sequence[str]) -> str:
    """'nDCG@10 [95% CI] 0.600 [0.550, 0.650] · vs best * · R@10 0.700 · …' (an 'ok' status left out)."""
    shown = [
        "best of the trial" if k == "vs_best" and v == "best" else f"{rows.BY_KEY[k].label} {v}"
        for k, v in zip(view, cells, strict=True)
        if v not in ("", "-") and not (k == "status" and v == "ok")
    ]
    return " · ".join(shown)


DIFF_METRIC = "ndcg@10"


def diff_sections(diff: DecisionDiff) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(section, [(label, value in a, value in b)]) for two decisions, every value in words."""
    return [
        ("Decision", [(r.label.capitalize(), plain(r.a or None), plain(r.b or None)) for r in diff.summary]),
        (
            "Questions and answers",
            [
                (requirement_label(r.label), requirement_value(r.label, r.a), requirement_value(r.label, r.b))
                for r in diff.requirements
            ],
        ),
        ("Shortlist", [(f"#{r.label}", plain(r.a), plain(r.b)) for r in diff.shortlist]),
        (
            "Latest trial result (nDCG@10)",
            [(r.label, metric_cell(r.a, DIFF_METRIC), metric_cell(r.b, DIFF_METRIC)) for r in diff.results],
        ),
    ]
