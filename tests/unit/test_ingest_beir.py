"""BEIR folders: corpus/queries/qrels read as given, on slices of tests/data and on crafted files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluators.datasets import load_dataset
from evaluators.ingest.beir import find_qrels, read_qrels
from evaluators.types import TrialInputError


def _slice(src: Path, dst: Path, n_queries: int) -> Path:
    """The first n queries of a shared set, their relevant docs, and the first 30 other docs."""
    dst.mkdir()
    qrels = [line.split("\t") for line in (src / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    keep_q = [q for q, _, _ in qrels][:n_queries]
    keep_d = {d for q, d, _ in qrels if q in keep_q}
    corpus = (src / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    extra = [line for line in corpus if json.loads(line)["_id"] not in keep_d][:30]
    docs = [line for line in corpus if json.loads(line)["_id"] in keep_d] + extra
    (dst / "corpus.jsonl").write_text("\n".join(docs) + "\n", encoding="utf-8")
    queries = [line for line in (src / "queries.jsonl").read_text(encoding="utf-8").splitlines()
               if json.loads(line)["_id"] in keep_q]
    (dst / "queries.jsonl").write_text("\n".join(queries) + "\n", encoding="utf-8")
    rows = ["query-id\tcorpus-id\tscore"] + ["\t".join(r) for r in qrels if r[0] in keep_q]
    (dst / "qrels.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return dst


@pytest.mark.parametrize("name", ["squad_en", "cmrc_zh", "tatoeba_en_zh"])
def test_shared_slice_loads_as_given(shared_data: Path, tmp_path: Path, name: str) -> None:
    """Every query of a BEIR slice survives with its qrels, and every qrels id names a corpus parent."""
    folder = _slice(shared_data / name, tmp_path / name, 12)
    ds = load_dataset(folder)
    assert ds.info["format"] == "beir" and ds.query_origin == "dataset"
    assert len(ds.queries) == 12 and ds.info["n_docs"] == ds.info["n_docs_total"]
    parents = {d.parent_id or d.id for d in ds.corpus}
    units = {d.id for d in ds.corpus}
    for rel in ds.qrels.values():
        assert set(rel) <= (parents if ds.qrels_level == "parent" else units)
    assert len(ds.info["fingerprint"]) == 64


def test_chinese_docs_split_into_chunks_at_parent_level(shared_data: Path, tmp_path: Path) -> None:
    """cmrc_zh contexts exceed 256 CJK tokens: they are chunked and qrels stay at parent level (MaxP)."""
    ds = load_dataset(_slice(shared_data / "cmrc_zh", tmp_path / "c", 5), chunk_tokens=128, chunk_overlap=16)
    assert ds.qrels_level == "parent"
    chunks = [d for d in ds.corpus if d.parent_id]
    assert chunks and all(d.id.startswith(f"{d.parent_id}#") for d in chunks)
    assert ds.info["chunking"]["docs_split"] == len({d.parent_id for d in chunks})


def test_no_chunking_keeps_unit_level(shared_data: Path, tmp_path: Path) -> None:
    ds = load_dataset(_slice(shared_data / "cmrc_zh", tmp_path / "c", 5), chunk_tokens=None)
    assert ds.qrels_level == "unit" and all(d.parent_id is None for d in ds.corpus)
    assert ds.info["chunk_tokens"] is None


def test_qrels_folder_prefers_test_split(tmp_path: Path) -> None:
    (tmp_path / "qrels").mkdir()
    for split in ("train", "test", "dev"):
        (tmp_path / "qrels" / f"{split}.tsv").write_text("q\td\t1\n", encoding="utf-8")
    assert find_qrels(tmp_path) == tmp_path / "qrels" / "test.tsv"


def test_qrels_formats(tmp_path: Path) -> None:
    """BEIR TSV with header, TREC 4-column, and 2-column rows; grade 0 is not relevant."""
    beir = tmp_path / "a.tsv"
    beir.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\nq2\td3\t2\n", encoding="utf-8")
    trec = tmp_path / "b.txt"
    trec.write_text("q1 0 d1 1\nq2 0 d9 0\n", encoding="utf-8")
    two = tmp_path / "c.tsv"
    two.write_text("q1\td1\n", encoding="utf-8")
    assert read_qrels(beir) == {"q1": {"d1": 1}, "q2": {"d3": 2}}
    assert read_qrels(trec) == {"q1": {"d1": 1}}
    assert read_qrels(two) == {"q1": {"d1": 1}}
    bad = tmp_path / "d.tsv"
    bad.write_text("q1\td1\t1\nq2\td2\tmany\n", encoding="utf-8")
    with pytest.raises(TrialInputError, match=r"d.tsv:2"):
        read_qrels(bad)


def test_broken_lines_unknown_ids_and_missing_qrels_counted(tmp_path: Path) -> None:
    """Broken JSON lines are skipped and counted; qrels to unknown docs, queries without qrels are dropped."""
    (tmp_path / "corpus.jsonl").write_text(
        '{"_id": "d1", "text": "Paris is the capital of France."}\n{oops\n'
        '{"_id": "d2", "title": "T", "text": "Berlin is in Germany."}\n{"_id": "d3", "text": ""}\n',
        encoding="utf-8")
    (tmp_path / "queries.jsonl").write_text(
        '{"_id": "q1", "text": "capital of France"}\n{"_id": "q2", "text": "where is Berlin"}\n'
        '{"_id": "q3", "text": "no qrels"}\n', encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\tgone\t1\n",
                                        encoding="utf-8")
    ds = load_dataset(tmp_path)
    assert [q.id for q in ds.queries] == ["q1"]
    assert [d.id for d in ds.corpus] == ["d1", "d2"]
    assert ds.info["files_skipped"] == {"invalid JSON line": 1, "record without id or text": 1}
    assert ds.info["queries_dropped"] == {"unknown doc ids": 1, "queries without a relevant document": 2}


def test_separate_qrels_file_overrides(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text(
        '{"_id": "d1", "text": "Alpha."}\n{"_id": "d2", "text": "Beta."}\n', encoding="utf-8")
    (tmp_path / "queries.jsonl").write_text('{"_id": "q1", "text": "beta"}\n', encoding="utf-8")
    other = tmp_path / "mine.tsv"
    other.write_text("q1\td2\t1\n", encoding="utf-8")
    assert load_dataset(tmp_path, qrels=other).qrels == {"q1": {"d2": 1}}
