"""Run an embedscout trial's models as an mteb retrieval task on this machine (a GPU box, usually).

`embedscout export-task` copies this file, unchanged, next to the task it exported (corpus.jsonl,
queries.jsonl, qrels/test.tsv, manifest.json). It imports only mteb and what mteb itself installs (torch,
sentence-transformers, datasets, numpy), never embedscout, so the folder runs wherever `pip install mteb`
does. Each model is encoded with exactly the prompts and normalisation its local trial used, scored by dot
product (what the trial's exact search did), and its results land in mteb's standard folder
(<output>/results/<model>/<revision>/<task>.json) with top-100 predictions and a provenance record
(<output>/embedscout_run.json) that `embedscout import-results <output>` reads back.

    python run_mteb.py --device cuda                 # every model in manifest.json
    python run_mteb.py --device cpu --models sentence-transformers/all-MiniLM-L6-v2
    python run_mteb.py --model-path NAME=/models/x   # load NAME from a local folder instead
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MANIFEST_FORMAT = "embedscout-mteb-task"
RUN_FORMAT = "embedscout-mteb-run"
VERSION = 1
K_VALUES = (1, 3, 5, 10, 20, 100)
"""Cut-offs mteb scores; the largest (100) is also how many documents per query it keeps as predictions."""
PACKAGES = (
    "mteb",
    "torch",
    "transformers",
    "sentence-transformers",
    "datasets",
    "numpy",
    "pytrec-eval-terrier",
)


def say(text: str) -> None:
    print(f"[run_mteb] {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    task_dir = Path(args.task_dir).resolve()
    try:
        manifest = _load_manifest(task_dir)
        models = _select_models(manifest, args.models, _overrides(args.model_path))
    except ValueError as exc:
        print(f"run_mteb: error: {exc}", file=sys.stderr)
        return 2
    try:
        import mteb  # noqa: F401  (checked up front: each model imports it again where it runs)
    except ImportError:
        print('run_mteb: error: mteb is not installed here: pip install "mteb>=2.26,<3"', file=sys.stderr)
        return 2
    output = Path(args.output).resolve() if args.output else task_dir / "mteb-results"
    output.mkdir(parents=True, exist_ok=True)
    device = args.device or _best_device()
    corpus, queries, qrels = _read_task(task_dir)
    say(f"task {manifest['task_name']}: {len(corpus)} documents, {len(queries)} queries ({task_dir})")
    for note in manifest.get("differences", []):
        say(f"note: {note}")
    say(f"device {device}, dtype {args.dtype}, batch size {args.batch_size}; results -> {output}")
    if device.startswith("cuda") and args.dtype == "float32":
        say("note: float32 matches the local trial but leaves tensor cores idle; --dtype bfloat16 is faster")
    started = _now()
    rows = [_run_model(m, manifest, corpus, queries, qrels, output, device, args) for m in models]
    shutil.copyfile(task_dir / "qrels" / "test.tsv", output / "qrels.tsv")  # import recomputes per query
    record = {
        "format": RUN_FORMAT,
        "version": VERSION,
        "run_id": uuid.uuid4().hex,
        "started_at": started,
        "finished_at": _now(),
        "machine": _machine(args.label, device),
        "packages": {name: _version(name) for name in PACKAGES},
        "settings": {"device": device, "dtype": args.dtype, "batch_size": args.batch_size},
        "models": rows,
        "manifest": manifest,
    }
    (output / "embedscout_run.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), "utf-8")
    ok = [r for r in rows if r["status"] == "ok"]
    say(f"{len(ok)} of {len(rows)} model(s) ran; bring the results back with:")
    say(f"  embedscout import-results {output}")
    return 0 if ok else 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", help="cuda, cuda:1, mps or cpu (default: cuda when available, else cpu)")
    p.add_argument(
        "--models", nargs="+", metavar="NAME", help="run only these models (names in manifest.json)"
    )
    p.add_argument(
        "--model-path",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="load NAME from this local folder (repeatable); default: the manifest's path if it "
        "exists here, else its Hugging Face id at the trial's revision",
    )
    p.add_argument(
        "--dtype",
        choices=("float32", "float16", "bfloat16"),
        default="float32",
        help="weights precision (the local trial ran float32; half precision is faster on GPUs)",
    )
    p.add_argument("--batch-size", type=int, default=32, help="texts per encoding batch (default 32)")
    p.add_argument("--output", help="results folder (default: mteb-results next to this script)")
    p.add_argument("--label", help="machine name shown in embedscout (default: this host's name)")
    p.add_argument("--task-dir", default=str(HERE), help="the exported task folder (default: this script's)")
    return p


def _load_manifest(task_dir: Path) -> dict[str, Any]:
    path = task_dir / "manifest.json"
    if not path.is_file():
        raise ValueError(f"no manifest.json in {task_dir}: run this script inside an exported task folder")
    manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
    if manifest.get("format") != MANIFEST_FORMAT or int(manifest.get("version", 0)) > VERSION:
        raise ValueError(f"{path} is not an embedscout mteb task this script understands")
    for name, digest in manifest["files"].items():
        if sha256_file(task_dir / name) != digest:
            raise ValueError(f"{name} changed since export (sha256 differs): export the task again")
    return manifest


def _overrides(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"run_mteb: error: --model-path expects NAME=PATH, got {pair!r}")
        out[name] = path
    return out


def _select_models(manifest: dict[str, Any], names: list[str] | None, paths: dict[str, str]) -> list[Any]:
    models = manifest["models"]
    known = [m["name"] for m in models]
    unknown = [n for n in [*(names or []), *paths] if n not in known]
    if unknown:
        raise ValueError(f"not in manifest.json: {', '.join(unknown)} (models: {', '.join(known)})")
    chosen = [dict(m) for m in models if not names or m["name"] in names]
    for m in chosen:
        m["path_override"] = paths.get(m["name"])
    if not chosen:
        raise ValueError("manifest.json lists no model to run")
    return chosen


def _read_task(
    task_dir: Path,
) -> tuple[list[dict[str, str]], list[dict[str, str]], dict[str, dict[str, int]]]:
    def rows(name: str) -> list[dict[str, Any]]:
        with open(task_dir / name, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    corpus = [
        {"id": r["_id"], "title": r.get("title") or "", "text": r["text"]} for r in rows("corpus.jsonl")
    ]
    queries = [{"id": r["_id"], "text": r["text"]} for r in rows("queries.jsonl")]
    qrels: dict[str, dict[str, int]] = {}
    with open(task_dir / "qrels" / "test.tsv", encoding="utf-8") as f:
        next(f)  # header: query-id, corpus-id, score
        for line in f:
            if line.strip():
                qid, did, grade = line.rstrip("\n").split("\t")
                qrels.setdefault(qid, {})[did] = int(grade)
    return corpus, queries, qrels


def _task(manifest: dict[str, Any], corpus: list[Any], queries: list[Any], qrels: dict[str, Any]) -> Any:
    """The mteb retrieval task over the exported folder: data in memory, nothing fetched from the Hub."""
    from datasets import Dataset
    from mteb.abstasks.retrieval import AbsTaskRetrieval
    from mteb.abstasks.retrieval_dataset_loaders import RetrievalSplitData
    from mteb.abstasks.task_metadata import TaskMetadata

    class EmbedscoutTask(AbsTaskRetrieval):
        k_values = K_VALUES
        metadata = TaskMetadata(
            name=manifest["task_name"],
            description=f"embedscout export of {manifest['dataset']['name']}",
            reference=None,
            dataset={"path": str(HERE), "revision": manifest["export"]["fingerprint"][:16]},
            type="Retrieval",
            category="t2t",
            eval_splits=["test"],
            eval_langs=["und-Zyyy"],  # undetermined: the export does not claim a language
            main_score="ndcg_at_10",
            date=None,
            domains=None,
            task_subtypes=None,
            license=None,
            annotations_creators=None,
            dialect=None,
            sample_creation=None,
            bibtex_citation=None,
            modalities=["text"],
        )

        def load_data(self, num_proc: int | None = None, **kwargs: Any) -> None:
            split = RetrievalSplitData(
                corpus=Dataset.from_list(corpus),
                queries=Dataset.from_list(queries),
                relevant_docs=qrels,
                top_ranked=None,
            )
            self.dataset = {"default": {"test": split}}
            self.data_loaded = True

    return EmbedscoutTask()


def _encoder(model: Any, spec: dict[str, Any], revision: str, batch_size: int) -> Any:
    """An mteb encoder applying the trial's own prompts and normalisation, scoring by dot product."""
    import numpy as np
    from mteb.models.abs_encoder import AbsEncoder
    from mteb.models.model_meta import ModelMeta, ScoringFunction

    class TrialEncoder(AbsEncoder):
        def __init__(self) -> None:
            self.model = model
            self.mteb_model_meta = ModelMeta.create_empty(
                overwrites={
                    "name": spec["name"],
                    "revision": revision,
                    "similarity_fn_name": ScoringFunction.DOT_PRODUCT,
                    "max_tokens": model.max_seq_length,
                    "embed_dim": _dimension(model),
                    "modalities": ["text"],
                    "framework": ["Sentence Transformers", "PyTorch"],
                }
            )

        def encode(
            self,
            inputs: Any,
            *,
            task_metadata: Any,
            hf_split: str,
            hf_subset: str,  # type: ignore[override]
            prompt_type: Any = None,
            **kwargs: Any,
        ) -> Any:
            texts = [t for batch in inputs for t in batch["text"]]
            query = getattr(prompt_type, "value", prompt_type) == "query"
            prompt = spec["query_prompt"] if query else spec["passage_prompt"]
            out = model.encode(
                texts,
                prompt=prompt or None,
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=bool(spec["normalize"]),
                show_progress_bar=False,
            )
            return np.asarray(out, dtype=np.float32)

    return TrialEncoder()


