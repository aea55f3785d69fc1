"""Read a folder (recursively) or one file of documents into `Doc`s, counting every file skipped and why.

One document per .txt/.md/.html/.pdf file; one per record in .jsonl/.json/.csv files. Doc ids are the path
relative to the input root (posix), or the record's own id; a skipped file never stops the walk.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from evaluators.ingest.encoding import UndecodableError, decode_bytes
from evaluators.types import Doc

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".csv", ".pdf")
MAX_FILE_BYTES = 50_000_000
"""Larger files are skipped ('too large'): a quick trial should not stall on one log dump."""
TEXT_FIELDS = ("text", "content", "contents", "body", "passage", "context", "document", "page_content")
ID_FIELDS = ("_id", "id", "doc_id", "docid", "corpus_id")

SkipFn = Callable[[str, str], None]
"""on_skip(path, reason): called once per skipped file or record."""


@dataclass
class ReadReport:
    """Honest counts from one read: what was read, and what was skipped by reason."""

    files_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[str, str]] = field(default_factory=list)
    """The first few (path, reason) pairs, for messages."""
    encodings: Counter[str] = field(default_factory=Counter)
    on_skip: SkipFn | None = None

    def skip(self, path: str, reason: str) -> None:
        self.skipped[reason] += 1
        if len(self.examples) < 10:
            self.examples.append((path, reason))
        if self.on_skip is not None:
            self.on_skip(path, reason)


def iter_files(root: Path, report: ReadReport) -> Iterator[Path]:
    """Supported files under `root` in sorted order; hidden entries and other types are counted as skipped."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [d for d in dirnames if d.startswith(".")]:
            report.skip(os.path.join(dirpath, name), "hidden")  # counted once, not walked (.git, .venv)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if name.startswith("."):
                report.skip(str(path), "hidden")
            elif path.suffix.lower() not in SUPPORTED:
                report.skip(str(path), "unsupported type")
            elif path.is_file():
                yield path


def read_documents(root: Path, report: ReadReport) -> list[Doc]:
    """Every document under `root` (a folder or a single file); ids are made unique."""
    docs: list[Doc] = []
    seen: set[str] = set()
    base = root.parent if root.is_file() else root
    for path in iter_files(root, report):
        rel = path.relative_to(base).as_posix()
        got = read_file(path, rel, report)
        if got is None:
            continue
        report.files_read += 1
        for doc in got:
            if doc.id in seen:
                doc = _renamed(doc, f"{rel}:{doc.id}", seen)
            seen.add(doc.id)
            docs.append(doc)
    return docs


def _renamed(doc: Doc, want: str, seen: set[str]) -> Doc:
    new, n = want, 1
    while new in seen:
        n += 1
        new = f"{want}~{n}"
    return Doc(id=new, text=doc.text, title=doc.title, source=doc.source)


def read_file(path: Path, rel: str, report: ReadReport) -> list[Doc] | None:
    """The docs in one file, or None after counting why it was skipped."""
    try:
        size = path.stat().st_size
    except OSError:
        report.skip(str(path), "unreadable")
        return None
    if size > MAX_FILE_BYTES:
        report.skip(str(path), "too large")
        return None
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        text = _pdf_text(path, report)
        docs = None if text is None else [Doc(id=rel, text=text, title=path.stem, source=str(path))]
    else:
        raw = _decoded(path, report)
        if raw is None:
            return None
        docs = _parse_text_file(raw, suffix, path, rel, report)
    if docs is None:
        return None
    docs = [d for d in docs if d.text.strip()]
    if not docs:
        report.skip(str(path), "empty")
        return None
    return docs


def _decoded(path: Path, report: ReadReport) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        report.skip(str(path), "unreadable")
        return None
    try:
        decoded = decode_bytes(data)
    except UndecodableError as exc:
        report.skip(str(path), str(exc))
        return None
    report.encodings[decoded.encoding] += 1
    return decoded.text


def _parse_text_file(raw: str, suffix: str, path: Path, rel: str, report: ReadReport) -> list[Doc] | None:
    src = str(path)
    if suffix in (".html", ".htm"):
        title, text = html_to_text(raw)
        return [Doc(id=rel, text=text, title=title or path.stem, source=src)]
    if suffix == ".jsonl":
        return _records_to_docs(_jsonl_records(raw, src, report), rel, src, report)
    if suffix == ".json":
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            report.skip(src, "invalid JSON")
            return None
        if isinstance(value, dict) and isinstance(value.get("data"), list) and "paragraphs" in raw[:200_000]:
            report.skip(src, "SQuAD file inside a folder (pass the file itself)")
            return None
        records = value if isinstance(value, list) else [value]
        return _records_to_docs(records, rel, src, report)
    if suffix == ".csv":
        return _records_to_docs(_csv_records(raw), rel, src, report)
    return [Doc(id=rel, text=raw, title=_md_title(raw) or path.stem, source=src)]


def _jsonl_records(raw: str, src: str, report: ReadReport) -> list[Any]:
    records: list[Any] = []
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            report.skip(f"{src}:{n}", "invalid JSON line")
    return records


def _csv_records(raw: str) -> list[dict[str, str]]:
    csv.field_size_limit(MAX_FILE_BYTES)
    return [dict(row) for row in csv.DictReader(io.StringIO(raw))]


def _records_to_docs(records: list[Any], rel: str, src: str, report: ReadReport) -> list[Doc]:
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


def _md_title(text: str) -> str:
    m = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", text[:2000], re.MULTILINE)
    return m.group(1) if m else ""


def _pdf_text(path: Path, report: ReadReport) -> str | None:
    try:
        from pypdf import PdfReader  # optional extra: embedscout[pdf]
    except ImportError:
        report.skip(str(path), "pdf support not installed (pip install 'embedscout[pdf]')")
        return None
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception:  # pypdf raises many types for broken or encrypted files; all mean "skip it"
        report.skip(str(path), "unreadable pdf")
        return None
    report.encodings["pdf"] += 1
    return "\n\n".join(p.strip() for p in pages if p.strip())


class _HTMLText(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
              "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dd", "dt", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip_depth:
            self.parts.append(data)


def html_to_text(raw: str) -> tuple[str, str]:
    """(title, visible text) of an HTML page: scripts/styles dropped, block tags become paragraph breaks."""
    parser = _HTMLText()
    parser.feed(raw)
    parser.close()
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    text = re.sub(r" *\n[ \n]*\n *", "\n\n", text).strip()
    return " ".join("".join(parser.title).split()), text
