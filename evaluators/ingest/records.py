"""Records to documents: JSON/JSONL values and CSV rows, with the rules for ids, text and header rows.

Kept apart from file walking (`evaluators.ingest.files`) because BEIR corpora and user query files read
records too. Strings from JSON are made storable here (`json_value`): a lone "\\udXXX" escape is legal JSON
but cannot be written as UTF-8, so it used to break hashing and the journal far from where it came in.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from evaluators.ingest.encoding import printable
from evaluators.ingest.report import ReadReport
from evaluators.types import Doc

TEXT_FIELDS = ("text", "content", "contents", "body", "passage", "context", "document", "page_content")
ID_FIELDS = ("_id", "id", "doc_id", "docid", "corpus_id")
HEADER_NAMES = frozenset({*TEXT_FIELDS, *ID_FIELDS, "title", "question", "query", "answer", "answers",
                          "name", "url", "source", "label", "category"})
"""First-row cells that make a CSV's first row a header whatever the rest looks like."""
MAX_FIELD_CHARS = 50_000_000
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_NAME_LIKE = re.compile(r"[^\W\d][\w .\-/()]{0,39}")
_ID_LIKE = re.compile(r"\S{1,64}")


def json_value(text: str) -> Any:
    """json.loads, with lone surrogates in strings (keys included) replaced (see the module docstring).
    Every way JSON text can be unusable raises json.JSONDecodeError (deep nesting and 5,000-digit numbers
    raised RecursionError and ValueError, which escaped as tracebacks)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        raise json.JSONDecodeError(reason, text, 0) from None
    return _clean(value) if _SURROGATE_ESCAPE.search(text) else value


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {printable(str(k)): _clean(v) for k, v in value.items()}
    return value


def jsonl_records(raw: str, src: str, report: ReadReport) -> list[Any]:
    """The values on the lines of a .jsonl text; broken lines are counted as skipped."""
    records: list[Any] = []
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json_value(line))
        except json.JSONDecodeError:
            report.skip(f"{src}:{n}", "invalid JSON line")
    return records


def csv_records(raw: str, src: str, report: ReadReport) -> list[dict[str, Any]]:
    """The rows of a CSV text as dicts. The first row is a header when it names fields (text, id, title,
    ...) or looks like names above data of another kind; otherwise every row is data, the first column is
    the id when it holds short unique values, and the other cells are the text (a note says so)."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:  # newline="": csv itself splits rows, so a lone '\r' (old Mac line ends) ends a row, not the read
        rows = [r for r in csv.reader(io.StringIO(raw, newline="")) if any(c.strip() for c in r)]
    except csv.Error as exc:
        report.skip(src, f"unreadable CSV ({exc})")
        return []
    if not rows:
        return []
    if _is_header(rows[0], rows[1:]):
        names = [c.strip() or f"column{i + 1}" for i, c in enumerate(rows[0])]
        return [dict(zip(names, row, strict=False)) for row in rows[1:]]
    width = max(len(r) for r in rows)
    ids = [r[0].strip() if r else "" for r in rows]
    id_column = width > 1 and len(set(ids)) == len(ids) and all(_ID_LIKE.fullmatch(i) for i in ids)
    report.note(f"{src}: no header row, so every row is a document"
                + (" (column 1 is its id, the other columns its text)" if id_column else "")
                + "; add a header with a 'text' column to choose otherwise")
    out: list[dict[str, Any]] = []
    for row in rows:
        cells = row[1:] if id_column else row
        rec: dict[str, Any] = {"text": "\n".join(c.strip() for c in cells if c.strip())}
        if id_column:
            rec["id"] = row[0].strip()
        out.append(rec)
    return out


def _is_header(first: list[str], data: list[list[str]]) -> bool:
    cells = [c.strip() for c in first]
    if any(c.lower() in HEADER_NAMES for c in cells):
        return True
    if not all(_is_name(c) for c in cells) or len(set(cells)) < len(cells):
        return False
    # Names above data of another kind (long text, numbers) in at least one column: a header.
    for col in range(len(cells)):
        values = [r[col].strip() for r in data[:50] if col < len(r) and r[col].strip()]
        if values and sum(1 for v in values if not _is_name(v)) * 2 > len(values):
            return True
    return False


def _is_name(cell: str) -> bool:
    return bool(_NAME_LIKE.fullmatch(cell)) and len(cell.split()) <= 3


def records_to_docs(records: list[Any], rel: str, src: str, report: ReadReport) -> list[Doc]:
    """One Doc per record with text (a bare string is its own text); others are counted as skipped."""
    docs: list[Doc] = []
    for n, rec in enumerate(records):
        if isinstance(rec, str):
            rec = {"text": rec}
        if not isinstance(rec, dict):
            report.skip(f"{src}:{n}", "record without text")
            continue
        text = record_text(rec)
        if not text:
            report.skip(f"{src}:{n}", "record without text")
            continue
        rid = next((str(rec[k]) for k in ID_FIELDS if rec.get(k) not in (None, "")), f"{rel}:{n}")
        docs.append(Doc(id=rid, text=text, title=str(rec.get("title") or ""), source=src))
    return docs


def record_text(rec: dict[str, Any]) -> str:
    """A JSON/CSV record's text: its first text-like field, else 'key: value' lines of its string fields."""
    for key in TEXT_FIELDS:
        value = rec.get(key)
        if isinstance(value, str) and value.strip():
            return value
    lines = [f"{k}: {v}" for k, v in rec.items()
             if k not in ID_FIELDS and k != "title" and isinstance(v, str) and v.strip()]
    return "\n".join(lines)