def _run_model(
    spec: dict[str, Any],
    manifest: dict[str, Any],
    corpus: list[Any],
    queries: list[Any],
    qrels: dict[str, Any],
    output: Path,
    device: str,
    args: argparse.Namespace,
) -> dict[str, Any]:
    source, revision = _source(spec)
    row: dict[str, Any] = {
        key: spec.get(key) for key in ("name", "query_prompt", "passage_prompt", "normalize")
    }
    row.update(loaded_from=source, revision=revision, similarity="dot")
    say(f"model {spec['name']}: loading {source}" + (f" @ {revision}" if revision != "local" else ""))
    say(
        f"  query prompt {spec['query_prompt']!r}, passage prompt {spec['passage_prompt']!r}, "
        f"normalise {'yes' if spec['normalize'] else 'no'}, similarity: dot product"
    )
    try:
        import mteb  # before the clock starts: its import (10-20 s) is not the model's load time

        started = time.perf_counter()
        model = _load(source, revision, device, args.dtype)
        row["load_s"] = round(time.perf_counter() - started, 3)
        row["max_seq_length"] = int(model.max_seq_length)
        row["docs_truncated"] = _count_truncated(model, spec, corpus)
        say(
            f"  {row['docs_truncated']} of {len(corpus)} documents exceed max_seq_length "
            f"{model.max_seq_length} tokens and are truncated (as in a local trial without chunking)"
        )
        slug = spec["name"].replace("/", "__")
        encoder = _encoder(model, spec, revision, args.batch_size)
        result = mteb.evaluate(
            encoder,
            _task(manifest, corpus, queries, qrels),
            cache=mteb.ResultCache(cache_path=str(output)),
            overwrite_strategy="always",
            prediction_folder=output / "predictions" / slug,
            encode_kwargs={"batch_size": args.batch_size},
            show_progress_bar=True,
        )
        scores = result.task_results[0].scores["test"][0]
        row.update(status="ok", wall_s=round(time.perf_counter() - started, 3))
        path = mteb.ResultCache(cache_path=str(output)).get_task_result_path(
            manifest["task_name"], encoder.mteb_model_meta
        )
        row["result_file"] = path.relative_to(output).as_posix()
        row["predictions_file"] = f"predictions/{slug}/{manifest['task_name']}_predictions.json"
        say(f"  nDCG@10 {scores['ndcg_at_10']:.4f} (local trial: {_trial_ndcg(spec)}); {row['wall_s']:.1f} s")
    except Exception as exc:  # one model's failure (download, OOM) must not lose the others
        row.update(status="failed", error=f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        say(f"  FAILED: {row['error']}")
    return row


def _source(spec: dict[str, Any]) -> tuple[str, str]:
    """(what to load, revision): --model-path, else the trial's folder if present, else the Hub id."""
    if spec.get("path_override"):
        return str(spec["path_override"]), "local"
    if spec.get("load") and Path(spec["load"]).is_dir():
        return str(spec["load"]), "local"
    # Not here: the Hub id at the trial's revision (a load failure becomes this model's failed row).
    return str(spec.get("hf_id") or spec.get("load") or spec["name"]), str(spec.get("revision") or "main")


def _load(source: str, revision: str, device: str, dtype: str) -> Any:
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(source, device=device, revision=None if revision == "local" else revision)
    if dtype != "float32":
        model = model.to(getattr(torch, dtype))
    return model


def _count_truncated(model: Any, spec: dict[str, Any], corpus: list[dict[str, str]]) -> int:
    """Documents longer than the model's window (prompt and special tokens included)."""
    prompt = spec["passage_prompt"] or ""
    texts = [prompt + (f"{d['title']} {d['text']}" if d["title"] else d["text"]) for d in corpus]
    limit, over = int(model.max_seq_length), 0
    for start in range(0, len(texts), 1024):
        ids = model.tokenizer(texts[start : start + 1024], truncation=False, verbose=False)["input_ids"]
        over += sum(1 for x in ids if len(x) > limit)
    return over


def _dimension(model: Any) -> int | None:
    get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension  # ST < 6
    return get()  # type: ignore[no-any-return]


def _trial_ndcg(spec: dict[str, Any]) -> str:
    value = (spec.get("trial_metrics") or {}).get("ndcg@10")
    return f"{value:.4f}" if isinstance(value, (int, float)) else "not run locally"


def _best_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _machine(label: str | None, device: str) -> dict[str, Any]:
    import torch

    gpus = (
        [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        if device.startswith("cuda")
        else []
    )
    return {
        "label": label or platform.node() or "unknown host",
        "host": platform.node(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "device": device,
        "gpus": gpus,
        "cuda": torch.version.cuda if gpus else None,
    }


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file (export-task imports it: one definition for writer and checker)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    sys.exit(main())
