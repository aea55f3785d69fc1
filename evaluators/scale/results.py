"""Read the folder run_mteb.py wrote back into a TrialResult, with its provenance and stated differences.

Strict on purpose: a folder that is not a results folder, a missing run record or manifest, results for
other data, or a result file that is not there is a one-line `ResultsError`, never a partial import.
Headline metrics are mteb's own numbers; per-query values (for CIs and paired tests) are recomputed with
embedscout's metrics from mteb's top-100 predictions, and a disagreement over 1e-3 is stated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluators.ingest.beir import read_qrels
from evaluators.metrics import METRICS, PRIMARY, per_query_metrics, rank_run
from evaluators.scale import (
    DEFAULT_OUTPUT,
    FORMAT_VERSION,
    MANIFEST,
    MANIFEST_FORMAT,
    METRIC_MAP,
    RUN_FORMAT,
    RUN_RECORD,
    source_label,
)
from evaluators.stats import bootstrap_ci, compare_to_best
from evaluators.types import ModelResult, TrialResult

AGREEMENT = 1e-3
"""Largest gap between mteb's mean and embedscout's recomputation that goes unremarked."""


class ResultsError(ValueError):
    """The folder cannot be imported; the message is one line and says what to do."""


@dataclass
class MtebRun:
    folder: Path
    record: dict[str, Any]
    manifest: dict[str, Any]
    result: TrialResult
    notes: list[str] = field(default_factory=list)
    """Differences from the local trial, in words, trial-wide (per-model ones are in each row's details)."""

    @property
    def run_id(self) -> str:
        return str(self.record["run_id"])

    @property
    def label(self) -> str:
        return source_label(self.record.get("machine") or {})

    @property
    def trial_fingerprint(self) -> str:
        return str(self.manifest["dataset"]["fingerprint"])

    @property
    def trial_id(self) -> int | None:
        trial = self.manifest.get("trial") or {}
        return int(trial["id"]) if trial.get("id") is not None else None

    def to_trial(self) -> dict[str, Any]:
        """What `storage.scale_import.file_mteb_trial` stores: the result plus settings naming the run."""
        settings = {
            "source": "mteb",
            "mteb_run_id": self.run_id,
            "task_name": self.manifest["task_name"],
            "models": [str(m.get("name")) for m in self.record["models"]],
            **(self.record.get("settings") or {}),
            "exported_from_trial": self.trial_id,
            "differences": self.notes,
        }
        return {**self.result.to_dict(), "settings": settings}


def locate(path: str | Path) -> Path:
    """The runner's output folder, given it or the exported task folder that holds it."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ResultsError(f"{folder} is not a folder: give the folder run_mteb.py wrote ({DEFAULT_OUTPUT}/)")
    if (folder / RUN_RECORD).is_file():
        return folder
    if (folder / DEFAULT_OUTPUT / RUN_RECORD).is_file():
        return folder / DEFAULT_OUTPUT
    if (folder / MANIFEST).is_file():
        raise ResultsError(
            f"{folder} is an exported task that has not been run: run `python run_mteb.py` there"
        )
    if any((folder / "results").glob("*/*/*.json")):
        raise ResultsError(
            f"{folder} holds mteb results but no {RUN_RECORD}: only folders written by run_mteb.py "
            "(from `embedscout export-task`) can be imported"
        )
    raise ResultsError(
        f"{folder} is not an mteb results folder (no {RUN_RECORD}, no results/<model>/<revision>/<task>.json)"
    )


def read_run(path: str | Path) -> MtebRun:
    folder = locate(path)
    record = _json(folder / RUN_RECORD)
    if record.get("format") != RUN_FORMAT or int(record.get("version", 0)) > FORMAT_VERSION:
        raise ResultsError(f"{folder / RUN_RECORD} is not a run record this embedscout understands")
    manifest = _manifest(record, folder / RUN_RECORD)
    if not isinstance(record.get("run_id"), str) or not record.get("models"):
        raise ResultsError(f"{folder / RUN_RECORD} is incomplete (no run id, or no model ran)")
    qrels = read_qrels(folder / "qrels.tsv") if (folder / "qrels.tsv").is_file() else {}
    label = source_label(record.get("machine") or {})
    rows = [_row(folder, record, manifest, m, qrels, label) for m in record["models"]]
    compare_to_best(rows)
    result = TrialResult(
        dataset=_dataset(manifest, rows),
        results=rows,
        environment=_environment(record),
        complete=all(r.status == "ok" for r in rows),
        started_at=str(record.get("started_at") or ""),
        finished_at=str(record.get("finished_at") or ""),
    )
    notes = [*manifest.get("differences", []), _metric_note(record)]
    return MtebRun(folder, record, manifest, result, notes)


_MANIFEST_KEYS = (("task_name",), ("dataset", "name"), ("dataset", "fingerprint"), ("export", "fingerprint"),
                  ("export", "n_docs"), ("export", "n_queries"))  # fmt: skip
"""What the import reads from the manifest the runner carried back."""


def _manifest(record: dict[str, Any], where: Path) -> dict[str, Any]:
    manifest = record.get("manifest")
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ResultsError(f"{where} carries no task manifest ({MANIFEST}): export and run again")
    for path in _MANIFEST_KEYS:
        node: Any = manifest
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            raise ResultsError(f"the manifest in {where} lacks {'.'.join(path)}: export and run again")
    return manifest


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultsError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ResultsError(f"{path} is not a JSON object")
    return data


def _row(
    folder: Path,
    record: dict[str, Any],
    manifest: dict[str, Any],
    ran: dict[str, Any],
    qrels: dict[str, dict[str, int]],
    label: str,
) -> ModelResult:
    name = str(ran.get("name", "?"))
    shown = f"{name} ({label})"
    if ran.get("status") != "ok":
        return ModelResult(
            model=shown, status="failed", error=str(ran.get("error") or "failed on the runner")
        )
    scores = _scores(folder, manifest, ran)
    metrics = {ours: float(scores[theirs]) for ours, theirs in METRIC_MAP.items()}
    notes = _model_notes(record, manifest, ran)
    per_query: dict[str, dict[str, float]] = {}
    predictions = folder / str(ran.get("predictions_file") or "")
    if qrels and ran.get("predictions_file") and predictions.is_file():
        per_query = _per_query(predictions, qrels)
        mean = sum(per_query[PRIMARY].values()) / max(len(per_query[PRIMARY]), 1)
        if abs(mean - metrics[PRIMARY]) > AGREEMENT:
            notes.append(f"embedscout's recomputation gives nDCG@10 {mean:.4f}, mteb {metrics[PRIMARY]:.4f}")
    else:
        notes.append("no predictions came back: no confidence intervals or paired tests for this row")
    ci = {m: bootstrap_ci([per_query[m][q] for q in sorted(per_query[m])]) for m in METRICS if per_query}
    return ModelResult(
        model=shown,
        metrics=metrics,
        ci95=ci,
        per_query=per_query,
        perf=_perf(scores, ran, manifest),
        details=_details(record, ran, scores, name, notes, len(per_query.get(PRIMARY, {}))),
    )


def _scores(folder: Path, manifest: dict[str, Any], ran: dict[str, Any]) -> dict[str, Any]:
    path = folder / str(ran.get("result_file") or "")
    if not ran.get("result_file") or not path.is_file():
        raise ResultsError(
            f"{ran.get('name')}: its mteb result file is missing ({path}); copy the whole folder"
        )
    data = _json(path)
    if data.get("task_name") != manifest["task_name"]:
        raise ResultsError(f"{path} is for task {data.get('task_name')!r}, not {manifest['task_name']!r}")
    if data.get("dataset_revision") != manifest["export"]["fingerprint"][:16]:
        raise ResultsError(f"{path} was computed on other data than this export (dataset revision differs)")
    try:
        scores = next(s for s in data["scores"]["test"] if s.get("hf_subset", "default") == "default")
        missing = [k for k in METRIC_MAP.values() if not isinstance(scores.get(k), (int, float))]
    except (KeyError, TypeError, StopIteration):
        raise ResultsError(f"{path} has no test scores") from None
    if missing:
        raise ResultsError(f"{path} lacks {', '.join(missing)}")
    return {
        **scores,
        "mteb_version": data.get("mteb_version"),
        "evaluation_phases": data.get("evaluation_phases"),
        "evaluation_time": data.get("evaluation_time"),
    }


def _per_query(path: Path, qrels: dict[str, dict[str, int]]) -> dict[str, dict[str, float]]:
    try:
        run = json.loads(path.read_text("utf-8"))["default"]["test"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ResultsError(f"{path} is not an mteb predictions file") from None
    ranked = rank_run(run, {}, k=10)  # mteb kept the top 100; ties (rare) fall back to document id order
    return per_query_metrics(ranked, qrels)  # a query mteb returned nothing for scores 0, as in mteb


def _perf(scores: dict[str, Any], ran: dict[str, Any], manifest: dict[str, Any]) -> dict[str, float]:
    perf: dict[str, float] = {}
    if isinstance(ran.get("load_s"), (int, float)):
        perf["load_s"] = float(ran["load_s"])
    if isinstance(scores.get("evaluation_time"), (int, float)):
        perf["eval_s"] = float(scores["evaluation_time"])
    for phase in scores.get("evaluation_phases") or []:
        if phase.get("name") == "Searching corpus":  # encoding every document + exact search
            secs = float(phase["end"]) - float(phase["start"])
            perf["encode_s"] = secs
            perf["docs_per_s"] = manifest["export"]["n_docs"] / max(secs, 1e-9)
    if ran.get("max_seq_length"):
        perf["max_tokens"] = float(ran["max_seq_length"])
    return perf


def _details(
    record: dict[str, Any], ran: dict[str, Any], scores: dict[str, Any], name: str, notes: list[str], n: int
) -> dict[str, Any]:
    settings = record.get("settings") or {}
    keep = (
        "query_prompt",
        "passage_prompt",
        "normalize",
        "loaded_from",
        "revision",
        "max_seq_length",
        "docs_truncated",
        "similarity",
    )
    return {
        "source": "mteb",
        "kind": "dense",
        "name": name,
        "ref": name,
        **{k: ran.get(k) for k in keep},
        "backend": f"torch via mteb {scores.get('mteb_version')}",
        "precision": settings.get("dtype"),
        "device": settings.get("device"),
        "batch_size": settings.get("batch_size"),
        "machine": (record.get("machine") or {}).get("label"),
        "mteb_version": scores.get("mteb_version"),
        "mteb_scores": {
            k: scores[k] for k in sorted(scores) if k.startswith(("ndcg_at", "recall_at", "mrr_at"))
        },
        "n_queries": n,
        "perf_source": "mteb's evaluation phases ('Searching corpus' = encode all documents + search)",
        "comparability": notes,
    }


def _model_notes(record: dict[str, Any], manifest: dict[str, Any], ran: dict[str, Any]) -> list[str]:
    models = manifest.get("models", [])
    spec: dict[str, Any] = next((m for m in models if m.get("name") == ran.get("name")), {})
    dtype = (record.get("settings") or {}).get("dtype")
    notes = []
    if spec.get("prompts_from") != "the trial":
        notes.append(f"not from the local trial: prompts from {spec.get('prompts_from')}")
    for key in ("query_prompt", "passage_prompt", "normalize"):
        if key in ran and ran.get(key) != spec.get(key):
            notes.append(f"{key} {ran.get(key)!r} differs from the export's {spec.get(key)!r}")
    backend = (spec.get("trial_setup") or {}).get("backend")
    if backend and backend != "torch":
        notes.append(f"the trial encoded with {backend}; mteb runs torch (same weights)")
    if dtype and dtype != "float32":
        notes.append(f"weights in {dtype} on the runner (the trial ran float32)")
    if ran.get("docs_truncated"):
        notes.append(
            f"{ran['docs_truncated']} documents exceeded the model's {ran.get('max_seq_length')}-token "
            "window and were truncated"
        )
    return notes


def _dataset(manifest: dict[str, Any], rows: list[ModelResult]) -> dict[str, Any]:
    ds, ex = manifest["dataset"], manifest["export"]
    same = ex["fingerprint"] == ds["fingerprint"]
    evaluated = max((int(r.details.get("n_queries") or 0) for r in rows), default=0)
    return {
        **{
            k: ds[k]
            for k in ("name", "source", "format", "licence", "seed", "query_origin", "synthetic")
            if k in ds
        },
        "sample": None if ex.get("full") else ds.get("sample"),
        "chunking": ds.get("chunking") if same else {"tokens": None, "note": ex.get("units")},
        "n_docs": ex["n_docs"],
        "n_chunks": ex["n_docs"],
        "n_queries": ex["n_queries"],
        "n_queries_evaluated": evaluated or ex["n_queries"],
        "qrels_level": "unit",
        "units": ex.get("units"),
        "fingerprint": ex["fingerprint"],
        "trial_fingerprint": ds["fingerprint"],
    }


def _environment(record: dict[str, Any]) -> dict[str, Any]:
    machine = dict(record.get("machine") or {})
    return {"source": "mteb", **machine, "packages": dict(record.get("packages") or {})}


def _metric_note(record: dict[str, Any]) -> str:
    version = (record.get("packages") or {}).get("mteb")
    return (
        f"metrics computed by mteb {version} ({source_label(record.get('machine') or {}, gpu=True)}) with "
        "pytrec_eval, the same definitions as embedscout's; ties are broken by document id, not corpus order"
    )
