"""Decisions as data: a side-by-side diff and a JSON document that imports back.

Pure functions over `Decision` records (no SQL); `storage.store` wraps them as diff_decisions / export_json
/ import_json. The readable Markdown report is presentation and lives with the other views in
`tui.present.markdown` (one trial-row renderer for the CLI, the TUI and the report).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from evaluators.scale import source_label
from storage.db import StorageError
from storage.records import STATUSES, Decision, RecommendationRecord, TrialRecord, utcnow
from storage.validate import check_document

DOCUMENT_FORMAT = "embedscout-decision"
DOCUMENT_VERSION = 1
_EXPORT_HINT = "give a file written by 'embedscout export ID --format json'"
HEADLINE_METRICS = ("ndcg@10", "recall@10", "mrr@10")
"""Metrics shown in diffs and report tables (all are kept in the JSON)."""


@dataclass(frozen=True)
class DiffRow:
    label: str
    a: Any
    b: Any

    @property
    def changed(self) -> bool:
        return bool(self.a != self.b)


@dataclass
class DecisionDiff:
    """Two decisions side by side: `a` is the first id given, `b` the second."""

    a: Decision
    b: Decision
    summary: list[DiffRow] = field(default_factory=list)
    """Title, status, chosen model, rationale, tags, catalog version, trial dataset."""
    requirements: list[DiffRow] = field(default_factory=list)
    shortlist: list[DiffRow] = field(default_factory=list)
    """One row per rank (label '1', '2', ...): model id in a, model id in b."""
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)
    results: list[DiffRow] = field(default_factory=list)
    """One row per model: its latest trial metrics (dict) in a and in b, or None where it was not tried."""
    same_dataset: bool | None = None
    """Whether the latest trials ran on the same dataset fingerprint (None when either has no trial)."""


def diff(a: Decision, b: Decision) -> DecisionDiff:
    """Compare two decisions: what was asked, shortlisted and measured, and what was chosen."""
    out = DecisionDiff(a=a, b=b)
    ra, rb = a.latest_recommendation, b.latest_recommendation
    out.summary = [
        DiffRow("title", a.title, b.title),
        DiffRow("status", a.status, b.status),
        DiffRow("chosen model", a.chosen_model, b.chosen_model),
        DiffRow("rationale", a.rationale, b.rationale),
        DiffRow("tags", ", ".join(a.tags), ", ".join(b.tags)),
        DiffRow("catalog version", ra.catalog_version if ra else None, rb.catalog_version if rb else None),
        DiffRow("trial dataset", _dataset_label(a), _dataset_label(b)),
    ]
    keys = list(dict.fromkeys([*a.requirements, *b.requirements]))
    out.requirements = [DiffRow(k, a.requirements.get(k), b.requirements.get(k)) for k in keys]
    sa, sb = a.shortlist, b.shortlist
    out.shortlist = [
        DiffRow(str(i + 1), sa[i] if i < len(sa) else None, sb[i] if i < len(sb) else None)
        for i in range(max(len(sa), len(sb)))
    ]
    out.only_in_a = [m for m in sa if m not in sb]
    out.only_in_b = [m for m in sb if m not in sa]
    la, lb = _latest_results(a), _latest_results(b)
    out.results = [DiffRow(m, _metrics(la.get(m)), _metrics(lb.get(m))) for m in dict.fromkeys([*la, *lb])]
    fa, fb = _fingerprint(a), _fingerprint(b)
    out.same_dataset = None if fa is None or fb is None else fa == fb
    return out


def _latest_results(d: Decision) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for trial in d.trials:  # oldest first, so a later trial's row wins
        for result in trial.results:
            found[str(result.get("model", ""))] = result
    return found


def _metrics(result: dict[str, Any] | None) -> dict[str, Any] | None:
    if result is None:
        return None
    if result.get("status", "ok") != "ok":
        return {"status": result.get("status"), "error": result.get("error")}
    return {k: v for k, v in (result.get("metrics") or {}).items() if k in HEADLINE_METRICS}


def _fingerprint(d: Decision) -> str | None:
    return (
        str(d.trials[-1].dataset.get("fingerprint") or d.trials[-1].dataset.get("name")) if d.trials else None
    )


def trial_source(trial: TrialRecord) -> str:
    """'local', or 'mteb on <machine> (<GPU>)' for a trial imported with `import-results`."""
    env = trial.environment
    return source_label(env, gpu=True) if env.get("source") == "mteb" else "local"


def trial_provenance(trial: TrialRecord) -> list[str]:
    """For a trial that ran elsewhere: where, with what, beside which local trial, and every difference
    from it (trial-wide, then per model), one line each. Empty for a local trial."""
    env, settings = trial.environment, trial.settings
    if env.get("source") != "mteb":
        return []
    pk = env.get("packages") or {}
    out = [
        f"Source: {trial_source(trial)}; device {env.get('device')}, {settings.get('dtype')}, batch "
        f"{settings.get('batch_size')}; mteb {pk.get('mteb')}, torch {pk.get('torch')}, "
        f"sentence-transformers {pk.get('sentence-transformers')}, on {env.get('os')}."
    ]
    if settings.get("twin_trial"):
        out.append(f"Exported from, and comparable with, local trial {settings['twin_trial']}.")
    out += [f"Compared with the local trial: {note}" for note in settings.get("differences") or []]
    for result in trial.results:
        for note in (result.get("details") or {}).get("comparability") or []:
            out.append(f"{result.get('model')}: {note}")
    return out


def _dataset_label(d: Decision) -> str | None:
    if not d.trials:
        return None
    ds = d.trials[-1].dataset
    fp = str(ds.get("fingerprint") or "")
    return f"{ds.get('name', '?')}" + (f" ({fp[:12]})" if fp else "")


# --- Markdown tables -----------------------------------------------------


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A pipe table with every cell escaped (|, backslash, line breaks): the one table writer of the
    Markdown report (`tui.present.markdown`) and its storage-side sections (`storage.handover`)."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return out


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


# --- JSON document -------------------------------------------------------


def decision_fields(d: Decision) -> dict[str, Any]:
    """The decision's own fields as JSON (what `history --json` lists per decision)."""
    return {
        "id": d.id,
        "title": d.title,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "status": d.status,
        "requirements": d.requirements,
        "chosen_model": d.chosen_model,
        "rationale": d.rationale,
        "tags": list(d.tags),
        "superseded_by": d.superseded_by,
    }


