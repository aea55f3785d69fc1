"""The evidence model: for a profile, every catalog model's quality estimate, its uncertainty and provenance.

Per evidence group (catalog.evidence_select) a Bradley-Terry fit over shared tasks only
(catalog.evidence_fit); the groups' strengths are averaged with their shares. A model with no task in a
group gets a labelled prior instead: its measured family members' strength, else 'a typical model', with a
wide interval. Implausible upstream scores (a model far below its own norm in that language: a broken
result file) are excluded and named. Results are cached per (table, profile, catalog): the TUI re-ranks on
every answer, but only a language, domain or task change needs a new fit.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from catalog.evidence_data import TaskScores
from catalog.evidence_fit import Array, Fit, fit, tally
from catalog.evidence_prior import THIN_TASKS, ModelFacts, priors
from catalog.evidence_select import Group, language_slices, select
from catalog.languages import CODE

PRIOR_SD = 1.0
"""Weak prior N(typical, sd^2) on measured models' strength (log-odds) for the first pass; the final fit
uses the spread well-measured models actually show (empirical Bayes), so thin evidence is pulled toward
'typical' by as much as the data warrant."""
MIN_PRIOR_SD = 0.5
MAX_PRIOR_SD = 1.5
REFERENCE_QUANTILE = 75
"""A slice's reference score: the 75th percentile of catalog models that ran it (robust to the many
models that do not handle the language dragging the median down)."""
IMPLAUSIBLE_SHARE = 0.05
"""Near chance: below 5% of the reference score on a task where typical models reach IMPLAUSIBLE_MIN_REF.
In a language the model declares, that is a broken result file, not a measurement (jina-embeddings-v2-base-en:
nDCG@10 0.00 on FEVERHardNegatives, 88.6 typical, on half its English tasks; ~85% of typical on the rest).
A weak model scores low, not zero; in a language the model does not declare, near chance is evidence
against support instead (catalog.filters)."""
IMPLAUSIBLE_MIN_REF = 20.0
"""Only tasks where typical models score at least this: on hard tasks (SpartQA, ~10 typical) zero is real."""
OUTLIER_SHARE = 0.1
"""Also broken: below this share of the model's own median on same-language tasks, where that median is
healthy (HEALTHY_NORM), whatever it declares."""
HEALTHY_NORM = 0.5


@dataclass(frozen=True)
class GroupEstimate:
    group: Group
    n_tasks: int
    theta: float
    se: float
    prior: str | None = None
    """None when measured; else what stands in for evidence ('family prior (...)', 'size prior (...)')."""


@dataclass(frozen=True)
class Implausible:
    """An upstream score excluded as a broken result file."""

    task: str
    key: str
    score: float
    typical: float

    def __str__(self) -> str:
        return f"{self.task} ({self.key}) {self.score:.2f} vs typical {self.typical:.1f}"


@dataclass(frozen=True)
class ModelEvidence:
    model_id: str
    theta: float
    se: float
    n_tasks: int
    """Distinct tasks over the profile's groups."""
    groups: tuple[GroupEstimate, ...]
    implausible: tuple[Implausible, ...] = ()

    @property
    def measured(self) -> bool:
        return self.n_tasks > 0

    @property
    def thin(self) -> bool:
        return self.n_tasks < THIN_TASKS


@dataclass(frozen=True)
class _GroupData:
    group: Group
    rows: dict[str, int]
    scores: Array
    """rows x slices, NaN where not run or excluded as implausible."""

    def task_counts(self) -> NDArray[np.int64]:
        """Distinct tasks each row ran (a task can have several slices in a group: code, cross-lingual)."""
        names = [t for t, _ in self.group.slices]
        index = {t: i for i, t in enumerate(dict.fromkeys(names))}
        onehot = np.zeros((len(names), len(index)))
        onehot[np.arange(len(names)), [index[t] for t in names]] = 1.0
        return ((~np.isnan(self.scores)).astype(float) @ onehot > 0).sum(axis=1).astype(np.int64)


def reference_scores(scores: Array) -> Array:
    """Per slice: the REFERENCE_QUANTILE of the models that ran it (NaN if fewer than 4).

    Linear interpolation as numpy's default percentile, computed for all columns at once (np.sort puts
    NaN last, so the first `count` rows of each column are its values)."""
    count = (~np.isnan(scores)).sum(axis=0)
    if scores.shape[0] == 0:
        return np.full(scores.shape[1], np.nan)
    ordered = np.sort(scores, axis=0)
    pos = (REFERENCE_QUANTILE / 100.0) * np.maximum(count - 1, 0)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    cols = np.arange(scores.shape[1])
    ref = ordered[lo, cols] + (pos - lo) * (ordered[hi, cols] - ordered[lo, cols])
    return np.where(count >= 4, ref, np.nan)


def _declares(facts: Mapping[str, ModelFacts], model: str, key: str) -> bool:
    langs = set(facts[model].languages) if model in facts else set()
    return bool(langs) and {x for x in key.split("-") if x != CODE} <= langs


