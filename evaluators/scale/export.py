"""Write a trial as a self-contained mteb task folder: BEIR files, manifest.json, run_mteb.py, README.md.

The manifest says everything the numbers depend on (models with their exact prompts and normalisation, the
trial's chunking and what the export did about it, metric definitions, the trial id and fingerprints) and
the sha256 of each data file, which the runner checks before it runs.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from evaluators.datasets import fingerprint
from evaluators.hardware import package_version
from evaluators.scale import (
    DEFAULT_OUTPUT,
    FORMAT_VERSION,
    MANIFEST,
    MANIFEST_FORMAT,
    METRIC_DEFINITIONS,
    METRIC_MAP,
    RUNNER,
)
from evaluators.scale.run_mteb import sha256_file  # the runner's module imports only the stdlib
from evaluators.scale.source import ExportModel
from evaluators.types import Dataset, TrialInputError

DATA_FILES = ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv")
_OURS = (*DATA_FILES, MANIFEST, RUNNER, "README.md")


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    manifest: dict[str, Any]

    @property
    def differences(self) -> list[str]:
        return list(self.manifest["differences"])


def export_task(
    out: str | Path,
    trial_view: Dataset,
    export_view: Dataset,
    models: Sequence[ExportModel],
    *,
    skipped: Sequence[dict[str, str]] = (),
    trial: dict[str, Any] | None = None,
    created_at: str,
    force: bool = False,
) -> ExportReport:
    """Write the folder. `trial_view` is what the trial ranked, `export_view` what mteb gets (see
    `source.load_views`); `trial` = {id, decision_id, started_at} when exported from a saved trial."""
    require_models(models, skipped)
    folder = _prepare(Path(out).expanduser(), force)
    qrels = {q: {d: g for d, g in rels.items() if g > 0} for q, rels in export_view.qrels.items()}
    queries = [q for q in export_view.queries if qrels.get(q.id)]
    corpus = ({"_id": d.id, "title": d.title, "text": d.text} for d in export_view.corpus)
    _write_jsonl(folder / "corpus.jsonl", corpus)
    _write_jsonl(folder / "queries.jsonl", ({"_id": q.id, "text": q.text} for q in queries))
    (folder / "qrels").mkdir(exist_ok=True)
    lines = [f"{q.id}\t{d}\t{g}\n" for q in queries for d, g in qrels[q.id].items()]
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(lines), "utf-8")
    export_fp = fingerprint(export_view.corpus, queries, {q.id: qrels[q.id] for q in queries})
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": FORMAT_VERSION,
        "created_at": created_at,
        "embedscout_version": package_version("embedscout"),
        "task_name": _task_name(trial, export_fp),
        "trial": trial,
        "dataset": _dataset_facts(trial_view),
        "export": {
            "fingerprint": export_fp,
            "n_docs": len(export_view.corpus),
            "n_queries": len(queries),
            "n_qrels": len(lines),
            "units": _units(trial_view, export_view),
            "full": export_view.info.get("sample") is None and trial_view.info.get("sample") is not None,
        },
        "text": "a document is embedded as 'title text' when it has a title (embedscout and mteb agree)",
        "metrics": {"main": "ndcg@10", "map": METRIC_MAP, "definitions": METRIC_DEFINITIONS},
        "models": [m.to_dict() for m in models],
        "skipped_models": list(skipped),
        "differences": differences(trial_view, export_view),
        "files": {name: sha256_file(folder / name) for name in DATA_FILES},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    shutil.copyfile(str(files("evaluators.scale") / RUNNER), folder / RUNNER)
    (folder / "README.md").write_text(readme(manifest), "utf-8")
    return ExportReport(folder, manifest)


def require_models(models: Sequence[ExportModel], skipped: Sequence[dict[str, str]]) -> None:
    """Refuse an export with nothing for mteb to run (checked before the documents are read)."""
    if not models:
        names = ", ".join(s["name"] for s in skipped) or "none"
        raise TrialInputError(f"no model mteb can run (skipped: {names}); name one with -m")


def differences(trial_view: Dataset, export_view: Dataset) -> list[str]:
    """What mteb will measure differently from the trial, in words (empty when it ranks the same units)."""
    out = []
    chunking = trial_view.info.get("chunking") or {}
    if trial_view.qrels_level == "parent":
        out.append(
            f"the trial cut documents into {chunking.get('tokens')}-token chunks (overlap "
            f"{chunking.get('overlap')}) and ranked each document by its best chunk (MaxP); mteb cannot, "
            f"so it embeds the {len(export_view.corpus)} whole documents, each cut at the model's window"
        )
    elif any(d.parent_id for d in export_view.corpus):
        out.append(
            "the trial's chunks are the documents here (its qrels name chunks), so mteb ranks the same units"
        )
    n_trial = len({d.parent_id or d.id for d in trial_view.corpus})
    n_export = len({d.parent_id or d.id for d in export_view.corpus})
    if n_export != n_trial:
        out.append(
            f"the trial sampled {n_trial} documents; this export has all {n_export} (and their queries), "
            "a bigger and usually harder search"
        )
    if trial_view.synthetic:
        out.append(f"queries are {trial_view.query_origin}, not written by people: indicative only")
    return out


def readme(manifest: dict[str, Any]) -> str:
    models = "\n".join(f"- {m['name']} (prompts from {m['prompts_from']})" for m in manifest["models"])
    skipped = "\n".join(f"- {s['name']}: {s['reason']}" for s in manifest["skipped_models"]) or "- none"
    notes = "\n".join(f"- {d}" for d in manifest["differences"]) or "- none: mteb ranks what the trial ranked"
    ex = manifest["export"]
    return f"""# {manifest["task_name"]}: an embedscout trial as an mteb retrieval task

