"""Read MTEB result files of every vintage the results repository holds, the way mteb's leaderboard does.

Files written before mteb 1.11 have no `scores` list (`{"test": {"ndcg_at_10": ..}, "mteb_dataset_name": ..}`)
and pair-classification files before 1.12.48 nest metrics (`{"max": {"ap": ...}}`). mteb converts both on load
(`TaskResult.from_disk`, mteb@a905523 mteb/results/task_result.py); `normalise_result` does the same, so the
catalog build and `catalog refresh` count the same files the leaderboard counts. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_VERSION = re.compile(r"^(\d+(?:\.\d+)*)(?:\.dev(\d+))?$")
_NOT_SUBSETS = {"v_measures", "cos_sim", "euclidean", "manhattan", "dot", "max"}
"""Keys of a pre-1.11 split that hold metric groups, not hf_subsets (mteb's own list)."""
_RENAMED_GROUPS = (
    ("cosine", "cos_sim"),
    ("manhattan", "manhattan"),
    ("euclidean", "euclidean"),
    ("dot", "dot"),
    ("max", "max"),
    ("similarity", "similarity"),
)
_LEGACY_META = ("dataset_revision", "mteb_dataset_name", "mteb_version")

VersionKey = tuple[tuple[int, ...], int, int]


def parse_version(text: Any) -> VersionKey | None:
    """A sortable key for an mteb version ('1.12.75', '1.1.2.dev0'); None when absent or unparsable (a
    range such as '2.10.0-2.18.7' too: mteb's join_revisions treats those as having no valid version)."""
    m = _VERSION.match(str(text)) if isinstance(text, str) else None
    if m is None:
        return None
    release = tuple(int(p) for p in m.group(1).split("."))
    release += (0,) * (3 - len(release))
    return (release, 0 if m.group(2) is not None else 1, int(m.group(2) or 0))


def _min_version(text: Any) -> VersionKey | None:
    """The lower end of a version range ('2.12.16-2.15.4' -> 2.12.16), as mteb's pre-1.11 check reads it."""
    if isinstance(text, str) and "-" in text:
        return parse_version(text.split("-", 1)[0])
    return parse_version(text)


def _flatten_groups(row: dict[str, Any]) -> dict[str, Any]:
    """{'cos_sim': {'spearman': x}} -> {'cosine_spearman': x}; other nested dicts -> 'key_sub'."""
    out: dict[str, Any] = {}
    renames = {old: new for new, old in _RENAMED_GROUPS}
    for key, value in row.items():
        if isinstance(value, Mapping) and key != "languages":
            prefix = renames.get(key, key)
            out.update({f"{prefix}_{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def _from_before_1_11(raw: Mapping[str, Any]) -> dict[str, Any]:
    splits = {k: dict(v) for k, v in raw.items() if k not in _LEGACY_META and isinstance(v, Mapping)}
    for split in splits.values():
        split.pop("evaluation_time", None)
    has_subsets = any(
        isinstance(v, Mapping) for split in splits.values() for k, v in split.items() if k not in _NOT_SUBSETS
    )
    if not has_subsets:
        splits = {name: {"default": split} for name, split in splits.items()}
    if raw.get("mteb_dataset_name") == "XPQARetrieval":  # mteb's fix: subset 'fr' was renamed 'fra-fra'
        test = splits.get("test")
        if test is not None and "fr" in test:
            test["fra-fra"] = test.pop("fr")
    scores = {
        name: [{**_flatten_groups(dict(row)), "hf_subset": subset} for subset, row in split.items()]
        for name, split in splits.items()
    }
    return {"task_name": raw.get("mteb_dataset_name"), "mteb_version": None, "scores": scores}


def normalise_result(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """A result file in the current format ({'scores': {split: [row, ...]}, 'mteb_version': ...}).

    Pre-1.11 files (no version, or below 1.11.0, and no `scores` list) are converted and get version None,
    as mteb gives them; pre-1.12.48 rows have nested metric groups flattened. Current files pass unchanged.
    Rows keep whatever `main_score` they stored: the leaderboard reads that, not the metric's present name.
    """
    version = _min_version(raw.get("mteb_version"))
    if not isinstance(raw.get("scores"), Mapping) and (version is None or version < ((1, 11, 0), 1, 0)):
        return _from_before_1_11(raw)
    if version is not None and version < ((1, 12, 48), 1, 0) and isinstance(raw.get("scores"), Mapping):
        scores = {
            split: [_flatten_groups(dict(r)) if isinstance(r, Mapping) else r for r in rows]
            for split, rows in raw["scores"].items()
            if isinstance(rows, list)
        }
        return {**raw, "scores": scores}
    return raw
