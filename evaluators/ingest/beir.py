"""Read a BEIR-layout folder: corpus.jsonl, queries.jsonl, and qrels/<split>.tsv or qrels.tsv.

Also holds the qrels reader the user's own --qrels file goes through (BEIR TSV with or without a header,
or TREC 'qid 0 docid grade'). Rows with grade <= 0 are not relevant and are dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.ingest.encoding import UndecodableError, decode_bytes
from evaluators.ingest.records import json_value, record_text
from evaluators.ingest.report import ReadReport
from evaluators.types import Doc, Query, TrialInputError

QRELS_SPLITS = ("test", "dev", "validation", "train")
"""Preference order when a qrels/ folder holds several splits (BEIR evaluates on test)."""


@dataclass
class BeirParts:
    corpus: list[Doc]
    queries: list[Query]
    qrels: dict[str, dict[str, int]]
    qrels_file: str | None


def is_beir(path: Path) -> bool:
    return path.is_dir() and (path / "corpus.jsonl").is_file()


def find_qrels(folder: Path) -> Path | None:
    """qrels.tsv, else qrels/<split>.tsv by QRELS_SPLITS order, else the only qrels/*.tsv."""
    if (folder / "qrels.tsv").is_file():
        return folder / "qrels.tsv"
    sub = folder / "qrels"
    if not sub.is_dir():
        return None
    for split in QRELS_SPLITS:
        if (sub / f"{split}.tsv").is_file():
            return sub / f"{split}.tsv"
    tsvs = sorted(sub.glob("*.tsv"))
    return tsvs[0] if tsvs else None


def read_text(path: Path) -> str:
    """A whole text file, decoded; a missing or binary file is a TrialInputError naming it."""
    try:
        return decode_bytes(path.read_bytes()).text
    except OSError as exc:
        raise TrialInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UndecodableError as exc:
        raise TrialInputError(f"cannot read {path}: {exc}") from exc


def read_jsonl(path: Path, report: ReadReport, text: str | None = None) -> list[dict[str, Any]]:
    """The JSON objects in a .jsonl file (or its already decoded `text`); broken lines are skipped and
    counted."""
    rows: list[dict[str, Any]] = []
    for n, line in enumerate((read_text(path) if text is None else text).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json_value(line)
        except json.JSONDecodeError:
            report.skip(f"{path}:{n}", "invalid JSON line")
            continue
        if isinstance(value, dict):
            rows.append(value)
        else:
            report.skip(f"{path}:{n}", "invalid JSON line")
    return rows


def read_corpus_jsonl(path: Path, report: ReadReport) -> list[Doc]:
    docs: list[Doc] = []
    seen: set[str] = set()
    for n, row in enumerate(read_jsonl(path, report), start=1):
        did = str(row.get("_id", row.get("id", ""))).strip()
        text = record_text(row)
        if not did or not text.strip():
            report.skip(f"{path}:{n}", "record without id or text")
            continue
        if did in seen:
            report.skip(f"{path}:{n}", "duplicate id")
            continue
        seen.add(did)
        docs.append(Doc(id=did, text=text, title=str(row.get("title") or ""), source=str(path)))
    report.files_read += 1
    return docs


def read_queries_jsonl(path: Path, report: ReadReport) -> list[Query]:
    out: list[Query] = []
    for n, row in enumerate(read_jsonl(path, report), start=1):
        qid = str(row.get("_id", row.get("id", ""))).strip()
        text = str(row.get("text", row.get("query", row.get("question", "")))).strip()
        if not qid or not text:
            report.skip(f"{path}:{n}", "query without id or text")
            continue
        answers = _answer_texts(row.get("answers", row.get("answer")))
        out.append(Query(id=qid, text=text, answer=answers[0] if answers else None, answers=answers))
    report.files_read += 1
    return out


def _answer_texts(value: object) -> tuple[str, ...]:
    """'answer' (a string) or 'answers' (strings, or SQuAD's [{"text": ...}]) of a BEIR query row."""
    items = value if isinstance(value, list) else [value]
    texts = [i.get("text") if isinstance(i, dict) else i for i in items]
    return tuple(dict.fromkeys(str(t).strip() for t in texts if t not in (None, "") and str(t).strip()))


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """qid -> {doc id: grade > 0} from BEIR TSV (header optional) or TREC qrels (4 whitespace columns)."""
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate(read_text(path).splitlines(), start=1):
        parts = line.split("\t") if "\t" in line else line.split()
        if not parts or not line.strip():
            continue
        if len(parts) == 4:
            qid, did, grade_s = parts[0], parts[2], parts[3]
        elif len(parts) in (2, 3):
            qid, did, grade_s = parts[0], parts[1], parts[2] if len(parts) == 3 else "1"
        else:
            raise TrialInputError(f"{path}:{n}: expected 'query-id<TAB>corpus-id<TAB>score'; fix that line")
        try:
            grade = int(float(grade_s))
        except ValueError:
            if n == 1:
                continue  # the header line
            raise TrialInputError(f"{path}:{n}: score {grade_s!r} is not a number; use a whole number "
                                  "grade (1 = relevant)") from None
        if grade > 0:
            qrels.setdefault(qid.strip(), {})[did.strip()] = grade
    return qrels


def read_beir(folder: Path, report: ReadReport) -> BeirParts:
    """Corpus, queries (absent: empty) and qrels (absent: empty) of a BEIR folder."""
    corpus = read_corpus_jsonl(folder / "corpus.jsonl", report)
    qpath = folder / "queries.jsonl"
    queries = read_queries_jsonl(qpath, report) if qpath.is_file() else []
    qrels_path = find_qrels(folder)
    qrels = read_qrels(qrels_path) if qrels_path else {}
    return BeirParts(corpus, queries, qrels, str(qrels_path) if qrels_path else None)
