"""Decisions as reports: a side-by-side diff, a readable Markdown export, a JSON document that imports back.

Pure functions over `Decision` records (no SQL), so the CLI, the TUI and tests share one rendering.
`storage.store` wraps them as diff_decisions / export_markdown / export_json / import_json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from evaluators.scale import source_label
from evaluators.winner.model import WinnerStability
from evaluators.winner.text import detail_lines
from storage import handover
from storage.db import StorageError
from storage.records import STATUSES, Decision, RecommendationRecord, TrialRecord, utcnow
from storage.validate import check_document

DOCUMENT_FORMAT = "embedscout-decision"
DOCUMENT_VERSION = 1
_EXPORT_HINT = "give a file written by 'embedscout export ID --format json'"
HEADLINE_METRICS = ("ndcg@10", "recall@10", "mrr@10")
ANSWER_HIT = "answer_hit@1"
"""evaluators.answers.ANSWER_HIT (storage reads results as plain dicts and imports no evaluator code)."""
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


# --- Markdown ------------------------------------------------------------


def render_markdown(d: Decision) -> str:
    """A report a colleague can read months later: answers, shortlist, trials with CIs and n, choice."""
    lines = [f"# {_inline(d.title)}", ""]
    lines.append(
        f"- Decision #{d.id} · status **{d.status}** · created {d.created_at} · updated {d.updated_at}"
    )
    if d.tags:
        lines.append(f"- Tags: {', '.join(_inline(t) for t in d.tags)}")
    if d.superseded_by is not None:
        lines.append(f"- Superseded by decision #{d.superseded_by}")
    lines += ["", "## Questions and answers", ""]
    if d.requirements:
        lines += _table(["Question", "Answer"], [[k, plain(v)] for k, v in d.requirements.items()])
    else:
        lines.append("_No requirements recorded._")
    lines += _recommendation_md(d.latest_recommendation)
    lines += ["", "## Trials"]
    if not d.trials:
        lines += ["", "_No trials recorded._"]
    for trial in d.trials:
        lines += _trial_md(trial) + handover.tradeoffs_md(trial, d.requirements)
    lines += ["", "## Choice", ""]
    if d.chosen_model:
        lines.append(f"**Chosen model:** {_inline(d.chosen_model)}")
        lines += ["", *(f"> {line}" for line in (d.rationale or "(no rationale recorded)").splitlines())]
    else:
        lines.append("_No model chosen yet._")
    lines += handover.deployment_md(d)
    return "\n".join(lines).rstrip() + "\n"


def _recommendation_md(rec: RecommendationRecord | None) -> list[str]:
    lines = ["", "## Shortlist", ""]
    if rec is None:
        return [*lines, "_No recommendation recorded._"]
    lines += [f"Catalog version {rec.catalog_version or 'unknown'}, recommended {rec.created_at}.", ""]
    rows = [
        [str(i), str(c.get("id", "")), num(c.get("score")), "; ".join(map(str, c.get("reasons") or []))]
        for i, c in enumerate(rec.candidates, start=1)
    ]
    lines += _table(["#", "Model", "Score", "Why"], rows) if rows else ["_No candidates._"]
    lines += handover.sizing_md(rec.extra.get("sizing") or [], rec.extra.get("sizing_assumptions"))
    if rec.excluded:
        lines += ["", "### Excluded", ""]
        lines += _table(
            ["Model", "Why not"],
            [[str(e.get("id", "")), "; ".join(map(str, e.get("reasons") or []))] for e in rec.excluded],
        )
    return lines


def _trial_md(trial: TrialRecord) -> list[str]:
    ds = trial.dataset
    title = f"### Trial {trial.id}: {_inline(str(ds.get('name', 'dataset')))} ({trial.status})"
    facts = [f"{k}: {plain(ds[k])}" for k in ("n_docs", "n_chunks", "n_queries", "query_origin") if k in ds]
    if ds.get("fingerprint"):
        facts.append(f"fingerprint `{ds['fingerprint']}`")
    lines = ["", title, "", f"Dataset: {'; '.join(facts) or 'not described'}. Run {trial.started_at}."]
    provenance = [f"- {_inline(line)}" for line in trial_provenance(trial)]
    lines += ["", *provenance] if provenance else []
    if str(ds.get("query_origin", "user")) not in ("user", "dataset"):
        lines.append(
            f"Queries are {ds.get('query_origin')}, not written by people: treat the numbers as indicative."
        )
    if trial.settings:
        lines.append(f"Settings: {_flat(trial.settings)}.")
    if trial.environment:
        lines.append(f"Environment: {_flat(trial.environment)}.")
    extra = _extra_metrics(trial)
    header = ["Model", "Status", *(f"{m} (95% CI)" for m in (*HEADLINE_METRICS, *extra)), "n", "p50 ms"]
    rows = [_result_row(r, ds, extra) for r in trial.results]
    if ANSWER_HIT in extra:
        lines.append(f"{ANSWER_HIT}: the share of queries whose top-1 chunk contains an answer text.")
    table = _table(header, rows) if rows else ["_No results recorded._"]
    return [*lines, "", *table, *_stability_md(trial), *_checks_md(trial)]


def _stability_md(trial: TrialRecord) -> list[str]:
    """How firmly the best model is best (evaluators.winner), when the trial has the figure."""
    figure = WinnerStability.load(trial.stability)
    if figure is None:
        return []
    return ["", "#### Winner stability", "", *(f"- {_inline(line)}" for line in detail_lines(figure))]


def _extra_metrics(trial: TrialRecord) -> tuple[str, ...]:
    """Metrics shown only when a row has them (answer-hit@1: when the queries carried answer texts)."""
    return (ANSWER_HIT,) if any(ANSWER_HIT in (r.get("metrics") or {}) for r in trial.results) else ()


def _checks_md(trial: TrialRecord) -> list[str]:
    """The deeper checks stored with the trial: one row per model and check, with its one-line summary."""
    rows = [
        [
            str(result.get("model", "")),
            str(kind),
            str(check.get("status", "?")).replace("_", " "),
            str(check.get("n", "-")),
            _inline(str(check.get("summary", ""))),
        ]
        for result in trial.results
        for kind, check in ((result.get("details") or {}).get("checks") or {}).items()
        if isinstance(check, dict)
    ]
    if not rows:
        return []
    return ["", "#### Deeper checks", "", *_table(["Model", "Check", "Status", "n", "Summary"], rows)]


def _result_row(result: dict[str, Any], ds: dict[str, Any], extra: tuple[str, ...] = ()) -> list[str]:
    metrics, ci = result.get("metrics") or {}, result.get("ci95") or {}
    cells = []
    for m in (*HEADLINE_METRICS, *extra):
        bounds = ci.get(m)
        interval = f" [{num(bounds[0])}, {num(bounds[1])}]" if bounds and len(bounds) == 2 else ""
        cells.append(num(metrics.get(m)) + interval if m in metrics else "-")
    per_query = (result.get("per_query") or {}).get("ndcg@10")
    n = len(per_query) if per_query else ds.get("n_queries", "-")
    status = str(result.get("status", "ok"))
    if result.get("error"):
        status += f": {result['error']}"
    p50 = (result.get("perf") or {}).get("query_p50_ms")
    return [str(result.get("model", "")), status, *cells, str(n), num(p50)]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _inline(text: str) -> str:
    return " ".join(text.splitlines())


def num(value: Any, digits: int = 3) -> str:
    """A number for a table cell: floats to `digits` places, None as '-'."""
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value)
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def plain(value: Any) -> str:
    """Any stored value as one line of text: yes/no, '-', 'a, b', 'k=v, k=v'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value) or "-"
    if isinstance(value, dict):
        return _flat(value) or "-"
    return str(value)


def _flat(d: dict[str, Any]) -> str:
    return ", ".join(f"{k}={plain(v)}" for k, v in d.items())


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
