"""Schema check of an exported decision document, run in full before `import` writes anything.

A document with the right keys but wrong types ("trials": "abc", "recommendations": [1, 2], a trial row
with model null or nDCG "high") used to crash the import half way or be stored as nonsense. Each problem is
reported with where it is (`trials[0].results[1].metrics.ndcg@10`) and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NoReturn

from evaluators.urls import credentials_message, has_credentials
from storage.errors import StorageError

RESULT_STATUSES = ("ok", "failed", "cancelled")
"""`ModelResult.status` values a trial row can have."""
TRIAL_STATUSES = ("complete", "incomplete")
_MISSING = object()


def check_document(doc: dict[str, Any], *, statuses: tuple[str, ...]) -> None:
    """Raise StorageError naming the first part of an export document that does not fit its schema."""
    decision = _get(doc, "decision", dict, "decision")
    title = _get(decision, "title", str, "decision.title")
    if not title.strip():
        _fail("decision.title", "a non-blank title", title)
    _check_status(decision, "decision.status", statuses, required=False)
    _optional(decision, "decision", {"created_at": str, "updated_at": str, "requirements": dict,
                                     "chosen_model": str, "rationale": str, "superseded_by": int})
    _check_list(decision.get("tags"), "decision.tags", lambda v, w: _expect(v, str, w))
    _check_list(doc.get("recommendations"), "recommendations", _check_recommendation)
    _check_list(doc.get("trials"), "trials", _check_trial)


def _check_recommendation(rec: Any, where: str) -> None:
    _expect(rec, dict, where)
    _optional(rec, where, {"requirements": dict, "catalog_version": str, "created_at": str})
    for key in ("candidates", "excluded"):
        _check_list(rec.get(key), f"{where}.{key}", _check_ranked)


def _check_ranked(item: Any, where: str) -> None:
    _expect(item, dict, where)
    model = _get(item, "id", str, f"{where}.id")
    if not model.strip():
        _fail(f"{where}.id", "a model id", model)
    _optional(item, where, {"score": float})
    _check_list(item.get("reasons"), f"{where}.reasons", lambda v, w: _expect(v, str, w))


def _check_trial(trial: Any, where: str) -> None:
    _expect(trial, dict, where)
    _optional(trial, where, {"dataset": dict, "settings": dict, "environment": dict, "complete": bool,
                             "started_at": str, "finished_at": str, "created_at": str})
    _check_status(trial, f"{where}.status", TRIAL_STATUSES, required=False)
    _check_list(trial.get("results"), f"{where}.results", check_result)


def check_result(row: Any, where: str = "result") -> None:
    """One `ModelResult.to_dict()`: a model name, a known status, metrics as numbers in [0, 1]."""
    _expect(row, dict, where)
    model = _get(row, "model", str, f"{where}.model")
    if not model.strip():
        _fail(f"{where}.model", "a model name", model)
    _check_status(row, f"{where}.status", RESULT_STATUSES, required=False)
    _optional(row, where, {"error": str, "details": dict})
    _check_map(row.get("metrics"), f"{where}.metrics", _unit_interval)
    _check_map(row.get("p_vs_best"), f"{where}.p_vs_best", _unit_interval)
    _check_map(row.get("ci95"), f"{where}.ci95", _interval)
    _check_map(row.get("per_query"), f"{where}.per_query",
               lambda v, w: _check_map(v, w, _unit_interval, required=True))
    _check_map(row.get("perf"), f"{where}.perf", lambda v, w: v is None or _number(v, w))


def check_model_ref(ref: str) -> None:
    """A model reference fit to store as a choice: not blank, no password inside a URL."""
    if not ref.strip():
        raise StorageError("name the chosen model")
    if has_credentials(ref):
        raise StorageError(credentials_message(ref))


def _get(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in obj:
        _fail(where, _name(kind), _MISSING)
    return _expect(obj[key], kind, where)


def _optional(obj: dict[str, Any], where: str, kinds: dict[str, type]) -> None:
    for key, kind in kinds.items():
        if obj.get(key) is not None:
            _expect(obj[key], kind, f"{where}.{key}")


def _check_status(obj: dict[str, Any], where: str, allowed: tuple[str, ...], *, required: bool) -> None:
    key = where.rsplit(".", 1)[-1]
    if key not in obj and not required:
        return
    if obj.get(key) not in allowed:
        _fail(where, " or ".join(repr(a) for a in allowed), obj.get(key))


def _check_list(value: Any, where: str, item: Callable[[Any, str], Any]) -> None:
    if value is None:
        return
    _expect(value, list, where)
    for i, v in enumerate(value):
        item(v, f"{where}[{i}]")


def _check_map(value: Any, where: str, item: Callable[[Any, str], Any], *, required: bool = False) -> None:
    if value is None and not required:
        return
    _expect(value, dict, where)
    for k, v in value.items():
        item(v, f"{where}.{k}")


def _unit_interval(value: Any, where: str) -> None:
    if not 0.0 <= _number(value, where) <= 1.0:
        _fail(where, "a number from 0 to 1", value)


def _interval(value: Any, where: str) -> None:
    if not isinstance(value, list) or len(value) != 2:
        _fail(where, "[low, high]", value)
    low, high = (_number(v, f"{where}[{i}]") for i, v in enumerate(value))
    if low > high:
        _fail(where, "[low, high] with low <= high", value)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(where, "a finite number", value)
    return float(value)


def _expect(value: Any, kind: type, where: str) -> Any:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else (
        isinstance(value, kind) and not (kind is int and isinstance(value, bool)))
    if not ok:
        _fail(where, _name(kind), value)
    return value


def _name(kind: type) -> str:
    return {dict: "an object", list: "a list", str: "a string", int: "a whole number", float: "a number",
            bool: "true or false"}.get(kind, kind.__name__)


def _fail(where: str, expected: str, got: Any) -> NoReturn:
    if got is _MISSING:
        shown = "nothing"
    elif isinstance(got, (dict, list)):
        shown = "an object" if isinstance(got, dict) else "a list"
    else:
        shown = repr(got) if len(repr(got)) <= 40 else repr(got)[:37] + "..."
    raise StorageError(
        f"not a valid decision export: {where} must be {expected}, got {shown}; nothing was imported "
        "(export it again with 'embedscout export ID --format json')"
    )