{ex["n_docs"]} documents, {ex["n_queries"]} queries (BEIR layout), exported {manifest["created_at"]}.

On the machine that runs it (Python 3.10+, a CUDA build of torch for GPUs):

    pip install "mteb>=2.26,<3"
    python {RUNNER} --device cuda          # --help: --models, --dtype float16, --model-path NAME=DIR

It writes `{DEFAULT_OUTPUT}/` (mteb's results folder, predictions and `embedscout_run.json`). Copy that
folder back and run `embedscout import-results {DEFAULT_OUTPUT}`.

## Models
{models}

## Not exported
{skipped}

## Differences from the local trial
{notes}
"""


def _prepare(folder: Path, force: bool) -> Path:
    if folder.exists() and not folder.is_dir():
        raise TrialInputError(f"{folder} is a file: choose a folder for --out")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / MANIFEST).is_file():
            raise TrialInputError(f"{folder} is not empty and holds no earlier export: choose another --out")
        if not force:
            raise TrialInputError(f"{folder} holds an earlier export: pass --force to replace it")
        for name in _OURS:  # only what an export wrote; the user's other files stay
            (folder / name).unlink(missing_ok=True)
        shutil.rmtree(folder / DEFAULT_OUTPUT, ignore_errors=True)  # results of the old data are stale
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _dataset_facts(ds: Dataset) -> dict[str, Any]:
    info = ds.info
    keep = (
        "name",
        "source",
        "format",
        "licence",
        "sample",
        "seed",
        "chunking",
        "query_origin",
        "qrels_level",
    )
    facts = {k: info[k] for k in keep if k in info}
    return {
        **facts,
        "name": ds.name,
        "fingerprint": info.get("fingerprint") or fingerprint(ds.corpus, ds.queries, ds.qrels),
        "n_docs": len({d.parent_id or d.id for d in ds.corpus}),
        "n_units": len(ds.corpus),
        "n_queries": len(ds.queries),
        "synthetic": ds.synthetic,
    }


def _units(trial_view: Dataset, export_view: Dataset) -> str:
    if trial_view.qrels_level == "parent":
        return "whole documents (the trial ranked chunks by MaxP)"
    if any(d.parent_id for d in export_view.corpus):
        return "the trial's chunks"
    return "whole documents, as in the trial"


def _task_name(trial: dict[str, Any] | None, export_fp: str) -> str:
    if trial and trial.get("id") is not None:
        return f"EmbedscoutTrial{int(trial['id'])}"
    return f"EmbedscoutTask_{re.sub(r'[^0-9a-f]', '', export_fp)[:12]}"


def _write_jsonl(path: Path, rows: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
