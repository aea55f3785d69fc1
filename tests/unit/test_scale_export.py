"""export-task's logic without mteb or a model: what the folder holds, which models go, what is refused.

The round trip through mteb itself (slow) is tests/cli/test_scale_roundtrip.py.
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

import pytest

from evaluators import scale
from evaluators.datasets import load_dataset, load_demo
from evaluators.models import resolve_model
from evaluators.runner import describe_dataset, passage_text
from evaluators.scale.export import export_task
from evaluators.scale.source import (
    corpus_loader,
    load_views,
    models_from_refs,
    models_from_trial,
    trial_loader,
)
from evaluators.types import TrialInputError

BGE = "BAAI/bge-large-en-v1.5"  # a catalog model with an asymmetric query prompt


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _dense_row(ref: str, ndcg: float, status: str = "ok") -> dict[str, object]:
    """A stored trial row as the runner writes it: details start with ModelRef.describe()."""
    mref = resolve_model(ref)
    return {
        "model": mref.name,
        "status": status,
        "error": None if status == "ok" else "OutOfMemoryError: CUDA out of memory",
        "metrics": {"ndcg@10": ndcg} if status == "ok" else {},
        "perf": {"max_tokens": 256.0},
        "details": {"ref": ref, **mref.describe(), "backend": "onnx", "precision": "fp32"}
        if status == "ok"
        else {"ref": ref},
    }


def test_export_holds_the_trial_data_in_beir_layout_with_a_checked_manifest(tmp_path: Path) -> None:
    """Unchunked trial: the same units, queries and qrels (same fingerprint), files hashed in the manifest,
    the runner copied, the model's prompts and normalisation as resolved, BM25 named as not exported."""
    load = corpus_loader(None, demo=True, sample=30, chunk_tokens=0)
    trial_view, export_view = load_views(load, expected=None)
    assert export_view is trial_view
    models, skipped = models_from_refs(["minilm", "bm25", BGE])
    report = export_task(tmp_path / "task", trial_view, export_view, models, skipped=skipped, created_at="t")
    folder, manifest = report.folder, report.manifest

    corpus = _rows(folder / "corpus.jsonl")
    assert [c["_id"] for c in corpus] == [d.id for d in trial_view.corpus]
    # BEIR title/text joined as MTEB does it is exactly the string the trial embedded
    by_id = {d.id: d for d in trial_view.corpus}
    assert all(
        (f"{c['title']} {c['text']}" if c["title"] else c["text"]) == passage_text(by_id[c["_id"]])
        for c in corpus
    )
    qrels = (folder / "qrels" / "test.tsv").read_text("utf-8").splitlines()
    assert qrels[0] == "query-id\tcorpus-id\tscore"
    assert {tuple(x.split("\t")) for x in qrels[1:]} == {
        (q, d, str(g)) for q, rels in trial_view.qrels.items() for d, g in rels.items()
    }
    assert len(_rows(folder / "queries.jsonl")) == manifest["export"]["n_queries"] == len(trial_view.queries)
    assert (
        manifest["export"]["fingerprint"]
        == manifest["dataset"]["fingerprint"]
        == trial_view.info["fingerprint"]
    )
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert (folder / "run_mteb.py").read_text("utf-8") == (
        Path(scale.__file__).parent / "run_mteb.py"
    ).read_text("utf-8")
    by_name = {m["name"]: m for m in manifest["models"]}
    assert by_name[BGE]["query_prompt"] == "Represent this sentence for searching relevant passages: "
    assert by_name[BGE]["passage_prompt"] is None and by_name[BGE]["hf_id"] == BGE
    assert by_name["sentence-transformers/all-MiniLM-L6-v2"]["normalize"] is True
    assert [s["name"] for s in manifest["skipped_models"]] == ["bm25"]
    assert manifest["differences"] == [] and manifest["trial"] is None
    assert manifest["metrics"]["map"]["ndcg@10"] == "ndcg_at_10"
    assert "python run_mteb.py" in (folder / "README.md").read_text("utf-8")


def test_chunks_ranked_by_document_export_whole_documents_and_say_so(tmp_path: Path) -> None:
    """A trial that scored documents by their best chunk (MaxP) exports the whole documents, a different
    fingerprint, and states the difference; --full drops the sample and says that too."""
    load = corpus_loader(None, demo=True, sample=20, chunk_tokens=64, chunk_overlap=8)
    trial_view, export_view = load_views(load, expected=None, full=True)
    assert trial_view.qrels_level == "parent" and not any(d.parent_id for d in export_view.corpus)
    assert len(export_view.corpus) > len({d.parent_id or d.id for d in trial_view.corpus})
    report = export_task(
        tmp_path / "t", trial_view, export_view, models_from_refs(["minilm"])[0], created_at="t"
    )
    ex, notes = report.manifest["export"], " ".join(report.differences)
    assert ex["fingerprint"] != report.manifest["dataset"]["fingerprint"] and ex["full"] is True
    assert "MaxP" in notes and "64-token chunks" in notes and "sampled 20 documents" in notes


