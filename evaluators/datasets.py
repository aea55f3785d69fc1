"""Public entry points for trial data: `load_dataset()` (a folder, file, BEIR folder or SQuAD JSON -> Dataset)
and `load_demo()` (the bundled, licensed SQuAD sample). Reading, chunking, sampling and query building live
in `evaluators.ingest`; this module only orders those steps and records honest counts in `Dataset.info`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib.resources import as_file, files
from os import PathLike
from pathlib import Path
from typing import Any

from evaluators.ingest.beir import is_beir, read_beir, read_qrels
from evaluators.ingest.chunking import TOKEN_COUNTER, chunk_docs
from evaluators.ingest.files import read_documents
from evaluators.ingest.queries import answer_qrels, read_user_queries, resolve_doc_ids
from evaluators.ingest.report import ReadReport, SkipFn
from evaluators.ingest.sampling import sample_corpus
from evaluators.ingest.squad import is_squad_file, read_squad
from evaluators.ingest.synthetic import make_synthetic, parse_synthetic
from evaluators.types import Dataset, Doc, Query, TrialInputError

DEMO_NAME = "demo-squad-en"
StrPath = str | PathLike[str]


@dataclass
class _Raw:
    """What a reader produced, before relevance is resolved (all ids are parent-document ids)."""

    name: str
    fmt: str
    docs: list[Doc]
    queries: list[Query] = field(default_factory=list)
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)
    answers: dict[str, list[str]] = field(default_factory=dict)
    origin: str = "dataset"
    answer_based: set[str] = field(default_factory=set)
    """Queries whose relevance came from answer text (no explicit doc ids)."""
    notes: dict[str, Any] = field(default_factory=dict)


def load_dataset(corpus: StrPath, queries: StrPath | None = None, qrels: StrPath | None = None, *,
                 chunk_tokens: int | None = 256, chunk_overlap: int = 32, sample: int | None = None,
                 seed: int = 0, synthetic: str | None = "auto", on_skip: SkipFn | None = None) -> Dataset:
    """Read `corpus` (auto-detected: BEIR folder, SQuAD JSON, or plain documents) into a Dataset.

    `queries`: a JSONL/CSV of question + relevant doc id(s) or + answer text (relevance = chunks containing
    the answer); `qrels`: a BEIR/TREC qrels file. With no queries anywhere, `synthetic` ('auto' | 'ict' |
    'keyphrase', optionally ':<count>'; None/'none' to refuse) makes labelled pseudo-queries. `chunk_tokens`
    None or 0 disables chunking. `sample`: see evaluators.ingest.sampling. `on_skip(path, reason)` is told
    about every skipped file or record. Bad input raises TrialInputError with a one-line message.
    """
    _check_settings(chunk_tokens, chunk_overlap, sample)
    path = Path(corpus).expanduser()
    if not path.exists():
        raise TrialInputError(f"corpus not found: {path}")
    report = ReadReport(on_skip=on_skip)
    raw = _read_corpus(path, report)
    if not raw.docs:
        raise TrialInputError(_empty_message(path, report))
    _apply_user_queries(raw, queries, qrels, report)
    dropped = _resolve_relevance(raw)
    total_docs = len(raw.docs)
    sample_info: dict[str, Any] = {}
    if sample:
        s = sample_corpus(raw.docs, raw.queries, raw.qrels, sample, seed)
        raw.docs, raw.queries, raw.qrels, sample_info = s.docs, s.queries, s.qrels, dict(s.info)
        if raw.origin != "none" and not raw.queries:
            raise TrialInputError(f"--sample {sample} is too small to keep any query with its relevant docs")
    units = chunk_docs(raw.docs, chunk_tokens, chunk_overlap)
    units, final_queries, final_qrels, level, origin = _final_queries(raw, units, synthetic, seed, dropped)
    ds = Dataset(name=raw.name, corpus=tuple(units), queries=tuple(final_queries), qrels=final_qrels,
                 qrels_level=level, query_origin=origin, documents=tuple(raw.docs))
    info = _info(ds, raw, report, path, total_docs, dropped, sample_info,
                 {"chunk_tokens": chunk_tokens or None, "chunk_overlap": chunk_overlap if chunk_tokens else 0,
                  "sample": sample, "seed": seed,
                  # where the user's own queries came from, so a saved trial can be rebuilt (export-task)
                  "queries_file": _abs(queries), "qrels_file": _abs(qrels)})
    # How relevance was set: the runner re-derives it when it re-cuts the documents per model or size.
    answer_based = bool(raw.queries) and all(q.id in raw.answer_based for q in raw.queries)
    info["relevance"] = "synthetic" if ds.synthetic else "answer" if answer_based else "ids"
    return replace(ds, info=info)


def load_demo(**kwargs: Any) -> Dataset:
    """The bundled demo: a SQuAD 2.0 sample (CC BY-SA 4.0; see evaluators/data/demo/LICENSE.md).
    Keyword arguments are passed to load_dataset (chunking, sample, seed)."""
    with as_file(files("evaluators") / "data" / "demo") as folder:
        ds = load_dataset(folder, **kwargs)
    info = {**ds.info, "name": DEMO_NAME, "format": "demo", "source": "evaluators/data/demo",
            "licence": "CC BY-SA 4.0 (SQuAD 2.0, Wikipedia text)"}
    return replace(ds, name=DEMO_NAME, info=info)


def reading_notes(info: dict[str, Any]) -> list[str]:
    """One line each for what a reader of the results must know about how the data was read: files
    skipped (and why), queries dropped (and why), and readings that could have gone another way (a CSV
    without a header). The CLI and the TUI both show them; `--json` has the same facts as numbers."""
    lines = []
    skipped = info.get("files_skipped") or {}
    if skipped:
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(skipped.items(), key=lambda kv: -kv[1]))
        lines.append(f"Skipped while reading ({info.get('files_read', '?')} files read): {reasons}.")
    dropped = {k: v for k, v in (info.get("queries_dropped") or {}).items() if v}
    unknown = dropped.pop("unknown doc ids", 0)
    ids = ", ".join(repr(i) for i in info.get("unknown_doc_ids") or [])
    ids_text = f"{unknown} relevant doc id(s) not in the corpus" + (f", e.g. {ids}" if ids else "")
    fix = "check the queries' doc ids against the corpus (file paths relative to it, or record ids)"
    if dropped:
        why = "; ".join([f"{v} {k.removeprefix('queries ')}" for k, v in dropped.items()]
                        + ([ids_text] if unknown else []))
        n = sum(dropped.values())
        lines.append(f"Dropped {n} {'query' if n == 1 else 'queries'} ({why}): {fix}.")
    elif unknown:
        lines.append(f"Ignored {ids_text} (their queries kept the ids that matched): {fix}.")
    lines.extend(str(note) for note in info.get("read_notes") or [])
    return lines


def parent_of(unit: Doc) -> str:
    """The parent document id of a corpus unit (a chunk's parent_id, else its own id)."""
    return unit.parent_id or unit.id


def fingerprint(corpus: Iterable[Doc], queries: Iterable[Query], qrels: dict[str, dict[str, int]]) -> str:
    """sha256 over sorted (id, text) of corpus units and queries, then the sorted qrels; order-independent."""
    h = hashlib.sha256()
    for tag, rows in (("doc", sorted((d.id, d.text) for d in corpus)),
                      ("query", sorted((q.id, q.text) for q in queries))):
        for row in rows:
            h.update(json.dumps([tag, *row], ensure_ascii=False).encode())
    for qid in sorted(qrels):
        h.update(json.dumps(["qrels", qid, sorted(qrels[qid].items())], ensure_ascii=False).encode())
    return h.hexdigest()


def _abs(path: StrPath | None) -> str | None:
    return None if path is None else str(Path(path).expanduser().resolve())


def _check_settings(chunk_tokens: int | None, chunk_overlap: int, sample: int | None) -> None:
    if chunk_tokens is not None and chunk_tokens < 0:
        raise TrialInputError(f"chunk size must be positive, got {chunk_tokens} (0 turns chunking off)")
    if chunk_tokens and not 0 <= chunk_overlap < chunk_tokens:
        raise TrialInputError(f"chunk overlap must be in [0, {chunk_tokens}), got {chunk_overlap}: use a "
                              "smaller overlap or larger chunks")
    if sample is not None and sample < 1:
        raise TrialInputError(f"sample size must be at least 1, got {sample}")


def _read_corpus(path: Path, report: ReadReport) -> _Raw:
    if is_beir(path):
        beir = read_beir(path, report)
        return _Raw(path.name, "beir", beir.corpus, beir.queries, beir.qrels,
                    notes={"qrels_file": beir.qrels_file})
    if is_squad_file(path):
        sq = read_squad(path, report)
        answers = {q.id: list(q.answers) for q in sq.queries if q.answers}
        return _Raw(path.stem, "squad", sq.corpus, sq.queries, sq.qrels, answers,
                    notes={"questions_skipped": sq.skipped_questions})
    name = path.name if path.is_dir() else path.stem
    return _Raw(name, "files", read_documents(path, report), origin="none")


def _empty_message(path: Path, report: ReadReport) -> str:
    kinds = "give a folder or file of .txt, .md, .html, .json, .jsonl, .csv or .pdf documents"
    skipped = sum(report.skipped.values())
    if not skipped:
        return f"no documents found in {path}: {kinds}"
    reasons = ", ".join(f"{n} {r}" for r, n in report.skipped.most_common())
    return f"no readable documents in {path} ({skipped} skipped: {reasons}): {kinds} with text in them"


def _apply_user_queries(raw: _Raw, queries: StrPath | None, qrels: StrPath | None,
                        report: ReadReport) -> None:
    if queries is not None:
        user = read_user_queries(Path(queries).expanduser(), report)
        raw.queries, raw.qrels, raw.answers, raw.origin = user.queries, user.qrels, user.answers, "user"
    if qrels is not None:
        qpath = Path(qrels).expanduser()
        if not qpath.is_file():
            raise TrialInputError(f"qrels file not found: {qpath}")
        raw.qrels = {**raw.qrels, **read_qrels(qpath)}
        if raw.origin == "none":
            raise TrialInputError(f"qrels given ({qpath}) but no queries: pass a queries file too")


def _resolve_relevance(raw: _Raw) -> dict[str, int]:
    """Turn ids and answers into parent-level qrels; drop (and count) queries that end up with none."""
    resolved, unknown, examples = resolve_doc_ids(raw.qrels, raw.docs)
    if examples:
        raw.notes["unknown_doc_ids"] = examples
    by_answer = answer_qrels({q: a for q, a in raw.answers.items() if q not in resolved}, raw.docs)
    raw.qrels = {**by_answer, **resolved}
    raw.answer_based = set(by_answer)
    before = len(raw.queries)
    raw.queries = [q for q in raw.queries if q.id in raw.qrels]
    raw.qrels = {q.id: raw.qrels[q.id] for q in raw.queries}
    dropped = {"unknown doc ids": unknown} if unknown else {}
    if before - len(raw.queries):
        dropped["queries without a relevant document"] = before - len(raw.queries)
        if not raw.queries:
            raise TrialInputError(f"none of the {before} queries has a relevant document in the corpus "
                                  "(check the doc ids or answers)")
    return dropped


def _final_queries(raw: _Raw, units: list[Doc], synthetic: str | None, seed: int, dropped: dict[str, int]
                   ) -> tuple[list[Doc], list[Query], dict[str, dict[str, int]], str, str]:
    """(units, queries, qrels, qrels_level, query_origin) once the corpus is chunked."""
    if not raw.queries:
        method, count = parse_synthetic(synthetic)
        syn = make_synthetic(units, method, count=count, seed=seed)
        if not syn.queries:
            need = ("chunks with at least two sentences of 6-64 tokens" if method == "ict"
                    else "chunks with at least two distinctive words")
            raise TrialInputError(
                f"no queries given, and no synthetic ({method}) queries could be made: that needs {need}. "
                "Pass a queries file (question + relevant doc id or answer text)"
                + (", or try synthetic queries of kind keyphrase" if method == "ict" else "")
            )
        return syn.units, syn.queries, syn.qrels, "unit", f"synthetic:{method}"
    split = any(u.parent_id for u in units)
    if all(q.id in raw.answer_based for q in raw.queries):
        qrels = answer_qrels({q.id: raw.answers[q.id] for q in raw.queries}, units)
        kept = [q for q in raw.queries if q.id in qrels]
        if len(kept) < len(raw.queries):
            dropped["answer only across a chunk boundary"] = len(raw.queries) - len(kept)
        return units, kept, qrels, "unit", raw.origin
    return units, raw.queries, raw.qrels, "parent" if split else "unit", raw.origin


def _info(ds: Dataset, raw: _Raw, report: ReadReport, path: Path, total_docs: int, dropped: dict[str, int],
          sample_info: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    n_docs = len({parent_of(u) for u in ds.corpus})
    n_split = len({u.parent_id for u in ds.corpus if u.parent_id})
    return {
        "name": ds.name, "format": raw.fmt, "source": str(path),
        "files_read": report.files_read, "files_skipped": dict(report.skipped),
        "skipped_examples": [f"{p}: {r}" for p, r in report.examples[:5]], "read_notes": list(report.notes),
        "encodings": dict(report.encodings),
        "n_docs": n_docs, "n_docs_total": total_docs, "n_chunks": len(ds.corpus),
        "n_queries": len(ds.queries), "queries_dropped": dropped,
        "query_origin": ds.query_origin, "qrels_level": ds.qrels_level,
        **settings, "token_counter": TOKEN_COUNTER,
        "chunking": {"tokens": settings["chunk_tokens"], "overlap": settings["chunk_overlap"],
                     "counter": TOKEN_COUNTER, "docs_split": n_split},
        "sampling": sample_info, **raw.notes,
        "fingerprint": fingerprint(ds.corpus, ds.queries, ds.qrels),
    }