def _mask_implausible(
    scores: Array,
    keys: Sequence[str],
    tasks: Sequence[str],
    rows: Sequence[str],
    facts: Mapping[str, ModelFacts],
) -> tuple[Array, dict[str, list[Implausible]]]:
    """Blank out broken scores; notes per model. Broken: far below the model's own healthy norm on
    same-language slices, or near zero in a language the model declares (jina-embeddings-v2-base-en is at
    0.00 on half of its English tasks and ~85% of typical on the rest)."""
    ref = reference_scores(scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = scores / np.where(ref >= IMPLAUSIBLE_MIN_REF, ref, np.nan)
    notes: dict[str, list[Implausible]] = {}
    cleaned = scores.copy()
    key_arr = np.array(keys)
    for key in sorted(set(keys)):
        cols = np.flatnonzero(key_arr == key)
        block = rel[:, cols]
        have = (~np.isnan(block)).sum(axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            norm = np.nanmedian(block, axis=1) if block.size else np.full(len(rows), np.nan)
        healthy = (have >= 3) & (norm >= HEALTHY_NORM)
        declared = np.array([_declares(facts, m, key) for m in rows], dtype=bool)
        bad = (healthy[:, None] & (block < OUTLIER_SHARE * norm[:, None])) | (
            declared[:, None] & (block < IMPLAUSIBLE_SHARE)
        )
        for r, c in zip(*np.nonzero(bad), strict=True):
            col = int(cols[c])
            cleaned[r, col] = np.nan
            notes.setdefault(rows[r], []).append(
                Implausible(tasks[col], key, float(scores[r, col]), float(ref[col]))
            )
    return cleaned, notes


def _group_data(
    table: TaskScores, group: Group, facts: Mapping[str, ModelFacts]
) -> tuple[_GroupData, dict[str, list[Implausible]]]:
    catalog = frozenset(facts)
    per_slice = [table.packed_slice(t, k) for t, k in group.slices]
    names = table.models
    ids = sorted({names[int(i)] for pairs in per_slice for i, _ in pairs} & catalog)
    rows = {m: i for i, m in enumerate(ids)}
    by_index = {table.index[m]: r for m, r in rows.items()}
    scores = np.full((len(ids), len(per_slice)), np.nan)
    for c, pairs in enumerate(per_slice):
        for i, v in pairs:
            r = by_index.get(int(i))
            if r is not None:
                scores[r, c] = v
    keys = [k for _, k in group.slices]
    tasks = [t for t, _ in group.slices]
    cleaned, notes = _mask_implausible(scores, keys, tasks, ids, facts)
    return _GroupData(group, rows, cleaned), notes


@dataclass(frozen=True)
class ProfileEvidence:
    groups: tuple[Group, ...]
    models: dict[str, ModelEvidence]
    data: tuple[_GroupData, ...]

    def head_to_head(self, group: Group, a: str, b: str) -> tuple[int, float, int]:
        """(shared tasks, mean score difference a - b, tasks a won) on one group's slices."""
        gd = next(d for d in self.data if d.group.key == group.key)
        if a not in gd.rows or b not in gd.rows:
            return 0, 0.0, 0
        x, y = gd.scores[gd.rows[a]], gd.scores[gd.rows[b]]
        both = ~np.isnan(x) & ~np.isnan(y)
        if not both.any():
            return 0, 0.0, 0
        diff = x[both] - y[both]
        return int(both.sum()), float(diff.mean()), int((diff > 0).sum())


def build_profile_evidence(
    table: TaskScores,
    languages: tuple[str, ...],
    domain: str,
    nature: str,
    facts: Mapping[str, ModelFacts],
) -> ProfileEvidence:
    """Fit every group of the profile and combine; every model in `facts` gets an estimate."""
    groups = select(table, languages, domain, nature)
    catalog = sorted(facts)
    per_group: list[dict[str, GroupEstimate]] = []
    datas: list[_GroupData] = []
    implausible: dict[str, list[Implausible]] = {}
    for group in groups:
        gd, notes = _group_data(table, group, facts)
        datas.append(gd)
        for m, n in notes.items():
            implausible.setdefault(m, []).extend(n)
        per_group.append(_fit_group(gd, facts))
    models = {}
    for m in catalog:
        ests = tuple(pg[m] for pg in per_group)
        theta = sum(g.share * e.theta for g, e in zip(groups, ests, strict=True))
        var = sum((g.share * e.se) ** 2 for g, e in zip(groups, ests, strict=True))
        tasks = {
            t for g, e in zip(groups, ests, strict=True) if e.prior is None for t in _tasks_of(datas, g, m)
        }
        models[m] = ModelEvidence(
            m,
            float(theta),
            float(np.sqrt(var)),
            len(tasks),
            ests,
            tuple(dict.fromkeys(implausible.get(m, ()))),
        )
    return ProfileEvidence(groups, models, tuple(datas))


def _tasks_of(datas: Sequence[_GroupData], group: Group, model: str) -> set[str]:
    gd = next(d for d in datas if d.group.key == group.key)
    if model not in gd.rows:
        return set()
    ran = ~np.isnan(gd.scores[gd.rows[model]])
    return {group.slices[i][0] for i in np.flatnonzero(ran)}


def _spread(first: Fit, well: Sequence[int]) -> float:
    """Empirical-Bayes prior spread: how far well-measured models really differ (their fitted spread
    minus their own uncertainty), kept within [MIN_PRIOR_SD, MAX_PRIOR_SD]."""
    if len(well) < 5:
        return PRIOR_SD
    var = float(np.var(first.theta[well]) - np.mean(np.square(first.se[well])))
    return min(MAX_PRIOR_SD, max(MIN_PRIOR_SD, math.sqrt(max(var, 0.0))))


def _fit_group(gd: _GroupData, facts: Mapping[str, ModelFacts]) -> dict[str, GroupEstimate]:
    """Measured models: a fit shrunk toward 'typical' with the empirical-Bayes spread (never toward a
    family or size guess: evidence is not borrowed). Unmeasured models: their labelled prior."""
    ids = list(gd.rows)
    comp = tally(gd.scores, np.ones(gd.scores.shape[1]))  # every shared task counts the same
    first = fit(comp, np.zeros(len(ids)), np.full(len(ids), PRIOR_SD))
    counts = gd.task_counts()
    n_tasks = {m: int(counts[i]) for i, m in enumerate(ids) if comp.tasks[i] > 0}
    spread = _spread(first, [gd.rows[m] for m, n in n_tasks.items() if n >= THIN_TASKS])
    final = fit(comp, np.zeros(len(ids)), np.full(len(ids), spread)) if spread != PRIOR_SD else first
    fitted = {m: (float(final.theta[gd.rows[m]]), n) for m, n in n_tasks.items()}
    pri = priors(fitted, facts, gd.group.n_tasks)
    out: dict[str, GroupEstimate] = {}
    for m in facts:
        i = gd.rows.get(m)
        if i is not None and m in n_tasks:
            out[m] = GroupEstimate(gd.group, n_tasks[m], float(final.theta[i]), float(final.se[i]))
        else:
            p = pri[m]
            out[m] = GroupEstimate(gd.group, 0, p.mean, p.sd, p.label)
    return out


SUPPORT_FLOOR = 0.5
"""A language counts as handled when the model's retrieval scores in it reach half the reference (75th
percentile of catalog models) on the median task; below that, the scores are evidence AGAINST support
(all-MiniLM-L6-v2 on Chinese: 3.61 C-MTEB retrieval)."""


@dataclass(frozen=True)
class LanguageEvidence:
    lang: str
    n_tasks: int
    relative: float
    """Median over the model's tasks of score / reference score."""
    example: str
    """The task closest to the median, in words: 'DuRetrieval 3.03 vs typical 85.1'."""

    @property
    def supports(self) -> bool:
        return self.relative >= SUPPORT_FLOOR


_CACHE_SIZE = 32
_lang_cache: dict[tuple[int, str], tuple[TaskScores, dict[str, LanguageEvidence]]] = {}
_profile_cache: dict[tuple[object, ...], tuple[TaskScores, ProfileEvidence]] = {}


def language_evidence(table: TaskScores, lang: str) -> dict[str, LanguageEvidence]:
    """Per model with retrieval scores in `lang`: how they compare with the reference (cached per table)."""
    key = (id(table), lang)
    hit = _lang_cache.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    group = Group(f"lang:{lang}", lang, language_slices(table, lang))
    gd, _ = _group_data(table, group, {m: ModelFacts(None, False) for m in table.models})
    ref = reference_scores(gd.scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = gd.scores / np.where(ref >= 10.0, ref, np.nan)
    out: dict[str, LanguageEvidence] = {}
    for model, r in gd.rows.items():
        have = np.flatnonzero(~np.isnan(rel[r]))
        if have.size == 0:
            continue
        med = float(np.median(rel[r, have]))
        c = int(have[np.argmin(np.abs(rel[r, have] - med))])
        task = group.slices[c][0]
        tasks = len({group.slices[i][0] for i in have})
        out[model] = LanguageEvidence(
            lang, tasks, med, f"{task} {gd.scores[r, c]:.2f} vs typical {ref[c]:.1f}"
        )
    _remember(_lang_cache, key, (table, out))
    return out


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = value


def profile_evidence(
    table: TaskScores,
    languages: tuple[str, ...],
    domain: str,
    nature: str,
    facts: Mapping[str, ModelFacts],
) -> ProfileEvidence:
    """build_profile_evidence, cached: answers about hardware or budget never refit."""
    key = (id(table), tuple(languages), domain, nature, frozenset(facts.items()))
    hit = _profile_cache.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    result = build_profile_evidence(table, languages, domain, nature, facts)
    _remember(_profile_cache, key, (table, result))
    return result
