"""Journal records in words: a history row, a trial's dataset, settings and environment, a re-check report.

Shared by the CLI (`history`, `show`, `recheck`), the TUI's History screen and the Markdown report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tui.present.formats import gb, num, usd, when
from tui.present.profile import requirements_line

if TYPE_CHECKING:
    from storage.recheck import RecheckReport
    from storage.records import Decision

STATUS_WORDS = {"draft": "draft", "decided": "decided", "superseded": "superseded"}
HISTORY_COLUMNS = ("ID", "Created (UTC)", "Title", "Status", "Chosen model", "Tags")
FIELD_WORDS = {"score": "score", "benchmark_value": "benchmark value", "monthly_cost_usd": "monthly cost"}


def history_row(d: Decision) -> tuple[str, ...]:
    """ID, creation time, title, status (with what superseded it), chosen model, tags."""
    status = STATUS_WORDS.get(d.status, d.status) + (f" -> #{d.superseded_by}" if d.superseded_by else "")
    return (str(d.id), when(d.created_at), d.title, status, d.chosen_model or "-", ", ".join(d.tags))


def dataset_facts(dataset: Mapping[str, Any]) -> str:
    """'40 documents, 120 chunks, 40 queries (dataset), fingerprint 1a2b3c4d5e6f'."""
    parts = []
    for key, word in (("n_docs", "documents"), ("n_chunks", "chunks"), ("n_queries", "queries")):
        if key in dataset:
            parts.append(f"{num(dataset[key])} {word}")
    if dataset.get("query_origin") and parts and parts[-1].endswith("queries"):
        parts[-1] += f" ({dataset['query_origin']})"
    if dataset.get("fingerprint"):
        parts.append(f"fingerprint {str(dataset['fingerprint'])[:12]}")
    return ", ".join(parts) or "not described"


def settings_text(settings: Mapping[str, Any]) -> str:
    """How a trial ran, in words (the journal's `TrialPlan.settings()`, old CLI records included)."""
    s = settings
    parts = []
    if s.get("models"):
        parts.append("models " + ", ".join(map(str, s["models"])))
    if s.get("demo"):
        parts.append("the built-in demo")
    elif s.get("corpus"):
        parts.append(f"documents {s['corpus']}" + (f", questions {s['queries']}" if s.get("queries") else ""))
    if s.get("sample"):
        parts.append(f"sample of {num(s['sample'])} documents (seed {s.get('seed', 0)})")
    if "chunk_tokens" in s:
        tokens = s.get("chunk_tokens")
        if isinstance(tokens, list):  # a chunk-size sweep
            sizes = ", ".join(str(t) if t else "whole" for t in tokens)
            parts.append(f"chunk sizes {sizes} (a sweep), {s.get('chunk_overlap', 0)} overlap")
        else:
            parts.append(
                f"chunks of {tokens} tokens, {s.get('chunk_overlap', 0)} overlap" if tokens else "no chunking"
            )
    rerank = s.get("rerank")
    if isinstance(rerank, Mapping) and rerank.get("ref"):
        parts.append(f"reranked by {rerank['ref']} (top {rerank.get('depth')})")
    llm = s.get("generate_queries")
    if isinstance(llm, Mapping) and llm.get("n"):
        parts.append(f"{llm['n']} questions written by {llm.get('llm')}")
    elif s.get("synthetic") not in (None, "auto"):
        parts.append(f"synthetic questions: {s['synthetic']}")
    if s.get("backend") not in (None, "auto"):
        parts.append(f"backend {s['backend']}")
    if s.get("checks"):
        parts.append("checks: " + ", ".join(map(str, s["checks"])))
    if s.get("int8"):
        parts.append("with int8 variants")
    if s.get("max_usd") is not None:
        parts.append(f"API spend cap {usd(float(s['max_usd']))}")
    if s.get("cache") is False:
        parts.append("embeddings cache off")
    return "; ".join(parts) or "defaults"


def earlier_profile_note(settings: Mapping[str, Any]) -> str | None:
    """The warning for a trial attached although it ran under another profile (the user confirmed)."""
    earlier = settings.get("earlier_profile")
    if not isinstance(earlier, Mapping):
        return None
    return (
        f"Ran under an earlier profile ({requirements_line(earlier)}); attached on the user's confirmation."
    )


def environment_text(env: Mapping[str, Any]) -> str:
    """'Linux-6.1-x86_64, Python 3.11.9, 2 cores, 15.6 GB RAM; numpy 2.1.0, torch 2.13.0'."""
    parts = [str(env[k]) for k in ("os",) if env.get(k)]
    if env.get("python"):
        parts.append(f"Python {env['python']}")
    if env.get("cpu_cores"):
        parts.append(f"{env['cpu_cores']} cores")
    if env.get("ram_gb"):
        parts.append(f"{gb(float(env['ram_gb']))} GB RAM")
    packages = env.get("packages") or {}
    installed = [f"{name} {version}" for name, version in packages.items() if version]
    return ", ".join(parts) + ("; " + ", ".join(installed) if installed else "") or "not recorded"


def _some(names: Sequence[str], limit: int = 5) -> str:
    more = f" (+{len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def recheck_lines(report: RecheckReport) -> list[tuple[str, str]]:
    """(style, sentence) per finding: '' plain, 'warn' something to act on, 'good' nothing changed."""
    out = [("", f"Catalog {report.old_catalog_version or '(none saved)'} -> {report.new_catalog_version}")]
    if report.chosen_model:
        where = f"now #{report.chosen_new_rank}" if report.chosen_new_rank else "no longer shortlisted"
        before = f"#{report.chosen_old_rank}" if report.chosen_old_rank else "not ranked"
        out.append(("", f"Chosen model {report.chosen_model}: was {before}, {where}"))
        if report.chosen_excluded_reasons:
            out.append(("warn", "  excluded now: " + "; ".join(report.chosen_excluded_reasons)))
        if report.outranking_chosen:
            out.append(("warn", "Now ranked above it: " + _some(report.outranking_chosen)))
    if report.new_candidates:
        out.append(("", "New in the top of the shortlist: " + _some(report.new_candidates)))
    if report.dropped:
        out.append(("", "Dropped from the top of the shortlist: " + ", ".join(report.dropped)))
    for model, old_rank, new_rank in report.rank_changes:
        out.append(("", f"{model}: rank {old_rank} -> {new_rank}"))
    if report.unchanged:
        out.append(("good", "Nothing changed: the saved shortlist still stands."))
    return out


def recheck_changes(report: RecheckReport) -> list[tuple[str, str, str, str]]:
    """(model, what, saved, now) for every number that moved."""
    return [
        (
            c.model,
            FIELD_WORDS.get(c.field, c.field.replace("_", " ").replace(".", ": ")),
            num(c.old),
            num(c.new),
        )
        for c in report.changes
    ]


def metric_cell(values: Mapping[str, Any] | None, metric: str) -> str:
    """A diff's per-model cell: the metric, or the status of a row that did not run."""
    if values is None:
        return "-"
    if "status" in values:
        return str(values["status"])
    return num(values.get(metric))