def test_models_from_a_trial_keep_its_prompts_and_say_what_cannot_run(tmp_path: Path) -> None:
    """Dense rows keep the prompts the trial used (even if the catalog changed since); BM25, hybrid, API
    and int8 rows are skipped with a reason; a row that failed locally is re-resolved; -m adds models."""
    bge = _dense_row(BGE, 0.5)
    bge["details"]["query_prompt"] = "the prompt the trial really used: "  # type: ignore[index]
    rows = [
        _dense_row("minilm", 0.7),
        bge,
        {"model": "bm25", "status": "ok", "details": {"kind": "bm25"}},
        {"model": "hybrid:x+bm25", "status": "ok", "details": {"kind": "hybrid"}},
        {"model": "openai:text-embedding-3-small", "status": "ok", "details": {"kind": "api"}},
        {"model": "x (int8)", "status": "ok", "details": {"kind": "dense", "identity": "x#int8-dynamic"}},
        _dense_row("intfloat/multilingual-e5-small", 0.0, status="failed"),
    ]
    models, skipped = models_from_trial(rows)
    names = [m.name for m in models]
    assert names[:2] == ["sentence-transformers/all-MiniLM-L6-v2", BGE] and len(names) == 3
    assert (
        models[1].query_prompt == "the prompt the trial really used: "
        and models[1].prompts_from == "the trial"
    )
    assert models[0].trial_metrics == {"ndcg@10": 0.7} and models[0].trial_setup["backend"] == "onnx"
    assert models[0].hf_id == "sentence-transformers/all-MiniLM-L6-v2" and Path(str(models[0].load)).is_dir()
    assert "failed in the trial: OutOfMemoryError" in models[2].prompts_from
    assert {s["name"] for s in skipped} == {
        "bm25",
        "hybrid:x+bm25",
        "openai:text-embedding-3-small",
        "x (int8)",
    }
    picked, _ = models_from_trial(rows, ["minilm", "BAAI/bge-small-en-v1.5"])
    assert [m.name for m in picked][0] == "sentence-transformers/all-MiniLM-L6-v2" and len(picked) == 2
    assert "not run in a local trial" in picked[1].prompts_from


def test_a_saved_trial_reloads_to_its_fingerprint_or_is_refused(tmp_path: Path) -> None:
    """The journal keeps where the data came from, not the texts: the export reloads it and refuses when the
    documents changed, when queries came from an LLM, or when the user's queries file is not given."""
    src = tmp_path / "docs"
    src.mkdir()
    for i in range(6):
        (src / f"d{i}.txt").write_text(f"Document {i} talks about topic {i} and nothing else. " * 3, "utf-8")
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "".join(json.dumps({"query": f"topic {i}", "doc_id": f"d{i}.txt"}) + "\n" for i in range(6))
    )
    ds = load_dataset(src, queries, chunk_tokens=None)
    info = describe_dataset(ds, len(ds.queries))
    assert info["queries_file"] == str(queries.resolve())
    trial_view, _ = load_views(trial_loader(info, {}), expected=info["fingerprint"])
    assert trial_view.info["fingerprint"] == info["fingerprint"]

    (src / "d0.txt").write_text("Changed since the trial.", "utf-8")
    with pytest.raises(TrialInputError, match="changed since the trial"):
        load_views(trial_loader(info, {}), expected=info["fingerprint"])
    with pytest.raises(TrialInputError, match="--queries"):
        trial_loader({**info, "queries_file": None}, {})
    with pytest.raises(TrialInputError, match="written by openai:gpt-4o-mini"):
        trial_loader({**info, "query_origin": "llm:openai:gpt-4o-mini"}, {})
    with pytest.raises(TrialInputError, match="--corpus"):
        trial_loader({"format": "files", "query_origin": "synthetic:ict"}, {})


def test_an_export_never_overwrites_what_it_did_not_write(tmp_path: Path) -> None:
    ds = load_demo(sample=10, chunk_tokens=None)
    models = models_from_refs(["minilm"])[0]
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("user data", "utf-8")
    with pytest.raises(TrialInputError, match="not empty"):
        export_task(busy, ds, ds, models, created_at="t")
    export_task(tmp_path / "t", ds, ds, models, created_at="t")
    with pytest.raises(TrialInputError, match="--force"):
        export_task(tmp_path / "t", ds, ds, models, created_at="t")
    (tmp_path / "t" / "notes.txt").write_text("keep me", "utf-8")
    export_task(tmp_path / "t", ds, ds, models, created_at="t2", force=True)
    assert (tmp_path / "t" / "notes.txt").is_file()
    assert json.loads((tmp_path / "t" / "manifest.json").read_text("utf-8"))["created_at"] == "t2"
    with pytest.raises(TrialInputError, match="no model mteb can run"):
        export_task(tmp_path / "u", ds, ds, [], skipped=[{"name": "bm25", "reason": "r"}], created_at="t")


def test_the_runner_speaks_the_same_formats_and_imports_no_embedscout() -> None:
    """run_mteb.py is copied to another machine: its format strings must match, and it may import only
    the standard library and what `pip install mteb` brings."""
    tree = ast.parse((Path(scale.__file__).parent / "run_mteb.py").read_text("utf-8"))
    consts = {
        t.id: n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    assert consts["MANIFEST_FORMAT"] == scale.MANIFEST_FORMAT and consts["RUN_FORMAT"] == scale.RUN_FORMAT
    assert consts["VERSION"] == scale.FORMAT_VERSION
    imported = {
        (n.module if isinstance(n, ast.ImportFrom) else a.name).split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom)) and (not isinstance(n, ast.ImportFrom) or n.module)
        for a in (n.names if isinstance(n, ast.Import) else [n.names[0]])
    }
    third_party = imported - {
        "__future__",
        "argparse",
        "hashlib",
        "json",
        "platform",
        "shutil",
        "sys",
        "time",
    }
    third_party -= {"uuid", "datetime", "pathlib", "typing", "importlib"}
    assert third_party == {"mteb", "datasets", "numpy", "torch", "sentence_transformers"}
