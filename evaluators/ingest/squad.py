"""Read a SQuAD-style JSON file: each paragraph is a document, each answerable question a query.

Mirrors how the shared squad_en set was built: the paragraph holding the question is its one relevant
document, and the answer text is kept on the Query. Unanswerable questions (`is_impossible`) are skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.ingest.beir import read_text
from evaluators.ingest.records import json_value
from evaluators.ingest.report import ReadReport
from evaluators.types import Doc, Query, TrialInputError


@dataclass
class SquadParts:
    corpus: list[Doc]
    queries: list[Query]
    qrels: dict[str, dict[str, int]]
    skipped_questions: int


def looks_like_squad(value: Any) -> bool:
    """A dict with a 'data' list whose first article has 'paragraphs'."""
    if not isinstance(value, dict) or not isinstance(value.get("data"), list) or not value["data"]:
        return False
    first = value["data"][0]
    return isinstance(first, dict) and isinstance(first.get("paragraphs"), list)


def is_squad_file(path: Path) -> bool:
    if not (path.is_file() and path.suffix.lower() == ".json"):
        return False
    try:
        head = read_text(path)[:200_000]
    except TrialInputError:
        return False
    return '"data"' in head and '"paragraphs"' in head


def _slug(title: str) -> str:
    return re.sub(r"\s+", "_", title.strip()) or "article"


def read_squad(path: Path, report: ReadReport) -> SquadParts:
    try:
        value = json_value(read_text(path))
    except json.JSONDecodeError as exc:
        raise TrialInputError(f"{path}: invalid JSON ({exc.msg}, line {exc.lineno}); fix the file, or give "
                              "a folder of documents") from None
    if not looks_like_squad(value):
        raise TrialInputError(f"{path}: not a SQuAD-style file (no data[].paragraphs lists); give SQuAD JSON "
                              "or put the file in a folder to read it as records")
    parts = SquadParts([], [], {}, 0)
    seen_q: set[str] = set()
    used_slugs: set[str] = set()
    for a, article in enumerate(value["data"]):
        title = str(article.get("title") or f"article{a}")
        slug = _slug(title)
        if slug in used_slugs:
            slug = f"{slug}-{a}"
        used_slugs.add(slug)
        for p, para in enumerate(article.get("paragraphs") or []):
            context = str(para.get("context") or "")
            if not context.strip():
                continue
            did = f"{slug}-p{p}"
            parts.corpus.append(Doc(id=did, text=context, title=title, source=str(path)))
            for qa in para.get("qas") or []:
                _add_question(parts, qa, did, seen_q)
    report.files_read += 1
    return parts


def _add_question(parts: SquadParts, qa: dict[str, Any], did: str, seen: set[str]) -> None:
    answers = [a.get("text", "") for a in qa.get("answers") or [] if isinstance(a, dict)]
    answers = [a.strip() for a in answers if isinstance(a, str) and a.strip()]
    text = str(qa.get("question") or "").strip()
    qid = str(qa.get("id") or f"{did}-q{len(parts.queries)}")
    if qa.get("is_impossible") or not answers or not text or qid in seen:
        parts.skipped_questions += 1
        return
    seen.add(qid)
    unique = tuple(dict.fromkeys(answers))  # annotators often repeat the same span
    parts.queries.append(Query(id=qid, text=text, answer=unique[0], answers=unique))
    parts.qrels[qid] = {did: 1}
