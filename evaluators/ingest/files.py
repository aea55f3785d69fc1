"""Read a folder (recursively) or one file of documents into `Doc`s, counting every file skipped and why.

One document per .txt/.md/.html/.pdf file; one per record in .jsonl/.json/.csv files. Doc ids are the path
relative to the input root (posix), or the record's own id; a skipped file never stops the walk.
"""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from evaluators.ingest.encoding import UndecodableError, decode_bytes, printable
from evaluators.ingest.records import (
    ID_FIELDS,
    TEXT_FIELDS,
    csv_records,
    json_value,
    jsonl_records,
    record_text,
    records_to_docs,
)
from evaluators.ingest.report import ReadReport, SkipFn
from evaluators.types import Doc

__all__ = ["ID_FIELDS", "MAX_FILE_BYTES", "SUPPORTED", "TEXT_FIELDS", "ReadReport", "SkipFn", "html_to_text",
           "iter_files", "read_documents", "read_file", "record_text"]

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".csv", ".pdf")
MAX_FILE_BYTES = 50_000_000
"""Larger files are skipped (TOO_LARGE): a quick trial should not stall on one log dump."""
TOO_LARGE = f"too large (over the {MAX_FILE_BYTES // 1_000_000} MB per-file limit)"


def iter_files(root: Path, report: ReadReport) -> Iterator[tuple[str, str, int]]:
    """(path, id, size) of the supported files under `root` in sorted order; hidden entries and other types
    are counted as skipped. The id is the path relative to the input root (posix), made printable.

    Strings and os.scandir, not pathlib: on a 100,000-file folder, Path objects cost seconds.
    """
    if root.is_file():
        yield str(root), printable(root.name), _size(str(root))
        return
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            report.skip(folder, "unreadable")
            continue
        subdirs = []
        for entry in entries:
            if entry.name.startswith("."):
                report.skip(entry.path, "hidden")  # counted once, not walked (.git, .venv)
            elif _is_dir(entry):
                if not entry.is_symlink():  # like os.walk: a linked folder is not followed (no cycles)
                    subdirs.append((entry.path, f"{prefix}{entry.name}/"))
            elif os.path.splitext(entry.name)[1].lower() not in SUPPORTED:
                report.skip(entry.path, "unsupported type")
            elif _is_file(entry):
                yield entry.path, printable(prefix + entry.name), _size(entry.path)
        stack.extend(reversed(subdirs))  # depth first and sorted: a folder's files, then its subfolders


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


def read_documents(root: Path, report: ReadReport) -> list[Doc]:
    """Every document under `root` (a folder or a single file); ids are made unique."""
    docs: list[Doc] = []
    seen: set[str] = set()
    for path, rel, size in iter_files(root, report):
        got = read_file(path, rel, report, size)
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


def read_file(path: str, rel: str, report: ReadReport, size: int | None = None) -> list[Doc] | None:
    """The docs in one file, or None after counting why it was skipped."""
    size = _size(path) if size is None else size
    if size < 0:
        report.skip(path, "unreadable")
        return None
    if size > MAX_FILE_BYTES:
        report.skip(path, TOO_LARGE)
        return None
    src = printable(path)
    stem, suffix = os.path.splitext(os.path.basename(src))
    suffix = suffix.lower()
    if suffix == ".pdf":
        text = _pdf_text(path, report)
        docs = None if text is None else [Doc(id=rel, text=text, title=stem, source=src)]
    else:
        raw = _decoded(path, report)
        if raw is None:
            return None
        docs = _parse_text_file(raw, suffix, src, stem, rel, report)
    if docs is None:
        return None
    docs = [d for d in docs if d.text.strip()]
    if not docs:
        report.skip(path, "empty")
        return None
    return docs


def _decoded(path: str, report: ReadReport) -> str | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        report.skip(path, "unreadable")
        return None
    try:
        decoded = decode_bytes(data)
    except UndecodableError as exc:
        report.skip(path, str(exc))
        return None
    report.encodings[decoded.encoding] += 1
    return decoded.text


def _parse_text_file(raw: str, suffix: str, src: str, stem: str, rel: str, report: ReadReport
                     ) -> list[Doc] | None:
    if suffix in (".html", ".htm"):
        title, text = html_to_text(raw)
        return [Doc(id=rel, text=text, title=title or stem, source=src)]
    if suffix == ".jsonl":
        return records_to_docs(jsonl_records(raw, src, report), rel, src, report)
    if suffix == ".json":
        try:
            value = json_value(raw)
        except json.JSONDecodeError:
            report.skip(src, "invalid JSON")
            return None
        if isinstance(value, dict) and isinstance(value.get("data"), list) and "paragraphs" in raw[:200_000]:
            report.skip(src, "SQuAD file inside a folder (pass the file itself)")
            return None
        records = value if isinstance(value, list) else [value]
        return records_to_docs(records, rel, src, report)
    if suffix == ".csv":
        return records_to_docs(csv_records(raw, src, report), rel, src, report)
    return [Doc(id=rel, text=raw, title=_md_title(raw) or stem, source=src)]


def _md_title(text: str) -> str:
    m = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", text[:2000], re.MULTILINE)
    return m.group(1) if m else ""


def _pdf_text(path: str, report: ReadReport) -> str | None:
    try:
        from pypdf import PdfReader  # optional extra: embedscout[pdf]
    except ImportError:
        report.skip(path, "pdf support not installed (pip install 'embedscout[pdf]')")
        return None
    # pypdf logs and warns about every oddity it repairs ("EOF marker not found", ...) straight to stderr;
    # the skip reason below is the one message the user should see.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path)
            pages = [page.extract_text() or "" for page in reader.pages]
    except Exception:  # pypdf raises many types for broken or encrypted files; all mean "skip it"
        report.skip(path, "unreadable pdf")
        return None
    finally:
        logger.setLevel(level)
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
