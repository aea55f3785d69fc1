"""Plain-words explanations of the evidence model: provenance per group, flags, the published benchmark line.

Kept apart from catalog.ranking so the wording (what the CLI table, the JSON and the TUI detail pane all
show) is in one place, and so the ranking module stays about arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalog.evidence import THIN_TASKS, Implausible, ModelEvidence, ProfileEvidence
from catalog.evidence_data import TaskScores
from catalog.evidence_select import Group
from catalog.models import Benchmark, ModelSpec
from catalog.requirements import Requirements


@dataclass(frozen=True)
class Quality:
    estimate: float
    low: float
    high: float
    theta: float
    se: float
    n_tasks: int
    lines: tuple[str, ...]
    implausible: tuple[Implausible, ...] = ()


def _tasks(n: int) -> str:
    return f"{n} task{'s' if n != 1 else ''}"


def _short(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1]


def _reference(
    model: str, group: Group, pe: ProfileEvidence, leader: str | None, strongest: Sequence[str]
) -> tuple[str, int, float, int] | None:
    """The comparison to quote: the leading eligible model (the runner-up for the leader itself) if it
    shares a task with `model` in this group, else the strongest eligible model that does."""
    order = [leader] if leader and leader != model else []
    for ref in [*order, *strongest]:
        if ref == model:
            continue
        n, diff, wins = pe.head_to_head(group, model, ref)
        if n:
            return ref, n, diff, wins
    return None


def explain_quality(
    model: str, ev: ModelEvidence, pe: ProfileEvidence, leader: str | None, strongest: Sequence[str]
) -> list[str]:
    """One line per evidence group: tasks, the head-to-head comparison, or the prior standing in.
    `strongest`: the eligible models, strongest first (the fallback yardsticks)."""
    lines = []
    weighted = len(pe.groups) > 1
    for est in ev.groups:
        share = f" (weight {est.group.share:.0%})" if weighted else ""
        if est.prior is not None:
            lines.append(f"{est.group.label}{share}: no scores; {est.prior}, wide interval")
            continue
        ref = _reference(model, est.group, pe, leader, strongest)
        tasks = _tasks(est.n_tasks)
        if ref is None:
            lines.append(f"{est.group.label}{share}: {tasks}; no eligible model ran the same tasks")
            continue
        name, n, diff, wins = ref
        lines.append(
            f"{est.group.label}{share}: {tasks}; vs {_short(name)} on the same {n}: {diff:+.1f} points, "
            f"won {wins} of {n}"
        )
    if ev.implausible:
        shown = "; ".join(str(x) for x in ev.implausible[:3])
        more = f" and {len(ev.implausible) - 3} more" if len(ev.implausible) > 3 else ""
        lines.append(
            f"excluded {len(ev.implausible)} implausible upstream score(s) (broken result file?): "
            f"{shown}{more}"
        )
    return lines


def quality_flag(quality: Quality, top_q: Sequence[float], words: str) -> str | None:
    """Thin or missing evidence: ranked on its estimate, flagged, and suggested for the trial."""
    if quality.n_tasks == 0:
        return f"unmeasured for {words} (the estimate is a prior, wide interval): include it in the trial"
    if quality.n_tasks >= THIN_TASKS:
        return None
    n = _tasks(quality.n_tasks)
    if top_q and quality.high >= top_q[-1]:
        return f"thin evidence ({n}): promising but unmeasured for {words}: include it in the trial"
    return f"thin evidence ({n}) for {words}: the estimate is uncertain; a trial would settle it"


def _benchmark_tasks(bench: Benchmark) -> set[str]:
    from catalog.refresh import load_benchmarks

    b = load_benchmarks().get(bench.value)
    return {t.name for t in b.tasks if t.type == "Retrieval"} if b else set()


def benchmark_line(
    spec: ModelSpec, req: Requirements, bench: Benchmark, implausible: Sequence[Implausible]
) -> tuple[str | None, float | None]:
    """The published benchmark's retrieval mean, labelled as what it is (context, not the estimate)."""
    if req.task != "retrieval":
        return None, None
    score = spec.score(bench)
    if score is None or score.retrieval_mean is None:
        have = (
            f" ({score.retrieval_tasks_with_results}/{score.retrieval_tasks_total} retrieval tasks)"
            if score and score.retrieval_tasks_total
            else ""
        )
        return f"no complete {bench.label} retrieval mean{have}: not needed, quality is head-to-head", None
    broken = sorted({x.task for x in implausible} & _benchmark_tasks(bench))
    if broken:
        return (
            f"{bench.label} retrieval mean {score.retrieval_mean:.2f} not used: it includes implausible "
            f"task scores ({', '.join(broken[:3])})",
            None,
        )
    return (
        f"{bench.label} retrieval mean {score.retrieval_mean:.2f} (published; for reference)",
        score.retrieval_mean,
    )


def method_lines(pe: ProfileEvidence, table: TaskScores, req: Requirements) -> tuple[str, ...]:
    groups = "; ".join(f"{g.label}: {_tasks(g.n_tasks)} ({g.share:.0%})" for g in pe.groups) or "none"
    results = table.sources.get("results") or {}
    mteb = table.sources.get("mteb") or {}
    source = (
        f"{results.get('repo', 'results')}@{str(results.get('commit', '?'))[:7]} "
        f"({results.get('date', '?')}), "
        f"task metadata {mteb.get('repo', 'mteb')}@{str(mteb.get('commit', '?'))[:7]}"
    )
    return (
        "quality: Bradley-Terry fit on head-to-head results over tasks both models ran (main score x100, "
        f"nDCG@10 for retrieval), shown as the share of tasks won against the other eligible models; "
        f"evidence groups: {groups}",
        f"evidence data: {source}; method in docs/ranking.md",
    )