def to_document(d: Decision) -> dict[str, Any]:
    """A self-describing JSON document of one decision with its recommendations and trials."""
    return {
        "format": DOCUMENT_FORMAT,
        "version": DOCUMENT_VERSION,
        "exported_at": utcnow(),
        "decision": decision_fields(d),
        "recommendations": [r.to_dict() for r in d.recommendations],
        "trials": [t.to_dict() for t in d.trials],
    }


def from_document(data: str | bytes | dict[str, Any]) -> Decision:
    """Parse and check a `to_document` document (StorageError with the reason when it is not one)."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise StorageError(f"not a JSON document ({exc}); {_EXPORT_HINT}") from None
    if not isinstance(data, dict) or data.get("format") != DOCUMENT_FORMAT:
        raise StorageError(
            f'not an embedscout decision export (expected "format": "{DOCUMENT_FORMAT}"); {_EXPORT_HINT}'
        )
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise StorageError(f"not a valid decision export: version must be a whole number, got {version!r}; "
                           f"{_EXPORT_HINT}")
    if version > DOCUMENT_VERSION:
        raise StorageError(f"export version {version} is newer than this embedscout understands; upgrade "
                           "embedscout to import it")
    check_document(data, statuses=STATUSES)  # every part, before anything is written
    raw = data["decision"]
    status = raw.get("status", "draft")
    now = utcnow()
    return Decision(
        id=None,
        title=raw["title"],
        created_at=str(raw.get("created_at") or now),
        updated_at=str(raw.get("updated_at") or now),
        requirements=dict(raw.get("requirements") or {}),
        status=status,
        chosen_model=raw.get("chosen_model"),
        rationale=str(raw.get("rationale") or ""),
        tags=tuple(str(t) for t in raw.get("tags") or ()),
        recommendations=[
            RecommendationRecord.from_recommendation(r) for r in data.get("recommendations") or []
        ],
        trials=[_trial_from_dict(t) for t in data.get("trials") or []],
    )


def _trial_from_dict(t: dict[str, Any]) -> TrialRecord:
    status = t.get("status") or ("complete" if t.get("complete", True) else "incomplete")
    return TrialRecord(
        id=None,
        decision_id=None,
        created_at=str(t.get("created_at") or utcnow()),
        status=status if status in ("complete", "incomplete") else "incomplete",
        started_at=str(t.get("started_at") or ""),
        finished_at=str(t.get("finished_at") or ""),
        dataset=dict(t.get("dataset") or {}),
        settings=dict(t.get("settings") or {}),
        environment=dict(t.get("environment") or {}),
        results=list(t.get("results") or []),
        stability=t.get("stability"),  # checked when the trial is saved
    )
